-- The feedback review queue lists 差评 (levels 1–2) and ratings with a
-- message, newest first, over a period of all units. Without an index that
-- reads every rating of the period (4.1 s for 90 days at 50 million
-- ratings a year); this partial index holds only the ratings the queue
-- shows (a few per cent), so a page takes under a millisecond and its count
-- about half a second. Building it takes about 15 s per 50 million ratings,
-- during which rating writes wait.
CREATE INDEX ratings_feedback ON ratings (rated_at) WHERE level <= 2 OR comment <> '';

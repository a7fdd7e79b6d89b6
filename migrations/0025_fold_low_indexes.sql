-- One index fewer on each side of a 差评's write (issue 12). Migration 0024
-- gave levels 1–2 their own indexes (ratings_low, ratings_unit_low) so that
-- a page of "level 1" did not visit the row of every other 差评 and message
-- to learn its level. The level as the last key of the two feedback
-- indexes does the same: the level is tested in the index, and only the
-- page's own rows are visited. A page of one level now steps over the
-- other level's and the messages' entries (a few index tuples per match, no
-- row visits), and a 差评 is written into two indexes fewer — the terminal
-- write path measured before/after in docs/benchmarks.md.
DROP INDEX ratings_low;
DROP INDEX ratings_unit_low;
DROP INDEX ratings_feedback;
CREATE INDEX ratings_feedback ON ratings (rated_at, unit_id, level) WHERE level <= 2 OR comment <> '';
DROP INDEX ratings_unit_feedback;
CREATE INDEX ratings_unit_feedback ON ratings (unit_id, rated_at, level) WHERE level <= 2 OR comment <> '';

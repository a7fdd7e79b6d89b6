-- The rating feed and its counts at province scale (issue 12): every page
-- of the feed walks an index in the feed's order (rated_at DESC) from a
-- cursor, and every total stops counting at 10,001 (internal/ratings/feed.go).
--
-- All units, newest first: without an index on rated_at alone the feed
-- sorted every rating of every partition (no answer within 30 s at 50
-- million ratings).
CREATE INDEX ratings_rated_at ON ratings (rated_at);

-- One unit's 差评 and messages, newest first: (unit_id, rated_at) reads the
-- unit's every rating to find the few per cent that are 差评 or carry a
-- message; this partial index holds only those.
CREATE INDEX ratings_unit_feedback ON ratings (unit_id, rated_at) WHERE level <= 2 OR comment <> '';

-- The rare subsets the overview counts and the feed filters on: excluded
-- ratings (a few per thousand) and ratings stored while Redis was down
-- (not rate-checked), for all units and per unit. Each holds only its
-- subset, so writing a rating outside it costs a predicate check.
CREATE INDEX ratings_excluded ON ratings (rated_at) WHERE excluded;
CREATE INDEX ratings_unit_excluded ON ratings (unit_id, rated_at) WHERE excluded;
CREATE INDEX ratings_unchecked ON ratings (rated_at) WHERE NOT rate_checked;
CREATE INDEX ratings_unit_unchecked ON ratings (unit_id, rated_at) WHERE NOT rate_checked;

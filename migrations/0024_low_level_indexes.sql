-- 差评 of one level, newest first (issue 12): the feed and the review
-- queue filtered to level 1 (非常不满意) or 2 (不满意). Walking
-- ratings_feedback or ratings_unit_feedback for them read every 差评 and
-- message of the other kinds first, each a visit of the rating's row to
-- learn its level: 100–160 ms for a page of one unit's level 1 over 50
-- million ratings. With the level a key after the unit, a page reads its
-- own rows only. These hold levels 1–2 alone (5 % of the ratings), so a
-- rating of 3–5 stars pays a predicate check on write, nothing more.
--
-- The unit is a key of the all-units indexes too, after the time. In the
-- month under way Postgres often prefers walking an all-units index in
-- time order (its rows lie in the table in that order) to the unit's own
-- index, and then visited every other unit's row of the month to test
-- its unit: 45–60 ms for a page of one large unit's messages, 400 ms
-- from disk. With the unit in the index it is tested there, without a
-- visit.
CREATE INDEX ratings_low ON ratings (level, rated_at, unit_id) WHERE level <= 2;
CREATE INDEX ratings_unit_low ON ratings (unit_id, level, rated_at) WHERE level <= 2;
DROP INDEX ratings_feedback;
CREATE INDEX ratings_feedback ON ratings (rated_at, unit_id) WHERE level <= 2 OR comment <> '';

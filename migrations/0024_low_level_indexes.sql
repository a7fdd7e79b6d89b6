-- 差评 of one level, newest first (issue 12): the feed and the review
-- queue filtered to level 1 (非常不满意) or 2 (不满意). Walking
-- ratings_feedback or ratings_unit_feedback for them read every 差评 and
-- message of the other kinds first, each a visit of the rating's row to
-- learn its level: 100–160 ms for a page of one unit's level 1 over 50
-- million ratings. With the level a key after the unit, a page reads its
-- own rows only. These hold levels 1–2 alone (5 % of the ratings), so a
-- rating of 3–5 stars pays a predicate check on write, nothing more.
CREATE INDEX ratings_low ON ratings (level, rated_at) WHERE level <= 2;
CREATE INDEX ratings_unit_low ON ratings (unit_id, level, rated_at) WHERE level <= 2;

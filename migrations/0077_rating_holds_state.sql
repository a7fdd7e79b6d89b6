-- Each held rating's row in rating_holds keeps the rating's level and
-- whether it is still held and whether it is excluded, so that the review
-- queue's groups of held ratings (internal/feedback/held.go) are read from
-- rating_holds alone: joining the ratings cost the planner a walk over
-- the partitions of the period on every page (40 ms of planning under load
-- at province scale). Every statement that changes a rating's held or
-- excluded changes its row here in the same statement (ratings/held.go,
-- held_decide.go, query.go); a restored archive of an older release gets
-- them from its ratings (partitions/restore.go).
ALTER TABLE rating_holds
    ADD COLUMN level smallint CHECK (level BETWEEN 1 AND 5),
    ADD COLUMN held boolean,
    ADD COLUMN excluded boolean;

UPDATE rating_holds h SET level = r.level, held = r.held, excluded = r.excluded
FROM ratings r WHERE r.id = h.rating_id AND r.rated_at = h.rated_at;

-- The groups of a period with their state, read without visiting the
-- table (the index has every column the group list counts).
CREATE INDEX rating_holds_day_group ON rating_holds (day, unit_id, source) INCLUDE (held, excluded, level);
DROP INDEX rating_holds_day;

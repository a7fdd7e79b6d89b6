-- A unit's predecessors (前身单位): when bureaus merge, split or are
-- renamed, the new unit names the unit(s) it continues (issue 16 part 8),
-- so three-year streaks follow the line (internal/results/lineage.go).
-- A merger gives a unit several predecessors; a split gives two units the
-- same predecessor; a rename gives one unit one predecessor. The lineage
-- has no cycles: internal/units/lineage.go refuses one under a table lock.
CREATE TABLE unit_predecessors (
    unit_id         bigint NOT NULL REFERENCES units (id),
    predecessor_id  bigint NOT NULL REFERENCES units (id),
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    created_by      bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, predecessor_id),
    CHECK (unit_id <> predecessor_id)
);

-- Successors of a unit (its page lists them).
CREATE INDEX unit_predecessors_predecessor ON unit_predecessors (predecessor_id);

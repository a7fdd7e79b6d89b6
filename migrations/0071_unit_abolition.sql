-- Abolished units (撤销单位, issue 16 part 8): after a merger the merged-away
-- bureaus no longer exist. The office records the day a unit was
-- abolished, with a note; its successors are the units that name it as a
-- predecessor (unit_predecessors, migration 0059), not stored twice.
-- A unit abolished on D is not a unit of any cycle whose period ends on or
-- after D (internal/units/abolish.go, InCycleSQL: the one rule), and from
-- D on its QR codes and terminals take no ratings. Restoring (恢复) clears
-- the four columns together.
ALTER TABLE units
    ADD COLUMN abolished_on    date,
    ADD COLUMN abolition_note  text NOT NULL DEFAULT '' CHECK (length(abolition_note) <= 200),
    ADD COLUMN abolished_by    bigint REFERENCES users (id),
    ADD COLUMN abolished_at    timestamptz,
    ADD CONSTRAINT units_abolition_complete CHECK ((abolished_on IS NULL) = (abolished_at IS NULL));

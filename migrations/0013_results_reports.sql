-- Written rectification reports (书面整改报告): a unit graded 合格 in the
-- final results of three consecutive years submits one for the cycle of the
-- third year (results.UnitUse.ThreePass), with optional evidence files
-- (evidence_files owned by the unit). The unit may revise it until the
-- office marks it received; received_at set means received, with
-- received_by and an optional receipt_note.
CREATE TABLE assessment_rectification_reports (
    cycle_id      bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id       bigint NOT NULL REFERENCES units (id),
    content       text NOT NULL CHECK (length(content) BETWEEN 1 AND 20000),
    evidence_ids  uuid[] NOT NULL DEFAULT '{}',
    submitted_by  bigint REFERENCES users (id),
    submitted_at  timestamptz NOT NULL,
    received_by   bigint REFERENCES users (id),
    received_at   timestamptz,
    receipt_note  text NOT NULL DEFAULT '' CHECK (length(receipt_note) <= 2000),
    PRIMARY KEY (cycle_id, unit_id),
    CHECK (received_at IS NOT NULL OR received_by IS NULL)
);

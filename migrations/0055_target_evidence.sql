-- Evidence files (佐证材料) a unit attaches to the indicators of its target
-- sheet (internal/targets): the files are evidence_files owned by the unit;
-- the office reads them all, and an assessor unit those of the indicators
-- it assesses (internal/assessors). A file detached leaves no row.
CREATE TABLE target_evidence (
    indicator_id  bigint NOT NULL REFERENCES target_indicators (id),
    evidence_id   uuid NOT NULL REFERENCES evidence_files (id),
    sheet_id      bigint NOT NULL REFERENCES target_sheets (id),
    attached_by   bigint REFERENCES users (id),
    attached_at   timestamptz NOT NULL,
    PRIMARY KEY (indicator_id, evidence_id)
);
-- A sheet's files by indicator, and the indicators citing one file (the
-- assessor's download check).
CREATE INDEX target_evidence_sheet ON target_evidence (sheet_id, indicator_id, attached_at);
CREATE INDEX target_evidence_file ON target_evidence (evidence_id, sheet_id);

-- The office's own checks as records (issue 16 part 2): Zhongshan's
-- monthly self-check, quarterly spot check and half-year inspection
-- (001 § 18), Jiangxi's verification of evidence and on-site checks
-- (002 § 18), Harbin's 察访核验 (§ 22). An inspection of a cycle names the
-- units it looked at, optionally the indicators of their target sheets,
-- the people who took part, and carries files (evidence_files, as
-- deductions and reports do). Each finding concerns one unit and may become
-- a rectification case or a deduction proposal, once each.
CREATE TABLE inspections (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id      bigint NOT NULL REFERENCES assessment_cycles (id),
    kind          text NOT NULL CHECK (kind IN ('self_check', 'spot_check', 'half_year', 'evidence_check',
                      'on_site', 'visit_verify')),
    held_on       date NOT NULL,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    people        text NOT NULL DEFAULT '' CHECK (length(people) <= 500),
    evidence_ids  uuid[] NOT NULL DEFAULT '{}',
    client_key    text CHECK (length(client_key) <= 100),
    created_by    bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, client_key)
);
-- A cycle's list, newest first, all kinds or one.
CREATE INDEX inspections_cycle ON inspections (cycle_id, held_on DESC, id DESC);
CREATE INDEX inspections_cycle_kind ON inspections (cycle_id, kind, held_on DESC, id DESC);

CREATE TABLE inspection_units (
    inspection_id  bigint NOT NULL REFERENCES inspections (id),
    unit_id        bigint NOT NULL REFERENCES units (id),
    PRIMARY KEY (inspection_id, unit_id)
);
-- The inspections of one unit (a unit's own list, the office's filter).
CREATE INDEX inspection_units_unit ON inspection_units (unit_id, inspection_id DESC);

CREATE TABLE inspection_indicators (
    inspection_id  bigint NOT NULL REFERENCES inspections (id),
    indicator_id   bigint NOT NULL REFERENCES target_indicators (id),
    PRIMARY KEY (inspection_id, indicator_id)
);

CREATE TABLE inspection_findings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id  bigint NOT NULL REFERENCES inspections (id),
    unit_id        bigint NOT NULL REFERENCES units (id),
    indicator_id   bigint REFERENCES target_indicators (id),
    severity       text NOT NULL CHECK (severity IN ('general', 'serious', 'good')),
    body           text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    case_id        bigint UNIQUE REFERENCES rectification_cases (id),
    proposal_id    bigint UNIQUE REFERENCES deduction_proposals (id),
    client_key     text CHECK (length(client_key) <= 100),
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (inspection_id, client_key),
    FOREIGN KEY (inspection_id, unit_id) REFERENCES inspection_units (inspection_id, unit_id)
);
CREATE INDEX inspection_findings_inspection ON inspection_findings (inspection_id, id);

-- A case opened on a finding (source_kind 'inspection', source_id the
-- finding's id).
ALTER TABLE rectification_cases DROP CONSTRAINT rectification_cases_source_kind_check;
ALTER TABLE rectification_cases ADD CONSTRAINT rectification_cases_source_kind_check
    CHECK (source_kind IN ('rating', 'response', 'target', 'result', 'assessor', 'inspection'));

-- A deduction proposal from the office's own inspection has no proposing
-- unit: the office proposes, and decides it in the same queue.
ALTER TABLE deduction_proposals ALTER COLUMN proposer_unit_id DROP NOT NULL;

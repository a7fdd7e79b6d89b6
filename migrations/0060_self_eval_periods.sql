-- Self-evaluation periods and reports (自评期次与自评报告, issue 16 part 1;
-- 003 三(二)1: a half-year self-evaluation in mid-July and an annual one in
-- early December; Harbin § 23 a written report; Jiangxi § 18 evidence).
-- The office defines a cycle's periods; each unit with a target sheet in
-- the cycle writes one report per period, with attached evidence files.

-- A period of a cycle: what it covers (up to covers_to) and when its
-- report is due. Names are unique within the cycle. annual marks the
-- period whose indicator claims are the cycle's self-evaluation
-- (target_self_evaluations).
CREATE TABLE self_eval_periods (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id    bigint NOT NULL REFERENCES assessment_cycles (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    covers_to   date NOT NULL,
    due_on      date NOT NULL CHECK (due_on >= covers_to),
    annual      boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (cycle_id, name)
);
CREATE INDEX self_eval_periods_cycle ON self_eval_periods (cycle_id, due_on);
CREATE UNIQUE INDEX self_eval_periods_one_annual ON self_eval_periods (cycle_id) WHERE annual;

-- A unit's written report for a period. submitted_at is the first
-- submission (it decides late: after the period's due date, 逾期提交);
-- later saves change body and updated_at only.
CREATE TABLE self_eval_reports (
    period_id     bigint NOT NULL REFERENCES self_eval_periods (id),
    unit_id       bigint NOT NULL REFERENCES units (id),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    late          boolean NOT NULL,
    submitted_by  bigint REFERENCES users (id),
    submitted_at  timestamptz NOT NULL,
    updated_by    bigint REFERENCES users (id),
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (period_id, unit_id)
);
-- The office's overview filters a period's reports by late.
CREATE INDEX self_eval_reports_late ON self_eval_reports (period_id, late);
CREATE INDEX self_eval_reports_unit ON self_eval_reports (unit_id);

-- Files attached to a report: evidence_files owned by the unit.
CREATE TABLE self_eval_report_files (
    period_id    bigint NOT NULL,
    unit_id      bigint NOT NULL,
    evidence_id  uuid NOT NULL REFERENCES evidence_files (id),
    attached_by  bigint REFERENCES users (id),
    attached_at  timestamptz NOT NULL,
    PRIMARY KEY (period_id, unit_id, evidence_id),
    FOREIGN KEY (period_id, unit_id) REFERENCES self_eval_reports (period_id, unit_id)
);
-- The assessor's download check finds a file's reports.
CREATE INDEX self_eval_report_files_file ON self_eval_report_files (evidence_id, unit_id);

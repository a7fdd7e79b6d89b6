-- The uses of a cycle's final results (issue 16 part 7): the bonus table
-- (绩效奖金, 001 § 23) and the threshold of counted deduction points above
-- which a unit is proposed for 通报批评 (000 § 23), one row per cycle;
-- the office's per-unit factors of the table (成绩突出, 行政问责 cases,
-- major tasks not completed); the records of 通报批评 and 表彰 (once per
-- unit, cycle and kind); and the rectification case opened for a unit's
-- result (002 § 24(五)(六)), once per unit and cycle.
CREATE TABLE result_use_settings (
    cycle_id             bigint PRIMARY KEY REFERENCES assessment_cycles (id),
    bonus                jsonb NOT NULL CHECK (jsonb_typeof(bonus) = 'object'),
    criticism_threshold  numeric(7,2) NOT NULL DEFAULT 5 CHECK (criticism_threshold >= 0),
    updated_by           bigint REFERENCES users (id),
    updated_at           timestamptz NOT NULL
);

-- A unit without a row has no raise and no failed task; its 行政问责
-- count is the number of its 行政问责 deductions in force.
CREATE TABLE result_use_factors (
    cycle_id        bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id         bigint NOT NULL REFERENCES units (id),
    outstanding     boolean NOT NULL DEFAULT false,
    accountability  int NOT NULL DEFAULT 0 CHECK (accountability BETWEEN 0 AND 100),
    failed_tasks    int NOT NULL DEFAULT 0 CHECK (failed_tasks BETWEEN 0 AND 100),
    updated_by      bigint REFERENCES users (id),
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (cycle_id, unit_id)
);

CREATE TABLE result_use_records (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id    bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id     bigint NOT NULL REFERENCES units (id),
    kind        text NOT NULL CHECK (kind IN ('criticism', 'commendation')),
    doc_no      text NOT NULL CHECK (length(doc_no) BETWEEN 1 AND 100),
    doc_date    date NOT NULL,
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    UNIQUE (cycle_id, unit_id, kind)
);
CREATE INDEX result_use_records_unit ON result_use_records (unit_id, cycle_id);

CREATE TABLE result_use_cases (
    cycle_id    bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id     bigint NOT NULL REFERENCES units (id),
    case_id     bigint REFERENCES rectification_cases (id),
    reason      text NOT NULL CHECK (reason IN ('three_pass', 'fail')),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (cycle_id, unit_id)
);

-- The counted deduction points of a published line, kept beside its
-- breakdown so that the 通报批评 proposals over 1,000 units read a number
-- rather than every unit's whole breakdown.
ALTER TABLE assessment_results ADD COLUMN deductions_counted numeric
    GENERATED ALWAYS AS (COALESCE((breakdown -> 'inputs' ->> 'deductions_counted')::numeric, 0)) STORED;

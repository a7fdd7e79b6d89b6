-- Annual targets and process management (目标管理与过程管理,
-- internal/targets): each unit's target sheet (目标责任书) per cycle, its
-- indicators, the append-only published versions, change requests,
-- progress reports and self-evaluation.

-- Per-cycle settings of process management, kept apart from the cycle's
-- scoring configuration. A cycle without a row uses the defaults.
CREATE TABLE target_settings (
    cycle_id          bigint PRIMARY KEY REFERENCES assessment_cycles (id),
    -- frequency of progress reports: 'monthly' or 'quarterly'.
    frequency         text NOT NULL DEFAULT 'quarterly' CHECK (frequency IN ('monthly', 'quarterly')),
    -- a period's report is due this many calendar days after it ends.
    due_days          int NOT NULL DEFAULT 10 CHECK (due_days BETWEEN 0 AND 90),
    -- once locked, self-evaluation can no longer be changed.
    self_eval_locked  boolean NOT NULL DEFAULT false,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- One sheet per unit and cycle. status: draft → submitted → returned
-- (back to the unit, editable) or approved. lock_version rises with every
-- write, for optimistic locking of the forms. published_version is the
-- newest row of target_sheet_versions (0 until first approved).
CREATE TABLE target_sheets (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id           bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id            bigint NOT NULL REFERENCES units (id),
    status             text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
    lock_version       int NOT NULL DEFAULT 1 CHECK (lock_version >= 1),
    review_comment     text NOT NULL DEFAULT '',
    published_version  int NOT NULL DEFAULT 0 CHECK (published_version >= 0),
    submitted_at       timestamptz,
    approved_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, unit_id)
);

-- The current indicators of a sheet. Before the first approval they are
-- edited in place; afterwards only an approved change request changes them,
-- and an indicator it drops keeps its row with removed_at set, so its
-- progress reports stay.
CREATE TABLE target_indicators (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sheet_id          bigint NOT NULL REFERENCES target_sheets (id),
    position          int NOT NULL,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    tasks             text NOT NULL CHECK (length(tasks) BETWEEN 1 AND 2000),
    points            numeric(8, 2) NOT NULL CHECK (points > 0),
    standard          text NOT NULL CHECK (length(standard) BETWEEN 1 AND 2000),
    deadline          date NOT NULL,
    -- the assessor unit (考评单位): a unit of the table, or a name.
    assessor_unit_id  bigint REFERENCES units (id),
    assessor_name     text NOT NULL DEFAULT '',
    -- key of the scheme leaf the indicator feeds, free text ('' for none).
    scheme_key        text NOT NULL DEFAULT '',
    review_comment    text NOT NULL DEFAULT '',
    -- when the indicator was added; progress reports are due only for
    -- periods ending after it.
    created_at        timestamptz NOT NULL,
    removed_at        timestamptz,
    CHECK (assessor_unit_id IS NOT NULL OR assessor_name <> '')
);
CREATE INDEX target_indicators_sheet ON target_indicators (sheet_id, position);

-- Approved versions are append-only: approval inserts version 1, each
-- approved change request the next. indicators is the snapshot as
-- published; changes lists what differs from the version before.
CREATE TABLE target_sheet_versions (
    sheet_id     bigint NOT NULL REFERENCES target_sheets (id),
    version      int NOT NULL CHECK (version >= 1),
    indicators   jsonb NOT NULL CHECK (jsonb_typeof(indicators) = 'array'),
    changes      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(changes) = 'array'),
    reason       text NOT NULL DEFAULT '',
    approved_by  bigint REFERENCES users (id),
    approved_at  timestamptz NOT NULL,
    PRIMARY KEY (sheet_id, version)
);

CREATE FUNCTION minyi_target_sheet_versions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'target_sheet_versions is append-only: % refused', TG_OP;
END $$;

CREATE TRIGGER target_sheet_versions_append_only
    BEFORE UPDATE OR DELETE ON target_sheet_versions
    FOR EACH ROW EXECUTE FUNCTION minyi_target_sheet_versions_append_only();

-- A unit's request to change an approved sheet: the whole proposed list of
-- indicators (ids of existing ones kept) and the reason. At most one
-- request per sheet is pending.
CREATE TABLE target_change_requests (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sheet_id       bigint NOT NULL REFERENCES target_sheets (id),
    base_version   int NOT NULL,
    indicators     jsonb NOT NULL CHECK (jsonb_typeof(indicators) = 'array'),
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    comment        text NOT NULL DEFAULT '',
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL,
    decided_by     bigint REFERENCES users (id),
    decided_at     timestamptz,
    -- the version the approval published.
    result_version int
);
CREATE UNIQUE INDEX target_change_requests_one_pending ON target_change_requests (sheet_id) WHERE status = 'pending';

-- Progress reports: one per indicator and period ('2025-03' or '2025-Q1').
CREATE TABLE target_reports (
    indicator_id  bigint NOT NULL REFERENCES target_indicators (id),
    period        text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$'),
    sheet_id      bigint NOT NULL REFERENCES target_sheets (id),
    progress      text NOT NULL CHECK (length(progress) BETWEEN 1 AND 2000),
    percent       int NOT NULL CHECK (percent BETWEEN 0 AND 100),
    evidence      text NOT NULL DEFAULT '',
    updated_by    bigint REFERENCES users (id),
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (indicator_id, period)
);
CREATE INDEX target_reports_sheet ON target_reports (sheet_id);

-- Self-evaluation (自评) per indicator.
CREATE TABLE target_self_evaluations (
    indicator_id  bigint PRIMARY KEY REFERENCES target_indicators (id),
    sheet_id      bigint NOT NULL REFERENCES target_sheets (id),
    claimed       numeric(8, 2) NOT NULL CHECK (claimed >= 0),
    note          text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    updated_by    bigint REFERENCES users (id),
    updated_at    timestamptz NOT NULL
);
CREATE INDEX target_self_evaluations_sheet ON target_self_evaluations (sheet_id);

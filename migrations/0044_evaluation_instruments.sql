-- Evaluation instruments (评价项目, issue 15): per cycle, any number of
-- evaluations besides the public survey — leaders rating units, deputies
-- and members rating units, units rating each other (部门互评), towns and
-- streets rating departments (基层评价), custom ones. Each is rated on four
-- grades with points or on a 0–100 mark; its result per unit is the mean of
-- the answers, kept incrementally in evaluation_instrument_totals so the
-- whole assessment reads one row per unit and instrument.
CREATE TABLE evaluation_instruments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id         bigint NOT NULL REFERENCES assessment_cycles (id),
    key              text NOT NULL CHECK (key ~ '^[a-z0-9_]{1,40}$'),
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    purpose          text NOT NULL CHECK (purpose IN ('leaders', 'deputies', 'peer', 'grassroots', 'custom')),
    scale            text NOT NULL CHECK (scale IN ('grades', 'mark')),
    -- Points of 优秀, 良好, 一般, 较差 on the grades scale.
    grade_points     numeric(5,2)[] NOT NULL CHECK (cardinality(grade_points) = 4),
    min_answers      int NOT NULL CHECK (min_answers BETWEEN 1 AND 100000),
    anonymous        boolean NOT NULL DEFAULT false,
    -- 部门互评: a unit rates only the units it works with (its partners).
    partners_only    boolean NOT NULL DEFAULT false,
    -- The unit categories rated and (for unit raters) rating; empty = all.
    rated_categories text[] NOT NULL DEFAULT '{}',
    rater_categories text[] NOT NULL DEFAULT '{}',
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    opened_at        timestamptz,
    closed_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, key),
    UNIQUE (cycle_id, name)
);
-- Scheme validation looks a key up across cycles.
CREATE INDEX evaluation_instruments_key ON evaluation_instruments (key);

-- 部门互评 partners: the units a rater unit works with.
CREATE TABLE evaluation_instrument_partners (
    instrument_id  bigint NOT NULL REFERENCES evaluation_instruments (id) ON DELETE CASCADE,
    rater_unit_id  bigint NOT NULL REFERENCES units (id),
    rated_unit_id  bigint NOT NULL REFERENCES units (id),
    PRIMARY KEY (instrument_id, rater_unit_id, rated_unit_id),
    CHECK (rater_unit_id <> rated_unit_id)
);

-- Invited raters (leaders, deputies and members): one secret link each.
CREATE TABLE evaluation_instrument_invitees (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instrument_id  bigint NOT NULL REFERENCES evaluation_instruments (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    group_name     text NOT NULL CHECK (char_length(group_name) BETWEEN 1 AND 50),
    token_hash     bytea NOT NULL UNIQUE,
    token_enc      bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (instrument_id, name)
);

-- One answer per rater and rated unit; a rater is a unit (its accounts) or
-- an invitee. A unit never rates itself (checked here too).
CREATE TABLE evaluation_instrument_answers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instrument_id  bigint NOT NULL REFERENCES evaluation_instruments (id),
    rated_unit_id  bigint NOT NULL REFERENCES units (id),
    rater_unit_id  bigint REFERENCES units (id),
    invitee_id     bigint REFERENCES evaluation_instrument_invitees (id),
    grade          text CHECK (grade IN ('excellent', 'good', 'fair', 'poor')),
    value          numeric(5,2) NOT NULL CHECK (value BETWEEN 0 AND 100),
    answered_by    bigint REFERENCES users (id),
    answered_at    timestamptz NOT NULL,
    CHECK ((rater_unit_id IS NULL) <> (invitee_id IS NULL)),
    CHECK (rater_unit_id IS NULL OR rater_unit_id <> rated_unit_id)
);
CREATE UNIQUE INDEX evaluation_instrument_answers_unit
    ON evaluation_instrument_answers (instrument_id, rater_unit_id, rated_unit_id) WHERE rater_unit_id IS NOT NULL;
CREATE UNIQUE INDEX evaluation_instrument_answers_invitee
    ON evaluation_instrument_answers (instrument_id, invitee_id, rated_unit_id) WHERE invitee_id IS NOT NULL;
-- The answers behind one unit's result, paged by id.
CREATE INDEX evaluation_instrument_answers_rated ON evaluation_instrument_answers (instrument_id, rated_unit_id, id);

-- Running count and sum of each rated unit's answers.
CREATE TABLE evaluation_instrument_totals (
    instrument_id  bigint NOT NULL REFERENCES evaluation_instruments (id),
    unit_id        bigint NOT NULL REFERENCES units (id),
    answers        int NOT NULL CHECK (answers >= 0),
    total          numeric(14,2) NOT NULL,
    PRIMARY KEY (instrument_id, unit_id)
);

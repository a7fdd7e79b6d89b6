-- The full annual assessment's inputs: each cycle's assessment settings
-- (caps, deduction reasons, grading rules, appeal periods), entries by
-- assessor units (考评单位) on the scheme's manual leaves, bonus claims
-- (创先争优加分), deductions (扣分), grade adjustments, and evidence files.
-- Results and appeals are in their own migration.

-- Settings per cycle, append-only versions (like cycle_config_versions):
-- see internal/assessment/settings.go for the JSON.
CREATE TABLE assessment_settings (
    cycle_id    bigint NOT NULL REFERENCES assessment_cycles (id),
    version     int NOT NULL CHECK (version >= 1),
    settings    jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  bigint REFERENCES users (id),
    note        text NOT NULL DEFAULT '',
    PRIMARY KEY (cycle_id, version)
);
CREATE TRIGGER assessment_settings_append_only
    BEFORE UPDATE OR DELETE ON assessment_settings
    FOR EACH ROW EXECUTE FUNCTION minyi_cycle_config_versions_append_only();

-- Uploaded evidence (images or PDF), kept in Postgres so every instance
-- serves it; owner_unit_id limits who may read it besides the office.
CREATE TABLE evidence_files (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sha256         bytea NOT NULL,
    filename       text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    content_type   text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size           int NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    data           bytea NOT NULL,
    owner_unit_id  bigint REFERENCES units (id),
    uploaded_by    bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- The points an assessor unit gives an assessed unit on one manual leaf of
-- the cycle's scheme (leaf_key), or "not applicable" on an item of a
-- pro-rated group. version is the optimistic lock of the entry.
CREATE TABLE assessment_entries (
    cycle_id          bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id           bigint NOT NULL REFERENCES units (id),
    leaf_key          text NOT NULL,
    points            numeric(9,4),
    not_applicable    boolean NOT NULL DEFAULT false,
    note              text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    evidence_ids      uuid[] NOT NULL DEFAULT '{}',
    assessor_unit_id  bigint REFERENCES units (id),
    entered_by        bigint REFERENCES users (id),
    version           int NOT NULL DEFAULT 1,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, unit_id, leaf_key),
    CHECK (not_applicable = (points IS NULL)),
    CHECK (points IS NULL OR points >= 0)
);

-- Bonus claims (创先争优): the unit claims, the office approves (possibly
-- fewer points) or rejects after checking the evidence. The cap applies
-- when results are computed. client_key makes a retried claim harmless.
CREATE TABLE assessment_bonus_claims (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id         bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id          bigint NOT NULL REFERENCES units (id),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    points_claimed   numeric(6,2) NOT NULL CHECK (points_claimed > 0),
    points_approved  numeric(6,2) CHECK (points_approved >= 0),
    status           text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected')),
    evidence_ids     uuid[] NOT NULL DEFAULT '{}',
    decision_note    text NOT NULL DEFAULT '',
    decided_by       bigint REFERENCES users (id),
    decided_at       timestamptz,
    created_by       bigint REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    client_key       text,
    UNIQUE (cycle_id, unit_id, client_key),
    CHECK ((status = 'approved') = (points_approved IS NOT NULL))
);

-- Deductions filed by the office (or an assessor unit) against a listed
-- reason of the settings; sets_fail marks the most serious, which set the
-- result to 不合格 directly. A revoked deduction no longer counts.
CREATE TABLE assessment_deductions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id       bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id        bigint NOT NULL REFERENCES units (id),
    reason_key     text NOT NULL,
    description    text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    points         numeric(6,2) NOT NULL CHECK (points >= 0),
    sets_fail      boolean NOT NULL DEFAULT false,
    evidence_ids   uuid[] NOT NULL DEFAULT '{}',
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    client_key     text,
    revoked_at     timestamptz,
    revoked_by     bigint REFERENCES users (id),
    revoke_reason  text,
    UNIQUE (cycle_id, unit_id, client_key)
);

-- Grade adjustments by the office with a recorded reason: raise or lower
-- the grade one step (major contribution / major incident), or
-- no_excellent (a major corruption case: not eligible for 优秀 that year).
CREATE TABLE assessment_grade_adjustments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id       bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id        bigint NOT NULL REFERENCES units (id),
    kind           text NOT NULL CHECK (kind IN ('raise', 'lower', 'no_excellent')),
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    evidence_ids   uuid[] NOT NULL DEFAULT '{}',
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    revoked_by     bigint REFERENCES users (id),
    revoke_reason  text
);
CREATE INDEX assessment_grade_adjustments_unit ON assessment_grade_adjustments (cycle_id, unit_id);

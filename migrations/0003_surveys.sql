-- Annual satisfaction surveys (年终评价问卷): questionnaires of a cycle,
-- respondents with one-time invitation links, answers saved as drafts and
-- submitted once, third-party survey agencies (第三方调查机构) with tokens
-- scoped to one survey, their quotas and uploads.

CREATE TABLE surveys (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id        bigint NOT NULL REFERENCES assessment_cycles (id),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    intro           text NOT NULL DEFAULT '' CHECK (length(intro) <= 2000),
    -- In an anonymous survey a submitted answer keeps only the respondent's
    -- group: survey_responses.respondent_id stays NULL and the drafts are
    -- deleted on submission.
    anonymous       boolean NOT NULL DEFAULT true,
    -- questions: [{"key": "overall", "text": "...", "kind": "overall"},
    --             {"key": "efficiency", "text": "...", "kind": "aspect"}, ...]
    -- Exactly one question is the overall satisfaction question; it is the
    -- one that feeds the annual score. Frozen once the survey opens.
    questions       jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'array'),
    -- Whether a respondent may leave a free-text opinion per unit.
    allow_opinion   boolean NOT NULL DEFAULT true,
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    -- Answers arriving after closes_at are refused even before staff close
    -- the survey by hand.
    closes_at       timestamptz,
    opened_at       timestamptz,
    closed_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, title)
);

-- Which units each respondent group rates: every unit (all_units), or the
-- list given per respondent (survey_respondents.unit_ids). A group of the
-- cycle without a row here does not take part in the survey.
CREATE TABLE survey_groups (
    survey_id   bigint NOT NULL REFERENCES surveys (id),
    group_key   text NOT NULL,
    all_units   boolean NOT NULL DEFAULT true,
    PRIMARY KEY (survey_id, group_key)
);

CREATE TABLE survey_respondents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id       bigint NOT NULL REFERENCES surveys (id),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    group_key       text NOT NULL,
    organisation    text NOT NULL DEFAULT '' CHECK (length(organisation) <= 100),
    phone_enc       bytea,
    phone_mask      text,
    -- The units this respondent rates when the group is not all_units.
    unit_ids        bigint[],
    -- Keyed hash of (group, name, organisation, phone): importing the same
    -- file again does not add the respondents twice.
    dedupe_key      bytea NOT NULL,
    -- The invitation link's token: looked up by its hash, kept encrypted so
    -- staff can print letters and export links again.
    token_hash      bytea NOT NULL UNIQUE,
    token_enc       bytea NOT NULL,
    status          text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'started', 'submitted')),
    started_at      timestamptz,
    submitted_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (survey_id, dedupe_key)
);
CREATE INDEX survey_respondents_survey_status ON survey_respondents (survey_id, status);

-- Answers saved as the respondent goes; deleted when the respondent submits.
CREATE TABLE survey_drafts (
    respondent_id  bigint NOT NULL REFERENCES survey_respondents (id) ON DELETE CASCADE,
    unit_id        bigint NOT NULL REFERENCES units (id),
    answers        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(answers) = 'object'),
    opinion        text NOT NULL DEFAULT '' CHECK (length(opinion) <= 1000),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (respondent_id, unit_id)
);

-- Third-party survey agencies: each account is scoped to one survey; its
-- API tokens are stored as hashes.
CREATE TABLE survey_agencies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id   bigint NOT NULL REFERENCES surveys (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    contact     text NOT NULL DEFAULT '' CHECK (length(contact) <= 100),
    created_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz,
    UNIQUE (survey_id, name)
);

CREATE TABLE survey_agency_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id   bigint NOT NULL REFERENCES survey_agencies (id),
    token_hash  bytea NOT NULL UNIQUE,
    token_hint  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Target sample per group per unit for an agency.
CREATE TABLE survey_agency_quotas (
    agency_id   bigint NOT NULL REFERENCES survey_agencies (id),
    group_key   text NOT NULL,
    unit_id     bigint NOT NULL REFERENCES units (id),
    target      int NOT NULL CHECK (target BETWEEN 0 AND 1000000),
    PRIMARY KEY (agency_id, group_key, unit_id)
);

-- One submitted answer of one respondent for one unit. respondent_id is
-- set only for an invitation answer in a survey that is not anonymous;
-- agency answers carry the agency and its own response id, which makes an
-- upload idempotent. submitted_on is a date, not a time, so an anonymous
-- answer cannot be matched to a respondent's submitted_at.
CREATE TABLE survey_responses (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    survey_id           bigint NOT NULL REFERENCES surveys (id),
    unit_id             bigint NOT NULL REFERENCES units (id),
    group_key           text NOT NULL,
    source              text NOT NULL CHECK (source IN ('invitation', 'agency')),
    respondent_id       bigint REFERENCES survey_respondents (id),
    agency_id           bigint REFERENCES survey_agencies (id),
    agency_response_id  text CHECK (length(agency_response_id) BETWEEN 1 AND 100),
    -- The overall satisfaction level; aspects holds {"question key": level}.
    level               smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    aspects             jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(aspects) = 'object'),
    opinion             text NOT NULL DEFAULT '' CHECK (length(opinion) <= 1000),
    submitted_on        date NOT NULL,
    CHECK ((source = 'agency') = (agency_id IS NOT NULL AND agency_response_id IS NOT NULL)),
    CHECK (source = 'invitation' OR respondent_id IS NULL),
    UNIQUE (agency_id, agency_response_id)
);
CREATE INDEX survey_responses_survey_unit ON survey_responses (survey_id, unit_id, group_key);

-- Each upload (JSON batch or file) with its row-by-row report.
CREATE TABLE survey_uploads (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id       bigint NOT NULL REFERENCES survey_agencies (id),
    format          text NOT NULL CHECK (format IN ('json', 'csv', 'xlsx')),
    filename        text NOT NULL DEFAULT '',
    rows_total      int NOT NULL,
    rows_stored     int NOT NULL,
    rows_duplicate  int NOT NULL,
    rows_invalid    int NOT NULL,
    report          jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX survey_uploads_agency ON survey_uploads (agency_id, created_at);

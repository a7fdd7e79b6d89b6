-- Feedback review (民意核查): the office verifies every 差评 (levels 1–2),
-- every rating with a message and every survey opinion. The review queue
-- is a query over ratings and survey_responses joined to feedback_reviews,
-- so the rating write path is untouched; an item without a verdict is
-- pending.

-- A survey opinion judged invalid is taken out of scoring (internal/scores
-- skips excluded responses), with its reason. No time column: answers carry
-- only their day (see 0003); when it was excluded is in the audit log.
ALTER TABLE survey_responses
    ADD COLUMN excluded        boolean NOT NULL DEFAULT false,
    ADD COLUMN exclude_reason  text,
    ADD COLUMN excluded_by     bigint REFERENCES users (id);
CREATE INDEX survey_responses_opinion ON survey_responses (submitted_on) WHERE opinion <> '';

-- Rectification cases (整改案件). This session opens them ('sent'); the
-- workflow (answers, progress, verification) extends the status list.
CREATE TABLE rectification_cases (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id      bigint NOT NULL REFERENCES units (id),
    -- The first source; every source (merged duplicates too) is in case_sources.
    source_kind  text NOT NULL CHECK (source_kind IN ('rating', 'response')),
    source_id    text NOT NULL,
    problem      text NOT NULL CHECK (length(problem) BETWEEN 1 AND 2000),
    status       text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent')),
    -- A source rating left a phone number (call-back possible).
    real_name    boolean NOT NULL DEFAULT false,
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rectification_cases_unit ON rectification_cases (unit_id, created_at);

-- A feedback item belongs to at most one case.
CREATE TABLE case_sources (
    case_id      bigint NOT NULL REFERENCES rectification_cases (id),
    source_kind  text NOT NULL CHECK (source_kind IN ('rating', 'response')),
    source_id    text NOT NULL,
    PRIMARY KEY (source_kind, source_id)
);
CREATE INDEX case_sources_case ON case_sources (case_id);

-- One verdict per feedback item. verdict NULL means reopened (pending
-- again); version increases with every decision and reopen, so two staff
-- acting on the same item cannot both win.
CREATE TABLE feedback_reviews (
    source_kind  text NOT NULL CHECK (source_kind IN ('rating', 'response')),
    source_id    text NOT NULL,
    unit_id      bigint NOT NULL REFERENCES units (id),
    verdict      text CHECK (verdict IN ('valid', 'invalid')),
    reason       text CHECK (reason IN ('mistaken', 'malicious', 'not_this_unit')),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    case_id      bigint REFERENCES rectification_cases (id),
    decided_by   bigint REFERENCES users (id),
    decided_at   timestamptz,
    version      int NOT NULL DEFAULT 1,
    PRIMARY KEY (source_kind, source_id),
    CHECK ((verdict = 'invalid') = (reason IS NOT NULL)),
    CHECK (verdict = 'valid' OR case_id IS NULL)
);

-- A unit's appeal (申诉) against one rating it thinks malicious.
CREATE TABLE feedback_appeals (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rating_id        uuid NOT NULL,
    unit_id          bigint NOT NULL REFERENCES units (id),
    grounds          text NOT NULL CHECK (length(grounds) BETWEEN 1 AND 1000),
    evidence_ids     text[] NOT NULL DEFAULT '{}',
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'rejected')),
    decision_reason  text NOT NULL DEFAULT '' CHECK (length(decision_reason) <= 500),
    filed_by         bigint REFERENCES users (id),
    filed_at         timestamptz NOT NULL DEFAULT now(),
    decided_by       bigint REFERENCES users (id),
    decided_at       timestamptz
);
CREATE UNIQUE INDEX feedback_appeals_open ON feedback_appeals (rating_id) WHERE status = 'open';
CREATE INDEX feedback_appeals_unit ON feedback_appeals (unit_id, filed_at);

-- Suspicious patterns found by the scan (see internal/feedback/flags.go),
-- reviewed by the office: dismissed, or confirmed and the named ratings
-- excluded. The same pattern in the same window is flagged once.
CREATE TABLE feedback_flags (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('burst_address', 'burst_device', 'phone_many_units', 'top_run')),
    unit_id       bigint REFERENCES units (id),
    subject       bytea NOT NULL,
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    rating_ids    uuid[] NOT NULL,
    detail        jsonb NOT NULL DEFAULT '{}',
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'confirmed')),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    decided_by    bigint REFERENCES users (id),
    decided_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, subject, window_start)
);
CREATE INDEX feedback_flags_status ON feedback_flags (status, created_at);

-- Call-backs (回访), the citizen's follow-up rating of a fix (追评),
-- confirmed deduction proposals from overdue cases and cases carried into
-- next year's targets.

-- One call-back attempt per row; a case may have several. caller_id is the
-- signed-in staff member; caller_name an optional name of who phoned.
-- outcome: satisfied, unsatisfied, or unreachable (nobody answered).
CREATE TABLE case_callbacks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES rectification_cases (id),
    caller_id    bigint REFERENCES users (id),
    caller_name  text NOT NULL DEFAULT '' CHECK (length(caller_name) <= 50),
    called_at    timestamptz NOT NULL,
    said         text NOT NULL DEFAULT '' CHECK (length(said) <= 2000),
    outcome      text NOT NULL CHECK (outcome IN ('satisfied', 'unsatisfied', 'unreachable')),
    client_key   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, client_key)
);
CREATE INDEX case_callbacks_case ON case_callbacks (case_id, called_at);

-- One-time links for the citizen to rate the fix of a closed case. Only the
-- SHA-256 of the token is stored; the token is shown once. used_at is set
-- by the single accepted submit.
CREATE TABLE case_followup_links (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES rectification_cases (id),
    token_hash   bytea NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    used_at      timestamptz
);
CREATE INDEX case_followup_links_case ON case_followup_links (case_id);

-- The 追评 itself: stored with the case, never a daily rating (it does not
-- count in the daily score). One per link.
CREATE TABLE case_followups (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES rectification_cases (id),
    link_id      bigint NOT NULL UNIQUE REFERENCES case_followup_links (id),
    level        smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    comment      text NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    created_at   timestamptz NOT NULL
);
CREATE INDEX case_followups_case ON case_followups (case_id, created_at);

-- Cases carried into a later cycle's target sheet: a case is carried once.
CREATE TABLE case_carries (
    case_id       bigint PRIMARY KEY REFERENCES rectification_cases (id),
    cycle_id      bigint NOT NULL REFERENCES assessment_cycles (id),
    sheet_id      bigint NOT NULL REFERENCES target_sheets (id),
    indicator_id  bigint,
    created_by    bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);

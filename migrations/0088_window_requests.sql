-- Window-triggered ratings (issue 18): the business systems (业务系统) the
-- office lets ask a window's terminal to show the rating page, their API
-- tokens, and the evaluation requests themselves.

-- A business system and the units it may create requests for.
CREATE TABLE business_systems (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    unit_ids    bigint[] NOT NULL DEFAULT '{}',
    disabled_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A business system's API tokens: only the hash is stored (like the
-- agencies' tokens).
CREATE TABLE business_system_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id    bigint NOT NULL REFERENCES business_systems (id),
    token_hash   bytea NOT NULL UNIQUE,
    token_hint   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX business_system_tokens_system ON business_system_tokens (system_id);

-- An evaluation request: show the rating page of the case on a terminal
-- (terminal_id) or on any terminal of a window (point_id). state is
-- waiting → shown → rated, or expired once expires_at passed unanswered
-- (readers treat a waiting or shown request past expires_at as expired
-- before the maintenance marks it).
CREATE TABLE window_requests (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    system_id         bigint NOT NULL REFERENCES business_systems (id),
    client_request_id text NOT NULL,
    unit_id           bigint NOT NULL REFERENCES units (id),
    terminal_id       bigint REFERENCES terminals (id),
    point_id          bigint REFERENCES service_points (id),
    case_no           text NOT NULL,
    item_code         text NOT NULL DEFAULT '',
    stage             text NOT NULL DEFAULT '',
    window_no         text NOT NULL DEFAULT '',
    staff_no          text NOT NULL DEFAULT '',
    applicant_type    smallint NOT NULL DEFAULT 0,
    phone_enc         bytea,
    phone_mask        text,
    state             text NOT NULL DEFAULT 'waiting'
                      CHECK (state IN ('waiting', 'shown', 'rated', 'expired')),
    shown_terminal_id bigint,
    rating_id         uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    shown_at          timestamptz,
    rated_at          timestamptz,
    expired_at        timestamptz,
    CHECK ((terminal_id IS NULL) <> (point_id IS NULL)),
    UNIQUE (system_id, client_request_id)
);
-- What a terminal asks for: the open requests of it or of its window.
CREATE INDEX window_requests_open_terminal ON window_requests (terminal_id, created_at)
    WHERE state IN ('waiting', 'shown');
CREATE INDEX window_requests_open_point ON window_requests (point_id, created_at)
    WHERE state IN ('waiting', 'shown');
CREATE INDEX window_requests_open_expiry ON window_requests (expires_at)
    WHERE state IN ('waiting', 'shown');

-- The SMS invitation (主动邀评) to an expired request's applicant: a
-- one-time rating link (only its hash is kept) and when it was sent; the
-- office switches the invitations on (off by default).
ALTER TABLE window_requests
    ADD COLUMN invite_token_hash bytea UNIQUE,
    ADD COLUMN invited_at timestamptz;
CREATE INDEX window_requests_to_invite ON window_requests (expires_at)
    WHERE phone_enc IS NOT NULL AND invited_at IS NULL AND rating_id IS NULL;
ALTER TABLE citizen_sms_settings ADD COLUMN window_invite boolean NOT NULL DEFAULT false;
-- NOT VALID: the rows already there hold by construction, and the new
-- check needs no scan of the table under its lock.
ALTER TABLE citizen_sms DROP CONSTRAINT citizen_sms_kind_check,
    ADD CONSTRAINT citizen_sms_kind_check
        CHECK (kind IN ('case_followup', 'callback_notice', 'survey_invite', 'survey_reminder', 'instrument_invite',
                        'window_invite')) NOT VALID;

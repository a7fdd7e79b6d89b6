-- SMS to citizens (issue 14): follow-up (追评) links after a case closes,
-- call-back notices for real-name complaints, survey invitations and
-- reminders. Only to numbers the citizens gave (a rating's call-back
-- number, a respondent's number), only within the allowed hours
-- (SMS_QUIET_HOURS), never to a number that opted out.
--
-- A message is recorded in the transaction of the event that causes it;
-- idem_key (kind and object, e.g. the case and number, or the respondent
-- and local date of a reminder) makes it exist once however often the
-- event is retried. The number is sealed (phone_enc) and compared by its
-- keyed hash (phone_hash); staff see phone_mask only. The text carries
-- one-time tokens (the 追评 link, the opt-out link), so it is sealed too
-- (body_enc); preview is the text with the links cut, for the office.
--
-- state: pending (waiting for its send job, which is scheduled at
-- not_before, the first allowed moment), sending (marked before the send:
-- an attempt cut off by a crash is given up, never sent twice), sent,
-- failed (temporary, retried), given_up, opted_out (the number opted out:
-- never sent).
CREATE TABLE citizen_sms (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL
        CHECK (kind IN ('case_followup', 'callback_notice', 'survey_invite', 'survey_reminder')),
    idem_key        text NOT NULL UNIQUE,
    phone_enc       bytea NOT NULL,
    phone_hash      bytea NOT NULL,
    phone_mask      text NOT NULL,
    body_enc        bytea NOT NULL,
    preview         text NOT NULL,
    stop_token_hash bytea NOT NULL UNIQUE,
    case_id         bigint REFERENCES rectification_cases (id) ON DELETE SET NULL,
    respondent_id   bigint REFERENCES survey_respondents (id) ON DELETE SET NULL,
    state           text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'given_up', 'opted_out')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    not_before      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
-- The office's list pages by id (newest first), filtered by state or kind.
CREATE INDEX citizen_sms_state ON citizen_sms (state, id DESC);
CREATE INDEX citizen_sms_kind ON citizen_sms (kind, id DESC);

-- Numbers that asked for no more SMS, by keyed hash.
CREATE TABLE citizen_sms_optouts (
    phone_hash bytea PRIMARY KEY,
    created_at timestamptz NOT NULL
);

-- The office's switches of the automatic kinds (one row).
CREATE TABLE citizen_sms_settings (
    id              boolean PRIMARY KEY DEFAULT true CHECK (id),
    case_followup   boolean NOT NULL DEFAULT true,
    callback_notice boolean NOT NULL DEFAULT true,
    updated_at      timestamptz
);
INSERT INTO citizen_sms_settings (id) VALUES (true);

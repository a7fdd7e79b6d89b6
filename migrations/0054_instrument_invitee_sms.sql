-- Instrument invitees (leaders, deputies and members) get their link by SMS
-- like the public survey's respondents: an invitee may leave a mobile
-- number (sealed, shown masked), and a citizen SMS may be an instrument
-- invitation, tied to its invitee so the office sees per invitee what was
-- sent. Invitees without a number get a printed letter instead.
ALTER TABLE evaluation_instrument_invitees
    ADD COLUMN phone_enc bytea,
    ADD COLUMN phone_mask text;

ALTER TABLE citizen_sms DROP CONSTRAINT citizen_sms_kind_check,
    ADD CONSTRAINT citizen_sms_kind_check
        CHECK (kind IN ('case_followup', 'callback_notice', 'survey_invite', 'survey_reminder', 'instrument_invite')),
    ADD COLUMN invitee_id bigint REFERENCES evaluation_instrument_invitees (id) ON DELETE SET NULL;
-- An invitee's messages, for the invitee list.
CREATE INDEX citizen_sms_invitee ON citizen_sms (invitee_id, id) WHERE invitee_id IS NOT NULL;

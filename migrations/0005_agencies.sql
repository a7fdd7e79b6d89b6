-- Third-party survey agencies: when each API token was last used, and who
-- made each upload (the agency through a token, or office staff uploading
-- a file received from the agency on its behalf).

ALTER TABLE survey_agency_tokens ADD COLUMN last_used_at timestamptz;

ALTER TABLE survey_uploads
    ADD COLUMN token_id bigint REFERENCES survey_agency_tokens (id),
    -- The staff account that uploaded on the agency's behalf; NULL for an
    -- upload through the agency's own API token.
    ADD COLUMN uploaded_by bigint REFERENCES users (id),
    ADD COLUMN uploaded_by_name text NOT NULL DEFAULT '',
    ADD CONSTRAINT survey_uploads_uploader CHECK (token_id IS NULL OR uploaded_by IS NULL);

-- Progress counts an agency's responses per group and unit.
CREATE INDEX survey_responses_agency_progress ON survey_responses (agency_id, group_key, unit_id)
    WHERE agency_id IS NOT NULL;

-- Column mappings of agencies' files (issue 18): how the columns of the
-- export an agency delivers (问卷星, 腾讯问卷, LimeSurvey …) fill a
-- response, saved per agency and survey and reused by every later upload,
-- the console's and the API's. The mapping is agencies.Mapping as JSON.
CREATE TABLE survey_agency_mappings (
    agency_id      bigint NOT NULL REFERENCES survey_agencies (id) ON DELETE CASCADE,
    survey_id      bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    mapping        jsonb NOT NULL,
    saved_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    saved_by_name  text NOT NULL DEFAULT '',
    saved_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, survey_id)
);

-- A file uploaded in the console that waits for its mapping step: kept in
-- the database (any instance may serve the step) until it is imported or
-- expires_at passes; expired files are deleted whenever a new one is kept.
CREATE TABLE survey_agency_pending_files (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id   bigint NOT NULL REFERENCES survey_agencies (id) ON DELETE CASCADE,
    filename    text NOT NULL DEFAULT '',
    data        bytea NOT NULL,
    created_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX survey_agency_pending_files_expires ON survey_agency_pending_files (expires_at);

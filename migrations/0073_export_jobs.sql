-- Background exports (issue 17): an export larger than EXPORT_INLINE_MAX_ROWS
-- is a row of export_jobs, worked by a river job on any instance, its file
-- kept in export_chunks (1 MiB pieces, so neither writing nor serving it
-- holds the whole file in memory) until expires_at, when the hourly
-- maintenance deletes the job and its file. The requesting user is the
-- only one who sees and downloads it.
CREATE TABLE export_jobs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    format      text NOT NULL CHECK (format IN ('xlsx', 'csv')),
    query       text NOT NULL DEFAULT '',
    title       text NOT NULL,
    filter_text text NOT NULL DEFAULT '',
    state       text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    rows_total  bigint NOT NULL DEFAULT 0,
    rows_done   bigint NOT NULL DEFAULT 0,
    file_size   bigint NOT NULL DEFAULT 0,
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX export_jobs_user ON export_jobs (user_id, id DESC);
CREATE INDEX export_jobs_expires ON export_jobs (expires_at);

CREATE TABLE export_chunks (
    job_id bigint NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
    seq    integer NOT NULL CHECK (seq >= 0),
    data   bytea NOT NULL,
    PRIMARY KEY (job_id, seq)
);

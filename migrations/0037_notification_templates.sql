-- Notification texts the office edited (issue 14): one row per kind whose
-- title and body replace the default of the catalogue (internal/notify).
-- A kind without a row uses the default; 恢复默认 deletes the row. Sending
-- reads the row by its primary key, so every instance sees an edit at once.
CREATE TABLE notification_templates (
    kind       text PRIMARY KEY,
    title      text NOT NULL CHECK (title <> '' AND char_length(title) <= 100),
    body       text NOT NULL CHECK (body <> '' AND char_length(body) <= 1000),
    updated_by bigint REFERENCES users (id),
    updated_at timestamptz NOT NULL
);

-- Deadline reminders of rectification cases (issue 14): how many working
-- days before an answer or fix deadline the unit is reminded (催办), and
-- after how many working days overdue the office is told (督办). One row.
CREATE TABLE reminder_settings (
    id             boolean PRIMARY KEY DEFAULT true CHECK (id),
    days_before    int NOT NULL DEFAULT 2 CHECK (days_before BETWEEN 0 AND 10),
    escalate_after int NOT NULL DEFAULT 1 CHECK (escalate_after BETWEEN 0 AND 30),
    updated_by     bigint REFERENCES users (id),
    updated_at     timestamptz
);
INSERT INTO reminder_settings DEFAULT VALUES;

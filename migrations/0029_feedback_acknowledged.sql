-- A third verdict for the review queue (issue 13): 已阅 / 无需处理, for
-- items that need no case (praise, thanks). It neither opens a case nor
-- excludes the rating. auto marks the verdicts the office's rule gave
-- (feedback_auto_rule), not a person.
ALTER TABLE feedback_reviews DROP CONSTRAINT feedback_reviews_verdict_check;
ALTER TABLE feedback_reviews ADD CONSTRAINT feedback_reviews_verdict_check
    CHECK (verdict IN ('valid', 'invalid', 'acknowledged'));
ALTER TABLE feedback_reviews ADD COLUMN auto boolean NOT NULL DEFAULT false;

-- The office's rule for praise: pending rating items of at least
-- min_level with no reasons are marked 已阅 automatically. One row.
CREATE TABLE feedback_auto_rule (
    id          int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    enabled     boolean NOT NULL DEFAULT false,
    min_level   int NOT NULL DEFAULT 4 CHECK (min_level BETWEEN 3 AND 5),
    updated_by  bigint REFERENCES users (id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO feedback_auto_rule (id) VALUES (1);

-- The built-in calendars' note named the library the days were checked
-- against (lunar-go); staff read it on the calendar page, so it says what
-- it is in their words. (Issue 13: no code or library name on a page.)
UPDATE workday_years SET note = '国务院办公厅部分节假日安排（系统内置，已与历年通知核对）'
WHERE source = 'seed' AND note LIKE '%lunar-go%';

-- The call-back list (回访) by state (issue 12): 待回访 (no call recorded
-- yet), 已回访 (called, latest call first) and all real-name cases. The list
-- had read every real-name case of five years, sorted them and kept 500
-- (164 ms at a province's five years, docs/benchmarks.md, fourteenth run),
-- and its "共 N 件" stopped at 500. last_called_at, the time of the case's
-- latest call-back, is kept by callbacks.RecordCall in the transaction that
-- records the call, so each state is an index walk that stops at the page.
ALTER TABLE rectification_cases ADD COLUMN last_called_at timestamptz;

UPDATE rectification_cases c SET last_called_at = m.at
FROM (SELECT case_id, max(called_at) AS at FROM case_callbacks GROUP BY case_id) m
WHERE c.id = m.case_id;

-- 待回访: the earliest call-back deadline first (overdue ones on top), as
-- the list orders them.
CREATE INDEX rectification_cases_callback_pending ON rectification_cases (callback_due, id DESC)
    WHERE real_name AND last_called_at IS NULL;
-- 已回访: the latest call first.
CREATE INDEX rectification_cases_callback_called ON rectification_cases (last_called_at DESC, id DESC)
    WHERE real_name AND last_called_at IS NOT NULL;
-- All real-name cases, newest first.
CREATE INDEX rectification_cases_real_name ON rectification_cases (created_at DESC, id DESC)
    WHERE real_name;

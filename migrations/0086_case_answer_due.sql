-- The cases whose answer was overdue at a period's end, opened before the
-- period (the monthly and quarterly reports' 期末逾期未答复, issue 17): an
-- index-only walk of the cases due before the period's last day, instead
-- of reading every case of every year (a province's five years: 60,000
-- cases, 90 MB, three times over for a report with its 环比 and 同比).
-- See reports.caseCountsSQL.
CREATE INDEX rectification_cases_answer_due ON rectification_cases (answer_due) INCLUDE (created_at, answered_at, unit_id);

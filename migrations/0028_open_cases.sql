-- Open rectification cases (sent, answered, sent back). The to-do lists
-- and the overdue counts of the overview read only these: a few hundred
-- among the tens of thousands that five years of a province accumulate.
CREATE INDEX rectification_cases_open ON rectification_cases (unit_id, answer_due)
    WHERE status IN ('sent', 'answered', 'returned');

-- Call-backs still to make: real-name cases not closed, by due date.
CREATE INDEX rectification_cases_callback_due ON rectification_cases (callback_due)
    WHERE real_name AND status <> 'closed';

-- Cases the office must verify.
CREATE INDEX rectification_cases_done_reported ON rectification_cases (id)
    WHERE status = 'done_reported';

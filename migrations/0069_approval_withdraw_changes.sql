-- Closing the gaps of the approvals above the office (issue 16 part 3).
--
-- A change request of an approved target sheet goes to the leaders the
-- cycle names, like the sheet did: after the office approves it, it waits
-- in leader_review (待领导审定) and the new version is published only
-- once the last leader approves; a leader's return ends it as returned
-- (领导退回) with the comment. Its requests for approval have subject
-- target_change and the sheet's id (one pending at a time per sheet).
ALTER TABLE target_change_requests DROP CONSTRAINT target_change_requests_status_check;
ALTER TABLE target_change_requests ADD CONSTRAINT target_change_requests_status_check
    CHECK (status IN ('pending', 'leader_review', 'approved', 'rejected', 'returned'));
-- At most one request per sheet is open, with the office or the leaders.
DROP INDEX target_change_requests_one_pending;
CREATE UNIQUE INDEX target_change_requests_one_open ON target_change_requests (sheet_id)
    WHERE status IN ('pending', 'leader_review');

-- The office may withdraw (撤回) a request it sent to leaders while it is
-- pending: it ends as withdrawn, with who withdrew it and why, and the
-- item is back with the office.
ALTER TABLE approval_requests DROP CONSTRAINT approval_requests_subject_check;
ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_subject_check
    CHECK (subject IN ('results', 'target_sheet', 'target_change'));
ALTER TABLE approval_requests DROP CONSTRAINT approval_requests_state_check;
ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_state_check
    CHECK (state IN ('pending', 'approved', 'returned', 'withdrawn'));
ALTER TABLE approval_requests ADD COLUMN withdrawn_by bigint REFERENCES users (id);
ALTER TABLE approval_requests ADD COLUMN withdraw_comment text NOT NULL DEFAULT ''
    CHECK (length(withdraw_comment) <= 500);

-- A target sheet the office has approved may wait for the leaders the
-- cycle names (issue 16 part 3, 002 § 15, 001 § 16): status leader_review
-- (待领导审定) between the office's approval and publication.
ALTER TABLE target_sheets DROP CONSTRAINT target_sheets_status_check;
ALTER TABLE target_sheets ADD CONSTRAINT target_sheets_status_check
    CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'leader_review'));

-- Window requests are kept KeepRequests (90 days) after they were made,
-- then deleted by the hourly maintenance (windowreq.Prune): the rating
-- keeps its case, item, stage and staff, and the applicant's mobile number
-- (phone_enc) should not outlive its use. The pruning walks this index.
CREATE INDEX window_requests_created_at ON window_requests (created_at);

-- Approvals above the office and the choice of publication (issue 16
-- parts 3 and 4). A cycle's release settings name the leaders who approve,
-- in order, its target sheets and its final results (none: the office's
-- own decision, as before), whether the final results go to the public page
-- (向社会公开) or are notified internally (内部通报), and whether the public
-- targets page shows each indicator's completion once results are final.
-- No row: no approvers, results public, completion not shown.
CREATE TABLE cycle_release_settings (
    cycle_id            bigint PRIMARY KEY REFERENCES assessment_cycles (id),
    target_approvers    bigint[] NOT NULL DEFAULT '{}',
    result_approvers    bigint[] NOT NULL DEFAULT '{}',
    results_public      boolean NOT NULL DEFAULT true,
    publish_completion  boolean NOT NULL DEFAULT false,
    updated_by          bigint REFERENCES users (id),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- One request for approval of one item (a cycle's final results, a target
-- sheet): the approvers in order, copied from the settings when the office
-- submitted it, and where it stands. current_approver is whose turn it is
-- while pending. snapshot_sha256 is, for results, the hash of the results
-- the leaders approve: a publication of other figures needs a new request.
CREATE TABLE approval_requests (
    id                bigserial PRIMARY KEY,
    cycle_id          bigint NOT NULL REFERENCES assessment_cycles (id),
    subject           text NOT NULL CHECK (subject IN ('results', 'target_sheet')),
    subject_id        bigint NOT NULL,
    title             text NOT NULL CHECK (length(title) <= 200),
    approvers         bigint[] NOT NULL CHECK (cardinality(approvers) > 0),
    state             text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'returned')),
    current_approver  bigint REFERENCES users (id),
    snapshot_sha256   bytea,
    submitted_by      bigint REFERENCES users (id),
    submitted_at      timestamptz NOT NULL,
    decided_at        timestamptz,
    CHECK ((state = 'pending') = (current_approver IS NOT NULL))
);

-- At most one request of an item is pending.
CREATE UNIQUE INDEX approval_requests_one_pending ON approval_requests (subject, subject_id) WHERE state = 'pending';
-- A leader's list of what waits for them.
CREATE INDEX approval_requests_waiting ON approval_requests (current_approver, submitted_at) WHERE state = 'pending';
-- An item's requests, newest last.
CREATE INDEX approval_requests_subject ON approval_requests (subject, subject_id, id);

-- Each approver's decision on a request, with the comment: the timeline.
CREATE TABLE approval_decisions (
    request_id   bigint NOT NULL REFERENCES approval_requests (id),
    position     int NOT NULL CHECK (position >= 0),
    approver_id  bigint NOT NULL REFERENCES users (id),
    decision     text NOT NULL CHECK (decision IN ('approved', 'returned')),
    comment      text NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    decided_at   timestamptz NOT NULL,
    PRIMARY KEY (request_id, position)
);

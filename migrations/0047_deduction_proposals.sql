-- Deduction proposals (扣分建议) by assessor units (考评单位, internal/assessors):
-- an assessor proposes a deduction against a listed reason of the cycle's
-- settings with evidence; the office confirms it (which files the real
-- deduction, deduction_id) or rejects it with a reason. Nothing is deleted.
CREATE TABLE deduction_proposals (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id          bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id           bigint NOT NULL REFERENCES units (id),
    proposer_unit_id  bigint NOT NULL REFERENCES units (id),
    reason_key        text NOT NULL,
    description       text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    evidence_ids      uuid[] NOT NULL DEFAULT '{}',
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
    created_by        bigint REFERENCES users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    decided_by        bigint REFERENCES users (id),
    decided_at        timestamptz,
    reject_reason     text NOT NULL DEFAULT '' CHECK (length(reject_reason) <= 2000),
    deduction_id      bigint REFERENCES assessment_deductions (id),
    CHECK (unit_id <> proposer_unit_id),
    CHECK ((status = 'confirmed') = (deduction_id IS NOT NULL)),
    CHECK (status <> 'rejected' OR reject_reason <> '')
);
-- The office's queue (a cycle's proposals by status, newest first) and a
-- proposer's own list.
CREATE INDEX deduction_proposals_cycle ON deduction_proposals (cycle_id, status, id DESC);
CREATE INDEX deduction_proposals_proposer ON deduction_proposals (proposer_unit_id, cycle_id, id DESC);
-- The office's to-do count of pending proposals.
CREATE INDEX deduction_proposals_pending ON deduction_proposals (cycle_id) WHERE status = 'pending';

-- An assessor named on target indicators (internal/assessors.IsAssessor,
-- CheckAssesses): its current indicators across the units' sheets.
CREATE INDEX target_indicators_assessor ON target_indicators (assessor_unit_id, sheet_id)
    WHERE assessor_unit_id IS NOT NULL AND removed_at IS NULL;

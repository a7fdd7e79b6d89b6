-- Receipt (签收) of a preliminary result and rank (位次) adjustments.

-- A unit's receipt of its preliminary result: signed in the product by
-- the unit's staff (kind signed, received_on the local date of signing) or
-- delivered on paper, the office recording the date it was delivered
-- (kind delivered). One per unit and publication; the review window counts
-- from received_on (see internal/results/window.go).
CREATE TABLE assessment_receipts (
    publication_id  bigint NOT NULL REFERENCES assessment_publications (id),
    unit_id         bigint NOT NULL REFERENCES units (id),
    cycle_id        bigint NOT NULL REFERENCES assessment_cycles (id),
    kind            text NOT NULL CHECK (kind IN ('signed', 'delivered')),
    received_on     date NOT NULL,
    recorded_by     bigint REFERENCES users (id),
    recorded_at     timestamptz NOT NULL,
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    PRIMARY KEY (publication_id, unit_id)
);

-- The office's move of a unit to a place within its category, with a
-- reason (000 § 24: 提高或者降低考评位次). At most one in force per unit
-- and cycle; revoked ones are kept.
CREATE TABLE assessment_rank_adjustments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id       bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id        bigint NOT NULL REFERENCES units (id),
    to_rank        int NOT NULL CHECK (to_rank >= 1),
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    revoked_by     bigint REFERENCES users (id),
    revoke_reason  text
);
CREATE UNIQUE INDEX assessment_rank_adjustments_in_force ON assessment_rank_adjustments (cycle_id, unit_id)
    WHERE revoked_at IS NULL;

-- A rank adjustment's range is the size of the unit's category.
CREATE INDEX units_category ON units (category);

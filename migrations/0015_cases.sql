-- The rectification case workflow (整改): a case is sent to its unit, which
-- answers with an explanation and a plan within answer_due (working days,
-- per source), reports progress, reports it done with evidence by its own
-- deadline (fix_due), and the office closes it or sends it back. Call-backs
-- (回访) for real-name feedback have their own deadline (callback_due).
-- released: the office has released the case for the unit's public page.
-- version is the optimistic lock: two staff acting at once, one wins.

ALTER TABLE rectification_cases DROP CONSTRAINT rectification_cases_status_check;
-- Cases also come from the office's monitoring of targets (source_kind
-- 'target', source_id the target sheet id) and from the improvement
-- suggestions of assessment results ('result', source_id "cycle:unit").
ALTER TABLE rectification_cases DROP CONSTRAINT rectification_cases_source_kind_check;
ALTER TABLE rectification_cases ADD CONSTRAINT rectification_cases_source_kind_check
    CHECK (source_kind IN ('rating', 'response', 'target', 'result'));
ALTER TABLE rectification_cases
    ADD CONSTRAINT rectification_cases_status_check
        CHECK (status IN ('sent', 'answered', 'done_reported', 'closed', 'returned')),
    ADD COLUMN source_group   text NOT NULL DEFAULT 'feedback'
        CHECK (source_group IN ('feedback', 'survey', 'monitoring', 'assessment')),
    ADD COLUMN cycle_id       bigint REFERENCES assessment_cycles (id),
    ADD COLUMN sent_on        date,
    ADD COLUMN answer_due     date,
    ADD COLUMN callback_due   date,
    ADD COLUMN answered_at    timestamptz,
    -- The unit's plan: responsible person, measures, intended outcome, and
    -- its own deadline for the fix.
    ADD COLUMN explanation    text NOT NULL DEFAULT '' CHECK (length(explanation) <= 4000),
    ADD COLUMN responsible    text NOT NULL DEFAULT '' CHECK (length(responsible) <= 100),
    ADD COLUMN measures       text NOT NULL DEFAULT '' CHECK (length(measures) <= 4000),
    ADD COLUMN outcome        text NOT NULL DEFAULT '' CHECK (length(outcome) <= 2000),
    ADD COLUMN fix_due        date,
    ADD COLUMN done_at        timestamptz,
    ADD COLUMN done_note      text NOT NULL DEFAULT '' CHECK (length(done_note) <= 4000),
    ADD COLUMN done_evidence  uuid[] NOT NULL DEFAULT '{}',
    ADD COLUMN closed_at      timestamptz,
    ADD COLUMN closed_by      bigint REFERENCES users (id),
    ADD COLUMN return_reason  text NOT NULL DEFAULT '',
    ADD COLUMN released       boolean NOT NULL DEFAULT false,
    ADD COLUMN carry_to_targets boolean NOT NULL DEFAULT false,
    ADD COLUMN version        int NOT NULL DEFAULT 1,
    ADD COLUMN updated_at     timestamptz NOT NULL DEFAULT now();

-- Progress updates by the unit, shown on the public page once released.
CREATE TABLE case_updates (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES rectification_cases (id),
    kind         text NOT NULL CHECK (kind IN ('answer', 'progress', 'done', 'closed', 'returned', 'note')),
    body         text NOT NULL CHECK (length(body) <= 4000),
    evidence_ids uuid[] NOT NULL DEFAULT '{}',
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_updates_case ON case_updates (case_id, id);

-- Working-day periods per source group (answer) and for call-backs of
-- real-name feedback; defaults 15 and 1 working days.
CREATE TABLE case_settings (
    source_group  text PRIMARY KEY CHECK (source_group IN ('feedback', 'survey', 'monitoring', 'assessment', 'callback')),
    days          int NOT NULL CHECK (days BETWEEN 1 AND 60),
    updated_by    bigint REFERENCES users (id),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO case_settings (source_group, days) VALUES
    ('feedback', 15), ('survey', 15), ('monitoring', 15), ('assessment', 15), ('callback', 1);

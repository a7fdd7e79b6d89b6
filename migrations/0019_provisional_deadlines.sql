-- Provisional deadlines (暂定期限). A deadline counted through a year whose
-- working-day calendar has not been entered yet is no longer refused: it is
-- counted with weekends only and stored with *_provisional = true and the
-- number of working days it counts (*_days), so that entering the year
-- recomputes exactly the same count. Rows stored before this migration
-- were never provisional; their *_days stay NULL.
ALTER TABLE rectification_cases
    ADD COLUMN answer_due_provisional   boolean NOT NULL DEFAULT false,
    ADD COLUMN answer_days              int CHECK (answer_days BETWEEN 0 AND 1000),
    ADD COLUMN callback_due_provisional boolean NOT NULL DEFAULT false,
    ADD COLUMN callback_days            int CHECK (callback_days BETWEEN 0 AND 1000),
    ADD CONSTRAINT rectification_cases_answer_provisional_check
        CHECK (NOT answer_due_provisional OR (answer_due IS NOT NULL AND answer_days IS NOT NULL)),
    ADD CONSTRAINT rectification_cases_callback_provisional_check
        CHECK (NOT callback_due_provisional OR (callback_due IS NOT NULL AND callback_days IS NOT NULL));
CREATE INDEX rectification_cases_provisional ON rectification_cases (id)
    WHERE answer_due_provisional OR callback_due_provisional;

ALTER TABLE assessment_publications
    ADD COLUMN appeal_deadline_provisional boolean NOT NULL DEFAULT false,
    ADD COLUMN appeal_days                 int CHECK (appeal_days BETWEEN 0 AND 1000),
    ADD CONSTRAINT assessment_publications_provisional_check
        CHECK (NOT appeal_deadline_provisional OR (appeal_deadline IS NOT NULL AND appeal_days IS NOT NULL));
CREATE INDEX assessment_publications_provisional ON assessment_publications (id) WHERE appeal_deadline_provisional;

ALTER TABLE assessment_appeals
    ADD COLUMN answer_due_provisional boolean NOT NULL DEFAULT false,
    ADD COLUMN answer_days            int CHECK (answer_days BETWEEN 0 AND 1000),
    ADD CONSTRAINT assessment_appeals_provisional_check
        CHECK (NOT answer_due_provisional OR answer_days IS NOT NULL);
CREATE INDEX assessment_appeals_provisional ON assessment_appeals (id) WHERE answer_due_provisional;

-- One row per provisional deadline recomputed when the office entered or
-- corrected a year of the calendar: the note each item's page shows
-- ("答复期限已按2027年工作日历重新计算：原暂定 …，现 …") and the list on the
-- year's page. provisional: the new deadline is still provisional (it
-- also touches another absent year). cycle_id is the cycle of a
-- publication or an application, for links.
CREATE TABLE deadline_recomputations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year         int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    entity       text NOT NULL CHECK (entity IN ('rectification_case', 'publication', 'appeal')),
    entity_id    bigint NOT NULL,
    field        text NOT NULL CHECK (field IN ('answer_due', 'callback_due', 'appeal_deadline')),
    old_due      date NOT NULL,
    new_due      date NOT NULL,
    provisional  boolean NOT NULL,
    cycle_id     bigint REFERENCES assessment_cycles (id),
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL
);
CREATE INDEX deadline_recomputations_entity ON deadline_recomputations (entity, entity_id, id);
CREATE INDEX deadline_recomputations_year ON deadline_recomputations (year, id);

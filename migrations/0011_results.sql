-- Results of the full annual assessment: publications (preliminary and
-- final), the stored snapshot of every unit's result at each publication,
-- applications for review (申请复核) and the staff counts used for next
-- year's civil-servant 优秀 quota.

-- One row per publication of a cycle's results. A cycle has at most one
-- preliminary publication; the final results may be published more than
-- once: reopening (an audited act of the office, with a reason) sets
-- reopened_at (and reopened_by, reopen_reason) on the current final row,
-- and publishing the final results again adds a new row. The results are
-- final — and the assessment's inputs locked (assessment.CheckEditable) —
-- while a final row with reopened_at NULL exists.
-- appeal_deadline (preliminary only) is the last day a unit may apply for
-- review: AppealDays working days after the publication's local date.
CREATE TABLE assessment_publications (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id         bigint NOT NULL REFERENCES assessment_cycles (id),
    stage            text NOT NULL CHECK (stage IN ('preliminary', 'final')),
    published_at     timestamptz NOT NULL,
    published_by     bigint REFERENCES users (id),
    appeal_deadline  date,
    show_composite   boolean NOT NULL DEFAULT true,
    settings_version int NOT NULL,
    scheme_version   int NOT NULL,
    note             text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    reopened_at      timestamptz,
    reopened_by      bigint REFERENCES users (id),
    reopen_reason    text CHECK (length(reopen_reason) <= 2000),
    CHECK ((stage = 'preliminary') = (appeal_deadline IS NOT NULL)),
    CHECK (stage = 'final' OR reopened_at IS NULL),
    CHECK ((reopened_at IS NULL) = (reopen_reason IS NULL))
);
CREATE UNIQUE INDEX assessment_publications_one_preliminary ON assessment_publications (cycle_id) WHERE stage = 'preliminary';
CREATE UNIQUE INDEX assessment_publications_one_open_final ON assessment_publications (cycle_id) WHERE stage = 'final' AND reopened_at IS NULL;

-- Every unit's result as published: the grade with its reason, the
-- composite, the place in the category and the full breakdown (the
-- computed scheme tree, bonus, deductions, adjustments), so a published
-- result stays reproducible whatever changes later.
CREATE TABLE assessment_results (
    publication_id  bigint NOT NULL REFERENCES assessment_publications (id),
    cycle_id        bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id         bigint NOT NULL REFERENCES units (id),
    category        text NOT NULL,
    grade           text NOT NULL CHECK (grade IN ('excellent', 'good', 'pass', 'fail')),
    composite       numeric(9,4) NOT NULL,
    rank            int NOT NULL CHECK (rank >= 1),
    reason          text NOT NULL,
    breakdown       jsonb NOT NULL CHECK (jsonb_typeof(breakdown) = 'object'),
    PRIMARY KEY (publication_id, unit_id)
);
CREATE INDEX assessment_results_unit ON assessment_results (unit_id, cycle_id);

-- Applications for review of the preliminary result: one per unit and
-- cycle. answer_due is AnswerDays working days after the application's
-- local date. The office answers once: upheld (复核成立), partly (部分成立)
-- or rejected (不成立), with the answer's text.
CREATE TABLE assessment_appeals (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id        bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id         bigint NOT NULL REFERENCES units (id),
    publication_id  bigint NOT NULL REFERENCES assessment_publications (id),
    grounds         text NOT NULL CHECK (length(grounds) BETWEEN 1 AND 4000),
    evidence_note   text NOT NULL DEFAULT '' CHECK (length(evidence_note) <= 2000),
    evidence_ids    uuid[] NOT NULL DEFAULT '{}',
    created_by      bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    answer_due      date NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'upheld', 'partly', 'rejected')),
    answer          text CHECK (length(answer) <= 4000),
    answered_by     bigint REFERENCES users (id),
    answered_at     timestamptz,
    UNIQUE (cycle_id, unit_id),
    CHECK ((status = 'pending') = (answered_at IS NULL)),
    CHECK ((status = 'pending') = (answer IS NULL))
);

-- A unit's civil-servant staff count (公务员人数) for a cycle: next year's
-- 优秀 quota is a share of it by the unit's grade.
CREATE TABLE assessment_staff_counts (
    cycle_id     bigint NOT NULL REFERENCES assessment_cycles (id),
    unit_id      bigint NOT NULL REFERENCES units (id),
    staff_count  int NOT NULL CHECK (staff_count BETWEEN 0 AND 100000),
    updated_by   bigint REFERENCES users (id),
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (cycle_id, unit_id)
);

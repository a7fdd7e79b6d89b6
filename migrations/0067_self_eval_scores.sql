-- Self-assessed scores per self-evaluation period (issue 16 part 1): with
-- its report of a period other than the annual one (a half-year, say), a
-- unit gives a score and a short note per indicator of its target sheet
-- (its progress at that point). The annual period keeps the cycle's
-- claims (target_self_evaluations); no row here belongs to it.
CREATE TABLE self_eval_scores (
    period_id     bigint NOT NULL,
    unit_id       bigint NOT NULL,
    indicator_id  bigint NOT NULL REFERENCES target_indicators (id) ON DELETE CASCADE,
    claimed       numeric(8, 2) NOT NULL CHECK (claimed >= 0),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    updated_by    bigint REFERENCES users (id),
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (period_id, unit_id, indicator_id),
    FOREIGN KEY (period_id, unit_id) REFERENCES self_eval_reports (period_id, unit_id)
);
-- The scores of an indicator: a draft indicator deleted takes its scores
-- with it (ON DELETE CASCADE) down this index.
CREATE INDEX self_eval_scores_indicator ON self_eval_scores (indicator_id);

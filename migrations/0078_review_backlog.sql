-- The review backlog by unit (issue 17's office chart): per unit, the
-- items of the review queue (民意核查) that wait for a decision, as the
-- queue's first page counts them — 基本满意 and below, over the queue's
-- default period (the 90 days up to today) — the daily ratings and the
-- survey opinions apart, with the oldest item's time. The hourly
-- maintenance recomputes it in one transaction (internal/feedback,
-- backlog.go); the chart reads these rows (a thousand at most) and says
-- when they were counted, never the queue itself.
CREATE TABLE review_backlog (
    unit_id   bigint PRIMARY KEY REFERENCES units (id),
    ratings   bigint NOT NULL CHECK (ratings >= 0),
    opinions  bigint NOT NULL CHECK (opinions >= 0),
    oldest    timestamptz NOT NULL
);

-- When review_backlog was counted, and the period it covers: one row.
CREATE TABLE review_backlog_state (
    only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    period_from  timestamptz NOT NULL,
    period_to    timestamptz NOT NULL,
    computed_at  timestamptz NOT NULL
);

-- The search box's phone look-up (issue 17) finds survey respondents as it
-- finds ratings: by the number's mask, then each candidate's sealed number
-- opened and compared (internal/search/lookup).
CREATE INDEX survey_respondents_phone_mask ON survey_respondents (phone_mask) WHERE phone_mask IS NOT NULL;

-- The figures the public pages publish, as the national 政务服务"好差评"
-- practice does (issue 17): per calendar year and unit, the counted
-- ratings and those at 基本满意 or above (满意率), the counted 差评
-- (level 1–2) and those whose rectification case is closed (差评整改率),
-- and the public's cases (from ratings and survey opinions) answered in
-- the year and those answered by their working-day deadline (按期答复率).
-- The hourly maintenance recomputes the current year (internal/figures);
-- the public pages read only these rows (a thousand a year at most), never
-- the ratings or the cases.
CREATE TABLE public_figures (
    year              int NOT NULL,
    unit_id           bigint NOT NULL REFERENCES units (id),
    ratings           bigint NOT NULL CHECK (ratings >= 0),
    satisfied         bigint NOT NULL CHECK (satisfied BETWEEN 0 AND ratings),
    bad               bigint NOT NULL CHECK (bad BETWEEN 0 AND ratings),
    bad_fixed         bigint NOT NULL CHECK (bad_fixed BETWEEN 0 AND bad),
    answered          bigint NOT NULL CHECK (answered >= 0),
    answered_on_time  bigint NOT NULL CHECK (answered_on_time BETWEEN 0 AND answered),
    PRIMARY KEY (year, unit_id)
);

-- When each year's rows were computed, and the last day they cover.
CREATE TABLE public_figures_years (
    year         int PRIMARY KEY,
    upto         date NOT NULL,
    computed_at  timestamptz NOT NULL
);

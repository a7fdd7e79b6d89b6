-- The aggregates behind the charts (issue 17) that rating_daily_counts
-- cannot answer: a unit's ratings per service point, terminal and 差评
-- reason, and the whole office's ratings per day, hour of the day (terminal
-- ratings, the service halls' heat map) and reason. The rollup
-- (internal/ratings/daily_rollup.go, chart_parts.go) recomputes them in the
-- same transaction and for the same (unit, day) as rating_daily_counts, so
-- they are exactly as fresh; readers take them for the days listed in
-- rating_rollup_days and read the rest from the ratings
-- (internal/ratings/chart_read.go).

-- Counted ratings of a unit on a local day, per level, by one part:
-- 'point' (key: the service point's id), 'terminal' (the terminal's id),
-- 'reason' (the reason's text; a rating with two reasons counts in both) or
-- 'hour' (terminal ratings by the local hour they were given, '0'..'23').
-- A (unit, day, part, key) without counted ratings has no row.
CREATE TABLE rating_daily_parts (
    unit_id  bigint NOT NULL,
    day      date NOT NULL,
    part     text NOT NULL CHECK (part IN ('point', 'terminal', 'reason', 'hour')),
    key      text NOT NULL,
    n1       int NOT NULL CHECK (n1 >= 0),
    n2       int NOT NULL CHECK (n2 >= 0),
    n3       int NOT NULL CHECK (n3 >= 0),
    n4       int NOT NULL CHECK (n4 >= 0),
    n5       int NOT NULL CHECK (n5 >= 0),
    -- A unit's year is some thousands of rows spread over as many pages:
    -- the counts in the key's index let it be read index-only.
    PRIMARY KEY (unit_id, day, part, key) INCLUDE (n1, n2, n3, n4, n5)
);
CREATE INDEX rating_daily_parts_day ON rating_daily_parts (day, part);

-- Counted ratings of every unit together on a local day, per level: 'all'
-- (key ''), 'hour' and 'reason', the sums of rating_daily_counts and
-- rating_daily_parts. A day of a few dozen rows, so that a year of the
-- office's charts reads some ten thousand rows.
CREATE TABLE rating_office_daily (
    day   date NOT NULL,
    part  text NOT NULL CHECK (part IN ('all', 'hour', 'reason')),
    key   text NOT NULL,
    n1    bigint NOT NULL CHECK (n1 >= 0),
    n2    bigint NOT NULL CHECK (n2 >= 0),
    n3    bigint NOT NULL CHECK (n3 >= 0),
    n4    bigint NOT NULL CHECK (n4 >= 0),
    n5    bigint NOT NULL CHECK (n5 >= 0),
    PRIMARY KEY (day, part, key)
);

-- Every day rolled so far has no rows here yet: forgetting the rolled days
-- makes the next rollup (`minyi migrate` runs one) roll them all again,
-- which fills these tables with the same code that keeps them. Until it
-- has, every reader of the aggregate reads the ratings (correct, slower).
-- The days of an archived month stay rolled: their ratings are not in the
-- database, and rolling them again would empty their daily aggregate (the
-- charts show nothing of them but their monthly sums; a restore hands a
-- month back to the rollup only when its aggregate differs).
SELECT pg_advisory_xact_lock(7305004);
DELETE FROM rating_rollup_days d WHERE NOT EXISTS (SELECT 1 FROM rating_archives a
    WHERE a.restored_at IS NULL AND a.month = date_trunc('month', d.day)::date);

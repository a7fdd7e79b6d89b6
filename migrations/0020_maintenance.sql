-- Maintenance that works through a transaction pooler and repairs itself.
--
-- 1. Rating partitions are made under a transaction-scoped advisory lock, so
--    two `minyi migrate` (or maintenance runs) at once wait for each other
--    instead of both trying to create the same table, and no lock can stay
--    behind on a pooled server connection.
-- 2. A month without a partition whose ratings landed in ratings_default is
--    repaired in the same statement: the month's table is created on its own,
--    the rows are moved into it and it is attached, all in one transaction.
-- 3. maintenance_runs is the lease and the record of the hourly maintenance
--    for the whole deployment: one instance claims a run, and every instance
--    reads the outcome for /readyz and the metrics.

-- minyi_make_rating_partition creates the partition of the local month m
-- (time zone tz) when it is missing, moving into it any rows of that month
-- stranded in ratings_default. It returns 1 when it made the partition.
CREATE FUNCTION minyi_make_rating_partition(m date, tz text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    name text := 'ratings_' || to_char(m, 'YYYYMM');
    lo timestamptz := date_trunc('month', m::timestamp) AT TIME ZONE tz;
    hi timestamptz := (date_trunc('month', m::timestamp) + interval '1 month') AT TIME ZONE tz;
    cols text;
    moved bigint;
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN 0;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ratings_default WHERE rated_at >= lo AND rated_at < hi) THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF ratings FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
        RETURN 1;
    END IF;
    -- Attaching a partition over rows of the default partition is refused,
    -- so the month is built beside it, filled and then attached.
    EXECUTE format('CREATE TABLE %I (LIKE ratings INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
      FROM pg_attribute WHERE attrelid = 'ratings'::regclass AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('WITH moved AS (DELETE FROM ratings_default WHERE rated_at >= %L AND rated_at < %L RETURNING %s)
                    INSERT INTO %I (%s) SELECT %s FROM moved', lo, hi, cols, name, cols, cols);
    GET DIAGNOSTICS moved = ROW_COUNT;
    EXECUTE format('ALTER TABLE ratings ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
    RAISE NOTICE 'moved % ratings from ratings_default into %', moved, name;
    RETURN 1;
END $$;

-- minyi_ensure_rating_partitions creates the monthly partitions from the
-- month of first for the given number of months, and a partition for every
-- month that has rows in ratings_default; safe to call often and at once.
CREATE OR REPLACE FUNCTION minyi_ensure_rating_partitions(first date, months int, tz text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    m date;
    made int := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(7305003);
    FOR m IN SELECT DISTINCT date_trunc('month', rated_at AT TIME ZONE tz)::date FROM ratings_default LOOP
        made := made + minyi_make_rating_partition(m, tz);
    END LOOP;
    m := date_trunc('month', first)::date;
    FOR i IN 1..months LOOP
        made := made + minyi_make_rating_partition(m, tz);
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END $$;

CREATE TABLE maintenance_runs (
    name         text PRIMARY KEY,
    instance     text NOT NULL DEFAULT '',
    started_at   timestamptz,
    finished_at  timestamptz,
    last_ok_at   timestamptz,
    failed_at    timestamptz,
    last_error   text NOT NULL DEFAULT '',
    runs         bigint NOT NULL DEFAULT 0,
    failures     bigint NOT NULL DEFAULT 0
);
INSERT INTO maintenance_runs (name) VALUES ('hourly');

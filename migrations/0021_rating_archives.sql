-- Retention of old rating months (issue 10): `minyi partitions archive`
-- writes a month's partition to a file, verifies the file and drops the
-- partition; `minyi partitions restore` loads the file back. The procedure
-- is in internal/partitions; docs/operations.md explains the policy.

-- One row per archive of a month: the counts written (ratings, and the
-- rating_cases and rating_holds rows that went with them), the file and
-- its SHA-256, the time zone the month was cut in, and who archived it.
-- Restoring the month sets restored_at; archiving it again adds a row. At
-- most one archive of a month is in force (not restored).
CREATE TABLE rating_archives (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    ratings      bigint NOT NULL CHECK (ratings >= 0),
    cases        bigint NOT NULL CHECK (cases >= 0),
    holds        bigint NOT NULL CHECK (holds >= 0),
    file         text NOT NULL,
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    time_zone    text NOT NULL,
    archived_at  timestamptz NOT NULL DEFAULT now(),
    archived_by  text NOT NULL,
    restored_at  timestamptz,
    restored_by  text,
    CHECK ((restored_at IS NULL) = (restored_by IS NULL))
);
CREATE UNIQUE INDEX rating_archives_in_force ON rating_archives (month) WHERE restored_at IS NULL;

-- Writes to a partition while it is being archived. The archive puts a
-- row trigger on the partition, then exports it in one snapshot, then
-- detaches and drops it in one transaction that first checks the counter
-- has not moved since that snapshot: any rating inserted, changed or
-- deleted in between (an exclusion, a decision on a held rating) aborts
-- the drop, so the file always holds exactly the rows that were dropped,
-- without blocking writes while the file is written. A trigger left on a
-- partition whose archive did not finish only counts; the next archive of
-- the month reuses it.
CREATE TABLE rating_archive_guards (
    partition  text PRIMARY KEY,
    changes    bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION minyi_rating_archive_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rating_archive_guards SET changes = changes + 1 WHERE partition = TG_TABLE_NAME;
    RETURN NULL;
END $$;

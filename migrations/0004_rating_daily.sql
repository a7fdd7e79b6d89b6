-- The daily aggregate of ratings: counted (not excluded) ratings per unit,
-- local day and level, and their monthly sums, so that a year's daily score
-- of every unit reads some ten thousand rows instead of tens of millions of
-- ratings.
-- internal/ratings/daily.go reads it and daily_rollup.go keeps it; the
-- comment there is the protocol that keeps it exact.

-- Counted ratings of a unit on a local day, per level (n1 = 非常不满意 …
-- n5 = 非常满意). A unit without counted ratings on a day has no row.
-- Rows are only read for days listed in rating_rollup_days in the zone
-- configured now.
CREATE TABLE rating_daily_counts (
    unit_id    bigint NOT NULL,
    day        date NOT NULL,
    n1         int NOT NULL CHECK (n1 >= 0),
    n2         int NOT NULL CHECK (n2 >= 0),
    n3         int NOT NULL CHECK (n3 >= 0),
    n4         int NOT NULL CHECK (n4 >= 0),
    n5         int NOT NULL CHECK (n5 >= 0),
    rolled_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, day)
);
CREATE INDEX rating_daily_counts_day ON rating_daily_counts (day);

-- The sums of rating_daily_counts per unit and calendar month (month is its
-- first day), kept equal to them by every transaction that changes them,
-- so that a year reads twelve rows a unit for the months whose days are
-- all rolled.
CREATE TABLE rating_monthly_counts (
    month      date NOT NULL CHECK (extract(day FROM month) = 1),
    unit_id    bigint NOT NULL,
    n1         bigint NOT NULL CHECK (n1 >= 0),
    n2         bigint NOT NULL CHECK (n2 >= 0),
    n3         bigint NOT NULL CHECK (n3 >= 0),
    n4         bigint NOT NULL CHECK (n4 >= 0),
    n5         bigint NOT NULL CHECK (n5 >= 0),
    PRIMARY KEY (month, unit_id)
);

-- Days whose rows in rating_daily_counts are complete, and the time zone
-- (TIME_ZONE) their days were cut in: a day rolled in another zone is read
-- from the ratings until it is rolled again.
CREATE TABLE rating_rollup_days (
    day        date PRIMARY KEY,
    tz         text NOT NULL,
    rolled_at  timestamptz NOT NULL DEFAULT now()
);

-- Minutes of a unit whose ratings changed after their day may have been
-- rolled: a late rating, an exclusion, a restore. The change and its mark
-- commit together; a unit's day holding a marked minute is read from the
-- ratings until the next rollup recomputes it. Marks name the minute of
-- rated_at (UTC-aligned), not the day, so that they need no time zone.
CREATE TABLE rating_dirty (
    unit_id    bigint NOT NULL,
    minute     timestamptz NOT NULL,
    marked_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, minute)
);
CREATE INDEX rating_dirty_minute ON rating_dirty (minute);

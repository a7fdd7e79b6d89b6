-- Today's part of the daily aggregate (issue 12). An all-units page in the
-- afternoon read the whole of today's ratings live (95 thousand at 15:00
-- on the bench, 86 ms). rating_rollup_days now also lists the current day
-- while it runs: upto is the watermark up to which that day's rows in
-- rating_daily_counts count (ratings rated before upto), and readers read
-- the ratings live only from upto on. NULL means the day is complete.
-- internal/ratings/daily_rollup.go keeps it (RollUpToday) and explains
-- why it stays exact.
ALTER TABLE rating_rollup_days ADD COLUMN upto timestamptz;

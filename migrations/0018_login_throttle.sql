-- Sign-in throttling that holds across instances and without Redis.
--
-- login_backoff: consecutive failed sign-ins per throttle key, a keyed hash
-- of the lower-cased username (whether or not the account exists, so the
-- back-off reveals nothing) or of a known browser's device cookie. After a
-- few free failures each one makes the key wait until locked_until, the
-- wait doubling up to a cap; a success deletes the row. Rows quiet for a
-- day are pruned by the hourly maintenance.
CREATE TABLE login_backoff (
    throttle_key    bytea PRIMARY KEY,
    failures        int NOT NULL CHECK (failures >= 0),
    last_failed_at  timestamptz NOT NULL,
    locked_until    timestamptz
);
CREATE INDEX login_backoff_last_failed ON login_backoff (last_failed_at);

-- login_address_windows: sign-in attempts per client address (keyed hash)
-- in fixed windows of RATE_LOGIN's period, counted only while Redis cannot
-- be asked, so the per-address limit does not fail open. Windows that have
-- ended are pruned by the hourly maintenance.
CREATE TABLE login_address_windows (
    address_key   bytea NOT NULL,
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    attempts      int NOT NULL CHECK (attempts > 0),
    PRIMARY KEY (address_key, window_start)
);
CREATE INDEX login_address_windows_end ON login_address_windows (window_end);

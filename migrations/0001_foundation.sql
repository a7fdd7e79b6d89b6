-- Foundation: users and sessions, units, service points, QR codes, terminals,
-- ratings (partitioned by month), the durable de-duplication keys and the audit log.

CREATE TABLE units (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    short_code  text UNIQUE CHECK (short_code ~ '^[A-Za-z0-9_-]{1,20}$'),
    category    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE service_points (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id     bigint NOT NULL REFERENCES units (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind        text NOT NULL CHECK (kind IN ('hall', 'window')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_id, name)
);

CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{3,40}$'),
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('office', 'unit')),
    unit_id        bigint REFERENCES units (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    disabled_at    timestamptz,
    CHECK ((role = 'unit') = (unit_id IS NOT NULL))
);

CREATE TABLE sessions (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- A QR code is a random token; rotating it marks the old row replaced.
CREATE TABLE qr_codes (
    code         text PRIMARY KEY,
    unit_id      bigint NOT NULL REFERENCES units (id),
    point_id     bigint REFERENCES service_points (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    replaced_at  timestamptz,
    replaced_by  text REFERENCES qr_codes (code)
);
CREATE UNIQUE INDEX qr_codes_current_unit ON qr_codes (unit_id) WHERE point_id IS NULL AND replaced_at IS NULL;
CREATE UNIQUE INDEX qr_codes_current_point ON qr_codes (point_id) WHERE point_id IS NOT NULL AND replaced_at IS NULL;

CREATE TABLE terminals (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id       bigint NOT NULL REFERENCES units (id),
    point_id      bigint REFERENCES service_points (id),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    bytea NOT NULL UNIQUE,
    token_hint    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    last_seen_at  timestamptz
);
CREATE INDEX terminals_unit ON terminals (unit_id);

-- Ratings, partitioned by the month of rated_at (the device time for
-- terminals, the server time for QR ratings).
CREATE TABLE ratings (
    id            uuid NOT NULL,
    rated_at      timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    channel       text NOT NULL CHECK (channel IN ('qr', 'terminal')),
    unit_id       bigint NOT NULL,
    point_id      bigint,
    terminal_id   bigint,
    qr_code       text,
    level         smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    points        numeric(7,2) NOT NULL,
    reasons       text[] NOT NULL DEFAULT '{}',
    comment       text NOT NULL DEFAULT '',
    phone_enc     bytea,
    phone_mask    text,
    client_id     text,
    case_no       text,
    window_no     text,
    staff_no      text,
    client_hash   bytea,
    rate_checked  boolean NOT NULL DEFAULT true,
    excluded        boolean NOT NULL DEFAULT false,
    exclude_reason  text,
    excluded_by     bigint,
    excluded_at     timestamptz,
    PRIMARY KEY (id, rated_at)
) PARTITION BY RANGE (rated_at);
CREATE INDEX ratings_unit_rated_at ON ratings (unit_id, rated_at);
CREATE TABLE ratings_default PARTITION OF ratings DEFAULT;

-- minyi_ensure_rating_partitions creates the monthly partitions (months of
-- the time zone tz) from the month of first for the given number of months;
-- it is safe to call often.
CREATE FUNCTION minyi_ensure_rating_partitions(first date, months int, tz text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', first)::date;
    made int := 0;
    name text;
BEGIN
    FOR i IN 1..months LOOP
        name := 'ratings_' || to_char(m, 'YYYYMM');
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF ratings FOR VALUES FROM (%L) TO (%L)',
                name, m::timestamp AT TIME ZONE tz, (m + interval '1 month')::timestamp AT TIME ZONE tz);
            made := made + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END $$;

-- Idempotency keys: one row per (origin, client id); origin is the terminal
-- id for terminals and 0 for QR form submissions.
CREATE TABLE rating_requests (
    origin      bigint NOT NULL,
    client_id   text NOT NULL,
    rating_id   uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (origin, client_id)
);

-- One rating per service case number per unit.
CREATE INDEX rating_requests_created_at ON rating_requests USING brin (created_at);

CREATE TABLE rating_cases (
    unit_id     bigint NOT NULL,
    case_no     text NOT NULL,
    rating_id   uuid NOT NULL,
    PRIMARY KEY (unit_id, case_no)
);

-- Once a day per unit and device: keyed hashes of the device cookie, the
-- browser fingerprint and the call-back phone.
CREATE TABLE rating_daily_marks (
    unit_id     bigint NOT NULL,
    day         date NOT NULL,
    mark        bytea NOT NULL,
    rating_id   uuid NOT NULL,
    PRIMARY KEY (unit_id, day, mark)
);
CREATE INDEX rating_daily_marks_day ON rating_daily_marks (day);

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,
    actor       text NOT NULL,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   text NOT NULL,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);

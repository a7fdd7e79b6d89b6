-- The daily cap on counted QR ratings per source (issue 9): from one
-- address (an IPv6 /64 counts as one address), or from a hall network the
-- office registered, a unit counts at most so many ratings a local day
-- (RATE_PUBLIC_DAILY_PER_ADDRESS, or the network's own cap). Ratings beyond
-- the cap are stored but held: excluded from scoring, marked held, until
-- the office counts them or confirms they do not count. The rating writer
-- keeps the counters in the same statement that stores the ratings
-- (internal/ratings/held.go), so the cap holds without Redis and across
-- instances.

-- A held rating awaits the office's decision; it is excluded meanwhile, so
-- everything that counts NOT excluded (the daily aggregate, the score,
-- the statistics) leaves it out. A constant default adds the column
-- without rewriting the table.
ALTER TABLE ratings ADD COLUMN held boolean NOT NULL DEFAULT false;

-- Only ratings awaiting a decision are in this index (normally none), so it
-- costs the write path nothing; building it reads the ratings once (about
-- 15 s per 50 million), during which rating writes wait.
CREATE INDEX ratings_held ON ratings (rated_at) WHERE held;

-- QR ratings stored per unit, local day and source. source is a keyed hash
-- of the address (or of the IPv6 /64), or 'net:' and the id of a
-- registered network. Rows of past days are pruned by maintenance.
CREATE TABLE rating_cap_counts (
    unit_id  bigint NOT NULL,
    day      date NOT NULL,
    source   bytea NOT NULL,
    n        int NOT NULL CHECK (n > 0),
    PRIMARY KEY (unit_id, day, source)
);
CREATE INDEX rating_cap_counts_day ON rating_cap_counts (day);

-- A hall's own network: public addresses where citizens rate over the
-- hall's Wi-Fi, registered on a unit (all its QR codes) or on one service
-- point (that point's QR code), with a daily cap of its own shared by every
-- address of the range.
CREATE TABLE rating_networks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id     bigint NOT NULL REFERENCES units (id),
    point_id    bigint REFERENCES service_points (id),
    network     cidr NOT NULL,
    daily_cap   int NOT NULL CHECK (daily_cap BETWEEN 1 AND 100000),
    name        text NOT NULL DEFAULT '' CHECK (length(name) <= 50),
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (unit_id, point_id, network)
);

-- Every rating the cap held, with the group it was held in: the unit, the
-- local day and the source, and what the office is shown of the source
-- (the address or /64, or the network's range). Only held ratings are
-- here, so addresses of ratings within the cap are never stored. Rows stay
-- after the decision, as the record of which group a rating was held in.
CREATE TABLE rating_holds (
    rating_id   uuid PRIMARY KEY,
    rated_at    timestamptz NOT NULL,
    unit_id     bigint NOT NULL,
    day         date NOT NULL,
    source      bytea NOT NULL,
    label       text NOT NULL,
    network_id  bigint,
    daily_cap   int NOT NULL
);
CREATE INDEX rating_holds_group ON rating_holds (unit_id, day, source);
CREATE INDEX rating_holds_day ON rating_holds (day);

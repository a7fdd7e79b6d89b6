-- Signed rating links of the online channel (一事一评, issue 18): the
-- online platforms and apps (线上评价渠道) that open a unit's rating page
-- for one case, and their HMAC-SHA256 signing keys.

-- An online integration: its national channel code (pf 1 PC, 2 mobile
-- app), the web origins allowed to frame the rating page (CSP
-- frame-ancestors) and whether its links are taken.
CREATE TABLE rating_link_integrations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    pf          smallint NOT NULL CHECK (pf IN (1, 2)),
    origins     text[] NOT NULL DEFAULT '{}',
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- An integration's signing keys. The secret must be read back to verify
-- a link, so it is stored sealed with the app's encryption key
-- (secure.Keys.Encrypt, AES-GCM under a key derived from SECRET_KEY), never
-- in clear; several keys may be live at once for rotation, and a revoked
-- key signs nothing any more.
CREATE TABLE rating_link_keys (
    key_id          text PRIMARY KEY CHECK (key_id ~ '^[A-Za-z0-9_-]{4,40}$'),
    integration_id  bigint NOT NULL REFERENCES rating_link_integrations (id),
    secret_enc      bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
CREATE INDEX rating_link_keys_integration ON rating_link_keys (integration_id);

-- Assessment cycles (考核年度) and their configuration, versioned so a past
-- year's result can always be recomputed from the version it used.

CREATE TABLE assessment_cycles (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    year          int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (period_start <= period_end)
);

-- Configuration versions are append-only: a change inserts version n+1.
-- The trigger below refuses any UPDATE or DELETE of a version row.
CREATE TABLE cycle_config_versions (
    cycle_id    bigint NOT NULL REFERENCES assessment_cycles (id),
    version     int NOT NULL CHECK (version >= 1),
    config      jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  bigint REFERENCES users (id),
    note        text NOT NULL DEFAULT '',
    PRIMARY KEY (cycle_id, version)
);

CREATE FUNCTION minyi_cycle_config_versions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cycle_config_versions is append-only: % refused', TG_OP;
END $$;

CREATE TRIGGER cycle_config_versions_append_only
    BEFORE UPDATE OR DELETE ON cycle_config_versions
    FOR EACH ROW EXECUTE FUNCTION minyi_cycle_config_versions_append_only();

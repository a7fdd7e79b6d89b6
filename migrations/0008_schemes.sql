-- Assessment schemes (考核方案): each cycle's tree of weighted components
-- (internal/schemes), versioned like cycle_config_versions so a past
-- year's composite can always be recomputed from the scheme it used.
-- A change inserts version n+1 under the cycle's row lock; the trigger
-- below refuses any UPDATE or DELETE of a version row.

CREATE TABLE cycle_schemes (
    cycle_id    bigint NOT NULL REFERENCES assessment_cycles (id),
    version     int NOT NULL CHECK (version >= 1),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- preset is the shipped preset the tree came from ('jiangxi',
    -- 'zhongshan', 'county'), or '' for a tree supplied by the office.
    preset      text NOT NULL DEFAULT '',
    -- tree is the root node, normalized and validated by schemes.Validate.
    tree        jsonb NOT NULL CHECK (jsonb_typeof(tree) = 'object'),
    created_by  bigint REFERENCES users (id),
    note        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, version)
);

CREATE FUNCTION minyi_cycle_schemes_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cycle_schemes is append-only: % refused', TG_OP;
END $$;

CREATE TRIGGER cycle_schemes_append_only
    BEFORE UPDATE OR DELETE ON cycle_schemes
    FOR EACH ROW EXECUTE FUNCTION minyi_cycle_schemes_append_only();

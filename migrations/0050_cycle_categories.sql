-- Unit categories belong to the cycle, and a cycle holds one scheme per
-- group of categories (internal/cycles/categories.go, internal/schemes/
-- groups.go).
--
-- categories is the cycle's ordered list of unit categories; the units
-- taking part in the cycle are the units whose category is listed. NULL
-- means not yet set: `minyi migrate` fills it from UNIT_CATEGORIES, and
-- until then the cycle takes every unit, as before.
ALTER TABLE assessment_cycles ADD COLUMN categories text[];

-- A scheme group gathers categories whose units are scored on one scheme
-- (乡镇 / 县直部门 / 驻县单位). Categories in no group are scored on the
-- cycle's default scheme (the version chain with group_id NULL), so a
-- cycle without groups keeps its single scheme unchanged.
CREATE TABLE scheme_groups (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id    bigint NOT NULL REFERENCES assessment_cycles (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 30),
    categories  text[] NOT NULL CHECK (cardinality(categories) >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, name)
);

CREATE INDEX scheme_groups_cycle ON scheme_groups (cycle_id, id);

-- Scheme versions are now a chain per (cycle, group): group_id NULL is the
-- default scheme. Adding the column updates no row, so the append-only
-- trigger is untouched.
ALTER TABLE cycle_schemes ADD COLUMN group_id bigint REFERENCES scheme_groups (id);
ALTER TABLE cycle_schemes DROP CONSTRAINT cycle_schemes_pkey;
CREATE UNIQUE INDEX cycle_schemes_default_version ON cycle_schemes (cycle_id, version) WHERE group_id IS NULL;
CREATE UNIQUE INDEX cycle_schemes_group_version ON cycle_schemes (group_id, version) WHERE group_id IS NOT NULL;

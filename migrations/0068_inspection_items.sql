-- Inspections: the indicators of the cycle's scheme(s) an inspection
-- covers, a finding naming one of them, and the files the office shares
-- with the inspected units (issue 16 part 2, the gaps).
--
-- An inspection item is a leaf of one of the cycle's current schemes (the
-- default scheme, group_id NULL, or a scheme group's) as it was named when
-- the office picked it: the record keeps its name and its parent item's
-- path even when the scheme later changes.
CREATE TABLE inspection_items (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id  bigint NOT NULL REFERENCES inspections (id),
    group_id       bigint REFERENCES scheme_groups (id),
    leaf_key       text NOT NULL CHECK (length(leaf_key) BETWEEN 1 AND 40),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    parent         text NOT NULL DEFAULT '' CHECK (length(parent) <= 500),
    scheme         text NOT NULL DEFAULT '' CHECK (length(scheme) <= 100),
    position       int NOT NULL
);
CREATE UNIQUE INDEX inspection_items_leaf ON inspection_items (inspection_id, coalesce(group_id, 0), leaf_key);

-- The inspection item a finding concerns (one of its inspection's).
ALTER TABLE inspection_findings ADD COLUMN item_id bigint REFERENCES inspection_items (id);
CREATE INDEX inspection_findings_item ON inspection_findings (item_id) WHERE item_id IS NOT NULL;

-- The attached files the inspected units may download (a subset of
-- evidence_ids); a file is not shared until the office says so.
ALTER TABLE inspections ADD COLUMN shared_ids uuid[] NOT NULL DEFAULT '{}';

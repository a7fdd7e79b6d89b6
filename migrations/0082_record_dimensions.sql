-- The national 好差评 record's dimensions (issue 18): the catalogue of
-- service items (事项), the stages a case is rated at (一事多评), and the
-- ratings' new columns.

-- A unit's service items: 事项编码 and name, unique per unit and code. An
-- item is retired, never deleted: ratings keep its code.
CREATE TABLE service_items (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id     bigint NOT NULL REFERENCES units (id),
    code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,64}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    online      boolean NOT NULL DEFAULT false,
    retired_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_id, code)
);
CREATE INDEX service_items_code ON service_items (code);

-- The stages the office rates a case at (接件 / 受理 / 办结); position orders
-- them and is the stage's occasion number in the national record. A stage
-- is retired, never deleted.
CREATE TABLE rating_stages (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z0-9_-]{1,20}$'),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 20),
    position    smallint NOT NULL CHECK (position BETWEEN 1 AND 99),
    retired_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO rating_stages (code, name, position) VALUES
    ('1', '接件', 1), ('2', '受理', 2), ('3', '办结', 3);

-- The ratings' dimensions. Nullable, without defaults or CHECKs (a CHECK
-- would scan every partition), so that on the partitioned table every ADD
-- COLUMN is a catalogue change only: no rewrite, no scan, no backfill; the
-- values are checked in Go (ratings.Dimensions). Old rows are read through
-- ratings.PFSQL (pf from the channel) and keep the other columns NULL.
ALTER TABLE ratings
    ADD COLUMN item_code text,
    ADD COLUMN stage text,
    ADD COLUMN pf smallint,
    ADD COLUMN reason_codes text[],
    ADD COLUMN eva_version text,
    ADD COLUMN applicant_type smallint;

-- One rating per (unit, 办件编号, stage); '' is a rating without a stage, so
-- a case rated without stages keeps one rating as before. The constant
-- default is a catalogue change; the new key rebuilds the index.
ALTER TABLE rating_cases ADD COLUMN stage text NOT NULL DEFAULT '';
ALTER TABLE rating_cases DROP CONSTRAINT rating_cases_pkey;
ALTER TABLE rating_cases ADD PRIMARY KEY (unit_id, case_no, stage);

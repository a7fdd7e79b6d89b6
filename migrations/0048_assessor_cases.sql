-- Rectification cases opened by an assessor unit (考评单位) on a problem it
-- found in a unit it assesses (source_kind 'assessor', source_id the
-- assessor's unit id). The assessor follows the case (reads it); the office
-- keeps closing and returning it.
ALTER TABLE rectification_cases DROP CONSTRAINT rectification_cases_source_kind_check;
ALTER TABLE rectification_cases ADD CONSTRAINT rectification_cases_source_kind_check
    CHECK (source_kind IN ('rating', 'response', 'target', 'result', 'assessor'));
ALTER TABLE rectification_cases ADD COLUMN assessor_unit_id bigint REFERENCES units (id);
CREATE INDEX rectification_cases_assessor ON rectification_cases (assessor_unit_id, created_at DESC, id DESC)
    WHERE assessor_unit_id IS NOT NULL;

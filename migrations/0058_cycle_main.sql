-- One main cycle (主考核) per year (issue 16 part 8). Streaks ("three years
-- in a row") read the final results of the main cycle of each year, so a
-- second cycle of the same year (a special or re-run assessment) never
-- makes "the previous two years" ambiguous: it may exist, but not as main.
ALTER TABLE assessment_cycles ADD COLUMN main boolean NOT NULL DEFAULT false;

-- Existing years: the cycle with final results, else the earliest, is main.
UPDATE assessment_cycles c SET main = true
WHERE c.id = (SELECT x.id FROM assessment_cycles x WHERE x.year = c.year
    ORDER BY EXISTS (SELECT 1 FROM assessment_publications p
        WHERE p.cycle_id = x.id AND p.stage = 'final' AND p.reopened_at IS NULL) DESC, x.id
    LIMIT 1);

CREATE UNIQUE INDEX assessment_cycles_main_year ON assessment_cycles (year) WHERE main;

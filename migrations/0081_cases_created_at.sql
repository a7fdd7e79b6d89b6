-- The cases opened in a period, by their time alone (the monthly and
-- quarterly reports' problems and case figures, issue 17). The only index
-- with created_at led with unit_id, so a period's cases were found by
-- walking every unit's entries: 1.5 s of a 2.3 s report at five years of
-- a province's cases (60,000; docs/benchmarks.md, fourteenth run).
CREATE INDEX rectification_cases_created_at ON rectification_cases (created_at);

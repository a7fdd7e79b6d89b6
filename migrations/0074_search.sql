-- Keyword search (issue 17) over rating messages, survey opinions, case
-- texts (the problem and every answer, progress report and note) and
-- call-back notes, and the direct look-ups of the search page.
--
-- Chinese has no word boundaries and users type two-character words
-- (态度, 排队, 窗口). pg_trgm cannot use an index for a term shorter than
-- three characters, and pg_bigm is not packaged by Debian for Postgres 15,
-- so the text is indexed as the set of its overlapping two-character grams
-- (minyi_grams: "排队很久" → 排队, 队很, 很久, and the last character alone,
-- 久) in a GIN index. A term of two or more characters asks for all of its
-- grams (internal/search builds the tsquery: 排队很 → '排队' & '队很'); one
-- character asks for every gram that starts with it ('队':*), which each
-- occurrence has, the last character of a text included. The index narrows
-- the rows; the query re-checks the real text with strpos(), so the
-- results are exact (a text holding 排 and 队 apart is not a hit).
--
-- array_to_tsvector builds the lexemes as they are, where to_tsvector
-- would run its parser over the grams (splitting at punctuation, folding
-- digits and Latin words): nothing but the re-check needs positions, so
-- no phrase (<->) is needed either. Letters are lower-cased on both sides
-- (ASCII in messages: ETC, App). Measured on 50 M ratings with 1.7 M
-- messages: docs/benchmarks.md (search).
--
-- COST 1000 (a thousand operators; it builds an array per text): where
-- the function would run on every row a plan reads, the planner prices
-- that, and prefers the index, and where it must run as a filter it runs
-- last, after the cheap strpos() re-check has dropped the other rows.
CREATE OR REPLACE FUNCTION minyi_grams(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT array_to_tsvector(ARRAY(SELECT substr(l, i, 2) FROM generate_series(1, length(l)) AS i))
    FROM (SELECT lower(t) AS l) AS x
$$;

-- Only texts are indexed (partial indexes): 3–4 % of the ratings carry a
-- message. On the partitioned ratings the index is created on every
-- partition, and on every partition created later (minyi_ensure_rating_partitions).
-- IF NOT EXISTS: the benchmark database gets them from cmd/minyi-aggbench.
CREATE INDEX IF NOT EXISTS ratings_comment_grams ON ratings USING gin (minyi_grams(comment)) WHERE comment <> '';
CREATE INDEX IF NOT EXISTS survey_responses_opinion_grams ON survey_responses USING gin (minyi_grams(opinion))
    WHERE opinion <> '';
CREATE INDEX IF NOT EXISTS rectification_cases_problem_grams ON rectification_cases USING gin (minyi_grams(problem));
CREATE INDEX IF NOT EXISTS case_updates_body_grams ON case_updates USING gin (minyi_grams(body)) WHERE body <> '';
CREATE INDEX IF NOT EXISTS case_callbacks_said_grams ON case_callbacks USING gin (minyi_grams(said)) WHERE said <> '';

-- Direct look-ups. A phone number is stored sealed (phone_enc) with its
-- mask (138****1234); the mask narrows a number to the few ratings that
-- share its first three and last four digits (a handful among a
-- province's call-back numbers), whose sealed numbers are then opened and
-- compared exactly (internal/search). About 1 % of ratings leave a number.
CREATE INDEX IF NOT EXISTS ratings_phone_mask ON ratings (phone_mask, rated_at) WHERE phone_mask IS NOT NULL;
-- A 办件编号 (the service case number a rating carries) across units: the
-- primary key (unit_id, case_no) serves one unit only.
CREATE INDEX IF NOT EXISTS rating_cases_case_no ON rating_cases (case_no);

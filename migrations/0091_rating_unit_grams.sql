-- One unit's keyword search through the messages' gram index (issues 12
-- and 17). The gram index of 0074 finds a keyword's messages of every
-- unit; a unit's search then read each of them from the table to keep its
-- own: for a common four-character keyword over twelve months at five
-- years of a province, tens of thousands of rows read for a few dozen
-- kept, 180–210 ms (docs/benchmarks.md, fourteenth run). A (unit, grams)
-- btree_gin index did not help: the planner estimates a gram match at one
-- row, so it never prefers the two-column index.
--
-- The ratings' gram index now holds each message's unit as one more
-- lexeme: chr(1) followed by the unit's id. Grams are at most two
-- characters of the lower-cased text, so the unit's lexeme never equals
-- one; only a one-character keyword's prefix query could reach it if a
-- message held chr(1), and the text re-check keeps the results exact
-- anyway. A unit's search asks for its lexeme and the keyword's grams
-- (internal/search, Keyword.RatingCond), and GIN intersects the posting
-- lists inside the index, skipping through the long ones by the short
-- one: only the unit's matching messages reach the table. Every other
-- search asks for the grams alone, as before, through the same index.
--
-- The index replaces ratings_comment_grams (same rows, one lexeme more per
-- message), so a rating with a message still updates one gram index.
-- Building it reads the messages of every partition once (3–4 % of the
-- ratings carry one); docs/operations.md shows how to build it beforehand
-- partition by partition while ratings are written.
CREATE OR REPLACE FUNCTION minyi_rating_grams(unit bigint, t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT minyi_grams(t) || array_to_tsvector(ARRAY[chr(1) || unit::text])
$$;

CREATE INDEX IF NOT EXISTS ratings_comment_unit_grams ON ratings USING gin (minyi_rating_grams(unit_id, comment))
    WHERE comment <> '';
DROP INDEX IF EXISTS ratings_comment_grams;

-- The review queue at province scale (issue 12; internal/feedback/queue_sql.go).
--
-- The decided items, newest first: the office decides the older items and
-- leaves the newest pending, so walking the ratings backwards to find the
-- decided ones read every pending item first (3 s over 50 million
-- ratings). The decided ratings are listed from their reviews instead,
-- which therefore carry the rating's time (its partition key, so the
-- rating is one index probe away).
ALTER TABLE feedback_reviews ADD COLUMN rated_at timestamptz;

UPDATE feedback_reviews fr SET rated_at = r.rated_at
FROM ratings r
WHERE fr.source_kind = 'rating' AND r.id = fr.source_id::uuid;

CREATE INDEX feedback_reviews_decided ON feedback_reviews (rated_at)
    WHERE source_kind = 'rating' AND verdict IS NOT NULL;
CREATE INDEX feedback_reviews_unit_decided ON feedback_reviews (unit_id, rated_at)
    WHERE source_kind = 'rating' AND verdict IS NOT NULL;

-- Survey opinions of one unit, newest first.
CREATE INDEX survey_responses_unit_opinion ON survey_responses (unit_id, submitted_on) WHERE opinion <> '';

-- A case's call-back page lists the phone numbers of its source ratings,
-- found by id alone (a probe of every monthly partition for each of a
-- merged case's hundreds of sources: 1.3 s). Only real-name ratings carry
-- a number; this index holds just those, so a source without one costs
-- a probe of a small index and no read of the rating.
CREATE INDEX ratings_phone ON ratings (id) WHERE phone_enc IS NOT NULL;

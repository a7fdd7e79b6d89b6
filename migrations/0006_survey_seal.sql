-- Anonymous surveys: sealed_at marks a submitted respondent whose row was
-- rewritten by maintenance after submission, so that no live row of
-- survey_respondents carries the transaction id (xmin) of the submission
-- that inserted the anonymous answers.
ALTER TABLE survey_respondents ADD COLUMN sealed_at timestamptz;
CREATE INDEX survey_respondents_unsealed ON survey_respondents (survey_id)
    WHERE status = 'submitted' AND sealed_at IS NULL;

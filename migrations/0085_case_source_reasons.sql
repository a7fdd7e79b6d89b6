-- The reasons (差评原因) of the rating a case was opened on, kept on the
-- case (issue 17: the monthly and quarterly reports' 最常见问题). The
-- report found them through the case's review and a probe of the rating's
-- partition for each of the period's cases: 1.7–1.8 s at p50 for a month
-- or a quarter at five years of a province (docs/benchmarks.md, fourteenth
-- run), most of it random reads of the reviews and of 250 M ratings. A
-- rating's reasons never change once stored, so the copy cannot go stale;
-- feedback.MarkValid writes it with the case. NULL for cases not opened on
-- a rating.
ALTER TABLE rectification_cases ADD COLUMN source_reasons text[];

UPDATE rectification_cases c SET source_reasons = r.reasons
FROM feedback_reviews f JOIN ratings r ON r.id = f.source_id::uuid AND r.rated_at = f.rated_at
WHERE c.source_kind = 'rating' AND f.source_kind = 'rating' AND f.source_id = c.source_id;

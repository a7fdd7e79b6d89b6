-- Published results that prove themselves (issue 19). Each publication
-- keeps the SHA-256 of its snapshot — the canonical JSON of everything the
-- result rests on and everything it says (internal/results/snapshot.go:
-- the configuration, scheme and settings versions and the settings, every
-- unit's inputs, public evaluation score, scheme tree with every entry,
-- bonus, deductions, adjustments, composite, place and grade) — the
-- configuration version and category order it was computed with, and the
-- publication it follows, so that `minyi results verify` can recompute it
-- from the stored data and name every difference. Publications made before
-- this migration have no hash; verify then compares the stored lines only.
ALTER TABLE assessment_publications
    ADD COLUMN snapshot_sha256 bytea CHECK (octet_length(snapshot_sha256) = 32),
    ADD COLUMN config_version  int,
    ADD COLUMN category_order  text[],
    ADD COLUMN previous_id     bigint REFERENCES assessment_publications (id);

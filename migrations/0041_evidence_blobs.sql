-- Evidence files stored once per content (issue 19). The bytes move to
-- evidence_blobs, keyed by their SHA-256; evidence_files keeps one row per
-- upload (name, owner, uploader, time) that refers to its content by the
-- hash. The same file uploaded twice — by two units, or again after a
-- rejected claim — is one blob referenced twice, and the hash in the
-- upload's audit entry names exactly the bytes it attached. A blob is
-- never changed: a trigger refuses UPDATE (its key is its content).
CREATE TABLE evidence_blobs (
    sha256     bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
    size       integer NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    data       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO evidence_blobs (sha256, size, data, created_at)
SELECT DISTINCT ON (sha256) sha256, size, data, created_at FROM evidence_files ORDER BY sha256, created_at;

ALTER TABLE evidence_files DROP COLUMN data,
    ADD CONSTRAINT evidence_files_blob FOREIGN KEY (sha256) REFERENCES evidence_blobs (sha256);
CREATE INDEX evidence_files_sha256 ON evidence_files (sha256);

CREATE TRIGGER evidence_blobs_unchanged BEFORE UPDATE ON evidence_blobs
    FOR EACH ROW EXECUTE FUNCTION minyi_append_only();

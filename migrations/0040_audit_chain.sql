-- A tamper-evident audit log (issue 19).
--
-- Every audit entry is linked into a hash chain when its transaction
-- commits: audit_chain holds, for link seq, the entry's id and
-- hash = sha256(previous link's hash || the entry's canonical bytes), the
-- first link starting from 32 zero bytes. The link is made by a deferred
-- constraint trigger, so it runs at commit, after every other lock the
-- transaction takes: the single head row (audit_chain_head) is locked only
-- from there to the commit, which gives one order across all instances
-- without holding writers up for their whole transaction, and cannot
-- deadlock with the product's own row locks. The chain's order is the
-- commit order, not the id order (ids are handed out at insert).
--
-- audit_log, audit_chain and audit_checkpoints are append-only: a trigger
-- refuses UPDATE, DELETE and TRUNCATE. Someone with the database's owner
-- rights can still switch triggers off; then `minyi audit verify` finds
-- what changed (internal/audit/verify.go), and a chain rewritten to hide it
-- no longer matches a checkpoint kept outside the system.

-- The canonical bytes of an entry: each field as its byte length, a colon
-- and its text ("~" for NULL), one per line. internal/audit/chain.go
-- computes the same bytes when it verifies; `at` counts microseconds since
-- 1970, before and after are jsonb's own text form.
CREATE FUNCTION minyi_audit_field(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN t IS NULL THEN '~' ELSE octet_length(t)::text || ':' || t END
$$;

CREATE FUNCTION minyi_audit_entry_bytes(e audit_log) RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT convert_to(concat_ws(E'\n',
        minyi_audit_field(e.id::text),
        minyi_audit_field((extract(epoch FROM e.at) * 1000000)::bigint::text),
        minyi_audit_field(e.actor_id::text),
        minyi_audit_field(e.actor),
        minyi_audit_field(e.action),
        minyi_audit_field(e.entity),
        minyi_audit_field(e.entity_id),
        minyi_audit_field(e.before::text),
        minyi_audit_field(e.after::text)), 'UTF8')
$$;

CREATE TABLE audit_chain (
    seq       bigint PRIMARY KEY CHECK (seq > 0),
    entry_id  bigint NOT NULL UNIQUE,
    hash      bytea NOT NULL CHECK (octet_length(hash) = 32),
    linked_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE audit_chain_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq      bigint NOT NULL,
    hash     bytea NOT NULL
);

-- Entries written before this migration are linked now, in id order.
DO $$
DECLARE
    e audit_log;
    h bytea := decode(repeat('00', 32), 'hex');
    s bigint := 0;
BEGIN
    FOR e IN SELECT * FROM audit_log ORDER BY id LOOP
        s := s + 1;
        h := sha256(h || minyi_audit_entry_bytes(e));
        INSERT INTO audit_chain (seq, entry_id, hash) VALUES (s, e.id, h);
    END LOOP;
    INSERT INTO audit_chain_head (seq, hash) VALUES (s, h);
END $$;

CREATE FUNCTION minyi_audit_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head;
BEGIN
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    head.seq := head.seq + 1;
    head.hash := sha256(head.hash || minyi_audit_entry_bytes(NEW));
    INSERT INTO audit_chain (seq, entry_id, hash) VALUES (head.seq, NEW.id, head.hash);
    UPDATE audit_chain_head SET seq = head.seq, hash = head.hash;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER audit_log_chain AFTER INSERT ON audit_log
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION minyi_audit_chain_link();

CREATE FUNCTION minyi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION minyi_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION minyi_append_only();
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION minyi_append_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION minyi_append_only();

-- Daily checkpoints of the chain's head, for auditors to keep outside the
-- system (the audit page and `minyi audit checkpoint` show them), and the
-- outcome of each verification, the newest on the office's overview.
CREATE TABLE audit_checkpoints (
    seq     bigint PRIMARY KEY,
    hash    bytea NOT NULL CHECK (octet_length(hash) = 32),
    made_at timestamptz NOT NULL
);
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION minyi_append_only();

CREATE TABLE audit_verifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at timestamptz NOT NULL,
    took_ms    integer NOT NULL,
    ok         boolean NOT NULL,
    checked    bigint NOT NULL,
    head_seq   bigint NOT NULL,
    head_hash  bytea NOT NULL,
    -- The first problem found, in words, and the chain link and entry it
    -- concerns.
    problem    text NOT NULL DEFAULT '',
    bad_seq    bigint,
    bad_entry  bigint
);

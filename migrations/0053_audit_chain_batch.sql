-- Linking an audit entry into the hash chain (0040) updated the chain head
-- once per entry. A transaction that writes n entries left n versions of
-- the head row, each of which the next link's lookup stepped over: linking
-- was quadratic at commit, and a transaction of 364,000 entries (the bench
-- generator's year of audit log) did not commit in ten minutes. Bulk
-- actions of the product write thousands.
--
-- Now the first link of a transaction links every entry the transaction
-- has written from that one on, in id order, and updates the head once;
-- the links that follow find their entry linked and return. The entries
-- it picks are those with a later id that are visible and not yet linked:
-- other transactions' uncommitted entries are not visible, and every
-- committed entry was linked before its transaction committed, so they
-- are this transaction's own (savepoints included). The head is locked
-- first, from there to the commit, as before: one order across instances.
CREATE OR REPLACE FUNCTION minyi_audit_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head;
    e audit_log;
BEGIN
    IF EXISTS (SELECT FROM audit_chain WHERE entry_id = NEW.id) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    FOR e IN SELECT a.* FROM audit_log a
            WHERE a.id >= NEW.id AND NOT EXISTS (SELECT FROM audit_chain c WHERE c.entry_id = a.id)
            ORDER BY a.id LOOP
        head.seq := head.seq + 1;
        head.hash := sha256(head.hash || minyi_audit_entry_bytes(e));
        INSERT INTO audit_chain (seq, entry_id, hash) VALUES (head.seq, e.id, head.hash);
    END LOOP;
    UPDATE audit_chain_head SET seq = head.seq, hash = head.hash;
    RETURN NULL;
END $$;

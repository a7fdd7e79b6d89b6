-- The audit log auditors read (issue 19): newest first, filtered by object,
-- action, actor and time, paged by (at, id) without counting or skipping
-- millions of rows. Each filter walks its own index in time order; the
-- date range is a range on at within it.
CREATE INDEX audit_log_time ON audit_log (at, id);
CREATE INDEX audit_log_entity_time ON audit_log (entity, at, id);
CREATE INDEX audit_log_object_time ON audit_log (entity, entity_id, at, id);
CREATE INDEX audit_log_action_time ON audit_log (action, at, id);
CREATE INDEX audit_log_actor_time ON audit_log (actor_id, at, id);
DROP INDEX audit_log_entity;
DROP INDEX audit_log_at;

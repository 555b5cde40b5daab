-- Revocations in commit order (docs/adr/0004-revocation-propagation.md).
-- revoked_seen is taken inside the revoking transaction, before it commits,
-- so revocations do not commit in revoked_seen order and a cursor over it
-- skips rows. The trigger now also records the revoking transaction's id
-- (pg_current_xact_id, the 64-bit xid8, kept as bigint); the watcher
-- compares it with the snapshot of its previous catch-up, which tells
-- exactly which transactions it could not see yet.
ALTER TABLE sessions ADD COLUMN revoked_xid bigint;

-- The revocation catch-up query.
CREATE INDEX sessions_revoked_xid ON sessions (revoked_xid) WHERE revoked_xid IS NOT NULL;

-- A revocation stamps revoked_seen and revoked_xid and notifies every
-- listening instance.
CREATE OR REPLACE FUNCTION authd_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL THEN
        NEW.revoked_seen := clock_timestamp();
        NEW.revoked_xid := pg_current_xact_id()::text::bigint;
        PERFORM pg_notify('authd_revoked', NEW.id);
    END IF;
    RETURN NEW;
END
$$;

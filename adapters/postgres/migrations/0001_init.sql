-- Users, sessions (token families) and login failures.
CREATE TABLE users (
    id            text PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    id            text PRIMARY KEY,
    user_id       text NOT NULL,
    username      text NOT NULL,
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    generation    bigint NOT NULL,
    rotated_at    timestamptz NOT NULL,
    purge_at      timestamptz NOT NULL,
    revoked_at    timestamptz,
    revoke_reason text,
    -- When the database recorded the revocation, by its own clock: the
    -- cursor of the revocation catch-up query, independent of the
    -- instances' clocks (which the dev clock may move).
    revoked_seen  timestamptz
);

-- Listing a user's sessions, and revoking them all.
CREATE INDEX sessions_user ON sessions (user_id, created_at);
-- Purging ended sessions.
CREATE INDEX sessions_purge ON sessions (purge_at);
-- The revocation catch-up query.
CREATE INDEX sessions_revoked_seen ON sessions (revoked_seen) WHERE revoked_seen IS NOT NULL;

-- A revocation stamps revoked_seen and notifies every listening instance.
CREATE FUNCTION authd_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL THEN
        NEW.revoked_seen := clock_timestamp();
        PERFORM pg_notify('authd_revoked', NEW.id);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sessions_revoked BEFORE UPDATE OF revoked_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION authd_session_revoked();

CREATE TABLE login_failures (
    key text NOT NULL,
    at  timestamptz NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- Managed users (issue 26): accounts can be disabled and deleted, and the
-- audit trail records who did what.
--
-- A deleted user keeps its row (deleted_at set), so the users file never
-- brings it back by its id, while its username is free for a new account:
-- usernames are unique among live users only.
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN deleted_at timestamptz;
ALTER TABLE users DROP CONSTRAINT users_username_key;
CREATE UNIQUE INDEX users_live_username ON users (username) WHERE deleted_at IS NULL;

-- One row per security event (domain.AuditEvent); no secrets. at is the
-- application's clock; id orders the events for paging.
CREATE TABLE audit_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    kind       text NOT NULL,
    user_id    text NOT NULL,
    username   text NOT NULL,
    actor      text NOT NULL,
    request_id text NOT NULL,
    client_ip  text NOT NULL,
    client_id  text NOT NULL
);
-- A user's events, in time.
CREATE INDEX audit_events_user ON audit_events (username, at);
-- Purging old events.
CREATE INDEX audit_events_at ON audit_events (at);

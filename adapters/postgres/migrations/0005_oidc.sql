-- The authorization code flow (issue 24): authorization codes, stored by
-- the SHA-256 of the code only, single use (used_at), a minute each; and
-- the login page's single sign-on sessions, with the secret of their
-- cookie as a SHA-256 and the token sessions issued through them (for
-- RP-initiated logout), at most 64.
CREATE TABLE auth_codes (
    hash               text PRIMARY KEY,
    client_id          text NOT NULL,
    redirect_uri       text NOT NULL,
    challenge          text NOT NULL,
    nonce              text NOT NULL,
    scope              text NOT NULL,
    user_id            text NOT NULL,
    username           text NOT NULL,
    browser_session_id text NOT NULL,
    auth_time          timestamptz NOT NULL,
    created_at         timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    session_id         text NOT NULL,
    dpop_jkt           text NOT NULL,
    used_at            timestamptz
);
CREATE INDEX auth_codes_expires_at ON auth_codes (expires_at);

CREATE TABLE browser_sessions (
    id            text PRIMARY KEY,
    secret_sha256 bytea NOT NULL,
    user_id       text NOT NULL,
    username      text NOT NULL,
    auth_time     timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    sessions      text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX browser_sessions_expires_at ON browser_sessions (expires_at);

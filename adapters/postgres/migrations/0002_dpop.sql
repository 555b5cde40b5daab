-- DPoP (RFC 9449): a session's key binding, and the proofs already used.
ALTER TABLE sessions ADD COLUMN jkt text NOT NULL DEFAULT '';

-- One row per accepted proof (key = domain.ReplayKey), until the proof
-- could no longer be accepted anyway; shared by every instance, so a proof
-- used on one is refused on all.
CREATE TABLE dpop_replays (
    key   text PRIMARY KEY,
    until timestamptz NOT NULL
);
CREATE INDEX dpop_replays_until ON dpop_replays (until);

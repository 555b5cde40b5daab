-- The addresses each account logged in from (ports.KnownAddresses), apart
-- from login_failures: a login from a known address skips the account's
-- guessing delay. account and address are the application's hashes; each
-- account keeps its most recently used few (RememberAddress trims them).
CREATE TABLE known_addresses (
    account   text NOT NULL,
    address   text NOT NULL,
    last_used timestamptz NOT NULL,
    PRIMARY KEY (account, address)
);
CREATE INDEX known_addresses_last_used ON known_addresses (last_used);

-- Known addresses used to be one-failure "seen:" keys in login_failures;
-- they hashed account and address together, so they cannot be carried
-- over. Owners' addresses become unknown once, until their next login.
DELETE FROM login_failures WHERE key LIKE 'seen:%';

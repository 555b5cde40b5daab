-- The DPoP replay cache needs no durability beyond its window (a proof is
-- refused by its iat long before a crash's recovery ends), so its rows skip
-- the write-ahead log: an INSERT neither writes WAL nor waits for its flush
-- at commit. The price, documented in docs/scaling.md: a crash of the
-- primary, or a failover to a standby, empties the table, and a proof used
-- in the last window could be accepted once more.
ALTER TABLE dpop_replays SET UNLOGGED;

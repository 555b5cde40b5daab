// Package harness starts authd for tests and talks to it. Only tests import
// it: the HTTP contract suite (cmd/internal/authd/e2e), the interop tests
// (cmd/internal/authd/interop) and the tests of the composition root
// (cmd/internal/authd, package authd_test). It is not an API; other
// modules test against authd with the kit, cmd/authdtest.
//
// Which harness to use when:
//
//   - NewEnv (or StartEnv with a configuration and clock of the test's
//     own): the real HTTP stack, as Build wires it, on a loopback port, on a
//     clock frozen at T. The default for everything a request can show: a
//     test moves Env.Clock to cross an expiry to the second, without
//     waiting. Each call is a server of its own, so tests that use it run
//     with t.Parallel().
//   - NewDevEnv: the same stack on the operator-movable dev clock
//     (AUTH_DEV_CLOCK=true), for what POST /dev/clock/ does and for clients
//     that read the server's clock instead of holding it (the playground in
//     Chromium, authctl, authclient).
//   - StartProcess: authd in a process of its own (the test binary again,
//     run by Main), configured only by its environment, on the system clock.
//     For what needs a process: several instances sharing one PostgreSQL,
//     SIGTERM and draining, nginx in front of two instances. A package that
//     uses it calls Main from its TestMain.
//   - cmd/authdtest: the kit other modules use (a frozen-clock authd in
//     their own tests); its own tests live with it. The tests here do not
//     go through it, so the kit is tested as its users see it.
//
// Every response Env.Do gets is checked against docs/openapi.yaml
// (CheckAgainstSpec). Tests that need a real tool (NginxBinary, PostgreSQL
// through adapters/postgres/pgtest) skip when it is missing unless the
// matching AUTH_TEST_REQUIRE_* is set.
package harness

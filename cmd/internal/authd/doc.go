// Package authd is authd's composition root: it reads the configuration
// (flags and environment variables), opens the adapters it names, wires
// them to the use cases of package app and serves the HTTP handler, with
// signals and graceful shutdown. It is the only package that imports every
// adapter.
//
// It lives apart from the command so that two callers share it:
// cmd/authd, whose main only calls Run, and the test kit cmd/authdtest,
// which builds the same handler on a frozen clock. Whatever one serves, the
// other serves too. It is internal to cmd/ because it is wiring, not an API;
// other modules use the command or the kit.
//
// Its tests are authd's end-to-end suite: the real HTTP stack on a frozen
// clock, real processes for the multi-instance and shutdown tests, and the
// interop tests with golang.org/x/oauth2 and Debian's nginx.
package authd

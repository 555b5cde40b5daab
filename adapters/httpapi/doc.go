// Package httpapi is authd's HTTP transport on github.com/go-chi/chi/v5. It
// serves the public contract (docs/contract.md): the seed's four endpoints and the
// rest, JSON errors with WWW-Authenticate, Korean messages by default and
// English on request. routes.go lists the whole API; errors.go is the one
// place that turns domain errors into status codes and bodies.
//
// It imports only domain, ports, chi and the standard library; it drives the
// use cases through ports.AuthService and never imports package app.
package httpapi

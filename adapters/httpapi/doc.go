// Package httpapi is authd's HTTP transport on github.com/go-chi/chi/v5. It
// serves the public contract (docs/contract.md): the seed's four endpoints and the
// rest, JSON errors with WWW-Authenticate, Korean messages by default and
// English on request. routes.go lists the whole API; errors.go is the one
// place that turns domain errors into status codes and bodies.
//
// NewHandler and NewAdminHandler build one server (server.go) per listener,
// holding the settings its handlers share (the public URL, the DPoP
// algorithms, the OAuth clients, the forward-auth settings) and the use
// cases; the handler makers and the error writer are its methods, and a
// maker that alone needs something (the JWKS, the dev clock) takes it as a
// parameter. The per-request note the access log reads (middleware.go)
// holds log facts only.
//
// It imports only domain, ports, chi and the standard library; it drives the
// use cases through ports.AuthService and never imports package app.
package httpapi

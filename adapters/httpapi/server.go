package httpapi

import (
	"strings"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// server holds what the handlers and the error writer of one listener need,
// decided once when the listener's handler is built: the use cases, the
// logger, the public URL, the DPoP algorithms, the OAuth clients and the
// forward-auth settings. Its methods are the handler makers that need any
// of these, the middleware that does, and the error writer (errors.go), so
// no request reads a setting back from anywhere; the per-request note
// (middleware.go) holds facts for the access log only.
type server struct {
	auth      ports.AuthService
	log       ports.Logger
	stopwatch ports.Clock
	observer  ports.RequestObserver
	// publicURL is Deps.PublicURL as ParsePublicURL returns it: the base
	// of every htu a DPoP proof must name and of the metadata's URLs. It
	// is empty on the admin listener, which judges no proof.
	publicURL string
	// dpopAlgs are the DPoP proof algorithms accepted, as the metadata
	// lists them; dpopChallenge is the DPoP scheme's WWW-Authenticate
	// challenge naming them (RFC 9449 §7.1).
	dpopAlgs      []string
	dpopChallenge string
	clients       oauthClients
	forward       *forwardAuth
}

// newServer returns the server of the listener d describes. publicURL and
// forward are those NewHandler checked; the admin listener passes "" and
// nil. Both listeners name the same DPoP algorithms in their challenges.
func newServer(d Deps, publicURL string, forward *forwardAuth) *server {
	algs := d.DPoPAlgorithms
	if len(algs) == 0 {
		algs = domain.SupportedDPoPAlgorithms
	}
	return &server{
		auth: d.Auth, log: d.Logger, stopwatch: d.Stopwatch, observer: d.Observer,
		publicURL: publicURL, dpopAlgs: algs, dpopChallenge: `DPoP realm="authd", algs="` + strings.Join(algs, " ") + `"`,
		clients: newOAuthClients(d.OAuthClients), forward: forward,
	}
}

package httpapi

import (
	"net/url"
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
	// cookies is AUTH_COOKIES: answers put their tokens in cookies unless
	// the request says otherwise (placeFor). basePath is the public URL's
	// path ("" at the root), below which the cookies' paths lie;
	// trustedOrigins are the origins the CSRF check trusts (checkCSRF).
	cookies        bool
	basePath       string
	trustedOrigins []string
	// admitLogin is Deps.LoginAdmission, never nil.
	admitLogin func() error
	// signIn drives the authorization code flow and the login page; nil
	// when the flow is off. issuer is the iss of tokens and of
	// authorization responses (RFC 9207).
	signIn ports.SignInService
	issuer string
}

// newServer returns the server of the listener d describes. publicURL,
// forward and origins are those NewHandler checked; the admin listener
// passes "" and nils. Both listeners name the same DPoP algorithms in
// their challenges.
func newServer(d Deps, publicURL string, forward *forwardAuth, origins []string) *server {
	algs := d.DPoPAlgorithms
	if len(algs) == 0 {
		algs = domain.SupportedDPoPAlgorithms
	}
	admit := d.LoginAdmission
	if admit == nil {
		admit = func() error { return nil }
	}
	return &server{
		admitLogin: admit,
		auth:       d.Auth, log: d.Logger, stopwatch: d.Stopwatch, observer: d.Observer,
		publicURL: publicURL, dpopAlgs: algs, dpopChallenge: `DPoP realm="` + Realm + `", algs="` + strings.Join(algs, " ") + `"`,
		clients: newOAuthClients(d.OAuthClients), forward: forward,
		cookies: d.Cookies, basePath: basePath(publicURL), trustedOrigins: origins,
		signIn: d.SignIn, issuer: d.Issuer,
	}
}

// basePath returns the path of a public URL ParsePublicURL accepted, ""
// for none.
func basePath(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	return u.Path
}

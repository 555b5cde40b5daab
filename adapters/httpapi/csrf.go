package httpapi

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// errCSRF is the answer to a cookie-authenticated state-changing request
// that failed the CSRF check: 403 csrf_failed, and nothing done.
var errCSRF = errors.New("csrf check failed")

// checkCSRF is the one CSRF check, applied to every state-changing request
// that authenticates with a cookie (POST /refresh/ and /logout/ with the
// refresh cookie, DELETE /sessions/{id} with the access cookie). Two
// defences, both required:
//   - double submit, as flask-jwt-extended: the X-CSRF-Token header equals
//     the authd_csrf cookie (constant-time). A page of another origin can
//     neither set that header on a form nor, without a CORS grant, on a
//     fetch;
//   - the origin: Origin, when the browser sent one, is the public URL's
//     origin or one of AUTH_CORS_ORIGINS; without Origin, Sec-Fetch-Site
//     must be same-origin. This stops a sibling origin of the same site
//     (another port or subdomain), which receives SameSite=Strict cookies
//     and can read or plant authd_csrf. A request with neither header
//     comes from no browser (every current one sends Origin on POST and
//     DELETE), so there is no victim's browser to forge it, and the
//     double submit alone is required of it.
func (s *server) checkCSRF(r *http.Request) error {
	cookie, err := oneCookie(r, CSRFCookie)
	header := r.Header.Values(CSRFHeader)
	if err != nil || cookie == "" || len(header) != 1 ||
		subtle.ConstantTimeCompare([]byte(header[0]), []byte(cookie)) != 1 {
		return fmt.Errorf("%w: the %s header does not match the %s cookie", errCSRF, CSRFHeader, CSRFCookie)
	}
	if !s.trustedOrigin(r) {
		return fmt.Errorf("%w: the request came from another origin", errCSRF)
	}
	return nil
}

// trustedOrigin reports whether the request comes from a page of an
// origin authd trusts, as checkCSRF describes.
func (s *server) trustedOrigin(r *http.Request) bool {
	if origins := r.Header.Values("Origin"); len(origins) > 0 {
		if len(origins) > 1 {
			return false
		}
		o, err := ParseOrigin(origins[0]) // "null" is no origin and fails here
		return err == nil && slices.Contains(s.trustedOrigins, o)
	}
	site := r.Header.Values("Sec-Fetch-Site")
	return len(site) == 0 || len(site) == 1 && site[0] == "same-origin"
}

// trustedOrigins returns the origins checkCSRF trusts: the public URL's
// and the exact origins of cors ("*" trusts nobody), as ParseOrigin
// writes them.
func trustedOrigins(publicURL string, cors []string) ([]string, error) {
	var out []string
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		o, err := ParseOrigin(u.Scheme + "://" + u.Host)
		if err != nil {
			return nil, fmt.Errorf("httpapi: PublicURL: %w", err)
		}
		out = append(out, o)
	}
	for _, c := range cors {
		if c == "*" {
			continue
		}
		o, err := ParseOrigin(c)
		if err != nil {
			return nil, fmt.Errorf("httpapi: CORSOrigins: %w", err)
		}
		out = append(out, o)
	}
	return out, nil
}

// safeMethod reports whether a method changes nothing (RFC 9110 §9.2.1),
// so that a cookie-authenticated request of it needs no CSRF check.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// wellFormedCSRF reports whether v has the form of the CSRF tokens authd
// makes (rand.Text: 26 characters of the base32 alphabet), so that one a
// client chose itself is never kept and echoed back.
func wellFormedCSRF(v string) bool {
	if len(v) != 26 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !('A' <= c && c <= 'Z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

package httpapi

import (
	"net/http"
	"strings"

	"github.com/authd/authd/domain"
)

// authorization returns the token and scheme of an "Authorization: Bearer
// <token>" (RFC 6750 §2.1) or "Authorization: DPoP <token>" (RFC 9449 §7.1)
// header; scheme is domain.DPoPScheme for the latter and "" for the
// former. Schemes are matched case-insensitively; no header, another
// scheme or an empty token count as missing and return "". More than one
// Authorization header or a token with spaces or commas in it is
// malformed: domain.ErrInvalidToken.
func authorization(r *http.Request) (token, scheme string, err error) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return "", "", nil
	case 1:
	default:
		return "", "", domain.InvalidToken("several Authorization headers")
	}
	s, token, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	switch {
	case strings.EqualFold(s, "Bearer"):
	case strings.EqualFold(s, domain.DPoPScheme):
		scheme = domain.DPoPScheme
	default:
		return "", "", nil
	}
	token = strings.TrimSpace(token)
	if strings.ContainsAny(token, " \t,") {
		return "", "", domain.InvalidToken("malformed Authorization header")
	}
	return token, scheme, nil
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header, as authorization does, and "" for any other scheme.
func bearerToken(r *http.Request) (string, error) {
	token, scheme, err := authorization(r)
	if scheme != "" {
		return "", err
	}
	return token, err
}

// refreshToken returns the refresh token from the Authorization header (the
// seed's way, Bearer or DPoP) or the body's "refresh" field, and the
// header's scheme. Presenting it both ways is a malformed request (RFC 6750
// §2: one method per request).
func refreshToken(r *http.Request, fromBody *string) (token, scheme string, err error) {
	header, scheme, err := authorization(r)
	if err != nil {
		return "", "", err
	}
	switch {
	case fromBody == nil:
		return header, scheme, nil
	case header != "":
		return "", "", &domain.RequestError{Reason: "the refresh token was sent in both the header and the body"}
	}
	return *fromBody, "", nil
}

package httpapi

import (
	"net/http"
	"strings"

	"github.com/authd/authd/domain"
)

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header (RFC 6750 §2.1). The scheme is matched case-insensitively; no
// header, another scheme or an empty token count as missing and return "".
// More than one Authorization header or a token with spaces or commas in it
// is malformed: domain.ErrInvalidToken.
func bearerToken(r *http.Request) (string, error) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", domain.InvalidToken("several Authorization headers")
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", nil
	}
	token = strings.TrimSpace(token)
	if strings.ContainsAny(token, " \t,") {
		return "", domain.InvalidToken("malformed Authorization header")
	}
	return token, nil
}

// refreshToken returns the refresh token from the Authorization header (the
// seed's way) or the body's "refresh" field. Presenting it both ways is a
// malformed request (RFC 6750 §2: one method per request).
func refreshToken(r *http.Request, fromBody *string) (string, error) {
	header, err := bearerToken(r)
	if err != nil {
		return "", err
	}
	switch {
	case fromBody == nil:
		return header, nil
	case header != "":
		return "", &domain.RequestError{Reason: "the refresh token was sent in both the header and the body"}
	}
	return *fromBody, nil
}

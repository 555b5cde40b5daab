package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/authd/authd/domain"
)

// Transport-level errors that have no domain meaning.
var (
	errRouteNotFound    = domain.ErrNotFound
	errMethodNotAllowed = errors.New("method not allowed")
	errUnsupportedMedia = errors.New("unsupported media type")
	errPayloadTooLarge  = errors.New("payload too large")
	errInternal         = errors.New("internal error")
)

// problem is one row of docs/contract.md §6: the code, the status, and the message
// in Korean (the seed's text where it has one) and in English.
type problem struct {
	code   string
	status int
	ko, en string
	// challenge is the error code a 401's WWW-Authenticate names, with an
	// error_description: "invalid_token" for errors about a presented
	// token (RFC 6750 §3.1), the DPoP codes for DPoP's (RFC 9449 §7.1),
	// "" for none.
	challenge string
}

// problems maps each error to its row. writeError walks it with errors.Is,
// so wrapped errors find their row too; the order matters only where one
// error wraps another.
var problems = []struct {
	err error
	p   problem
}{
	{domain.ErrCredentialsMissing, problem{"credentials_missing", 401, "아이디와 비밀번호가 서버로 전달되지 않았습니다.", "Username and password were not sent to the server.", ""}},
	{domain.ErrInvalidCredentials, problem{"invalid_credentials", 401, "아이디와 비밀번호를 확인하세요.", "Check your username and password.", ""}},
	{domain.ErrTokenMissing, problem{"token_missing", 401, "토큰 정보가 필요합니다.", "A token is required.", ""}},
	{domain.ErrTokenExpired, problem{"token_expired", 401, "토큰이 만료되었습니다.", "The token has expired.", "invalid_token"}},
	{domain.ErrInvalidToken, problem{"invalid_token", 401, "잘못된 토큰입니다.", "The token is invalid.", "invalid_token"}},
	{domain.ErrRefreshReused, problem{"refresh_token_reused", 401, "이미 사용된 리프레시 토큰입니다. 안전을 위해 세션을 종료했습니다. 다시 로그인하세요.", "This refresh token was already used; the session was ended for safety. Log in again.", "invalid_token"}},
	{domain.ErrSessionRevoked, problem{"session_revoked", 401, "로그아웃되었거나 취소된 세션입니다. 다시 로그인하세요.", "The session was logged out or revoked. Log in again.", "invalid_token"}},
	{domain.ErrSessionExpired, problem{"session_expired", 401, "세션이 만료되었습니다. 다시 로그인하세요.", "The session has expired. Log in again.", "invalid_token"}},
	{domain.ErrInvalidRequest, problem{"invalid_request", 400, "요청 형식이 올바르지 않습니다.", "The request is malformed.", ""}},
	{errUnsupportedMedia, problem{"unsupported_media_type", 415, "요청 본문은 application/json 형식이어야 합니다.", "The request body must be application/json.", ""}},
	{errPayloadTooLarge, problem{"payload_too_large", 413, "요청 본문이 너무 큽니다. (최대 16 KiB)", "The request body is too large (16 KiB at most).", ""}},
	{domain.ErrNotFound, problem{"not_found", 404, "요청한 리소스를 찾을 수 없습니다.", "The requested resource was not found.", ""}},
	{errMethodNotAllowed, problem{"method_not_allowed", 405, "허용되지 않은 메서드입니다.", "The method is not allowed for this path.", ""}},
	{domain.ErrInsufficientScope, problem{"insufficient_scope", 403, "이 토큰으로는 접근할 수 없습니다. 필요한 scope가 없거나 사용자 토큰이 아닙니다.", "The token does not grant this: a scope is missing, or the resource needs a user's token.", "insufficient_scope"}},
	{errCSRF, problem{"csrf_failed", 403, "CSRF 검증에 실패했습니다. 허용된 출처의 페이지에서 authd_csrf 쿠키의 값을 X-CSRF-Token 헤더에 담아 보내세요.", "The CSRF check failed: send the authd_csrf cookie's value in the X-CSRF-Token header from a page of an allowed origin.", ""}},
	{domain.ErrRateLimited, problem{"rate_limited", 429, "요청이 너무 많습니다. 잠시 후 다시 시도하세요.", "Too many attempts. Try again later.", ""}},
	{errInvalidClient, problem{"invalid_client", 401, "클라이언트 인증에 실패했습니다.", "Client authentication failed.", ""}},
	{errUnauthorizedClient, problem{"unauthorized_client", 400, "이 클라이언트는 이 grant_type을 사용할 수 없습니다.", "This client may not use this grant type.", ""}},
	{errUnsupportedGrant, problem{"unsupported_grant_type", 400, "지원하지 않는 grant_type입니다.", "The grant type is not supported.", ""}},
	{domain.ErrInvalidDPoPProof, problem{"invalid_dpop_proof", 401, "DPoP 증명이 올바르지 않습니다.", "The DPoP proof is invalid.", "invalid_dpop_proof"}},
	{domain.ErrUseDPoPNonce, problem{"use_dpop_nonce", 401, "DPoP-Nonce 헤더의 값을 증명에 넣어 다시 보내세요.", "Send the proof again with the nonce from the DPoP-Nonce header.", "use_dpop_nonce"}},
	{domain.ErrWeakPassword, problem{"weak_password", 400, "비밀번호가 규칙에 맞지 않습니다.", "The password does not meet the password rules.", ""}},
	{domain.ErrUsernameTaken, problem{"username_taken", 409, "이미 사용 중인 아이디입니다.", "This username is already taken.", ""}},
	{domain.ErrInvalidGrant, problem{"invalid_grant", 400, "인가 코드가 유효하지 않습니다. 다시 로그인하세요.", "The authorization code is invalid, expired, already used, or issued for another client or redirect URI.", ""}},
	{domain.ErrInvalidScope, problem{"invalid_scope", 400, "요청한 scope를 사용할 수 없습니다.", "A requested scope is not allowed for this client.", ""}},
	{domain.ErrLoginRequired, problem{"login_required", 401, "로그인이 필요합니다.", "The user must sign in.", ""}},
	{domain.ErrUnavailable, problem{"unavailable", 503, "서비스를 잠시 사용할 수 없습니다. 잠시 후 다시 시도하세요.", "The service is temporarily unavailable. Try again later.", ""}},
}

var internalProblem = problem{"internal_error", 500, "서버 내부 오류가 발생했습니다.", "An internal server error occurred.", ""}

// init checks that every domain row carries the domain's own code, so the
// table cannot drift from domain.Code, which the metrics labels use.
func init() {
	for _, row := range problems {
		if c := domain.Code(row.err); c != "internal_error" && c != row.p.code {
			panic("httpapi: error row " + row.p.code + " differs from domain.Code " + c)
		}
	}
}

// passwordRules are weak_password's messages, one per rule of
// domain.CheckNewPassword and the strength check, naming the rule.
var passwordRules = map[string][2]string{
	domain.RuleTooShort: {"비밀번호는 8자 이상이어야 합니다.", "The password must be at least 8 characters long."},
	domain.RuleTooLong:  {"비밀번호는 256자 이하여야 합니다.", "The password must be at most 256 characters long."},
	domain.RuleUsername: {"비밀번호에 아이디를 사용할 수 없습니다.", "The password must not be built from the username."},
	domain.RuleCommon:   {"너무 흔하거나 추측하기 쉬운 비밀번호입니다. 더 긴 문장을 사용해 보세요.", "The password is too common or easy to guess; try a longer phrase."},
}

// classify returns the row of err, with the message of the broken rule for
// a weak password; an error of no row is internal.
func classify(err error) problem {
	for _, row := range problems {
		if errors.Is(err, row.err) {
			p := row.p
			var pe *domain.PasswordError
			if m, ok := passwordRules[ruleOf(err, &pe)]; ok {
				p.ko, p.en = m[0], m[1]
			}
			return p
		}
	}
	return internalProblem
}

// ruleOf returns the rule a *domain.PasswordError in err names, or "".
func ruleOf(err error, pe **domain.PasswordError) string {
	if errors.As(err, pe) {
		return (*pe).Rule
	}
	return ""
}

// errorBody is the contract's error body.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// Realm is the realm every WWW-Authenticate challenge names (RFC 9110
// §11.5): Bearer, DPoP and Basic. A team that adopts authd under its own
// name changes it here (docs/template.md); no client is expected to check it.
const Realm = "authd"

// writeError is the one place that turns an error into a response: status,
// JSON body in the caller's language, WWW-Authenticate on every 401 and
// Retry-After on 429 and 503. An internal error is logged by the access log at
// error level; its details never reach the body.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := classify(err)
	h := w.Header()
	if p.status == http.StatusUnauthorized {
		dpop := usesDPoP(r, err)
		challenge := `Bearer realm="` + Realm + `"`
		if dpop {
			// RFC 9449 §7.1: the DPoP scheme's challenge, naming the
			// algorithms proofs may use.
			challenge = s.dpopChallenge
		}
		if p.challenge != "" {
			challenge += `, error="` + p.challenge + `", error_description="` + p.en + `"`
		}
		h.Set("WWW-Authenticate", challenge)
		if errors.Is(err, domain.ErrTokenMissing) && !dpop {
			// No credentials at all: offer both schemes (RFC 9449 §7.2),
			// Bearer first for the clients that read only one.
			h.Add("WWW-Authenticate", s.dpopChallenge)
		}
	}
	var sr *domain.ScopeRequiredError
	if errors.As(err, &sr) {
		// RFC 6750 §3.1: a valid token that grants too little, with the
		// scope the resource requires when it names one.
		challenge := `Bearer realm="` + Realm + `", error="insufficient_scope", error_description="` + p.en + `"`
		if sr.Scope != "" {
			challenge += `, scope="` + sr.Scope + `"`
		}
		h.Set("WWW-Authenticate", challenge)
	}
	setRetryAfter(h, err, p.status)
	noteError(r, err, p.status)
	writeJSON(w, p.status, errorBody{Error: p.code, Message: message(r, p)})
}

// usesDPoP reports whether a 401 is DPoP's to answer: a DPoP error (a
// missing or broken proof, or a bound token presented as a bearer token),
// or any error of a request that presented its token with the DPoP scheme.
// The scheme is the request's own Authorization header, read with the one
// parser the handlers use, so every 401 (a login's too, which reads no
// token) answers in the scheme the client spoke.
func usesDPoP(r *http.Request, err error) bool {
	var pe *domain.ProofError
	if errors.As(err, &pe) {
		return true
	}
	_, scheme, _ := authorization(r)
	return scheme == domain.DPoPScheme
}

// oauthError is how an OAuth 2.0 endpoint reports a row of the table above
// (RFC 6749 §5.2): its error code and status. Rows absent here keep their
// own code and status.
type oauthError struct {
	code   string
	status int
}

// oauthErrors translates the contract's codes into RFC 6749 §5.2 codes: a
// malformed request is invalid_request, every reason a grant cannot be used
// (wrong password, an expired, reused or revoked refresh token) is
// invalid_grant, whose description says which.
var oauthErrors = map[string]oauthError{
	"credentials_missing":    {"invalid_request", 400},
	"token_missing":          {"invalid_request", 400},
	"invalid_request":        {"invalid_request", 400},
	"unsupported_media_type": {"invalid_request", 400},
	"payload_too_large":      {"invalid_request", 413},
	"invalid_credentials":    {"invalid_grant", 400},
	"token_expired":          {"invalid_grant", 400},
	"invalid_token":          {"invalid_grant", 400},
	"refresh_token_reused":   {"invalid_grant", 400},
	"session_revoked":        {"invalid_grant", 400},
	"session_expired":        {"invalid_grant", 400},
	"invalid_dpop_proof":     {"invalid_dpop_proof", 400},
	"use_dpop_nonce":         {"use_dpop_nonce", 400},
	"unavailable":            {"temporarily_unavailable", 503},
	"internal_error":         {"server_error", 500},
}

// oauthErrorBody is the error body of RFC 6749 §5.2, plus the contract's
// message in the caller's language: error_description must be ASCII
// (§5.2), so it is always the English text, and the Korean one goes in
// message, where the seed's bodies carry it.
type oauthErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Message     string `json:"message"`
}

// writeOAuthError is writeError for the OAuth 2.0 endpoints: the same
// classification, RFC 6749's codes and body, WWW-Authenticate: Basic on
// invalid_client, Retry-After on 429 and 503. The description is the
// contract's English message, which names the reason (expired, reused,
// revoked); message has it in the caller's language.
func writeOAuthError(w http.ResponseWriter, r *http.Request, err error) {
	p := classify(err)
	o, ok := oauthErrors[p.code]
	if !ok {
		o = oauthError{p.code, p.status}
	}
	h := w.Header()
	if o.code == "invalid_client" {
		h.Set("WWW-Authenticate", `Basic realm="`+Realm+`", charset="UTF-8"`)
	}
	setRetryAfter(h, err, o.status)
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	noteError(r, err, o.status)
	writeJSON(w, o.status, oauthErrorBody{Error: o.code, Description: p.en, Message: message(r, p)})
}

// message returns the problem's message in the caller's language.
func message(r *http.Request, p problem) string {
	if prefersEnglish(r.Header.Get("Accept-Language")) {
		return p.en
	}
	return p.ko
}

// setRetryAfter sets Retry-After on a 429 (the throttle's wait, in whole
// seconds rounded up) and on a 503 (a full hashing queue or a store outage:
// try again shortly).
func setRetryAfter(h http.Header, err error, status int) {
	var rl *domain.RateLimitError
	switch {
	case errors.As(err, &rl):
		h.Set("Retry-After", strconv.Itoa(int((rl.RetryAfter+time.Second-1)/time.Second)))
	case status == http.StatusServiceUnavailable:
		h.Set("Retry-After", "1")
	}
}

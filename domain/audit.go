package domain

import (
	"context"
	"time"
)

// AuditKind is what a security event records.
type AuditKind string

// The events of the audit trail.
const (
	AuditLoginSucceeded  AuditKind = "login_succeeded"
	AuditLoginFailed     AuditKind = "login_failed"
	AuditRefreshReused   AuditKind = "refresh_reuse_detected"
	AuditLogout          AuditKind = "logout"
	AuditRevoke          AuditKind = "revoke"
	AuditPasswordChanged AuditKind = "password_changed"
	AuditUserCreated     AuditKind = "user_created"
	AuditUserDisabled    AuditKind = "user_disabled"
	AuditUserEnabled     AuditKind = "user_enabled"
	AuditUserDeleted     AuditKind = "user_deleted"
	AuditSignedUp        AuditKind = "signed_up"
)

// Actor is who caused an event: the user themself, an administrator
// through the admin API, or an operator through the command line.
type Actor string

// The actors of the audit trail.
const (
	ActorSelf  Actor = "self"
	ActorAdmin Actor = "admin"
	ActorCLI   Actor = "cli"
)

// AuditEvent is one entry of the audit trail. It never holds a secret: no
// password, hash or token, only who, what, when and from where. ID is the
// store's, increasing in the order events were recorded; the rest is the
// application's. UserID is empty for a failed login of an unknown
// username (Username then says which name was tried).
type AuditEvent struct {
	ID        int64
	At        time.Time
	Kind      AuditKind
	UserID    string
	Username  string
	Actor     Actor
	RequestID string
	ClientIP  string
	ClientID  string
}

// MaxAuditUsernameBytes bounds the username an event stores: a failed
// login's name is whatever the client sent (up to MaxUsernameBytes).
const MaxAuditUsernameBytes = 256

// Request is what the transport knows of the request being served that
// audit events record: its id and the client's address (as the throttle
// sees it).
type Request struct {
	ID       string
	ClientIP string
}

// requestKey is the context key of the Request.
type requestKey struct{}

// WithRequest returns ctx carrying r. The transport sets it; use cases
// read it for their audit events.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestOf returns the Request ctx carries, or a zero one.
func RequestOf(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}

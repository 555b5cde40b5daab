package app

import (
	"context"
	"fmt"

	"github.com/authd/authd/domain"
)

// IssueServiceToken runs the client_credentials grant (RFC 6749 §4.4) for
// a client the transport authenticated: an access token whose sub and
// client_id are the client's id, with the scope (already checked against
// the client's list, domain.Client.ServiceScope), living the policy's
// ServiceLifetime, and no refresh token: the client asks again. The
// client must be confidential and list the grant, or the answer is
// domain.ErrUnauthorizedClient. Such a token has no session: the
// acceptance gate judges it by its client (still listed, still allowed the
// grant), and domain.Principal.RequireUser refuses it where a user is
// needed.
func (s *Service) IssueServiceToken(ctx context.Context, client domain.Client, scope string) (domain.ServiceToken, error) {
	if client.Public() || !client.Allows(domain.GrantClientCredentials) {
		return domain.ServiceToken{}, domain.ErrUnauthorizedClient
	}
	now := s.clock.Now()
	c := s.policy.NewServiceClaims(client.ID, "svc."+s.ids.NewID(), scope, now)
	token, err := s.issuer.Issue(ctx, c)
	if err != nil {
		return domain.ServiceToken{}, fmt.Errorf("sign service token: %w", err)
	}
	return domain.ServiceToken{Access: token, ExpiresIn: domain.ExpiresIn(c.ExpiresAt, now), Scope: scope}, nil
}

package httpapi

import (
	"context"

	"github.com/authd/authd/domain"
)

// RefreshScope is Refresh for the token endpoint's scope parameter; the
// fake ignores the scope.
func (f *fakeAuth) RefreshScope(ctx context.Context, token, clientID, _ string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	return f.Refresh(ctx, token, clientID, dpop)
}

// IssueServiceToken is not used by the fake's tests.
func (f *fakeAuth) IssueServiceToken(context.Context, domain.Client, string) (domain.ServiceToken, error) {
	return domain.ServiceToken{}, domain.ErrUnauthorizedClient
}

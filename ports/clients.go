package ports

import "github.com/authd/authd/domain"

// Clients is the list of OAuth clients the service knows
// (AUTH_OAUTH_CLIENTS_FILE). The acceptance gate reads it for every token
// issued to a client, so a client taken off the list loses its tokens at
// once; it is held in memory and never fails.
type Clients interface {
	// Client returns the client with the id, and whether there is one.
	Client(id string) (domain.Client, bool)
}

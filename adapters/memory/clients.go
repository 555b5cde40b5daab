package memory

import (
	"fmt"
	"sync/atomic"

	"github.com/authd/authd/domain"
)

// Clients is the list of OAuth clients (ports.Clients) in memory. Replace
// swaps the whole list at once, so a reader sees the old list or the new
// one, never a mix. It is safe for concurrent use.
type Clients struct {
	byID atomic.Pointer[map[string]domain.Client]
}

// NewClients returns the list holding the clients; it refuses empty and
// duplicate ids.
func NewClients(list ...domain.Client) (*Clients, error) {
	c := &Clients{}
	if err := c.Replace(list...); err != nil {
		return nil, err
	}
	return c, nil
}

// Replace makes list the whole list of clients. On an error (an empty or
// duplicate id) the list is unchanged.
func (c *Clients) Replace(list ...domain.Client) error {
	m := make(map[string]domain.Client, len(list))
	for _, cl := range list {
		if cl.ID == "" {
			return fmt.Errorf("memory: a client without an id")
		}
		if _, dup := m[cl.ID]; dup {
			return fmt.Errorf("memory: duplicate client id %q", cl.ID)
		}
		m[cl.ID] = cl
	}
	c.byID.Store(&m)
	return nil
}

// Client returns the client with the id, and whether there is one.
func (c *Clients) Client(id string) (domain.Client, bool) {
	cl, ok := (*c.byID.Load())[id]
	return cl, ok
}

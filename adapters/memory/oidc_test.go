package memory_test

import (
	"testing"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/adapters/storetest"
	"github.com/authd/authd/ports"
)

func TestCodeStoreContract(t *testing.T) {
	t.Parallel()
	storetest.TestCodeStore(t, func(*testing.T) ports.CodeStore { return memory.NewCodes() })
}

func TestBrowserSessionStoreContract(t *testing.T) {
	t.Parallel()
	storetest.TestBrowserSessionStore(t, func(*testing.T) ports.BrowserSessionStore { return memory.NewBrowserSessions() })
}

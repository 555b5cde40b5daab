package random

import (
	"encoding/base64"
	"testing"

	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
)

var _ ports.IDGenerator = IDs{}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := IDs{}.NewID()
		assert.Len(t, id, 22)
		b, err := base64.RawURLEncoding.DecodeString(id)
		assert.NoError(t, err)
		assert.Len(t, b, 16)
		assert.False(t, seen[id])
		seen[id] = true
	}
}

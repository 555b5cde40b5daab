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

func TestSeededIDsRepeatPerSeed(t *testing.T) {
	a, b, c := Seeded("golden"), Seeded("golden"), Seeded("other")
	seen := map[string]bool{}
	for range 100 {
		id := a.NewID()
		assert.Equal(t, id, b.NewID(), "the same seed gives the same sequence")
		assert.NotEqual(t, id, c.NewID(), "another seed gives another sequence")
		assert.Len(t, id, 22)
		assert.False(t, seen[id], "no id twice in one stream")
		seen[id] = true
	}
}

package clock

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
)

var (
	_ ports.Clock    = System{}
	_ ports.Clock    = (*Frozen)(nil)
	_ ports.DevClock = (*Dev)(nil)
)

func TestFrozen(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("KST", 9*3600))
	f := NewFrozen(t0)
	assert.True(t, f.Now().Equal(t0))
	assert.Equal(t, time.UTC, f.Now().Location())
	f.Advance(59*time.Second + 999*time.Millisecond)
	assert.True(t, f.Now().Equal(t0.Add(59999*time.Millisecond)))
	f.Set(t0)
	assert.True(t, f.Now().Equal(t0))

	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); f.Advance(time.Second); _ = f.Now() }()
	}
	wg.Wait()
	assert.True(t, f.Now().Equal(t0.Add(10*time.Second)))
}

func TestDev(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	real := NewFrozen(base)
	d := newDevOn(real.Now)

	assert.False(t, d.Frozen())
	assert.NoError(t, d.Advance(60*time.Second))
	assert.True(t, d.Now().Equal(base.Add(time.Minute)), "running clock is shifted")
	real.Advance(time.Second)
	assert.True(t, d.Now().Equal(base.Add(61*time.Second)), "running clock keeps running")

	at := time.Date(2030, 5, 5, 5, 5, 5, 5, time.UTC)
	d.Set(at)
	assert.True(t, d.Frozen())
	real.Advance(time.Hour)
	assert.True(t, d.Now().Equal(at), "frozen clock stands still")
	assert.NoError(t, d.Advance(time.Second))
	assert.True(t, d.Now().Equal(at.Add(time.Second)))

	err := d.Advance(-time.Second)
	assert.True(t, errors.Is(err, domain.ErrInvalidRequest))

	d.Release()
	assert.False(t, d.Frozen())
	assert.True(t, d.Now().Equal(real.Now()), "release returns to the base clock")
}

func TestSystemIsUTC(t *testing.T) {
	assert.Equal(t, time.UTC, System{}.Now().Location())
}

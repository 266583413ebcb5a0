// Package demo is `contest demo`: an example contest seeded through the services' real methods
// (contestants, works with generated videos, judges, scores) and a clock an organizer can move
// forward to each stage (征集 → 评审 → 公示 → 发布), so that a newcomer reaches published results
// and a certificate in minutes. Nothing here runs in `contest serve`: production has no demo
// clock and no route to move it.
package demo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// clockFile holds the clock's offset from the real time, in the demo's data folder, so that a
// restarted demo stays at the stage it reached. Written on the first start, before the
// database, it also marks the folder as the demo's.
const clockFile = "demo-clock.txt"

// Clock is the real time plus an offset that only moves forward.
type Clock struct {
	path string
	// real is the machine's clock (time.Now); tests replace it.
	real func() time.Time

	mu     sync.Mutex
	offset time.Duration
}

// OpenClock reads the clock kept in the data folder dir, or starts it there with no offset.
func OpenClock(dir string) (*Clock, error) {
	c := &Clock{path: filepath.Join(dir, clockFile), real: time.Now}
	b, err := os.ReadFile(c.path)
	if errors.Is(err, os.ErrNotExist) {
		return c, c.write(0)
	} else if err != nil {
		return nil, err
	}
	v, _ := strings.CutPrefix(strings.TrimSpace(string(b)), "offset: ")
	if c.offset, err = time.ParseDuration(v); err != nil {
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	return c, nil
}

// Now is the demo's time: the services judge every window by it.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.real().Add(c.offset)
}

// Offset is how far the demo's time is ahead of the real time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// set moves the clock to t and keeps the offset in the data folder. It never moves back: what
// the services recorded at a later time would otherwise lie in the future.
func (c *Clock) set(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	off := t.Sub(c.real())
	if off < c.offset {
		return nil
	}
	if err := c.write(off); err != nil {
		return err
	}
	c.offset = off
	return nil
}

// write saves the offset, replacing the file whole.
func (c *Clock) write(off time.Duration) error {
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, []byte("offset: "+off.String()+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, c.path)
}

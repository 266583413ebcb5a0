package localfs

import (
	"fmt"
	"os"
)

// pendingFile is a temporary file that becomes an object only when committed: synced, closed
// and renamed into place. Until then discard removes it, so a partial file is never visible
// under its final name.
type pendingFile struct {
	*os.File
	done bool
}

// discard removes the file unless it was committed; call it deferred.
func (p *pendingFile) discard() {
	if !p.done {
		_ = p.Close()
		_ = os.Remove(p.Name())
	}
}

// commit makes the file durable and moves it to dst. The rename error is returned wrapped, so
// callers can tell a vanished folder.
func (p *pendingFile) commit(dst string) error {
	if err := p.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := p.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	if err := os.Rename(p.Name(), dst); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	p.done = true
	return nil
}

package backup

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// syncTree makes every file written below dir durable at once: syncfs(2) flushes the file
// system dir is on, which costs one pass over the data instead of one flush per file.
func syncTree(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return fmt.Errorf("backup: sync %s: %w", dir, err)
	}
	return nil
}

// startWriteback asks the kernel to start writing f's data to disk now, without waiting, so
// that the final syncTree finds little left to do while the copy went on meanwhile.
func startWriteback(f *os.File) {
	_ = unix.SyncFileRange(int(f.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
}

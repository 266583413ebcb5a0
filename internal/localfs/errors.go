package localfs

import (
	"errors"
	"syscall"

	"github.com/jskx/contest/internal/contest"
)

// fullErrnos mean the disk has no room for the write: the file system is full or the
// service's quota is used up.
var fullErrnos = []error{syscall.ENOSPC, syscall.EDQUOT}

// downErrnos mean the folder cannot be used now: a failing disk, a file system remounted
// read-only after errors, a network file system that went away.
var downErrnos = []error{syscall.EIO, syscall.EROFS, syscall.ENOTCONN, syscall.ESTALE, syscall.ETIMEDOUT,
	syscall.EHOSTDOWN, syscall.ENODEV, syscall.ENXIO}

// outage turns *err into an EUnavailable error when it means the disk is full or the folder
// cannot be used now; other errors are left alone. Call it deferred on a named result. A
// write that fails so leaves nothing under its final name (see pendingFile): parts already
// stored stay, and the upload goes on where it stopped once there is room.
func outage(err *error) {
	if *err == nil {
		return
	}
	var e *contest.Error
	if errors.As(*err, &e) {
		return
	}
	for _, errno := range fullErrnos {
		if errors.Is(*err, errno) {
			*err = contest.StorageFull(*err)
			return
		}
	}
	for _, errno := range downErrnos {
		if errors.Is(*err, errno) {
			*err = contest.StorageUnavailable(*err)
			return
		}
	}
}

package localfs

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/jskx/contest/internal/contest"
)

// A write the disk has no room for, or a folder that cannot be used now, is unavailable (503
// with Retry-After); other file errors stay what they are. internal/http's TestDiskFullAnswers503
// fills a real (tmpfs) disk where the test may mount one.
func TestOutageClassifiesFileSystemErrors(t *testing.T) {
	wrap := func(errno error) error {
		return fmt.Errorf("localfs: part 1 of %q: %w", "k", &fs.PathError{Op: "write", Path: "/x/.tmp-1", Err: errno})
	}
	for _, tc := range []struct {
		err       error
		code      string
		full      bool
		unchanged bool
	}{
		{err: wrap(syscall.ENOSPC), code: contest.EUnavailable, full: true},
		{err: wrap(syscall.EDQUOT), code: contest.EUnavailable, full: true},
		{err: wrap(syscall.EIO), code: contest.EUnavailable},
		{err: wrap(syscall.EROFS), code: contest.EUnavailable},
		{err: wrap(syscall.EACCES), code: contest.EInternal, unchanged: true},
		{err: contest.UploadNotFound(wrap(syscall.ENOENT)), code: contest.ENotFound, unchanged: true},
	} {
		err := tc.err
		outage(&err)
		if got := contest.ErrorCode(err); got != tc.code {
			t.Errorf("%v: code %s, want %s", tc.err, got, tc.code)
		}
		if tc.unchanged && err != tc.err {
			t.Errorf("%v was changed to %v", tc.err, err)
		}
		var e *contest.Error
		if tc.code == contest.EUnavailable && (!errors.As(err, &e) || e.RetryAfter <= 0) {
			t.Errorf("%v: no Retry-After", err)
		}
		if tc.full && err.Error() == tc.err.Error() {
			t.Errorf("%v: the cause is lost", err)
		}
		if tc.full && e.RetryAfter != contest.RetryStorageFull {
			t.Errorf("%v: Retry-After %v, want %v (a full disk)", err, e.RetryAfter, contest.RetryStorageFull)
		}
	}
	var none error
	outage(&none)
	if none != nil {
		t.Errorf("nil became %v", none)
	}
}

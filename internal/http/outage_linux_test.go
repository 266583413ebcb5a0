package http_test

import (
	"net/http"
	"slices"
	"syscall"
	"testing"

	"github.com/jskx/contest/internal/contest"
	webhttp "github.com/jskx/contest/internal/http"
	"github.com/jskx/contest/internal/localfs"
)

// tmpfs is a small file system mounted for a test, so that it can fill up or turn read-only
// like a real disk. Mounting needs root (or CAP_SYS_ADMIN); elsewhere the test is skipped.
type tmpfs struct {
	t   *testing.T
	Dir string
}

func mustTmpfs(t *testing.T, size string) *tmpfs {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return &tmpfs{t: t, Dir: dir}
}

// Remount changes the file system's options: "size=64m", "ro", "rw".
func (f *tmpfs) Remount(opts string) {
	f.t.Helper()
	flags := uintptr(syscall.MS_REMOUNT)
	if opts == "ro" {
		flags |= syscall.MS_RDONLY
	}
	if err := syscall.Mount("tmpfs", f.Dir, "tmpfs", flags, opts); err != nil {
		f.t.Fatalf("remount %s %s: %v", f.Dir, opts, err)
	}
}

// onTmpfs restarts a local-folder env with its storage on a tmpfs of size.
func onTmpfs(t *testing.T, e *env, size string) *tmpfs {
	t.Helper()
	fs := mustTmpfs(t, size)
	st, err := localfs.New(fs.Dir)
	if err != nil {
		t.Fatal(err)
	}
	e.Storage = localfs.NewMultipart(st, webhttp.PartURL)
	e.Restart()
	return fs
}

// TestDiskFullAnswers503: a part that does not fit on the server's disk answers 503 with
// Retry-After and a message that nothing uploaded is lost; the parts stored before stay, and
// once there is room the upload continues where it stopped and completes with every byte.
// A completion that does not fit either leaves the upload to be completed again.
func TestDiskFullAnswers503(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	fs := onTmpfs(t, e, "12m") // room for two parts of 5 MiB, not three
	c := e.Client().SignUp("zhang@example.org")
	s := c.Create(nil)
	f := randomFile("作品.mp4", 3*contest.MinPartSize-1000)
	u := c.StartUpload(s.ID, f)
	c.SendParts(u, f, 1, 2)

	targets, _ := c.Targets(u, f, 3)
	status, body := c.Send(targets[0], f.reader(u, 3), f.partSize(u, 3))
	r := response{Status: status, Body: []byte(body)}
	if status != http.StatusServiceUnavailable || r.ErrorCode() != contest.EUnavailable || !contains(r.ErrorMessage(), "存储空间已满", "不会丢失") {
		t.Fatalf("part 3 on a full disk = %d %s, want 503 unavailable saying the disk is full and nothing is lost", status, body)
	}
	again := c.StartUpload(s.ID, f)
	if again.ID != u.ID || !slices.Equal(partsDone(again), []int{1, 2}) {
		t.Fatalf("after the full disk: upload %s with parts %v, want %s with [1 2]", again.ID, partsDone(again), u.ID)
	}

	fs.Remount("size=20m") // room for the parts, not for a second copy of them
	c.SendParts(again, f, 3)
	if r := c.Complete(again, f); r.Status != http.StatusOK {
		// A completion that copies the parts runs out of room: it must say so and keep them.
		mustUnavailable(t, "complete on a full disk", r, "存储空间已满")
		fs.Remount("size=64m")
		if r := c.Complete(again, f); r.Status != http.StatusOK {
			t.Fatalf("complete once there is room = %d %s", r.Status, r.Body)
		}
	}
	if sum, n := c.VideoSHA256(s.ID); sum != f.SHA256(t) || n != f.Size {
		t.Fatalf("stored video sha256 %s (%d bytes), uploaded %s (%d bytes)", sum, n, f.SHA256(t), f.Size)
	}
	if lines := e.LogLines("internal error"); lines != "" {
		t.Errorf("a full disk was logged as an internal error:\n%s", lines)
	}
}

// TestLocalFolderDownAnswers503: a storage folder that cannot be written (a disk remounted
// read-only after errors) answers 503 unavailable and /readyz says so; once it is writable the
// upload continues with the parts stored before.
func TestLocalFolderDownAnswers503(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	fs := onTmpfs(t, e, "64m")
	c := e.Client().SignUp("zhang@example.org")
	s := c.Create(nil)
	f := randomFile("作品.mp4", threeParts)
	u := c.StartUpload(s.ID, f)
	c.SendParts(u, f, 1)

	fs.Remount("ro")
	targets, _ := c.Targets(u, f, 2)
	status, body := c.Send(targets[0], f.reader(u, 2), f.partSize(u, 2))
	if r := (response{Status: status, Body: []byte(body)}); status != http.StatusServiceUnavailable || r.ErrorCode() != contest.EUnavailable {
		t.Fatalf("part 2 on a read-only disk = %d %s, want 503 unavailable", status, body)
	}
	if r := c.Do("GET", "/readyz", nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the storage folder read-only = %d, want 503", r.Status)
	}

	fs.Remount("rw")
	c.Must(http.StatusOK, "GET", "/readyz", nil)
	again := c.StartUpload(s.ID, f)
	if !slices.Equal(partsDone(again), []int{1}) {
		t.Fatalf("parts after the outage %v, want [1]", partsDone(again))
	}
	c.SendParts(again, f, 2, 3)
	c.Must(http.StatusOK, "POST", "/api/v1/uploads/"+again.ID+"/complete", map[string]string{"checksum": f.Composite(t, again)})
	if sum, _ := c.VideoSHA256(s.ID); sum != f.SHA256(t) {
		t.Fatalf("stored video sha256 %s, uploaded %s", sum, f.SHA256(t))
	}
}

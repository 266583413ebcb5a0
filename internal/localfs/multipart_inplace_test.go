package localfs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/storagetest"
)

// part is one part of a plan with 4 KiB parts, sent with WritePart as the route does.
type inPlace struct {
	t    *testing.T
	m    *localfs.Multipart
	key  string
	id   string
	data []byte
	plan []contest.PartInfo
}

const smallPart = 4 << 10

func newInPlace(t *testing.T, m *localfs.Multipart, key string) *inPlace {
	data, plan := storagetest.Plan(t, smallPart, smallPart, smallPart, 1000)
	return &inPlace{t: t, m: m, key: key, id: storagetest.MustCreate(t, m, key), data: data, plan: plan}
}

func (u *inPlace) write(i int, body io.Reader) error {
	p := u.plan[i]
	return u.m.WritePart(u.t.Context(), u.key, u.id, p.N, int64(i)*smallPart, p.Size, p.SHA256, body)
}

func (u *inPlace) mustWrite(i int) {
	u.t.Helper()
	if err := u.write(i, bytes.NewReader(storagetest.Slice(u.data, u.plan, i))); err != nil {
		u.t.Fatalf("WritePart %d: %v", i+1, err)
	}
}

// brokenReader sends n bytes of a part, then fails, as a dropped connection or a SIGTERM does.
type brokenReader struct {
	r io.Reader
	n int
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.n == 0 {
		return 0, errors.New("connection reset")
	}
	p = p[:min(len(p), b.n)]
	k, err := b.r.Read(p)
	b.n -= k
	return k, err
}

// The parts are written where they stay, so completion renames the upload's file into place:
// a part retried after a refusal, after a dropped body and after success, parts out of order,
// and completion after a restart still give exactly the file, with mode 0600.
func TestMultipart_PartsAreWrittenInPlaceAndCompletionDoesNotCopy(t *testing.T) {
	m := MustNewMultipart(t)
	u := newInPlace(t, m, "videos/inplace.mp4")

	u.mustWrite(3) // out of order: the last part first
	u.mustWrite(1)
	// Part 1 sent corrupted: refused, not listed.
	bad := bytes.Clone(storagetest.Slice(u.data, u.plan, 0))
	bad[100] ^= 1
	storagetest.MustUploadRefusal(t, u.write(0, bytes.NewReader(bad)), contest.CodeChecksumMismatch)
	u.mustWrite(0)
	// Part 1 sent again and dropped midway: the part it replaces is no longer listed, since its
	// bytes were partly overwritten.
	if err := u.write(0, &brokenReader{r: bytes.NewReader(storagetest.Slice(u.data, u.plan, 0)), n: 1000}); err == nil {
		t.Fatal("WritePart of a broken body succeeded")
	}
	if got := storagetest.MustListParts(t, m, u.key, u.id); len(got) != 2 || got[0].N != 2 || got[1].N != 4 {
		t.Fatalf("ListParts after a dropped retry = %v, want parts 2 and 4", got)
	}
	u.mustWrite(0)
	u.mustWrite(2)
	u.mustWrite(2) // a retried part overwrites the same bytes

	// A restart: a new store on the same folder completes the upload.
	again, err := localfs.New(m.Root())
	if err != nil {
		t.Fatal(err)
	}
	m2 := localfs.NewMultipart(again, partURL)
	data, err := os.Stat(filepath.Join(m.Root(), ".uploads", u.id, "data"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m2.CompleteMultipart(t.Context(), u.key, u.id, u.plan); err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	if got := storagetest.MustGet(t, again, u.key); sha256.Sum256(got) != sha256.Sum256(u.data) {
		t.Fatalf("object has %d bytes, differs from the %d sent", len(got), len(u.data))
	}
	path, _ := again.Path(u.key)
	obj, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(data, obj) {
		t.Error("the object is not the upload's file: completion copied the bytes")
	}
	if mode := obj.Mode().Perm(); mode != 0o600 {
		t.Errorf("object mode %o, want 600", mode)
	}
	if _, err := os.Stat(filepath.Join(m.Root(), ".uploads", u.id)); !os.IsNotExist(err) {
		t.Errorf("upload folder still there after completion (%v)", err)
	}
}

// A crash after the file was renamed into place but before the upload's folder was removed:
// completing again answers the same and cleans up.
func TestMultipart_CompletionAfterACrashMidwayAnswersTheSame(t *testing.T) {
	m := MustNewMultipart(t)
	u := newInPlace(t, m, "videos/crash.mp4")
	for i := range u.plan {
		u.mustWrite(i)
	}
	path, _ := m.Path(u.key)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(m.Root(), ".uploads", u.id, "data"), path); err != nil {
		t.Fatal(err)
	}
	sum, size, err := m.CompleteMultipart(t.Context(), u.key, u.id, u.plan)
	if err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	if want := storagetest.MustComposite(t, u.plan); sum != want || size != int64(len(u.data)) {
		t.Errorf("completed %q, %d bytes; want %q, %d", sum, size, want, len(u.data))
	}
	storagetest.MustUploadNotFound(t, m, u.key, u.id)
}

// A completion that fails before the file is in place (here the work's folder cannot be made:
// a full disk or an I/O error does the same) keeps every byte received: the parts stay listed
// and the same completion succeeds once the cause is gone.
func TestMultipart_AFailedCompletionKeepsTheBytes(t *testing.T) {
	m := MustNewMultipart(t)
	u := newInPlace(t, m, "videos/work-1/blocked.mp4")
	for i := range u.plan {
		u.mustWrite(i)
	}
	path, _ := m.Path(u.key)
	if err := os.MkdirAll(filepath.Dir(filepath.Dir(path)), 0o750); err != nil {
		t.Fatal(err)
	}
	// A file where the work's folder must go: making the folder fails.
	if err := os.WriteFile(filepath.Dir(path), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.CompleteMultipart(t.Context(), u.key, u.id, u.plan); err == nil {
		t.Fatal("CompleteMultipart succeeded with its folder blocked")
	}
	if got := storagetest.MustListParts(t, m, u.key, u.id); len(got) != len(u.plan) {
		t.Fatalf("after the failed completion %d parts are listed, want %d", len(got), len(u.plan))
	}
	if err := os.Remove(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.CompleteMultipart(t.Context(), u.key, u.id, u.plan); err != nil {
		t.Fatalf("CompleteMultipart after the cause is gone: %v", err)
	}
	if got := storagetest.MustGet(t, m, u.key); sha256.Sum256(got) != sha256.Sum256(u.data) {
		t.Fatalf("object has %d bytes, differs from the %d sent", len(got), len(u.data))
	}
}

// stalledReader sends nothing until released, as a phone on a dead line does; reading is
// closed once it is read from (its writer holds the part's locks by then).
type stalledReader struct {
	reading chan struct{}
	once    *sync.Once
	release chan struct{}
}

func (s stalledReader) Read([]byte) (int, error) {
	s.once.Do(func() { close(s.reading) })
	<-s.release
	return 0, errors.New("connection reset")
}

// A part stalled on a slow line holds its lock; a retry of that part and a completion waiting
// behind it give up as soon as their own clients go, instead of holding their requests.
func TestMultipart_WaitingBehindAStalledPartEndsWithTheRequest(t *testing.T) {
	m := MustNewMultipart(t)
	u := newInPlace(t, m, "videos/stalled.mp4")
	stalled := stalledReader{reading: make(chan struct{}), once: &sync.Once{}, release: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- u.write(0, stalled) }()
	defer func() { close(stalled.release); <-done }()
	<-stalled.reading

	p := u.plan[0]
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err := m.WritePart(ctx, u.key, u.id, p.N, 0, p.Size, p.SHA256, bytes.NewReader(storagetest.Slice(u.data, u.plan, 0)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a retry behind the stalled part = %v, want its context's deadline", err)
	}
	u.mustWrite(1) // other parts are not held up
	ctx2, cancel2 := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel2()
	if _, _, err := m.CompleteMultipart(ctx2, u.key, u.id, u.plan); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a completion behind the stalled part = %v, want its context's deadline", err)
	}
}

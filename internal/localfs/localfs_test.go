package localfs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/storagetest"
)

func MustNew(tb testing.TB) *localfs.Store {
	tb.Helper()
	s, err := localfs.New(filepath.Join(tb.TempDir(), "store"))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

func TestStore_Conformance(t *testing.T) {
	storagetest.Run(t, MustNew(t))
}

func TestNew_CreatesRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "b")
	if _, err := localfs.New(root); err != nil {
		t.Fatalf("New: %v", err)
	}
	info, err := os.Stat(root)
	if err != nil || !info.IsDir() {
		t.Fatalf("root not created: %v", err)
	}
	if perm := info.Mode().Perm(); perm&^0o750 != 0 {
		t.Errorf("root mode %o, want no more than 0750", perm)
	}
}

func TestStore_BadKeysAreInvalid(t *testing.T) {
	s := MustNew(t)
	bad := []string{
		"", "../x", "/abs", "a/../b", "a/./b", ".", "..", "a/", "a//b", "a\\b", "a b",
		".hidden", "a/.tmp-1", "键", "a:b", strings.Repeat("a", 256),
		strings.Repeat("abcdefgh/", 120),
	}
	for _, key := range bad {
		if _, err := s.Path(key); contest.ErrorCode(err) != contest.EInvalid {
			t.Errorf("Path(%q): code %q (%v), want %q", key, contest.ErrorCode(err), err, contest.EInvalid)
		}
		if err := s.Put(t.Context(), key, bytes.NewReader([]byte("x")), 1, "text/plain"); contest.ErrorCode(err) != contest.EInvalid {
			t.Errorf("Put(%q): code %q (%v), want %q", key, contest.ErrorCode(err), err, contest.EInvalid)
		}
		if _, err := s.Get(t.Context(), key); contest.ErrorCode(err) != contest.EInvalid {
			t.Errorf("Get(%q): code %q (%v), want %q", key, contest.ErrorCode(err), err, contest.EInvalid)
		}
		if err := s.Delete(t.Context(), key); contest.ErrorCode(err) != contest.EInvalid {
			t.Errorf("Delete(%q): code %q (%v), want %q", key, contest.ErrorCode(err), err, contest.EInvalid)
		}
	}
}

func TestStore_GoodKeysMapBelowRoot(t *testing.T) {
	s := MustNew(t)
	for _, key := range []string{"a", "consent/2024/x_Y-1.pdf", "v/a.b.c", "a..b"} {
		p, err := s.Path(key)
		if err != nil {
			t.Fatalf("Path(%q): %v", key, err)
		}
		if want := filepath.Join(s.Root(), filepath.FromSlash(key)); p != want {
			t.Errorf("Path(%q) = %q, want %q", key, p, want)
		}
	}
}

func TestStore_PathHoldsTheBytes(t *testing.T) {
	s := MustNew(t)
	storagetest.MustPut(t, s, "videos/1/original.mp4", []byte("not really a video"), "video/mp4")
	p, err := s.Path("videos/1/original.mp4")
	if err != nil {
		t.Fatalf("Path: %v", err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "not really a video" {
		t.Fatalf("ReadFile(%s) = %q, %v", p, got, err)
	}
}

func TestStore_FailedPutLeavesNoTempFiles(t *testing.T) {
	s := MustNew(t)
	_ = s.Put(t.Context(), "a/b/c.bin", bytes.NewReader(make([]byte, 10)), 1000, "")
	var files []string
	_ = filepath.WalkDir(s.Root(), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if len(files) != 0 {
		t.Fatalf("files left after a failed Put: %v", files)
	}
}

func TestStore_DeleteRemovesEmptyFolders(t *testing.T) {
	s := MustNew(t)
	storagetest.MustPut(t, s, "a/b/c.txt", []byte("c"), "text/plain")
	storagetest.MustPut(t, s, "a/d.txt", []byte("d"), "text/plain")
	if err := s.Delete(t.Context(), "a/b/c.txt"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "a", "b")); !os.IsNotExist(err) {
		t.Errorf("empty folder a/b still there (%v)", err)
	}
	if got := string(storagetest.MustGet(t, s, "a/d.txt")); got != "d" {
		t.Errorf("a/d.txt = %q, want %q", got, "d")
	}
	if _, err := os.Stat(s.Root()); err != nil {
		t.Errorf("root removed: %v", err)
	}
}

func TestStore_FolderIsNotAnObject(t *testing.T) {
	s := MustNew(t)
	storagetest.MustPut(t, s, "a/b.txt", []byte("b"), "text/plain")
	storagetest.MustNotFound(t, s, "a")
	storagetest.MustNotFound(t, s, "a/b.txt/c")
	if err := s.Delete(t.Context(), "a"); err != nil {
		t.Fatalf("Delete of a folder key: %v", err)
	}
	if got := string(storagetest.MustGet(t, s, "a/b.txt")); got != "b" {
		t.Errorf("a/b.txt = %q after deleting key a, want %q", got, "b")
	}
}

func TestStore_PingFailsWhenRootIsGone(t *testing.T) {
	s := MustNew(t)
	if err := os.RemoveAll(s.Root()); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping succeeded with the root removed")
	}
}

func TestStore_ListsItsObjectsNotItsUploads(t *testing.T) {
	storagetest.RunList(t, localfs.NewMultipart(MustNew(t), partURL), false)
}

// Package storagetest checks that an implementation of contest.Storage keeps the interface's
// promises, so the local folder and the S3 bucket behave the same to the service. Adapters call
// Run from their own tests; MinIOConfigFromEnv finds the MinIO those tests run against.
package storagetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/contest"
)

// Run runs the conformance suite against s as subtests of t. Every key it uses starts with
// "test/<random>/", so runs can share a store.
func Run(t *testing.T, s contest.Storage) {
	t.Helper()
	prefix := "test/" + RandomHex(t, 8) + "/"

	t.Run("RoundTripIsByteExact", func(t *testing.T) {
		key := prefix + "roundtrip/data.bin"
		data := RandomBytes(t, 3<<20+17) // a few MiB, not a round number
		MustPut(t, s, key, data, "application/octet-stream")
		got := MustGet(t, s, key)
		if len(got) != len(data) || sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("Get returned %d bytes (sha256 %x), want %d bytes (sha256 %x)",
				len(got), sha256.Sum256(got), len(data), sha256.Sum256(data))
		}
	})

	t.Run("EmptyObject", func(t *testing.T) {
		key := prefix + "empty.txt"
		MustPut(t, s, key, nil, "text/plain")
		if got := MustGet(t, s, key); len(got) != 0 {
			t.Fatalf("Get returned %d bytes, want 0", len(got))
		}
	})

	t.Run("UnknownSizeReadsToEnd", func(t *testing.T) {
		key := prefix + "unknown-size.bin"
		data := RandomBytes(t, 100<<10)
		if err := s.Put(t.Context(), key, onlyReader{bytes.NewReader(data)}, -1, "application/octet-stream"); err != nil {
			t.Fatalf("Put with size -1: %v", err)
		}
		if got := MustGet(t, s, key); !bytes.Equal(got, data) {
			t.Fatalf("Get returned %d bytes, want the %d bytes put", len(got), len(data))
		}
	})

	t.Run("OverwriteReplaces", func(t *testing.T) {
		key := prefix + "overwrite.txt"
		MustPut(t, s, key, []byte("first version, the longer one"), "text/plain")
		MustPut(t, s, key, []byte("second"), "text/plain")
		if got := string(MustGet(t, s, key)); got != "second" {
			t.Fatalf("Get after overwrite = %q, want %q", got, "second")
		}
	})

	t.Run("GetMissingIsNotFound", func(t *testing.T) {
		MustNotFound(t, s, prefix+"missing/never-put.bin")
	})

	t.Run("DeleteMissingIsFine", func(t *testing.T) {
		if err := s.Delete(t.Context(), prefix+"missing/never-put.bin"); err != nil {
			t.Fatalf("Delete of a missing object: %v", err)
		}
	})

	t.Run("DeleteThenGetIsNotFound", func(t *testing.T) {
		key := prefix + "deleted/file.txt"
		MustPut(t, s, key, []byte("soon gone"), "text/plain")
		if err := s.Delete(t.Context(), key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		MustNotFound(t, s, key)
		if err := s.Delete(t.Context(), key); err != nil {
			t.Fatalf("second Delete: %v", err)
		}
	})

	// A reader that ends early (a dropped upload) must leave nothing under the key. Plain
	// readers and seekable ones take different paths in some clients, so both are tried.
	shortReaders := map[string]func([]byte) io.Reader{
		"Plain":    func(b []byte) io.Reader { return onlyReader{bytes.NewReader(b)} },
		"Seekable": func(b []byte) io.Reader { return bytes.NewReader(b) },
	}
	for name, reader := range shortReaders {
		t.Run("ShortReaderLeavesNothing/"+name, func(t *testing.T) {
			key := prefix + "short/" + strings.ToLower(name) + ".bin"
			err := s.Put(t.Context(), key, reader(RandomBytes(t, 10)), 1000, "application/octet-stream")
			if err == nil {
				t.Fatal("Put of 10 bytes announced as 1000 succeeded, want an error")
			}
			MustNotFound(t, s, key)
		})

		t.Run("ShortReaderKeepsPrevious/"+name, func(t *testing.T) {
			key := prefix + "short-over/" + strings.ToLower(name) + ".txt"
			MustPut(t, s, key, []byte("previous"), "text/plain")
			err := s.Put(t.Context(), key, reader(RandomBytes(t, 10)), 1000, "text/plain")
			if err == nil {
				t.Fatal("Put of 10 bytes announced as 1000 succeeded, want an error")
			}
			if got := string(MustGet(t, s, key)); got != "previous" {
				t.Fatalf("Get after a failed overwrite = %q, want %q", got, "previous")
			}
		})
	}

	t.Run("PingIsOK", func(t *testing.T) {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})
}

// MustPut stores data under key and fails the test on error.
func MustPut(tb testing.TB, s contest.Storage, key string, data []byte, contentType string) {
	tb.Helper()
	if err := s.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), contentType); err != nil {
		tb.Fatalf("Put %q: %v", key, err)
	}
}

// MustGet reads the whole object under key and fails the test on error.
func MustGet(tb testing.TB, s contest.Storage, key string) []byte {
	tb.Helper()
	rc, err := s.Get(context.Background(), key)
	if err != nil {
		tb.Fatalf("Get %q: %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatalf("read %q: %v", key, err)
	}
	return data
}

// MustNotFound fails the test unless Get of key fails with code ENotFound.
func MustNotFound(tb testing.TB, s contest.Storage, key string) {
	tb.Helper()
	rc, err := s.Get(context.Background(), key)
	if err == nil {
		rc.Close()
		tb.Fatalf("Get %q succeeded, want an error with code %q", key, contest.ENotFound)
	}
	if code := contest.ErrorCode(err); code != contest.ENotFound {
		tb.Fatalf("Get %q: code %q (%v), want %q", key, code, err, contest.ENotFound)
	}
}

// RandomBytes returns n random bytes.
func RandomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("random bytes: %v", err)
	}
	return b
}

// RandomHex returns 2n random lowercase hexadecimal digits, for unique key prefixes and bucket
// names.
func RandomHex(tb testing.TB, n int) string {
	tb.Helper()
	return hex.EncodeToString(RandomBytes(tb, n))
}

// onlyReader hides every method of its reader but Read, as a network body would.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

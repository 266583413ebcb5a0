package s3_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/s3"
)

// fakeStore answers HEAD (the bucket exists) and every other request with status and an S3
// error of code.
func fakeStore(t *testing.T, status int, code string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && strings.TrimSuffix(r.URL.Path, "/") == "/bucket" {
			return // the bucket exists
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>refused</Message><Resource>/bucket/k</Resource></Error>`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newFake(t *testing.T, srv *httptest.Server) *s3.Store {
	t.Helper()
	st, err := s3.New(context.Background(), s3.Config{Endpoint: strings.TrimPrefix(srv.URL, "http://"),
		AccessKey: "a", SecretKey: "s", Bucket: "bucket", Region: "us-east-1", MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func mustUnavailable(t *testing.T, what string, err error, want string) {
	t.Helper()
	var e *contest.Error
	if contest.ErrorCode(err) != contest.EUnavailable || !errors.As(err, &e) || e.RetryAfter <= 0 || !strings.Contains(e.Message, want) {
		t.Fatalf("%s: %v, want unavailable with Retry-After saying %q", what, err, want)
	}
}

// A store out of space (MinIO's XMinioStorageFull, 507) is unavailable with the disk-full
// message: the client retries the part later, nothing is lost.
func TestStorageFullIsUnavailable(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
	}{{http.StatusInsufficientStorage, "XMinioStorageFull"}, {http.StatusInsufficientStorage, "InsufficientStorage"}} {
		st := newFake(t, fakeStore(t, tc.status, tc.code))
		err := st.Put(context.Background(), "k", bytes.NewReader([]byte("abc")), 3, "text/plain")
		mustUnavailable(t, tc.code+" put", err, "存储空间已满")
		m, err := s3.NewMultipart(context.Background(), st, s3.PublicEndpoint{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.CreateMultipart(context.Background(), "k", "video/mp4")
		mustUnavailable(t, tc.code+" create multipart", err, "存储空间已满")
	}
}

// A store that fails (5xx after the retries) or cannot be reached is unavailable; its own
// refusals (a missing object) keep their codes.
func TestStorageDownIsUnavailable(t *testing.T) {
	ctx := context.Background()
	st := newFake(t, fakeStore(t, http.StatusServiceUnavailable, "SlowDown"))
	_, err := st.Get(ctx, "k")
	mustUnavailable(t, "503 get", err, "文件存储")

	missing := newFake(t, fakeStore(t, http.StatusNotFound, "NoSuchKey"))
	if _, err := missing.Get(ctx, "k"); contest.ErrorCode(err) != contest.ENotFound {
		t.Fatalf("missing object: %v, want not_found", err)
	}

	srv := fakeStore(t, http.StatusOK, "")
	gone := newFake(t, srv)
	srv.Close() // the store goes down: connections are refused
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = gone.Put(ctx, "k", bytes.NewReader([]byte("abc")), 3, "text/plain")
	mustUnavailable(t, "refused put", err, "文件存储")
	err = gone.Delete(ctx, "k")
	mustUnavailable(t, "refused delete", err, "文件存储")
}

package http

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestDownloadCutByClientIsNotAnError: a client that closes the connection while a download
// streams (sendFile: exports, certificates) is logged as information, not as an error.
func TestDownloadCutByClientIsNotAnError(t *testing.T) {
	var log syncBuffer
	s := New(nil, func(context.Context) error { return nil }, slog.New(slog.NewTextHandler(&log, nil)), Options{})
	s.echo.GET("/test/download", func(c echo.Context) error {
		return sendFile(c, "导出.zip", "application/zip", 1<<30, io.LimitReader(zeros{}, 1<<30))
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /test/download HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Listener.Addr())
	if _, err := io.ReadFull(conn, make([]byte, 256<<10)); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).SetLinger(0)
	conn.Close()

	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "msg=request") {
		if time.Now().After(deadline) {
			t.Fatalf("the download was never logged:\n%s", log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("a client that went away mid-download was logged as an error:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "client went away") {
		t.Errorf("a client that went away mid-download is not logged as such:\n%s", log.String())
	}
}

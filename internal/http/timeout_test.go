package http

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSlowBodyIsCutOff: a client that sends a few bytes of a body and stalls does not hold a
// connection (and a handler) past the body timeout.
func TestSlowBodyIsCutOff(t *testing.T) {
	s := New(nil, func(context.Context) error { return nil }, slog.New(slog.DiscardHandler), Options{BodyTimeout: 300 * time.Millisecond})
	srv := httptest.NewServer(s)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Sec-Fetch-Site: same-origin\r\nContent-Length: 100\r\n\r\n{\"email\":\"a", srv.Listener.Addr())
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	answer, _ := io.ReadAll(conn) // until the server closes the connection
	if held := time.Since(start); held > 5*time.Second {
		t.Fatalf("a stalled body held the connection %v (answer %q)", held, answer)
	}
	if !strings.HasPrefix(string(answer), "HTTP/1.1 4") {
		t.Errorf("answer to a stalled body: %q, want a 4xx", answer)
	}
}

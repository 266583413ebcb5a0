package db

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jskx/contest/internal/contest"
)

// translate tells an outage (503 unavailable with Retry-After) from a refusal and from a bug.
// internal/http's TestDatabaseDownAnswers503 and TestSQLiteLockedAnswers503 cut a real database.
func TestTranslateTellsOutages(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "connection refused"}}
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"connection refused", &pgconn.ConnectError{}, contest.EUnavailable},
		{"net error", fmt.Errorf("query: %w", refused), contest.EUnavailable},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), contest.EUnavailable},
		{"timeout", context.DeadlineExceeded, contest.EUnavailable},
		{"shutting down", &pgconn.PgError{Code: "57P01"}, contest.EUnavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, contest.EUnavailable},
		{"disk full", &pgconn.PgError{Code: "53100"}, contest.EUnavailable},
		{"no space", fmt.Errorf("write: %w", syscall.ENOSPC), contest.EUnavailable},
		{"client gone", fmt.Errorf("query: %w", context.Canceled), contest.EInternal},
		{"syntax error", &pgconn.PgError{Code: "42601"}, contest.EInternal},
		{"bug", errors.New("something else"), contest.EInternal},
	} {
		if got := contest.ErrorCode(translate(tc.err, "账号")); got != tc.code {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.code)
		}
	}
}

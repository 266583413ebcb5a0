package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// A client that went away is not a server failure, but a server failure met after it went is:
// only what its going causes is logged as "client went away".
func TestClientGone_OnlyWhatTheGoingCauses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
	c := echo.New().NewContext(req, httptest.NewRecorder())
	for _, tc := range []struct {
		err  error
		gone bool
	}{
		{contest.Internal(fmt.Errorf("query: %w", context.Canceled)), true},
		{contest.Errorf(contest.EInvalid, "填写内容有误"), true},
		{contest.Internal(errors.New("duplicate key value violates unique constraint")), false},
		{contest.Internal(errors.New("panic: index out of range")), false},
	} {
		if got := clientGone(c, tc.err); got != tc.gone {
			t.Errorf("clientGone(%v) = %v, want %v", tc.err, got, tc.gone)
		}
	}
}

package http

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// statusOf maps domain codes to HTTP statuses.
var statusOf = map[string]int{
	contest.EInvalid:         http.StatusUnprocessableEntity,
	contest.EIncomplete:      http.StatusUnprocessableEntity,
	contest.ENotFound:        http.StatusNotFound,
	contest.EConflict:        http.StatusConflict,
	contest.EUnauthorized:    http.StatusUnauthorized,
	contest.EForbidden:       http.StatusForbidden,
	contest.EDeadline:        http.StatusForbidden,
	contest.ENotOpen:         http.StatusForbidden,
	contest.EUnavailable:     http.StatusServiceUnavailable,
	contest.EInternal:        http.StatusInternalServerError,
	contest.EBadRequest:      http.StatusBadRequest,
	contest.EBadJSON:         http.StatusBadRequest,
	contest.EUnknownField:    http.StatusUnprocessableEntity,
	contest.ETooLarge:        http.StatusRequestEntityTooLarge,
	contest.ETooManyRequests: http.StatusTooManyRequests,
	contest.EPasswordChange:  http.StatusForbidden,
	contest.EEmailUnverified: http.StatusForbidden,
	contest.EArchived:        http.StatusForbidden,
}

// errorBody is the one error shape of the API.
type errorBody struct {
	Error struct {
		Code    string                        `json:"code"`
		Message string                        `json:"message"`
		Fields  map[string]contest.FieldError `json:"fields,omitempty"`
	} `json:"error"`
}

// fromHTTPError gives Echo's own errors (unknown route, bad body, too large) a domain code.
func fromHTTPError(he *echo.HTTPError) error {
	switch he.Code {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return contest.Errorf(contest.ENotFound, "页面不存在")
	case http.StatusRequestEntityTooLarge:
		return contest.Errorf(contest.ETooLarge, "提交的内容过大")
	case http.StatusUnauthorized:
		return contest.Errorf(contest.EUnauthorized, "请先登录")
	case http.StatusForbidden:
		return contest.Errorf(contest.EForbidden, "没有权限")
	}
	if he.Code >= 400 && he.Code < 500 {
		return contest.Errorf(contest.EBadRequest, "请求格式有误")
	}
	return contest.Internal(he)
}

// defaultRetryAfter is what a client waiting on a 503 or 429 is told when the error does not say.
const defaultRetryAfter = 5 * time.Second

// retryAfterSeconds is the Retry-After header's value: whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) string {
	if d <= 0 {
		d = defaultRetryAfter
	}
	return strconv.Itoa(int(max(1, (d+time.Second-1)/time.Second)))
}

// wantsJSON tells API calls from page views.
func wantsJSON(c echo.Context) bool {
	r := c.Request()
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// statusClientGone is what the log says of a request whose client went away before the
// answer (nginx's 499 "client closed request"): not a server error, nothing to answer.
const statusClientGone = 499

// clientGone reports whether err means the client went away: the request's context was
// cancelled (the connection closed or its body could not be read), or writing the answer
// failed because the connection was closed or reset. Only a started answer (committed) can
// have failed to be written: before that, a reset connection is a database's or a store's,
// and an error an adapter classified (EUnavailable) is about that adapter's connection.
//
// A server failure (an internal error not caused by the going: a constraint violated, a
// panic) is one even when its client has gone meanwhile, and is logged as such.
func clientGone(c echo.Context, err error) bool {
	if c.Request().Context().Err() != nil {
		return contest.ErrorCode(err) != contest.EInternal || causedByGoing(err)
	}
	var op *net.OpError
	return c.Response().Committed && contest.ErrorCode(err) == contest.EInternal && errors.As(err, &op) &&
		op.Op == "write" && (errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET))
}

// causedByGoing reports whether err is what a request meets when its client goes: its context
// cancelled, its body cut short, its connection closed.
func causedByGoing(err error) bool {
	var op *net.OpError
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.As(err, &op)
}

// handleError is the only place that turns errors into responses. Internal errors are logged
// once here, and their text never reaches the client. An outage (the database or storage
// down, the disk full: code unavailable) is logged as a warning with its cause and answered
// 503 with Retry-After; a client that went away is logged as information and gets no answer.
func (s *Server) handleError(err error, c echo.Context) {
	if clientGone(c, err) {
		s.log.InfoContext(c.Request().Context(), "client went away", "route", c.Path(), "method", c.Request().Method, "err", err)
		if !c.Response().Committed {
			c.Response().WriteHeader(statusClientGone)
		}
		return
	}
	if c.Response().Committed {
		// Part of the answer is sent (a download cut short by storage): too late for another.
		level := slog.LevelError
		if contest.ErrorCode(err) == contest.EUnavailable {
			level = slog.LevelWarn
		}
		s.log.Log(c.Request().Context(), level, "answer cut short", "route", c.Path(), "method", c.Request().Method, "err", err)
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		err = fromHTTPError(he)
	}
	code := contest.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusBadRequest
	}
	if code == contest.EInternal {
		s.log.ErrorContext(c.Request().Context(), "internal error", "route", c.Path(), "method", c.Request().Method, "err", err)
	}
	s.tryAgainLater(c, status, err)
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.Fields = code, contest.ErrorMessage(err), contest.ErrorFields(err)
	if wantsJSON(c) {
		_ = c.JSON(status, body)
		return
	}
	if status == http.StatusUnauthorized {
		_ = seeOther(c, "/login?next="+url.QueryEscape(base(c)+c.Request().URL.Path))
		return
	}
	c.Response().Status = status
	_ = s.render(c, status, "error", view{Title: "出错了", Data: body.Error})
}

// tryAgainLater tells a client refused for now when to come back (Retry-After on every 503 and
// 429), and logs an outage (code unavailable) once, as a warning with its cause.
func (s *Server) tryAgainLater(c echo.Context, status int, err error) {
	if status != http.StatusServiceUnavailable && status != http.StatusTooManyRequests {
		return
	}
	if contest.ErrorCode(err) == contest.EUnavailable {
		s.log.WarnContext(c.Request().Context(), "unavailable", "route", c.Path(), "method", c.Request().Method, "err", err)
	}
	c.Response().Header().Set("Retry-After", retryAfterSeconds(contest.RetryAfterOf(err)))
}

package http

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Every request gets an ID, sent back in X-Request-ID and added to every line logged while
// serving it (logRequests writes one of them per request).

// requestIDKey is the context key of the request's ID.
type requestIDKey struct{}

// RequestID returns the ID of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// LogHandler adds request_id to every record logged with a request's context
// (log.InfoContext(ctx, …)), whoever logs it: the edge, the services, the stores.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// maxRequestIDLen bounds an ID a proxy sends (a UUID is 36 characters).
const maxRequestIDLen = 64

// saneRequestID reports whether an incoming ID may be kept: short, printable ASCII, no spaces
// or quotes (nothing a log reader could mistake for another field).
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if b := id[i]; b <= ' ' || b > '~' || b == '"' || b == '\\' {
			return false
		}
	}
	return true
}

// assignRequestID gives the request its ID: the one a trusted proxy sent, if sane, else a new
// random one. A client that is not a trusted proxy cannot choose its ID (and so cannot mix its
// lines with another request's).
func (s *Server) assignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		id := r.Header.Get(echo.HeaderXRequestID)
		if !saneRequestID(id) || !s.fromTrustedProxy(r) {
			id = rand.Text()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		return next(c)
	}
}

// fromTrustedProxy reports whether the direct peer is one of CONTEST_TRUSTED_PROXIES.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range s.opts.TrustedProxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

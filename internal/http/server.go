// Package http is the web edge of the contest: Chinese server-rendered pages for contestants and
// organizers, and the JSON API under /api/v1 (described in api/openapi.yaml). It turns requests
// into calls on the domain service and domain errors into one response shape.
package http

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/demo"
)

// Options are the edge's settings.
type Options struct {
	// SecureCookies marks cookies Secure (set when the site is served over HTTPS).
	SecureCookies bool
	// BaseURL is the public address, used in consent links.
	BaseURL string
	// MaxBodyBytes bounds request bodies other than file uploads.
	MaxBodyBytes int64
	// BodyTimeout bounds the time to receive a request's body (30 s): a client that sends a
	// few bytes and stalls does not hold a connection. PartTimeout (30 min) is the bound for a
	// video part sent to the local folder, which may be 5 GiB on a slow line.
	BodyTimeout, PartTimeout time.Duration
	// TrustedProxies are the proxies whose X-Forwarded-For is believed (CONTEST_TRUSTED_PROXIES);
	// none by default: the direct peer is the client.
	TrustedProxies []*net.IPNet
	// Metrics, when set, receives the requests' metrics by route and the upload byte counts.
	Metrics prometheus.Registerer
	// MetricsHandler, when set, is served at /metrics on this (public) port. It must refuse a
	// request without the metrics token: cmd/contest sets it only with CONTEST_METRICS_TOKEN.
	MetricsHandler http.Handler
	// Demo, set by `contest demo` only, is the demo's clock: every page says 演示 and organizers
	// move the clock from the settings page. nil in production: no such route exists.
	Demo *demo.Demo
}

// Server holds the Echo instance and what the handlers need.
type Server struct {
	echo  *echo.Echo
	svc   *contest.Services
	ready func(context.Context) error
	log   *slog.Logger
	opts  Options
	pages *pages
	// metrics are the upload counters; nil without Options.Metrics.
	metrics *edgeMetrics
	// siteRoutes are the paths of the site's own routes (accounts, messages, the contests),
	// which an archived contest does not freeze.
	siteRoutes map[string]bool
}

// New builds the router. ready reports whether the database and storage answer (for /readyz).
func New(svc *contest.Services, ready func(context.Context) error, log *slog.Logger, opts Options) *Server {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	opts.BodyTimeout = cmp.Or(opts.BodyTimeout, 30*time.Second)
	opts.PartTimeout = cmp.Or(opts.PartTimeout, 30*time.Minute)
	// Every line logged with a request's context carries its ID.
	log = slog.New(LogHandler(log.Handler()))
	s := &Server{echo: echo.New(), svc: svc, ready: ready, log: log, opts: opts, pages: mustParsePages()}
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.JSONSerializer = scopedJSON{}
	e.IPExtractor = clientIP(opts.TrustedProxies) // see docs/configuration.md
	// First of all, before anything can fail: the request's ID, its metrics and its log line.
	e.Pre(s.assignRequestID)
	if opts.Metrics != nil {
		var mw echo.MiddlewareFunc
		s.metrics, mw = newEdgeMetrics(opts.Metrics)
		e.Pre(mw)
	}
	e.Pre(s.logRequests)
	// The contest a URL names (/c/{slug}/…) is taken off its path before anything reads it.
	e.Pre(s.selectContest)
	// Bodies are limited before anything reads them (the CSRF check parses forms): small JSON
	// and forms everywhere, a scan of the paper form on the scan routes.
	// A video part (local folder) is bounded by its planned size in the handler.
	isScan := func(c echo.Context) bool { return strings.HasSuffix(c.Request().URL.Path, "/scan") }
	isPart := func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/v1/parts/") }
	e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			d := opts.BodyTimeout
			if isUpload(c.Request().URL.Path) { // a video part, or a scan from a phone on a slow line
				d = opts.PartTimeout
			}
			limitBodyTime(c, d)
			return next(c)
		}
	})
	e.Pre(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: fmt.Sprintf("%dB", opts.MaxBodyBytes), Skipper: func(c echo.Context) bool { return isUpload(c.Request().URL.Path) }}))
	e.Pre(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: fmt.Sprintf("%dB", contest.MaxScanBytes+1<<20), Skipper: func(c echo.Context) bool { return !isScan(c) }}))
	e.Pre(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: fmt.Sprintf("%dB", int64(contest.MaxPartSize)), Skipper: func(c echo.Context) bool { return !isPart(c) }}))
	e.Use(middleware.Recover())
	e.Use(contestError)
	e.Use(rejectMalformedParams)
	e.Use(rejectBadText(opts.MaxBodyBytes))
	e.Use(noStore)
	hsts := 0
	if strings.HasPrefix(opts.BaseURL, "https://") {
		hsts = 365 * 24 * 3600 // sent on HTTPS requests only (or X-Forwarded-Proto: https)
	}
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ReferrerPolicy: "same-origin", ContentSecurityPolicy: contentSecurityPolicy(svc),
		HSTSMaxAge: hsts, HSTSExcludeSubdomains: true,
	}))
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		Skipper: func(c echo.Context) bool {
			return c.Path() == "/healthz" || c.Path() == "/readyz" || c.Path() == "/metrics" || c.Path() == unsubscribePath
		},
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     "_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   opts.SecureCookies,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return contest.Errorf(contest.EForbidden, "页面已过期或请求来源无效，请刷新页面后重试")
		},
	}))
	e.Use(s.exposeCSRF)
	e.Use(s.loadUser)
	e.Use(s.archiveGuard)
	s.routes()
	return s
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes lists the method and path of every route, for the spec test.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.handleReady)
	if s.opts.MetricsHandler != nil {
		e.GET("/metrics", echo.WrapHandler(s.opts.MetricsHandler))
	}
	static, _ := fs.Sub(assets, "static")
	e.StaticFS("/static", static)

	// Middleware goes on each route: an Echo group with middleware adds catch-all routes
	// under its prefix, which would turn every unknown URL into a sign-in redirect.
	r := router{
		public: routeGroup{e: e},
		my:     routeGroup{e: e, mw: []echo.MiddlewareFunc{s.requirePageUser}},
		admin:  routeGroup{e: e, prefix: "/admin", mw: []echo.MiddlewareFunc{s.requirePageUser, requireOrganizer}},
		api:    routeGroup{e: e, prefix: "/api/v1"},
		user:   routeGroup{e: e, prefix: "/api/v1", mw: []echo.MiddlewareFunc{s.requireAPIUser}},
		org:    routeGroup{e: e, prefix: "/api/v1/admin", mw: []echo.MiddlewareFunc{s.requireAPIUser, requireOrganizer}},
		judge:  routeGroup{e: e, prefix: "/api/v1/judge", mw: []echo.MiddlewareFunc{s.requireAPIUser}},
		// Sign-in and sign-up are limited per client address against floods (per replica; a
		// shared limit would need a shared store). Guessing one account's password is slowed
		// per account by the service, so the address limit can leave room for a campus behind
		// one NAT at the deadline. Each has its own budget, so a campus's sign-ups do not use
		// up its sign-ins; their CPU is bounded by the service's password pool, not here (see
		// docs/security.md for why sign-up is not wider).
		signIn: rateLimit(3, 100, 10*time.Minute, "尝试次数过多，请稍后再试"),
		signUp: rateLimit(3, 100, 10*time.Minute, "注册过于频繁，请稍后再试"),
		// Objections have their own, much slower budget: each one must be decided by hand.
		objections: rateLimit(1.0/600, 10, time.Hour, "提交过于频繁，请稍后再试"),
	}
	for _, res := range s.resources() {
		res.routes(r)
	}
	// The site's own resources: an archived contest does not freeze them.
	contestRoutes := map[string]bool{}
	for _, rt := range e.Routes() {
		contestRoutes[rt.Method+" "+rt.Path] = true
	}
	for _, res := range s.siteResources() {
		res.routes(r)
	}
	s.siteRoutes = map[string]bool{}
	for _, rt := range e.Routes() {
		if !contestRoutes[rt.Method+" "+rt.Path] {
			s.siteRoutes[rt.Method+" "+rt.Path] = true
		}
	}
}

// archiveOpen are the routes an archived contest still takes a POST on: the purge of its
// personal data (per the retention setting), searches and previews, which only read, and the
// exports, which read the contest into a package or a sheet (audited).
var archiveOpen = map[string]bool{
	"/admin/publication/purge": true, "/api/v1/admin/publication/purge": true,
	"/admin/submissions": true, "/api/v1/admin/submissions/search": true,
	"/api/v1/admin/notice-templates/:kind/preview": true, "/admin/judging/assignments/preview": true,
	"/api/v1/admin/assignments/preview": true,
	"/admin/exports/registrations-full": true, "/admin/publication/exports": true, "/api/v1/admin/exports": true,
}

// contentSecurityPolicy allows the pages only their own scripts and styles (no inline script
// at all), no framing, forms and connections to the site — and to the object store, which
// browsers send video parts to and play videos from directly in S3 mode. Inline style
// attributes stay allowed for the progress bars' widths.
func contentSecurityPolicy(svc *contest.Services) string {
	storage := ""
	if svc != nil {
		if o := svc.StorageOrigin(); o != "" {
			storage = " " + o
		}
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; " +
		"img-src 'self' data:; media-src 'self'" + storage + "; connect-src 'self'" + storage + "; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}

// clientIP tells the client's address: the direct peer, unless it is one of the trusted
// proxies, whose X-Forwarded-For is then read from the right, past every trusted proxy. No
// other address range is trusted, so a client cannot choose its address by sending the header.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// resources are the site's resources; each registers its own pages and API routes.
func (s *Server) resources() []interface{ routes(router) } {
	return []interface{ routes(router) }{
		home{s}, contestSettings{s}, submissions{s}, adminSubmissions{s}, consents{s}, videos{s},
		judges{s}, judgeCategories{s}, formalReviews{s}, reviews{s}, assignments{s}, rankings{s}, rounds{s}, judgingStatistics{s}, judgingSettings{s},
		publicationDesk{s}, objections{s}, publicResults{s}, exports{s}, auditLog{s},
		demoClock{s}, notices{s}, calibration{s}, feedback{s}, pairwise{s}, scans{s},
	}
}

// siteResources are the site's own resources, about no one contest: accounts, messages and
// the site administrator's contests.
func (s *Server) siteResources() []interface{ routes(router) } {
	return []interface{ routes(router) }{accounts{s}, accountLinks{s}, messages{s}, accountMobile{s}, unsubscribe{s}, contestAdmin{s}}
}

// router is where a resource registers its routes: one group per audience, each with the
// middleware that admits it, and the rate limits some routes share.
type router struct {
	public, my, admin     routeGroup // pages: anyone, signed in, organizers
	api, user, org, judge routeGroup // API: anyone, signed in, organizers, judges' API
	signIn, signUp        echo.MiddlewareFunc
	objections            echo.MiddlewareFunc
}

// rateLimit allows each client IP burst requests, then perSecond, in this replica's memory;
// a refused request gets the code too_many_requests and message.
func rateLimit(perSecond float64, burst int, expires time.Duration, message string) echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(perSecond), Burst: burst, ExpiresIn: expires}),
		DenyHandler: func(echo.Context, string, error) error {
			return contest.Errorf(contest.ETooManyRequests, "%s", message)
		},
		ErrorHandler: func(_ echo.Context, err error) error { return contest.Internal(err) },
	})
}

// routeGroup registers routes under a prefix with route-level middleware.
type routeGroup struct {
	e      *echo.Echo
	prefix string
	mw     []echo.MiddlewareFunc
}

func (g routeGroup) GET(path string, h echo.HandlerFunc) { g.e.GET(g.prefix+path, h, g.mw...) }
func (g routeGroup) POST(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.e.POST(g.prefix+path, h, append(g.mw, mw...)...)
}
func (g routeGroup) PUT(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.e.PUT(g.prefix+path, h, append(g.mw, mw...)...)
}
func (g routeGroup) DELETE(path string, h echo.HandlerFunc) { g.e.DELETE(g.prefix+path, h, g.mw...) }

func (s *Server) handleReady(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// logRequests logs one line per request: method, route, status, time, bytes sent and (through
// the context) the request's ID. Never query strings or bodies, which can hold personal data.
// It runs before routing, so that the body limits' refusals are logged too, and handles the
// error itself, so that the metrics see the status sent.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		if c.Path() == "/healthz" || c.Path() == "/readyz" || c.Path() == "/static*" || c.Path() == "/metrics" {
			return nil
		}
		s.log.InfoContext(c.Request().Context(), "request", "method", c.Request().Method, "route", c.Path(), "status", status,
			"ms", time.Since(start).Milliseconds(), "bytes", c.Response().Size)
		return nil
	}
}

// maxParamLen bounds an id, token or serial in a path; real ones are under 100 characters.
const maxParamLen = 200

// rejectMalformedParams answers 404 for a path whose ids are not text an id can be (a NUL
// byte, invalid UTF-8, or absurdly long), before any handler reads them: the database would
// refuse them with an error that is not the client's business.
func rejectMalformedParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, v := range c.ParamValues() {
			if len(v) > maxParamLen || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return contest.Errorf(contest.ENotFound, "页面不存在")
			}
		}
		return next(c)
	}
}

// noStore forbids caches to keep any answer but the static files: pages and API answers carry
// personal numbers, scans and links for their owner only. A handler whose answer may be kept
// (a poster frame, named by its video's version) says so itself.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			c.Response().Header().Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// exposeCSRF hands API clients the CSRF token in a response header.
func (s *Server) exposeCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if tok, ok := c.Get("csrf").(string); ok {
			c.Response().Header().Set("X-CSRF-Token", tok)
		}
		return next(c)
	}
}

// limitBodyTime gives the request's body d to arrive: the connection's read deadline, lifted as
// soon as the whole body has arrived, so that it never cuts a long answer (a download) short.
// A body that stalls keeps the deadline, and the server drops the connection. A request
// without a body gets none.
func limitBodyTime(c echo.Context, d time.Duration) {
	r := c.Request()
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	rc := http.NewResponseController(c.Response().Writer)
	if rc.SetReadDeadline(time.Now().Add(d)) != nil {
		return
	}
	r.Body = &timedBody{ReadCloser: r.Body, rc: rc}
}

// timedBody lifts the connection's read deadline once the whole body is read.
type timedBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	once sync.Once
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.once.Do(func() { _ = b.rc.SetReadDeadline(time.Time{}) })
	}
	return n, err
}

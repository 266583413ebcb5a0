// Package http is the web edge of the contest: Chinese server-rendered pages for contestants and
// organizers, and the JSON API under /api/v1 (described in api/openapi.yaml). It turns requests
// into calls on the domain service and domain errors into one response shape.
package http

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/jskx/contest/internal/contest"
)

// Options are the edge's settings.
type Options struct {
	// SecureCookies marks cookies Secure (set when the site is served over HTTPS).
	SecureCookies bool
	// BaseURL is the public address, used in consent links.
	BaseURL string
	// MaxBodyBytes bounds request bodies other than file uploads.
	MaxBodyBytes int64
}

// Server holds the Echo instance and what the handlers need.
type Server struct {
	echo  *echo.Echo
	svc   *contest.Services
	ready func(context.Context) error
	log   *slog.Logger
	opts  Options
	pages *pages
}

// New builds the router. ready reports whether the database and storage answer (for /readyz).
func New(svc *contest.Services, ready func(context.Context) error, log *slog.Logger, opts Options) *Server {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	s := &Server{echo: echo.New(), svc: svc, ready: ready, log: log, opts: opts, pages: mustParsePages()}
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = echo.ExtractIPFromXFFHeader() // behind the load balancer; see docs/configuration.md
	// Bodies are limited before anything reads them (the CSRF check parses forms): small JSON
	// and forms everywhere, a scan of the paper form on the scan routes.
	// A video part (local folder) is bounded by its planned size in the handler.
	isScan := func(c echo.Context) bool { return strings.HasSuffix(c.Request().URL.Path, "/scan") }
	isPart := func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/v1/parts/") }
	e.Pre(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: fmt.Sprintf("%dB", opts.MaxBodyBytes), Skipper: func(c echo.Context) bool { return isScan(c) || isPart(c) }}))
	e.Pre(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: fmt.Sprintf("%dB", contest.MaxScanBytes+1<<20), Skipper: func(c echo.Context) bool { return !isScan(c) }}))
	e.Pre(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: fmt.Sprintf("%dB", int64(contest.MaxPartSize)), Skipper: func(c echo.Context) bool { return !isPart(c) }}))
	e.Use(middleware.Recover())
	e.Use(s.logRequests)
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ReferrerPolicy: "same-origin",
	}))
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		Skipper:        func(c echo.Context) bool { return c.Path() == "/healthz" || c.Path() == "/readyz" },
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
	static, _ := fs.Sub(assets, "static")
	e.StaticFS("/static", static)

	// Pages.
	e.GET("/", s.pageHome)
	e.GET("/signup", s.pageSignUp)
	// Sign-in and sign-up are rate limited per client IP against password guessing (per
	// replica; a shared limit would need a shared store).
	limit := rateLimit(1, 20, 10*time.Minute, "尝试次数过多，请稍后再试")
	e.POST("/signup", s.pageSignUpPost, limit)
	e.GET("/login", s.pageLogin)
	e.POST("/login", s.pageLoginPost, limit)
	e.POST("/logout", s.pageLogout)
	e.GET("/consent/:token", s.pageConsentLink)
	e.POST("/consent/:token", s.pageConsentLinkPost)
	// Public results: the 公示 and its objections, the final results, the gallery, and the
	// verification of certificates.
	e.GET("/results", s.pageResults)
	// Objections have their own, much slower budget: each one must be decided by hand.
	objectionLimit := rateLimit(1.0/600, 10, time.Hour, "提交过于频繁，请稍后再试")
	e.POST("/results/objections", s.pageFileObjection, objectionLimit)
	e.GET("/showcase", s.pageShowcase)
	e.GET("/showcase/:id/video", s.showcaseVideo)
	e.GET("/showcase/:id/poster", s.showcasePoster)
	e.GET("/verify", s.pageVerify)
	e.GET("/verify/:serial", s.pageVerify)

	// Middleware goes on each route: an Echo group with middleware adds catch-all routes
	// under its prefix, which would turn every unknown URL into a sign-in redirect.
	my := routeGroup{e: e, prefix: "", mw: []echo.MiddlewareFunc{s.requirePageUser}}
	my.GET("/my", s.pageMy)
	my.GET("/account/password", s.pagePassword)
	my.POST("/account/password", s.pagePasswordPost)
	my.GET("/submissions/new", s.pageNewSubmission)
	my.POST("/submissions", s.pageCreateSubmission)
	my.GET("/submissions/:id", s.pageSubmission)
	my.GET("/submissions/:id/edit", s.pageEditSubmission)
	my.POST("/submissions/:id", s.pageUpdateSubmission)
	my.POST("/submissions/:id/finalize", s.pageFinalize)
	my.POST("/submissions/:id/delete", s.pageDelete)
	my.POST("/submissions/:id/scan", s.pageUploadScan)
	my.GET("/submissions/:id/scan", s.downloadScan)
	my.GET("/submissions/:id/video", s.downloadVideo)
	my.GET("/submissions/:id/poster", s.poster)
	my.GET("/certificates/:serial", s.downloadCertificate)
	my.GET("/judge/works/:id", s.pageJudgeWork)
	my.POST("/judge/works/:id", s.pageScoreWork)
	my.POST("/judge/works/:id/conflict", s.pageDeclareConflict)
	my.GET("/submissions/:id/participants/:pid/consent", s.pageOwnerConsent)
	my.POST("/submissions/:id/participants/:pid/consent", s.pageOwnerConsentPost)

	admin := routeGroup{e: e, prefix: "/admin", mw: []echo.MiddlewareFunc{s.requirePageUser, requireOrganizer}}
	admin.GET("/submissions", s.pageAdminSubmissions)
	admin.POST("/submissions", s.pageAdminSearch)
	admin.GET("/submissions/:id", s.pageAdminSubmission)
	admin.POST("/submissions/:id/recheck", s.pageRecheck)
	admin.GET("/password-reset", s.pageAdminReset)
	admin.POST("/password-reset", s.pageAdminResetPost)
	admin.GET("/judges", s.pageJudges)
	admin.POST("/judges", s.pageInviteJudge)
	admin.POST("/judges/:id/activate", s.pageSetJudgeActive(true))
	admin.POST("/judges/:id/deactivate", s.pageSetJudgeActive(false))
	admin.POST("/submissions/:id/formal-review", s.pageFormalReview)
	admin.GET("/audit", s.pageAudit)
	admin.GET("/audit.csv", s.auditCSV)
	admin.GET("/judging", s.pageJudging)
	admin.POST("/judging/assign", s.pageRunAssignment)
	admin.POST("/judging/close", s.pageCloseJudging)
	admin.GET("/judging/assignments", s.pageAssignments)
	admin.POST("/judging/assignments/preview", s.pagePreviewAssignment)
	admin.POST("/judging/assignments/move", s.pageMoveAssignment)
	admin.GET("/judging/settings", s.pageJudgingSettings)
	admin.POST("/awards/confirm", s.pageConfirmAwards)
	admin.POST("/awards/reopen", s.pageReopenAwards)
	admin.POST("/awards/:id", s.pageSetAward)
	admin.POST("/judging/settings", s.pageJudgingSettingsPost)
	admin.GET("/contest", s.pageAdminContest)
	admin.POST("/contest", s.pageAdminContestPost)
	admin.GET("/publication", s.pagePublication)
	admin.POST("/publication/publicity", s.publicationAction(s.startPublicity))
	admin.POST("/publication/publish", s.publicationAction(s.publish))
	admin.POST("/publication/unpublish", s.publicationAction(s.unpublish))
	admin.POST("/publication/settings", s.pagePublicationSettings)
	admin.GET("/publication/certificate-preview", s.previewCertificate)
	admin.POST("/publication/exports", s.publicationAction(s.startExport))
	admin.POST("/objections", s.pageDecideObjections)
	admin.GET("/objections/:id", s.pageObjection)
	admin.POST("/objections/:id", s.pageDecideObjection)
	admin.POST("/recommendations/:id", s.publicationAction(s.recommend))
	admin.GET("/exports", s.pageExports)
	admin.GET("/exports/sheets/:name", s.downloadSheets)
	admin.POST("/exports/registrations-full", s.downloadFullRegistrations)
	admin.GET("/exports/packages/:id/download", s.downloadExport)
	admin.GET("/statistics", s.pageStatistics)

	// JSON API.
	api := routeGroup{e: e, prefix: "/api/v1"}
	api.POST("/auth/signup", s.apiSignUp, limit)
	api.POST("/auth/login", s.apiLogin, limit)
	api.POST("/auth/logout", s.apiLogout)
	api.GET("/contest", s.apiContest)
	api.GET("/consent/:token", s.apiConsentByToken)
	api.POST("/consent/:token", s.apiGiveConsentByToken)
	api.GET("/results", s.apiResults)
	api.POST("/results/objections", s.apiFileObjection, objectionLimit)
	api.GET("/verify/:serial", s.apiVerify)

	user := routeGroup{e: e, prefix: "/api/v1", mw: []echo.MiddlewareFunc{s.requireAPIUser}}
	user.GET("/me", s.apiMe)
	user.POST("/me/password", s.apiChangePassword)
	user.GET("/submissions", s.apiMySubmissions)
	user.POST("/submissions", s.apiCreateSubmission)
	user.GET("/submissions/:id", s.apiSubmission)
	user.PUT("/submissions/:id", s.apiUpdateSubmission)
	user.DELETE("/submissions/:id", s.apiDeleteSubmission)
	user.POST("/submissions/:id/finalize", s.apiFinalize)
	user.POST("/submissions/:id/participants/:pid/consent", s.apiOwnerConsent)
	user.PUT("/submissions/:id/scan", s.apiUploadScan)
	user.GET("/submissions/:id/scan", s.downloadScan)
	user.POST("/submissions/:id/video/uploads", s.apiStartUpload)
	user.GET("/submissions/:id/video/upload", s.apiCurrentUpload)
	user.GET("/submissions/:id/video", s.downloadVideo)
	user.GET("/submissions/:id/poster", s.poster)
	user.POST("/uploads/:uid/parts", s.apiPartTargets)
	user.POST("/uploads/:uid/complete", s.apiCompleteUpload)
	user.DELETE("/uploads/:uid", s.apiAbortUpload)
	user.PUT("/parts/:sid/:n", s.putPart)

	org := routeGroup{e: e, prefix: "/api/v1/admin", mw: []echo.MiddlewareFunc{s.requireAPIUser, requireOrganizer}}
	org.GET("/submissions", s.apiAdminSubmissions)
	org.POST("/submissions/:id/video/check", s.apiRecheck)
	org.POST("/submissions/search", s.apiAdminSearch)
	org.PUT("/contest", s.apiUpdateContest)
	org.POST("/password-resets", s.apiResetPassword)
	org.GET("/judges", s.apiJudges)
	org.POST("/judges", s.apiInviteJudge)
	org.POST("/judges/:id/activate", s.apiSetJudgeActive(true))
	org.POST("/judges/:id/deactivate", s.apiSetJudgeActive(false))
	org.PUT("/submissions/:id/formal-review", s.apiFormalReview)
	org.GET("/audit", s.apiAudit)
	org.POST("/assignments/run", s.apiRunAssignment)
	org.POST("/assignments/preview", s.apiPreviewAssignment)
	org.POST("/assignments/move", s.apiMoveAssignment)
	org.GET("/ranking", s.apiRanking)
	org.POST("/judging/close", s.apiCloseJudging)
	org.GET("/judging/settings", s.apiJudgingSettings)
	org.GET("/awards", s.apiAwards)
	org.PUT("/awards/:id", s.apiSetAward)
	org.POST("/awards/confirm", s.apiConfirmAwards)
	org.POST("/awards/reopen", s.apiReopenAwards)
	org.PUT("/judging/settings", s.apiUpdateJudgingSettings)
	org.GET("/publication", s.apiPublication)
	org.POST("/publication/publicity", s.apiPublicationAction(s.apiStartPublicity))
	org.POST("/publication/publish", s.apiPublicationAction(s.apiPublish))
	org.POST("/publication/unpublish", s.apiPublicationAction(s.apiUnpublish))
	org.PUT("/objections/:id", s.apiDecideObjection)
	org.PUT("/recommendations/:id", s.apiSetRecommended)
	org.POST("/exports", s.apiStartExport)
	org.GET("/exports/:id", s.apiExport)
	org.GET("/statistics", s.apiStatistics)

	judge := routeGroup{e: e, prefix: "/api/v1/judge", mw: []echo.MiddlewareFunc{s.requireAPIUser}}
	judge.GET("/works", s.apiJudgeQueue)
	judge.GET("/works/:id", s.apiJudgeTask)
	judge.PUT("/works/:id/review", s.apiScoreWork)
	judge.GET("/works/:id/video", s.judgeVideo)
	judge.GET("/works/:id/poster", s.judgePoster)
	judge.POST("/works/:id/conflict", s.apiDeclareConflict)
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
		s.log.Warn("not ready", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// logRequests logs one line per request: method, route, status and time. Never query strings
// or bodies, which can hold personal data.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		if c.Path() == "/healthz" || c.Path() == "/readyz" || c.Path() == "/static*" {
			return nil
		}
		s.log.Info("request", "method", c.Request().Method, "route", c.Path(), "status", status,
			"ms", time.Since(start).Milliseconds())
		return nil
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

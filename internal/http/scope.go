package http

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// Every request is about one contest: the one its URL names, /c/{slug}/… for pages and
// /api/v1/contests/{slug}/… for the API, or the default contest for the routes without a
// prefix, which stay as they were (links and certificates made before there were several
// contests keep working). selectContest strips the prefix before routing, so each route is
// registered once, and puts the contest into the request's context: the stores then find only
// that contest's rows (contest.InContest), and the pages' links keep the prefix (view.Base).

const (
	contestKey = "contest" // the request's contest.Contest
	baseKey    = "base"    // "/c/{slug}" when the URL named the contest, else ""
	pagePrefix = "/c/"
	apiPrefix  = "/api/v1/contests/"
)

// unscoped are the paths about no contest: assets, probes, and the parts of a video upload
// (bound to their upload and account, whichever contest the work is in).
func unscoped(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/readyz" || path == "/metrics" ||
		strings.HasPrefix(path, "/api/v1/parts/")
}

// selectContest finds the request's contest and strips its prefix from the path. An unknown
// slug is 404.
func (s *Server) selectContest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		path := req.URL.Path
		if unscoped(path) || s.svc == nil { // no services: the route tests' bare server
			return next(c)
		}
		ctx := req.Context()
		var ct contest.Contest
		var err error
		switch slug, rest, ok := contestPrefix(path); {
		case ok && strings.HasPrefix(path, apiPrefix):
			ct, err = s.svc.Contests.ContestBySlug(ctx, slug)
			req.URL.Path, req.URL.RawPath = "/api/v1"+rest, ""
			c.Set(baseKey, pagePrefix+slug)
		case ok:
			ct, err = s.svc.Contests.ContestBySlug(ctx, slug)
			req.URL.Path, req.URL.RawPath = rest, ""
			c.Set(baseKey, pagePrefix+slug)
		default:
			ct, err = s.svc.Contests.DefaultContest(ctx)
			if contest.ErrorCode(err) == contest.ENotFound { // no contest yet: nothing to scope
				return next(c)
			}
		}
		if contest.ErrorCode(err) == contest.ENotFound {
			err = contest.Errorf(contest.ENotFound, "活动不存在")
		}
		if err != nil {
			// Answered once routed (contestError), so that the logs name the route.
			c.Set(contestErrKey, err)
			return next(c)
		}
		c.Set(contestKey, ct)
		c.SetRequest(req.WithContext(contest.InContest(ctx, ct.ID)))
		return next(c)
	}
}

// contestErrKey holds why the request's contest could not be found (the database is down, an
// unknown slug).
const contestErrKey = "contest_err"

// contestError answers a request whose contest could not be found with why, before anything
// else runs for it: nothing is served about no contest.
func contestError(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err, ok := c.Get(contestErrKey).(error); ok {
			return err
		}
		return next(c)
	}
}

// contestPrefix splits /c/{slug}/rest or /api/v1/contests/{slug}/rest; rest is "/" for the
// contest's own start page.
func contestPrefix(path string) (slug, rest string, ok bool) {
	var tail string
	switch {
	case strings.HasPrefix(path, apiPrefix):
		tail = path[len(apiPrefix):]
	case strings.HasPrefix(path, pagePrefix):
		tail = path[len(pagePrefix):]
	default:
		return "", "", false
	}
	slug, rest, _ = strings.Cut(tail, "/")
	if slug == "" {
		return "", "", false
	}
	return slug, "/" + rest, true
}

// requestContest returns the request's contest; the zero Contest before any exists.
func requestContest(c echo.Context) contest.Contest {
	ct, _ := c.Get(contestKey).(contest.Contest)
	return ct
}

// base is the prefix the request's URL named its contest by ("" for the default contest's
// unprefixed routes): the pages' links and redirects keep it.
func base(c echo.Context) string {
	b, _ := c.Get(baseKey).(string)
	return b
}

// seeOther redirects to a path of the site, keeping the request's contest prefix.
func seeOther(c echo.Context, path string) error {
	return c.Redirect(http.StatusSeeOther, base(c)+path)
}

// scopeUser marks a judge or an organizer who is not a member of the request's contest (a site
// administrator runs every contest): there they may do nothing a judge or organizer may.
func (s *Server) scopeUser(c echo.Context, u contest.User) (contest.User, error) {
	ct := requestContest(c)
	if ct.ID == "" || u.Role == contest.RoleContestant || u.IsSiteAdmin() {
		return u, nil
	}
	member, err := s.svc.Contests.IsMember(c.Request().Context(), ct.ID, u.ID)
	if err != nil {
		return u, err
	}
	u.OutsideContest = !member
	return u, nil
}

// archiveGuard refuses every change to an archived contest but the site's own (accounts,
// messages, the site administrator's contest page) and the purge of its personal data.
func (s *Server) archiveGuard(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if ct := requestContest(c); ct.ArchivedAt != nil && !s.siteRoutes[c.Request().Method+" "+c.Path()] && !archiveOpen[c.Path()] {
			return ct.CheckWritable()
		}
		return next(c)
	}
}

// contestURL is the site's address with the request's contest prefix: where the links made for
// other people (a teammate's 授权书) point.
func (s *Server) contestURL(c echo.Context) string { return s.baseURL(c) + base(c) }

// apiRoot is the API's root for the request's contest: /api/v1, or /api/v1/contests/{slug}
// when the URL named the contest.
func apiRoot(c echo.Context) string {
	if b := base(c); b != "" {
		return apiPrefix + strings.TrimPrefix(b, pagePrefix)
	}
	return "/api/v1"
}

// linkFields are the JSON fields holding links the API builds (never anyone's input), with the
// root each starts with.
var linkFields = []struct{ key, root string }{
	{`"poster_url":"/api/v1`, "/api/v1"}, {`"video_url":"/api/v1`, "/api/v1"}, {`"download_url":"`, ""},
}

// scopedJSON writes JSON as Echo does and, for a request whose URL named its contest, puts the
// contest's prefix into the links the API built, so that following one stays in the contest.
type scopedJSON struct{ echo.DefaultJSONSerializer }

func (j scopedJSON) Serialize(c echo.Context, i any, indent string) error {
	b := base(c)
	if b == "" {
		return j.DefaultJSONSerializer.Serialize(c, i, indent)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(i); err != nil {
		return err
	}
	out := buf.Bytes()
	for _, f := range linkFields {
		to := strings.TrimSuffix(f.key, f.root)
		if f.root == "" {
			to += b
		} else {
			to += apiRoot(c)
		}
		out = bytes.ReplaceAll(out, []byte(f.key), []byte(to))
	}
	_, err := c.Response().Write(out)
	return err
}

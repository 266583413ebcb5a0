package http_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// contestSide is one of two contests running at once, with someone in each role of it only
// and a record of each kind, whose ids the other contest's requests try.
type contestSide struct {
	slug, id, name                     string
	org, judge, contestant             *client
	judgeID, judgeMail, contestantMail string
	// works: the contestant's and the two-contest contestant's (both submitted, passed, scored,
	// the first awarded and recommended), then the contestant's draft with an upload under way.
	works                              []string
	pids                               map[string][]string // the works' participants
	upload, partPath, token, objection string
	export                             string
	pair                               string            // the judge's pair of the pairwise check
	markers                            map[string]string // what no answer about the other contest may show: value → what it is
}

// apiRoots and pageRoots are the ways to name the side's contest in a URL: its prefix and,
// for the default contest, none.
func (s *contestSide) apiRoots() []string {
	roots := []string{"/api/v1/contests/" + s.slug}
	if s.slug == "2022" {
		roots = append(roots, "/api/v1")
	}
	return roots
}

func (s *contestSide) pageRoots() []string {
	roots := []string{"/c/" + s.slug}
	if s.slug == "2022" {
		roots = append(roots, "")
	}
	return roots
}

// in puts a route (as registered, /api/v1/… or /…) under one of the side's roots.
func in(root, route string) string {
	if rest, ok := strings.CutPrefix(route, "/api/v1"); ok {
		return root + rest
	}
	return root + route
}

// setUpSide runs a contest up to its 公示: an organizer of it only, a judge of it only, a
// contestant with a submitted work and a draft being uploaded, the two-contest contestant's
// work, formal review, assignment, scores, awards, a recommendation, an objection and an
// export. The clock must be in both contests' collection windows; it is left there.
func setUpSide(t *testing.T, e *env, admin, both *client, slug, id, name string) *contestSide {
	s := &contestSide{slug: slug, id: id, name: name, pids: map[string][]string{}, markers: map[string]string{}}
	var added struct{ Password string }
	orgMail := name + "-org@example.org"
	admin.Must(http.StatusOK, "POST", "/api/v1/admin/contests/"+id+"/organizers",
		map[string]string{"email": orgMail, "name": name + "组织者"}).JSON(t, &added)
	s.org = e.Client()
	s.org.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": orgMail, "password": added.Password})
	s.org.Must(http.StatusNoContent, "POST", "/api/v1/me/password", map[string]string{"current_password": added.Password, "new_password": slug + "-org-pass"})
	org := s.org.In(slug)
	s.judgeMail = name + "-judge@example.org"
	s.judge, s.judgeID, _ = e.InviteJudge(org, s.judgeMail, name+"评委", name+"科技馆")

	s.contestantMail = name + "-entrant@example.org"
	s.contestant = e.Client().SignUp(s.contestantMail)
	video := fixtureFile(t, "作品.mp4", ffmpegtest.Video{Audio: true})
	s.works = []string{enter(s.contestant.In(slug), name+"作品一", video), enter(both.In(slug), name+"作品二", video)}
	draft := s.contestant.In(slug).Create(workOf(name+"草稿", "省气象局", "南京市"))
	u := s.contestant.In(slug).StartUpload(draft.ID, video)
	s.upload, s.partPath = u.ID, "/api/v1/parts/"+u.ID+"/1"
	if targets, r := s.contestant.In(slug).Targets(u, video, 1); r.Status == http.StatusOK && strings.HasPrefix(targets[0].URL, "/api/v1/parts/") {
		s.partPath = targets[0].URL // the local folder's part URL; S3's is the object store's
	}
	s.token = draft.Participants[1].ConsentURL[strings.LastIndex(draft.Participants[1].ConsentURL, "/")+1:]
	s.works = append(s.works, draft.ID)
	for i, w := range s.works {
		owner := []*client{s.contestant, both, s.contestant}[i]
		var sub struct {
			Reference    string
			Registration struct{ Title string }
			Participants []struct{ ID string }
		}
		owner.In(slug).Must(http.StatusOK, "GET", "/api/v1/submissions/"+w, nil).JSON(t, &sub)
		for _, p := range sub.Participants {
			s.pids[w] = append(s.pids[w], p.ID)
			s.markers[p.ID] = "a participant's id"
		}
		s.markers[w], s.markers[sub.Reference], s.markers[sub.Registration.Title] = "a work's id", "a work's reference", "a work's title"
	}
	for _, w := range s.works[:2] {
		org.PassFormal(w)
	}
	var js map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &js)
	js["reviews_per_work"], js["quotas"] = 1, []map[string]any{{"count": 1}, {"count": 0}, {"count": 0}}
	js["pairwise"] = map[string]any{"enabled": true, "per_side": 1, "judges_per_pair": 1}
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", js)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	s.markers[s.judgeID], s.markers[s.judgeMail], s.markers[orgMail] = "the judge's id", "the judge's email", "the organizer's email"
	s.markers[s.contestantMail], s.markers[s.upload], s.markers[s.token] = "the contestant's email", "the upload's id", "a consent link's token"
	return s
}

// review has the side's judge score its works, the organizer close judging, confirm the
// awards, recommend the winner, start the 公示 and a package; the public files an objection.
// The clock must be in the review windows.
func (s *contestSide) review(t *testing.T, e *env) {
	org := s.org.In(s.slug)
	for i, w := range s.works[:2] {
		p := float64(i)
		scores := map[string]float64{"theme": 29 - p, "orientation": 19 - p, "timeliness": 24 - p, "artistry": 24 - p}
		s.judge.In(s.slug).Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+w+"/review", map[string]any{"scores": scores, "submit": true})
	}
	org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/pairwise/start", nil)
	var pairs struct{ Items []struct{ ID string } }
	s.judge.In(s.slug).Must(http.StatusOK, "GET", "/api/v1/judge/pairs", nil).JSON(t, &pairs)
	if len(pairs.Items) != 1 {
		t.Fatalf("%s: the judge's pairs %+v, want the one pair at the cut", s.slug, pairs.Items)
	}
	s.pair = pairs.Items[0].ID
	s.markers[s.pair] = "a pair's id"
	org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/recommendations/"+s.works[0], map[string]bool{"recommended": true})
	org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
	e.Client().In(s.slug).Must(http.StatusCreated, "POST", "/api/v1/results/objections", map[string]string{"work_id": s.works[0],
		"name": "赵六", "contact": "13912345678", "reason": "该作品与往届获奖作品高度相似，请核实原创性。"})
	var pub struct{ Objections []struct{ ID string } }
	org.Must(http.StatusOK, "GET", "/api/v1/admin/publication", nil).JSON(t, &pub)
	if len(pub.Objections) != 1 {
		t.Fatalf("%s: objections %+v", s.slug, pub.Objections)
	}
	s.objection = pub.Objections[0].ID
	var j struct{ ID string }
	org.Must(http.StatusAccepted, "POST", "/api/v1/admin/exports", map[string]string{"kind": "national"}).JSON(t, &j)
	s.export = j.ID
	s.markers[s.objection], s.markers[s.export] = "the objection's id", "the export's id"
}

// routeParam matches Echo's ":name" path parameters.
var routeParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// expand fills a route's parameters with the side's ids: one path per id (a work's
// participants per work). carriesID is false for parameters that name no contest's record
// (a notice kind, a sheet, an account link's token, a certificate serial).
func (s *contestSide) expand(route string) (paths []string, carriesID bool, err error) {
	if strings.Contains(route, "/:id/participants/:pid") {
		for _, w := range s.works {
			for _, p := range s.pids[w] {
				paths = append(paths, strings.NewReplacer(":id", w, ":pid", p).Replace(route))
			}
		}
		return paths, true, nil
	}
	m := routeParam.FindStringSubmatchIndex(route)
	if m == nil {
		return []string{route}, false, nil
	}
	before, param := route[:m[0]], route[m[2]:m[3]]
	after := func(suffixes ...string) bool {
		return slices.ContainsFunc(suffixes, func(x string) bool { return strings.HasSuffix(before, x) })
	}
	var vals []string
	carriesID = true
	switch {
	case param == "id" && after("/submissions/", "/judge/works/", "/awards/", "/recommendations/", "/showcase/"):
		vals = s.works
	case param == "id" && after("/judge/pairs/"):
		vals = []string{s.pair}
	case param == "side":
		vals, carriesID = []string{"a"}, false
	case param == "id" && after("/judges/"):
		vals = []string{s.judgeID}
	case param == "id" && after("/objections/"):
		vals = []string{s.objection}
	case param == "id" && after("/exports/", "/exports/packages/"):
		vals = []string{s.export}
	case param == "id" && after("/contests/"):
		vals = []string{s.id}
	case param == "uid":
		vals = []string{s.upload}
	case param == "sid" && route == "/api/v1/parts/:sid/:n":
		return []string{s.partPath}, true, nil
	case param == "token" && after("/consent/"):
		vals = []string{s.token}
	case param == "token" || param == "serial":
		vals, carriesID = []string{"x"}, false // an account's link or a certificate: no contest's record
	case param == "kind":
		vals, carriesID = []string{"objection_upheld"}, false
	case param == "name":
		vals, carriesID = []string{"registrations", "scores", "results", "statistics"}, false
	case param == "n" && after("/scan/frames/"):
		vals, carriesID = []string{"1"}, false // a frame of the work :id names
	case param == "n" && after("/judging/rounds/"):
		vals, carriesID = []string{"1"}, false // a round is the contest's own: its number names nothing else
	default:
		return nil, false, fmt.Errorf("route %s: parameter :%s names nothing the test knows; give it the other contest's ids in expand", route, param)
	}
	for _, v := range vals {
		more, id, err := s.expand(route[:m[0]] + v + route[m[1]:])
		if err != nil {
			return nil, false, err
		}
		paths, carriesID = append(paths, more...), carriesID || id
	}
	return paths, carriesID, nil
}

// shows tells the first of the side's markers in an answer's body (every file of a ZIP, which
// a spreadsheet is).
func (s *contestSide) shows(r response) string {
	text := string(r.Body)
	if zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body))); err == nil {
		for _, f := range zr.File {
			if rc, err := f.Open(); err == nil {
				b, _ := io.ReadAll(rc)
				rc.Close()
				text += string(b)
			}
		}
	}
	for m, what := range s.markers {
		if m != "" && strings.Contains(text, m) {
			return what + " " + m
		}
	}
	return ""
}

// succeeded reports whether a request was answered rather than refused: 2xx, or a redirect
// anywhere but to the sign-in and password pages.
func succeeded(r response) bool {
	loc := r.Header.Get("Location")
	return r.Status < 300 || r.Status < 400 && !strings.Contains(loc, "/login") && !strings.Contains(loc, "/account/password")
}

// actor is someone sending the matrix's requests.
type actor struct {
	name string
	c    *client
}

// scanRoute takes its file as a form; every other route takes JSON.
const scanRoute = "PUT /api/v1/submissions/:id/scan"

// send sends a request to exactly path (no contest prefix added), with a JSON body, or a PDF
// for a scan.
func send(c *client, method, path string, body any) response {
	if scan, ok := body.(scanFile); ok {
		return c.In("").putScanAt(path, "授权书.pdf", scan)
	}
	return c.In("").Do(method, path, body)
}

// scanFile is a signed 授权书's scan to send.
type scanFile []byte

// bodies are the requests' bodies that get past validation to the record, so that a refusal
// is the scope's, not the form's.
func bodies(y *contestSide, x *contestSide) map[string]any {
	consent := map[string]any{"name": "李四", "id_number": idLi, "agreed": true}
	return map[string]any{
		"PUT /api/v1/submissions/:id": validInput(),
		scanRoute:                     scanFile("%PDF-1.4\n签字版授权书"),
		"POST /api/v1/submissions/:id/participants/:pid/consent": consent,
		"POST /api/v1/consent/:token":                            consent,
		"POST /api/v1/submissions/:id/video/uploads":             map[string]any{"name": "作品.mp4", "size": 1 << 20, "type": "video/mp4", "last_modified": 1652580000000},
		"POST /api/v1/uploads/:uid/parts":                        map[string]any{"parts": []map[string]any{{"n": 1, "sha256": sha256b64(nil)}}},
		"POST /api/v1/uploads/:uid/complete":                     map[string]string{"checksum": sha256b64(nil)},
		"PUT /api/v1/admin/submissions/:id/formal-review":        map[string]string{"decision": "excluded", "reason": "偏离主题"},
		"PUT /api/v1/admin/awards/:id":                           map[string]string{"tier": "second", "reason": "调整"},
		"PUT /api/v1/admin/recommendations/:id":                  map[string]bool{"recommended": false},
		"PUT /api/v1/admin/objections/:id":                       map[string]any{"upheld": true, "decision": "经核查，异议成立。"},
		"PUT /api/v1/judge/works/:id/review":                     map[string]any{"scores": map[string]float64{"theme": 1}},
		"PUT /api/v1/judge/pairs/:id":                            map[string]string{"choice": "a"},
		"POST /api/v1/judge/works/:id/conflict":                  map[string]string{"reason": "同一单位"},
		"PUT /api/v1/admin/contests/:id/archive":                 map[string]bool{"archived": true},
		"POST /api/v1/admin/contests/:id/organizers":             map[string]string{"email": "intruder@example.org", "name": "外人"},
		"POST /api/v1/admin/assignments/move":                    map[string]string{"submission_id": y.works[0], "from": y.judgeID, "to": x.judgeID},
		"POST /api/v1/results/objections":                        map[string]string{"work_id": y.works[1], "name": "钱七", "contact": "qian@example.org", "reason": "该作品使用了未授权的背景音乐，请核实。"},
		"POST /api/v1/admin/password-resets":                     map[string]string{"email": y.contestantMail},
		"PUT /api/v1/admin/notice-templates/:kind":               map[string]string{"subject": "x", "body": "x"},
		"POST /api/v1/admin/notice-templates/:kind/preview":      map[string]string{"subject": "x", "body": "x"},
		"POST /api/v1/admin/submissions/search":                  map[string]any{},
		"POST /api/v1/admin/assignments/preview":                 map[string]any{},
		"POST /api/v1/admin/judging/advance":                     map[string]any{"shortlist": "1", "judges": []string{y.judgeID}},
		"PUT /api/v1/admin/judging/calibration":                  map[string]any{"work_ids": []string{y.works[0]}},
		"PUT /api/v1/admin/submissions/:id/scan/clearance":       map[string]any{"cleared": true, "note": "片尾署名为讲解对象"},
	}
}

// bodyIDs are the routes without a parameter whose body names a record: sent about one
// contest with the other's, they must be refused. The public's objections are sent by few
// actors: one address may file ten an hour.
var bodyIDs = map[string][]string{
	"POST /api/v1/admin/assignments/move":   nil,
	"POST /api/v1/admin/judging/advance":    nil,
	"PUT /api/v1/admin/judging/calibration": nil,
	"POST /api/v1/results/objections":       {"anonymous", "contestant of both"},
	"POST /api/v1/admin/password-resets":    {"organizer"},
}

// readOnlyPosts list without changing anything: their answers about one contest are read
// like the lists'.
var readOnlyPosts = map[string]bool{"POST /api/v1/admin/submissions/search": true, "POST /api/v1/admin/assignments/preview": true}

// ownAccount are the pages and lists of someone's account across contests: the contestant of
// both sees both contests' works and messages there, whatever the URL's contest.
var ownAccount = map[string]bool{"/my": true, "/messages": true, "/api/v1/me/notifications": true}

// noOtherContestID are the routes the matrix does not send: they name no record (they create
// in the request's contest, or act on the signed-in account or the account a mailed link is
// for), or would end the actors' sessions.
var noOtherContestID = map[string]bool{
	"POST /api/v1/auth/signup": true, "POST /api/v1/auth/login": true, "POST /api/v1/auth/logout": true,
	"POST /api/v1/me/password": true, "POST /api/v1/me/email": true, "POST /api/v1/me/email/verification": true,
	"PUT /api/v1/me/mobile": true, "PUT /api/v1/me/reminders": true, "POST /api/v1/me/notifications/read": true,
	"POST /api/v1/password/forgot": true, "POST /api/v1/password/reset": true, "POST /api/v1/email/verify": true,
	"POST /api/v1/submissions": true, "POST /api/v1/admin/contests": true,
	"POST /password/reset/:token": true, "POST /email/verify/:token": true, "POST /unsubscribe/:token": true,
}

// TestContestAccess_NothingCrossesBetweenContests is the authorization matrix across
// contests. Two contests run at once, each with its own organizer, judge and contestant, and
// one contestant enters both. Every API route, every page that reads and every page's form
// that names a record (the other contest's ids in its parameters), named by each contest's prefix and, for the default
// contest, by none, is asked by each actor: nothing about one contest may reach the other's
// records — no success with its ids, none of its titles, references or ids in an answer — and
// the organizer and judge of one get 403 on the other's organizer and judge routes.
func TestContestAccess_NothingCrossesBetweenContests(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		admin := e.Organizer()
		essayID := e.newContest(admin, "essay-2022")
		both := e.Client().SignUp("both@example.org")
		a := setUpSide(t, e, admin, both, "2022", e.Contest.ID, "甲赛")
		b := setUpSide(t, e, admin, both, "essay-2022", essayID, "乙赛")
		e.Clock.Set(reviewWindow)
		a.review(t, e)
		b.review(t, e)
		// Each contest numbers its works from 1, under its own series (2022-000001,
		// ESSAY-2022-000001): no marker is shared, but one contest's may stand inside the
		// other's, which then tells nothing.
		for ma := range a.markers {
			for mb := range b.markers {
				switch {
				case ma == mb:
					t.Errorf("both contests show %q", ma)
				case strings.Contains(mb, ma):
					delete(a.markers, ma)
				case strings.Contains(ma, mb):
					delete(b.markers, mb)
				}
			}
		}

		var leaks []string
		exercised := map[string]bool{}
		anon := e.Client()
		for _, dir := range [][2]*contestSide{{a, b}, {b, a}} {
			x, y := dir[0], dir[1]
			actors := []actor{{"site administrator", admin}, {"organizer", x.org}, {"judge", x.judge},
				{"contestant", x.contestant}, {"contestant of both", both}, {"anonymous", anon}}
			body := bodies(y, x)
			leak := func(who, method, path string, r response, why string) {
				leaks = append(leaks, fmt.Sprintf("%s %s as %s of %s = %d: %s", method, path, who, x.slug, r.Status, why))
			}
			for _, rt := range e.Routes() {
				key := rt.Method + " " + rt.Path
				api := strings.HasPrefix(rt.Path, "/api/v1/")
				if !pageOrAPI(rt.Method, rt.Path) || noOtherContestID[key] {
					continue
				}
				paths, carriesID, err := y.expand(rt.Path)
				if err != nil {
					t.Error(err)
					continue
				}
				roots := x.pageRoots()
				if api {
					roots = x.apiRoots()
				}
				for _, root := range roots {
					for _, p := range paths {
						path := in(root, p)
						switch {
						case carriesID: // about x, with y's record: refused, and shows nothing of y
							for _, ac := range actors {
								if ac.c == admin && (strings.HasPrefix(rt.Path, "/api/v1/admin/contests/") || strings.HasPrefix(rt.Path, "/admin/contests/")) {
									continue // the site administrator runs every contest
								}
								exercised[key] = true
								r := send(ac.c, rt.Method, path, bodyOf(body, key, api))
								if succeeded(r) {
									leak(ac.name, rt.Method, path, r, "answered with the other contest's id")
								} else if m := y.shows(r); m != "" {
									leak(ac.name, rt.Method, path, r, "shows "+m)
								}
							}
						case hasKey(bodyIDs, key): // y's ids in the body: refused
							for _, ac := range actors {
								if who := bodyIDs[key]; who != nil && !slices.Contains(who, ac.name) {
									continue
								}
								exercised[key] = true
								if r := send(ac.c, rt.Method, path, body[key]); succeeded(r) {
									leak(ac.name, rt.Method, path, r, "answered with the other contest's id in the body")
								}
							}
						case rt.Method == http.MethodGet || readOnlyPosts[key]: // x's lists: none of y
							for _, ac := range actors {
								exercised[key] = true
								r := send(ac.c, rt.Method, path, body[key])
								if m := y.shows(r); m != "" && !(ownAccount[rt.Path] && ac.c == both) {
									leak(ac.name, rt.Method, path, r, "shows "+m)
								}
							}
						}
					}
				}
				// Under y's prefix, x's organizer and judge are nobody in y's desk.
				if !desk(rt.Path) {
					continue
				}
				for _, p := range paths {
					root := y.pageRoots()[0]
					if api {
						root = y.apiRoots()[0]
					}
					path := in(root, p)
					for _, ac := range actors[1:3] {
						exercised[key] = true
						r := send(ac.c, rt.Method, path, body[key])
						if api && r.Status != http.StatusForbidden || succeeded(r) {
							leak(ac.name, rt.Method, path, r, "want 403 in the other contest")
						} else if m := y.shows(r); m != "" {
							leak(ac.name, rt.Method, path, r, "shows "+m)
						}
					}
				}
			}
		}

		sort.Strings(leaks)
		if len(leaks) > 0 {
			t.Errorf("%d cross-contest leaks:\n  %s", len(leaks), strings.Join(leaks, "\n  "))
		}

		// The lists were not empty for want of a session: each still shows its own contest's
		// records to whom they are for.
		for _, x := range []*contestSide{a, b} {
			for _, l := range []struct {
				c    *client
				path string
			}{{x.org, "/api/v1/admin/submissions"}, {x.org, "/api/v1/admin/audit"}, {x.org, "/api/v1/admin/judges"},
				{x.org, "/api/v1/admin/exports/" + x.export}, {x.org, "/admin/exports/sheets/registrations"}, {x.org, "/admin/audit"}, {anon, "/api/v1/results"}, {x.judge, "/api/v1/judge/works"},
				{both, "/api/v1/submissions"}, {x.contestant, "/api/v1/submissions"}} {
				root := x.pageRoots()[0]
				if strings.HasPrefix(l.path, "/api/v1/") {
					root = x.apiRoots()[0]
				}
				if r := send(l.c, "GET", in(root, l.path), nil); r.Status != http.StatusOK || x.shows(r) == "" {
					t.Errorf("GET %s = %d shows nothing of its own contest: the matrix's lists prove nothing", in(root, l.path), r.Status)
				}
			}
		}

		// No request of the matrix signed anyone out: the refusals were the scope's.
		for _, c := range []*client{admin, a.org, a.judge, a.contestant, b.org, b.judge, b.contestant, both} {
			if r := c.Do("GET", "/api/v1/me", nil); r.Status != http.StatusOK {
				t.Errorf("after the matrix, an actor is signed out (GET /api/v1/me = %d): its refusals prove nothing", r.Status)
			}
		}

		// Every route was asked; a new one must be given ids or a reason here.
		var missed []string
		for _, rt := range e.Routes() {
			key := rt.Method + " " + rt.Path
			if pageOrAPI(rt.Method, rt.Path) && !noOtherContestID[key] && !exercised[key] {
				missed = append(missed, key)
			}
		}
		sort.Strings(missed)
		if len(missed) > 0 {
			t.Errorf("routes the matrix did not exercise (give their parameters the other contest's ids, or list them in noOtherContestID with why):\n  %s", strings.Join(missed, "\n  "))
		}
		if len(exercised) < 80 {
			t.Errorf("only %d routes exercised: the matrix proves little", len(exercised))
		}
	})
}

// pageOrAPI reports whether a route is the matrix's: every API route but the probes', every
// page that reads (GET) and every page's form posted about a record (a parameter).
func pageOrAPI(method, path string) bool {
	switch {
	case method != http.MethodGet && method != http.MethodPost && method != http.MethodPut && method != http.MethodDelete:
		return false
	case strings.HasPrefix(path, "/api/v1/"):
		return true
	}
	return (method == http.MethodGet || method == http.MethodPost && strings.Contains(path, ":")) &&
		strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "/static") && path != "/healthz" && path != "/readyz" && path != "/metrics"
}

// desk reports whether a route is an organizer's or a judge's.
func desk(path string) bool {
	return slices.ContainsFunc([]string{"/api/v1/admin/", "/api/v1/judge/", "/admin/", "/judge/works/", "/judge/pairs/"},
		func(p string) bool { return strings.HasPrefix(path, p) })
}

// bodyOf is the route's body: its JSON, or a page's form (empty but for the forms checked
// before the record is looked up).
func bodyOf(bodies map[string]any, key string, api bool) any {
	if !api && strings.HasPrefix(key, "POST ") {
		if key == "POST /admin/submissions/:id/formal-review" {
			return url.Values{"decision": {"excluded"}, "reason": {"偏离主题"}}
		}
		return url.Values{}
	}
	return bodies[key]
}

func hasKey[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

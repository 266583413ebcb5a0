package http_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestJudging_EveryEndpointChecksTheRole asks every judging endpoint as each role: anonymous,
// contestant (the work's owner), a judge not assigned to the work, the assigned judge and an
// organizer. Reads are compared by status; writes only where the role must be refused.
func TestJudging_EveryEndpointChecksTheRole(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	owner, w := e.SubmitWork("zhang@example.org", nil)
	org.PassFormal(w)
	settings := map[string]any{"rubric": []map[string]any{{"key": "theme", "name": "主题", "max_points": 100, "weight": 100}},
		"reviews_per_work": 1, "quotas": []map[string]any{{"count": 1}, {"count": 0}, {"count": 0}}, "normalize": false}
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
	a, _, _ := e.InviteJudge(org, "a@example.org", "评委", "甲馆")
	b, _, _ := e.InviteJudge(org, "b@example.org", "评委", "乙馆")
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	var qa struct{ Total int }
	a.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &qa)
	assigned, other := a, b
	if qa.Total == 0 {
		assigned, other = b, a
	}
	e.Clock.Set(reviewWindow)

	roles := map[string]*client{"anonymous": e.Client(), "contestant": owner, "other judge": other, "assigned judge": assigned, "organizer": org}
	const no = 0 // refused: 401 (pages: to the sign-in page) for anonymous, 403 or 404 otherwise
	tests := []struct {
		method, path string
		body         any
		ok           map[string]int // role → expected status; roles not listed are refused
	}{
		{"GET", "/api/v1/admin/judges", nil, map[string]int{"organizer": 200}},
		{"GET", "/api/v1/admin/audit", nil, map[string]int{"organizer": 200}},
		{"GET", "/api/v1/admin/ranking", nil, map[string]int{"organizer": 200}},
		{"GET", "/api/v1/admin/awards", nil, map[string]int{"organizer": 200}},
		{"GET", "/api/v1/admin/judging/settings", nil, map[string]int{"organizer": 200}},
		{"GET", "/api/v1/admin/judging/rounds", nil, map[string]int{"organizer": 200}},
		{"POST", "/api/v1/admin/judging/advance", map[string]string{"shortlist": "1"}, map[string]int{"organizer": 409}}, // judging is open
		{"PUT", "/api/v1/admin/submissions/" + w + "/formal-review", map[string]string{"decision": "passed"}, map[string]int{"organizer": 200}},
		{"GET", "/api/v1/judge/works", nil, map[string]int{"assigned judge": 200, "other judge": 200}},
		{"GET", "/api/v1/judge/works/" + w, nil, map[string]int{"assigned judge": 200}},
		{"GET", "/api/v1/judge/works/" + w + "/video?inline=1", nil, map[string]int{"assigned judge": 200}},
		{"GET", "/api/v1/judge/works/" + w + "/poster", nil, map[string]int{"assigned judge": 200}},
		{"PUT", "/api/v1/judge/works/" + w + "/review", map[string]any{"scores": map[string]float64{"theme": 80}}, map[string]int{"assigned judge": 200}},
		{"GET", "/judge/works/" + w, nil, map[string]int{"assigned judge": 200}},
		{"GET", "/admin/judging", nil, map[string]int{"organizer": 200}},
		{"POST", "/api/v1/admin/judging/extra-reviews", nil, map[string]int{"organizer": 409}}, // nothing is flagged
		{"GET", "/admin/judges", nil, map[string]int{"organizer": 200}},
		{"GET", "/admin/audit.csv", nil, map[string]int{"organizer": 200}},
		// The pairwise check: off here, so nothing to start and no pair to compare.
		{"GET", "/api/v1/admin/pairwise", nil, map[string]int{"organizer": 200}},
		{"POST", "/api/v1/admin/pairwise/start", nil, map[string]int{"organizer": 409}},
		{"POST", "/admin/judging/pairwise", url.Values{}, map[string]int{"organizer": 409}},
		{"GET", "/api/v1/judge/pairs", nil, map[string]int{"assigned judge": 200, "other judge": 200}},
		{"PUT", "/api/v1/judge/pairs/" + w, map[string]string{"choice": "a"}, map[string]int{"assigned judge": 404, "other judge": 404}},
		{"GET", "/api/v1/judge/pairs/" + w + "/video/a", nil, map[string]int{"assigned judge": 404, "other judge": 404}},
		{"GET", "/judge/pairs/" + w, nil, map[string]int{"assigned judge": 404, "other judge": 404}},
		{"POST", "/judge/pairs/" + w, url.Values{"choice": {"a"}}, map[string]int{"assigned judge": 404, "other judge": 404}},
		// The contestant's own routes never serve a judge.
		{"GET", "/api/v1/submissions/" + w, nil, map[string]int{"contestant": 200, "organizer": 200}},
		{"GET", "/api/v1/submissions/" + w + "/poster", nil, map[string]int{"contestant": 200, "organizer": 200}},
		// Last: these change who is assigned what.
		{"POST", "/api/v1/admin/assignments/run", nil, map[string]int{"organizer": 200}},
		{"POST", "/api/v1/admin/judges", map[string]string{"email": "x@example.org", "name": "X", "employer": "丙"}, map[string]int{"organizer": 201}},
	}
	for _, tt := range tests {
		for role, c := range roles {
			want := tt.ok[role]
			r := c.Do(tt.method, tt.path, tt.body)
			got := r.Status
			if got == http.StatusFound && strings.HasPrefix(tt.path, "/api/v1/judge/works/"+w+"/video") {
				got = 200 // S3 would redirect; the local folder serves
			}
			switch {
			case want != no && got != want:
				t.Errorf("%s %s as %s = %d, want %d: %.200s", tt.method, tt.path, role, got, want, r.Body)
			case want == no && got < 400 && !(role == "anonymous" && got == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login")):
				t.Errorf("%s %s as %s = %d, want a refusal", tt.method, tt.path, role, got)
			case want == no && role == "anonymous" && got != http.StatusUnauthorized && got != http.StatusSeeOther && got != http.StatusForbidden:
				t.Errorf("%s %s anonymously = %d", tt.method, tt.path, got)
			}
		}
	}
}

func TestAssignment_PreviewThenMoveOneReview(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	var works []string
	for i, emp := range []string{"甲研究所", "乙大学"} {
		_, id := e.SubmitWork(string(rune('a'+i))+"@example.org", workBy(emp, ""))
		org.PassFormal(id)
		works = append(works, id)
	}
	settings := map[string]any{"rubric": []map[string]any{{"key": "theme", "name": "主题", "max_points": 100, "weight": 100}},
		"reviews_per_work": 1, "quotas": []map[string]any{{"count": 1}, {"count": 0}, {"count": 0}}}
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
	ids := map[string]string{}
	clients := map[string]*client{}
	for _, j := range []struct{ email, employer string }{{"x@example.org", "丙馆"}, {"y@example.org", "丁馆"}, {"z@example.org", "甲研究所"}} {
		clients[j.email], ids[j.email], _ = e.InviteJudge(org, j.email, j.email[:1]+"评委", j.employer)
	}
	total := func() int {
		n := 0
		for _, c := range clients {
			var q struct{ Total int }
			c.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
			n += q.Total
		}
		return n
	}

	// The preview saves nothing.
	var preview struct {
		Assignments int
		Loads       map[string]int
	}
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/preview", nil).JSON(t, &preview)
	if preview.Assignments != 2 || len(preview.Loads) != 3 || total() != 0 {
		t.Fatalf("preview %+v; judges' queues hold %d", preview, total())
	}
	if doc := mustDoc(t, org.Must(http.StatusOK, "POST", "/admin/judging/assignments/preview", url.Values{})); doc.Find("#preview-result td.load").Length() != 3 {
		t.Errorf("preview page: %q", doc.Find("#preview-result").Text())
	}
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	if total() != 2 {
		t.Fatalf("after the run the queues hold %d", total())
	}

	// Move the review of work 0 to another judge: never to the judge from its employer.
	var from string
	for email, c := range clients {
		var q struct{ Items []struct{ ID string } }
		c.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
		for _, it := range q.Items {
			if it.ID == works[0] {
				from = email
			}
		}
	}
	move := func(to string) response {
		return org.Do("POST", "/api/v1/admin/assignments/move", map[string]string{"submission_id": works[0], "from": ids[from], "to": ids[to]})
	}
	if r := move("z@example.org"); r.FieldCodes()["to"] != "judge_conflicted" {
		t.Fatalf("move to the judge from the work's employer = %d %s", r.Status, r.Body)
	}
	if r := move(from); r.Status != http.StatusConflict {
		t.Fatalf("move to the same judge = %d", r.Status)
	}
	other := map[string]string{"x@example.org": "y@example.org", "y@example.org": "x@example.org"}[from]
	if r := move(other); r.Status != http.StatusNoContent {
		t.Fatalf("move = %d %s", r.Status, r.Body)
	}
	var q struct{ Items []struct{ ID string } }
	clients[other].Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
	if !slices.ContainsFunc(q.Items, func(it struct{ ID string }) bool { return it.ID == works[0] }) || total() != 2 {
		t.Fatalf("after the move %s's queue is %+v", other, q.Items)
	}
	// A started review stays.
	e.Clock.Set(reviewWindow)
	clients[other].Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+works[0]+"/review", map[string]any{"scores": map[string]float64{"theme": 50}})
	if r := org.Do("POST", "/api/v1/admin/assignments/move", map[string]string{"submission_id": works[0], "from": ids[other], "to": ids[from]}); r.Status != http.StatusConflict {
		t.Fatalf("moving a started review = %d", r.Status)
	}
	doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging/assignments", nil))
	if doc.Find("#assignments tbody tr").Length() != 2 || doc.Find("#assignments form.move").Length() != 1 {
		t.Errorf("assignments page: %d rows, %d move forms", doc.Find("#assignments tbody tr").Length(), doc.Find("#assignments form.move").Length())
	}
	var log auditList
	org.Must(http.StatusOK, "GET", "/api/v1/admin/audit?limit=5", nil).JSON(t, &log)
	if !slices.ContainsFunc(log.Items, func(a auditItem) bool {
		return a.Action == "move" && a.Entity == "assignment" && strings.Contains(a.After, ids[other])
	}) {
		t.Errorf("the move is not in the audit log: %+v", log.Items)
	}
}

package http_test

import (
	"net/http"
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
	owner := e.Client().SignUp("zhang@example.org")
	s := owner.Create(nil)
	owner.ConsentAll(s)
	owner.UploadAccepted(s.ID)
	owner.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+s.ID+"/formal-review", map[string]string{"decision": "passed"})
	settings := map[string]any{"rubric": []map[string]any{{"key": "theme", "name": "主题", "max_points": 100, "weight": 100}},
		"reviews_per_work": 1, "quotas": []map[string]any{{"count": 1}, {"count": 0}, {"count": 0}}, "normalize": false}
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
	login := func(email, employer string) *client {
		var inv struct{ Password string }
		org.Must(http.StatusCreated, "POST", "/api/v1/admin/judges", map[string]string{"email": email, "name": "评委", "employer": employer}).JSON(t, &inv)
		c := e.Client()
		c.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": inv.Password})
		return c
	}
	a, b := login("a@example.org", "甲馆"), login("b@example.org", "乙馆")
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	var qa struct{ Total int }
	a.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &qa)
	assigned, other := a, b
	if qa.Total == 0 {
		assigned, other = b, a
	}
	e.Clock.Set(reviewWindow)

	roles := map[string]*client{"anonymous": e.Client(), "contestant": owner, "other judge": other, "assigned judge": assigned, "organizer": org}
	w := s.ID
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
		{"PUT", "/api/v1/admin/submissions/" + w + "/formal-review", map[string]string{"decision": "passed"}, map[string]int{"organizer": 200}},
		{"GET", "/api/v1/judge/works", nil, map[string]int{"assigned judge": 200, "other judge": 200}},
		{"GET", "/api/v1/judge/works/" + w, nil, map[string]int{"assigned judge": 200}},
		{"GET", "/api/v1/judge/works/" + w + "/video?inline=1", nil, map[string]int{"assigned judge": 200}},
		{"GET", "/api/v1/judge/works/" + w + "/poster", nil, map[string]int{"assigned judge": 200}},
		{"PUT", "/api/v1/judge/works/" + w + "/review", map[string]any{"scores": map[string]float64{"theme": 80}}, map[string]int{"assigned judge": 200}},
		{"GET", "/judge/works/" + w, nil, map[string]int{"assigned judge": 200}},
		{"GET", "/admin/judging", nil, map[string]int{"organizer": 200}},
		{"GET", "/admin/judges", nil, map[string]int{"organizer": 200}},
		{"GET", "/admin/audit.csv", nil, map[string]int{"organizer": 200}},
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

package http_test

import (
	"strings"
	"testing"
)

// TestMalformedIDsAreNotFound sends every route with a path parameter, as every role, with
// ids an attacker would try: a NUL byte (PostgreSQL refuses it), invalid UTF-8 and a very
// long one. Each is a 4xx, never a server error, and nothing is logged as one.
func TestMalformedIDsAreNotFound(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		judge, _, _ := e.InviteJudge(org, "j1@example.org", "评委", "省科技馆")
		clients := map[string]*client{"anonymous": e.Client(), "contestant": e.Client().SignUp("zhang@example.org"),
			"judge": judge, "organizer": org}
		bad := []string{"%00", "a%00b", "%ff%fe", strings.Repeat("9", 300)}
		n := 0
		for _, r := range e.Routes() {
			if !strings.Contains(r.Path, ":") {
				continue
			}
			for _, id := range bad {
				path := r.Path
				for _, seg := range strings.Split(r.Path, "/") {
					if strings.HasPrefix(seg, ":") {
						path = strings.Replace(path, seg, id, 1)
					}
				}
				for role, c := range clients {
					status := c.Raw(r.Method, path)
					n++
					if status >= 500 {
						t.Errorf("%s %s as %s = %d, want a 4xx", r.Method, path, role, status)
					}
				}
			}
		}
		if n == 0 {
			t.Fatal("no route with a parameter")
		}
		if lines := e.LogLines("internal error", "level=ERROR"); lines != "" {
			t.Errorf("server errors logged:\n%s", lines)
		}
	})
}

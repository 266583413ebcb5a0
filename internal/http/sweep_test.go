package http_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBadInputSweep sends every route that takes a body (POST and PUT, API and pages) the input
// an attacker or a broken client sends — no body, the wrong JSON types, huge fields, invalid
// UTF-8, NUL bytes, deep nesting, a form where JSON is expected — as each signed-in role, with
// ids of real records in the path so that the handlers get as far as reading the body. Nothing
// is a server error, nothing panics, nothing is logged as an internal error.
func TestBadInputSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("sends thousands of requests")
	}
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		contestant := e.Client().SignUp("zhang@example.org")
		s := contestant.Create(nil)
		upload := contestant.StartUpload(s.ID, randomFile("a.mp4", 6<<20))
		judge, judgeID, _ := e.InviteJudge(org, "j1@example.org", "评委", "省科技馆")
		token := strings.TrimPrefix(s.Participants[1].ConsentURL, e.Server.URL+"/consent/")
		ids := func(path string) string {
			for _, p := range []struct{ param, value string }{
				{":pid", s.Participants[0].ID}, {":uid", upload.ID}, {":token", token}, {":serial", "JSKX-0000"},
				{":n", "1"}, {":sid", "nothing"}, {":name", "registrations"},
			} {
				path = strings.ReplaceAll(path, p.param, p.value)
			}
			if strings.Contains(path, "/judges/:id") {
				return strings.ReplaceAll(path, ":id", judgeID)
			}
			return strings.ReplaceAll(path, ":id", s.ID)
		}
		clients := map[string]*client{"contestant": contestant, "judge": judge, "organizer": org}
		n := 0
		for _, r := range e.Routes() {
			if r.Method != http.MethodPost && r.Method != http.MethodPut || skipSweep(r.Path) {
				continue
			}
			path := ids(r.Path)
			for role, c := range clients {
				for name, body := range badBodies() {
					n++
					if status := c.RawBody(r.Method, path, body.contentType, body.data); status >= 500 {
						t.Errorf("%s %s as %s with %s = %d, want a 4xx", r.Method, path, role, name, status)
					}
				}
			}
		}
		t.Logf("%d requests", n)
		if lines := e.LogLines("internal error", "level=ERROR", "panic"); lines != "" {
			t.Errorf("server errors logged:\n%.3000s", lines)
		}
	})
}

// skipSweep leaves out the routes whose success would end the sweep (signing out) and the
// sign-in routes, whose rate limit would only answer 429.
func skipSweep(path string) bool {
	return strings.HasSuffix(path, "/logout") || strings.HasSuffix(path, "/login") ||
		strings.HasSuffix(path, "/signup") || strings.HasPrefix(path, "/api/v1/parts/")
}

type sweepBody struct {
	contentType string
	data        []byte
}

// badBodies are the bodies of the sweep, by name.
func badBodies() map[string]sweepBody {
	fields := []string{"email", "password", "name", "current_password", "new_password", "registration", "participants",
		"version", "title", "scores", "comment", "submit", "reason", "decision", "upheld", "tier", "checksum", "parts",
		"size", "type", "last_modified", "seed", "work_id", "from_judge", "to_judge", "employer", "contact", "kind",
		"publicity_days", "certificate", "rubric", "reviews_per_work", "quotas", "normalize", "collection_end", "rules",
		"id_number", "mobile", "agreed", "on", "recommended", "ids", "action", "format", "sheet"}
	wrong := []string{`1e308`, `-1`, `true`, `[]`, `{}`, `null`, `"\u0000"`, `"\ud800"`, `[[[[[[[[1]]]]]]]]`,
		`"` + strings.Repeat("长", 20000) + `"`, `{"a":{"b":{"c":[1,"x",null]}}}`}
	var obj bytes.Buffer
	obj.WriteString("{")
	for i, f := range fields {
		if i > 0 {
			obj.WriteString(",")
		}
		obj.WriteString(`"` + f + `":` + wrong[i%len(wrong)])
	}
	obj.WriteString("}")
	form := url.Values{}
	for _, f := range fields {
		form.Set(f, "\x00\xff"+strings.Repeat("x", 300))
	}
	form.Set("score_theme", "NaN")
	return map[string]sweepBody{
		"no body":          {"application/json", nil},
		"wrong types":      {"application/json", obj.Bytes()},
		"an array":         {"application/json", []byte(`[1,2,3]`)},
		"a string":         {"application/json", []byte(`"x"`)},
		"deep nesting":     {"application/json", []byte(strings.Repeat("[", 50000) + strings.Repeat("]", 50000))},
		"invalid UTF-8":    {"application/json", []byte("{\"title\":\"\xff\xfe\x00\"}")},
		"NUL bytes":        {"application/json", []byte(`{"title":"a\u0000b","email":"\u0000@x","name":"\u0000"}`)},
		"huge fields":      {"application/json", []byte(`{"title":"` + strings.Repeat("a", 900<<10) + `"}`)},
		"a form":           {"application/x-www-form-urlencoded", []byte(form.Encode())},
		"truncated JSON":   {"application/json", []byte(`{"title": "abc`)},
		"no content type":  {"", []byte(`{"title":"x"}`)},
		"NUL in a key":     {"application/json", []byte(`{"ti\u0000tle":"x","registration":{"title":"\u0000"}}`)},
		"multipart broken": {"multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"scan\"\r\n\r\nabc")},
	}
}

// TestBadText_AnEscapedBackslashIsNotANulByte: text that merely shows "\u0000" (a Windows
// path, a code sample) is ordinary text.
func TestBadText_AnEscapedBackslashIsNotANulByte(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	c := e.Client().SignUp("zhang@example.org")
	in := validInput()
	in["registration"].(map[string]any)["description"] = `程序里写作 \u0000 的字符`
	if r := c.Do("POST", "/api/v1/submissions", in); r.Status != http.StatusCreated {
		t.Fatalf("a description showing \\u0000 = %d %s", r.Status, r.Body)
	}
	if status := c.RawBody("POST", "/api/v1/submissions", "application/json", []byte(`{"registration":{"title":"a\u0000b"}}`)); status != http.StatusBadRequest {
		t.Errorf("a title holding a NUL character = %d, want 400", status)
	}
}

// TestBadText_OnlyTheJSONLimitIsRead: a huge JSON body sent to an upload path is not read
// into memory by the text check.
func TestBadText_OnlyTheJSONLimitIsRead(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	c := e.Client().SignUp("zhang@example.org")
	big := bytes.Repeat([]byte("a"), 3<<20)
	if status := c.RawBody("POST", "/api/v1/submissions", "application/json", big); status != http.StatusRequestEntityTooLarge {
		t.Errorf("3 MiB of JSON = %d, want 413", status)
	}
}

package http_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

type judgeJSON struct {
	ID, Email, Name, Employer string
	Active                    bool
}

type auditList struct {
	Items []auditItem
	Total int
}

type auditItem struct {
	ActorName string `json:"actor_name"`
	Entity    string
	EntityID  string `json:"entity_id"`
	Action    string
	Before    string
	After     string
}

func TestJudges_InviteSignInAndDeactivate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		in := map[string]string{"email": " Li.Judge@Example.org", "name": "李评委", "employer": "东南大学"}
		for _, c := range []*client{e.Client(), e.Client().SignUp("zhang@example.org")} {
			if r := c.Do("POST", "/api/v1/admin/judges", in); r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden {
				t.Fatalf("invite by a non-organizer = %d, want 401/403", r.Status)
			}
		}
		if r := org.Do("POST", "/api/v1/admin/judges", map[string]string{"email": "x", "name": ""}); r.Status != http.StatusUnprocessableEntity ||
			r.FieldCodes()["employer"] == "" || r.FieldCodes()["email"] == "" || r.FieldCodes()["name"] == "" {
			t.Fatalf("invalid invitation = %d %s", r.Status, r.Body)
		}
		var invited struct {
			Judge    judgeJSON
			Password string
		}
		org.Must(http.StatusCreated, "POST", "/api/v1/admin/judges", in).JSON(t, &invited)
		if invited.Judge.Email != "li.judge@example.org" || !invited.Judge.Active || len(invited.Password) < 12 {
			t.Fatalf("invited %+v", invited)
		}
		if r := org.Do("POST", "/api/v1/admin/judges", in); r.FieldCodes()["email"] != "email_taken" {
			t.Fatalf("second invitation of the same email = %d %s", r.Status, r.Body)
		}

		// The judge signs in with the one-time password.
		judge := e.Client()
		var me struct{ Role string }
		judge.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "li.judge@example.org", "password": invited.Password}).JSON(t, &me)
		if me.Role != "judge" {
			t.Fatalf("signed in as %q", me.Role)
		}
		// The one-time password only lets the judge choose their own.
		if loc := judge.Must(http.StatusSeeOther, "GET", "/my", nil).Header.Get("Location"); loc != "/account/password" {
			t.Fatalf("first page with the one-time password goes to %q, want /account/password", loc)
		}
		judge.Must(http.StatusNoContent, "POST", "/api/v1/me/password", map[string]string{"current_password": invited.Password, "new_password": "judge-own-pass"})
		if doc := mustDoc(t, judge.Must(http.StatusOK, "GET", "/judge", nil)); doc.Find("#judge-home").Length() != 1 {
			t.Error("a judge's home is not the judge's page")
		}
		if loc := judge.Must(http.StatusSeeOther, "GET", "/my", nil).Header.Get("Location"); loc != "/judge" {
			t.Errorf("a judge's /my goes to %q, want the queue at /judge", loc)
		}
		if r := judge.Do("POST", "/api/v1/submissions", validInput()); r.Status != http.StatusForbidden {
			t.Errorf("a judge enters a work = %d, want 403", r.Status)
		}
		if r := judge.Do("GET", "/api/v1/admin/judges", nil); r.Status != http.StatusForbidden {
			t.Fatalf("judge lists judges = %d, want 403", r.Status)
		}

		// Deactivated: signed out and refused.
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judges/"+invited.Judge.ID+"/deactivate", nil)
		if r := judge.Do("GET", "/api/v1/me", nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("deactivated judge's session = %d, want 401", r.Status)
		}
		if r := e.Client().Do("POST", "/api/v1/auth/login", map[string]string{"email": "li.judge@example.org", "password": "judge-own-pass"}); r.Status == http.StatusOK {
			t.Fatal("a deactivated judge signs in")
		}
		var list struct{ Items []judgeJSON }
		org.Must(http.StatusOK, "GET", "/api/v1/admin/judges", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Active || list.Items[0].Employer != "东南大学" {
			t.Fatalf("judges = %+v", list.Items)
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judges/"+invited.Judge.ID+"/activate", nil)

		var audit auditList
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &audit)
		var actions []string
		for _, a := range audit.Items {
			actions = append(actions, a.Entity+":"+a.Action)
		}
		if strings.Join(actions, ",") != "judge:activate,judge:deactivate,judge:invite" || audit.Total != 3 {
			t.Fatalf("audit = %v (%d)", actions, audit.Total)
		}
		if a := audit.Items[1]; !strings.Contains(a.Before, `"disabled":false`) || !strings.Contains(a.After, `"disabled":true`) || a.ActorName != "组织者" {
			t.Errorf("deactivation entry %+v", a)
		}

		// The page invites too, and shows the password once.
		doc := mustDoc(t, org.Must(http.StatusOK, "POST", "/admin/judges", url.Values{"email": {"wang@example.org"}, "name": {"王评委"}, "employer": {"南京大学"}}))
		if pw := doc.Find("#judge-password").Text(); len(pw) < 12 || doc.Find("#judges tbody tr").Length() != 2 {
			t.Fatalf("invitation page: password %q, %d rows", pw, doc.Find("#judges tbody tr").Length())
		}
	})
}

func TestFormalReview_DecisionReachesTheContestantAndTheAuditLog(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.ConsentAll(s)
		path := "/api/v1/admin/submissions/" + s.ID + "/formal-review"
		if r := org.Do("PUT", path, map[string]string{"decision": "passed"}); r.Status != http.StatusConflict {
			t.Fatalf("formal review of a draft = %d, want 409", r.Status)
		}
		c.UploadAccepted(s.ID)
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		if r := c.Do("PUT", path, map[string]string{"decision": "passed"}); r.Status != http.StatusForbidden {
			t.Fatalf("formal review by the contestant = %d, want 403", r.Status)
		}
		if r := org.Do("PUT", path, map[string]string{"decision": "excluded"}); r.FieldCodes()["reason"] != "reason_required" {
			t.Fatalf("exclusion without a reason = %d %s", r.Status, r.Body)
		}
		org.Must(http.StatusOK, "PUT", path, map[string]string{"decision": "passed"})
		org.Must(http.StatusOK, "PUT", path, map[string]string{"decision": "excluded", "reason": "作品内容与“创新争先、自立自强”主题关联不足"})

		var mine struct {
			FormalReview *struct{ Decision, Label, Reason string } `json:"formal_review"`
		}
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &mine)
		if mine.FormalReview == nil || mine.FormalReview.Decision != "excluded" || !strings.Contains(mine.FormalReview.Reason, "主题关联不足") {
			t.Fatalf("contestant sees %+v", mine.FormalReview)
		}
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+s.ID, nil))
		if got := doc.Find("#formal").Text(); !strings.Contains(got, "形式审查未通过") || !strings.Contains(got, "主题关联不足") {
			t.Errorf("contestant's page: %q", got)
		}
		doc = mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions/"+s.ID, nil))
		if doc.Find("#formal .badge").Text() != "形式审查未通过" || doc.Find("#formal-submit").Length() != 1 {
			t.Errorf("organizer's page: %q", doc.Find("#formal").Text())
		}

		var audit auditList
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &audit)
		if len(audit.Items) != 2 || audit.Items[0].Action != "excluded" || audit.Items[0].EntityID != s.ID {
			t.Fatalf("audit = %+v", audit.Items)
		}
		var before, after map[string]string
		json.Unmarshal([]byte(audit.Items[0].Before), &before)
		json.Unmarshal([]byte(audit.Items[0].After), &after)
		if before["decision"] != "passed" || after["decision"] != "excluded" || after["reason"] == "" {
			t.Errorf("exclusion entry: before %v after %v", before, after)
		}
		if doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/audit", nil)); doc.Find("#audit tbody tr").Length() != 2 {
			t.Errorf("audit page rows: %d", doc.Find("#audit tbody tr").Length())
		}
		// The export holds the same entries, with Chinese headers Excel can read.
		r := org.Must(http.StatusOK, "GET", "/admin/audit.csv", nil)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) != 3 || rows[0][0] != "时间（北京时间）" || rows[1][5] != "excluded" || !strings.Contains(rows[1][7], "主题关联不足") {
			t.Errorf("audit export: %v %q", err, rows)
		}
		if !bytes.HasPrefix(r.Body, []byte("\ufeff")) || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("audit export headers %v", r.Header)
		}
		if r := c.Do("GET", "/admin/audit.csv", nil); r.Status == http.StatusOK {
			t.Error("a contestant exports the audit log")
		}
	})
}

package http_test

import (
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// seedThree makes three works by two contestants: one submitted, two drafts.
func seedThree(t *testing.T, e *env) {
	t.Helper()
	a := e.Client().SignUp("a@example.org")
	s := a.Create(nil)
	a.ConsentAll(s)
	a.UploadAccepted(s.ID)
	a.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)

	in := validInput()
	reg := in["registration"].(map[string]any)
	reg["title"], reg["employer"], reg["mobile"] = "大科学装置旁的誓言", "中国科学院紫金山天文台", "13900139000"
	in["participants"] = []map[string]any{{"name": "张三", "id_number": idZhang}, {"name": "王五", "id_number": idWang}}
	a.Create(in)

	b := e.Client().SignUp("b@example.org")
	in = validInput()
	reg = in["registration"].(map[string]any)
	reg["title"], reg["lead_name"], reg["employer"], reg["contact_id_number"], reg["mobile"] = "医院里的青年", "李四", "江苏省人民医院", idLi, "13700137000"
	in["participants"] = []map[string]any{{"name": "李四", "id_number": idLi}}
	b.Create(in)
}

func TestAdminList_FiltersCountsAndMasks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		seedThree(t, e)
		org := e.Organizer()
		type page struct {
			Items    []submission
			Total    int
			ByStatus map[string]int `json:"by_status"`
		}
		titles := func(q string) ([]string, page) {
			t.Helper()
			var p page
			// Personal numbers go in the body of a search, never in a URL.
			if v, err := url.ParseQuery(q); err == nil && (v.Get("id_number") != "" || v.Get("mobile") != "") {
				org.Must(http.StatusOK, "POST", "/api/v1/admin/submissions/search",
					map[string]string{"id_number": v.Get("id_number"), "mobile": v.Get("mobile")}).JSON(t, &p)
			} else {
				org.Must(http.StatusOK, "GET", "/api/v1/admin/submissions?"+q, nil).JSON(t, &p)
			}
			var out []string
			for _, s := range p.Items {
				out = append(out, s.Registration["title"])
			}
			sort.Strings(out)
			return out, p
		}
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", []string{"医院里的青年", "大科学装置旁的誓言", "实验室里的创新誓言"}},
			{"status=submitted", []string{"实验室里的创新誓言"}},
			{"status=draft", []string{"医院里的青年", "大科学装置旁的誓言"}},
			{"employer=" + url.QueryEscape("天文台"), []string{"大科学装置旁的誓言"}},
			{"q=" + url.QueryEscape("李四"), []string{"医院里的青年"}},
			{"id_number=" + idLi, []string{"医院里的青年", "实验室里的创新誓言"}}, // contact, or any participant
			{"id_number=" + strings.ToLower(idZhang), []string{"大科学装置旁的誓言", "实验室里的创新誓言"}},
			{"mobile=13900139000", []string{"大科学装置旁的誓言"}},
			{"consent=complete", []string{"实验室里的创新誓言"}},
			{"consent=incomplete", []string{"医院里的青年", "大科学装置旁的誓言"}},
			{"q=" + url.QueryEscape("%"), nil},
		} {
			got, _ := titles(tc.query)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("?%s (-want +got):\n%s", tc.query, diff)
			}
		}
		_, p := titles("status=draft")
		if p.Total != 2 || p.ByStatus["draft"] != 2 || p.ByStatus["submitted"] != 1 {
			t.Errorf("counts: total %d by status %v", p.Total, p.ByStatus)
		}

		// The HTML list: masked numbers only, counts shown.
		r := org.Must(http.StatusOK, "GET", "/admin/submissions", nil)
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.Body)))
		if err != nil {
			t.Fatal(err)
		}
		if n := doc.Find("#submissions tbody tr").Length(); n != 3 {
			t.Errorf("HTML list has %d rows, want 3", n)
		}
		if got := doc.Find("#count-submitted").Text(); got != "1" {
			t.Errorf("submitted count shows %q", got)
		}
		html := string(r.Body)
		for _, secret := range []string{idZhang, idLi, "13800138000"} {
			if strings.Contains(html, secret) {
				t.Errorf("organizer list shows %s in full", secret)
			}
		}
		if !strings.Contains(html, "1101**********002X") || !strings.Contains(html, "138****8000") {
			t.Error("organizer list lacks the masked numbers")
		}
	})
}

func TestContestSettings_OrganizerMovesTheDeadline(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		var ct map[string]any
		org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &ct)
		if ct["collection_end"] != "2022-05-20T23:59:59+08:00" || ct["collection_open"] != true {
			t.Fatalf("default contest: %v", ct)
		}
		e.Clock.Set(time.Date(2022, 5, 21, 2, 0, 0, 0, time.UTC)) // 5月21日 10:00 Beijing: closed
		c := e.Client().SignUp("late@example.org")
		if r := c.Do("POST", "/api/v1/submissions", validInput()); r.ErrorCode() != "deadline_passed" {
			t.Fatalf("before the extension: %d %s", r.Status, r.Body)
		}
		ct["collection_end"] = "2022-05-22T23:59:59+08:00"
		ct["review_start"] = "2022-05-23T00:00:00+08:00"
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/contest", ct)
		c.Must(http.StatusCreated, "POST", "/api/v1/submissions", validInput())

		// The change is in the audit log, as it was and as it is, and only what changed.
		var log struct {
			Items []struct{ Entity, Action, Before, After string }
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &log)
		var found bool
		for _, it := range log.Items {
			if it.Entity == "contest" && it.Action == "update" {
				found = true
				if !strings.Contains(it.Before, "2022-05-20T15:59:59Z") || !strings.Contains(it.After, "2022-05-22T15:59:59Z") ||
					strings.Contains(it.After, "authorization_text") {
					t.Errorf("audit entry before %s after %s, want the old and new deadline only", it.Before, it.After)
				}
			}
		}
		if !found {
			t.Errorf("moving the deadline left no audit entry: %+v", log.Items)
		}

		ct["review_start"] = "2022-05-01T00:00:00+08:00"
		if r := org.Do("PUT", "/api/v1/admin/contest", ct); r.FieldCodes()["review_start"] != "window_order" {
			t.Errorf("review before collection end: %d %s", r.Status, r.Body)
		}
	})
}

func TestAdminView_CompleteWorkIsNotReportedIncompleteWhenMasked(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("z@example.org")
		created := c.Create(nil)
		if created.Registration["contact_id_masked"] != "1101**********002X" || created.Participants[1].IDMasked != "1101**********0016" {
			t.Errorf("create response lacks masks: %v %+v", created.Registration, created.Participants[1])
		}
		c.ConsentAll(created)
		c.UploadAccepted(created.ID)
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+created.ID+"/finalize", nil)
		var one submission
		e.Organizer().Must(http.StatusOK, "GET", "/api/v1/submissions/"+created.ID, nil).JSON(t, &one)
		var list struct{ Items []submission }
		e.Organizer().Must(http.StatusOK, "GET", "/api/v1/admin/submissions", nil).JSON(t, &list)
		if len(one.Missing) != 0 || len(list.Items) != 1 || len(list.Items[0].Missing) != 0 {
			t.Errorf("a submitted work is reported incomplete: %v / %v", one.Missing, list.Items)
		}
	})
}

func TestAdminPage_NumberSearchKeepsTheNumberOutOfTheURL(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		seedThree(t, e)
		org := e.Organizer()
		org.Must(http.StatusOK, "GET", "/admin/submissions", nil)
		r := org.Must(http.StatusSeeOther, "POST", "/admin/submissions", url.Values{"id_number": {" " + strings.ToLower(idLi)}, "status": {"draft"}})
		loc := r.Header.Get("Location")
		if strings.Contains(loc, idLi) || strings.Contains(strings.ToUpper(loc), "0101001") || !strings.Contains(loc, "id_key=") {
			t.Fatalf("redirect URL %q", loc)
		}
		doc := mustDoc(t, org.Must(http.StatusOK, "GET", loc, nil))
		if rows := doc.Find("#submissions tbody tr td.title > a"); rows.Length() != 1 || rows.Text() != "医院里的青年" {
			t.Errorf("filtered list = %q", rows.Text())
		}
		html, _ := doc.Html()
		if strings.Contains(html, idLi) {
			t.Error("the page shows the searched number back")
		}
	})
}

// TestContestSettings_CollectionCannotReopenAfterPublication: once the results are out, the
// collection window is fixed; the other settings can still be corrected.
func TestContestSettings_CollectionCannotReopenAfterPublication(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	e.ConfirmAwards(org, workOf("量子之光", "省农业科学院", "江苏省南京市玄武区"))
	org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
	e.Clock.Set(afterPublicity)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)

	var ct map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &ct)
	reopened := maps.Clone(ct)
	reopened["collection_end"] = "2022-06-30T23:59:59+08:00"
	if r := org.Do("PUT", "/api/v1/admin/contest", reopened); r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["collection_end"] != "published" {
		t.Errorf("reopening collection after publication = %d %s, want 422 published", r.Status, r.Body)
	}
	ct["organizer"] = "省科学技术协会（科普部）"
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/contest", ct)
	var now map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &now)
	if now["collection_end"] != "2022-05-20T23:59:59+08:00" || now["organizer"] != "省科学技术协会（科普部）" {
		t.Errorf("after the refusal and a correction: end %v, organizer %v", now["collection_end"], now["organizer"])
	}
}

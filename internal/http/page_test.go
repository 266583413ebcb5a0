package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func mustDoc(t *testing.T, r response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// formValues is the registration form as a browser would post it.
func formValues() url.Values {
	return url.Values{
		"title": {"田间地头的誓言"}, "lead_name": {"张三"}, "employer": {"省农业科学院"},
		"description": {"记录一天的工作"}, "contact_name": {"张三"}, "contact_id_type": {"resident"},
		"contact_id_number": {idZhang}, "mobile": {"13800138000"}, "email": {"z@example.org"},
		"address": {"南京市玄武区"}, "postal_code": {"210014"},
		"p_id": {""}, "p_name": {"张三"}, "p_id_type": {"resident"}, "p_id_number": {idZhang}, "p_employer": {""},
	}
}

func TestPages_FormShowsInlineErrorsAndKeepsInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("z@example.org")
		c.Must(http.StatusOK, "GET", "/submissions/new", nil)
		f := formValues()
		f.Set("contact_id_number", "110105194912310021")
		f.Set("postal_code", "2100")
		r := c.Must(http.StatusUnprocessableEntity, "POST", "/submissions", f)
		doc := mustDoc(t, r)
		if got := doc.Find(`.err[data-field="contact_id_number"]`).Text(); !strings.Contains(got, "校验位") {
			t.Errorf("inline ID error = %q", got)
		}
		if got := doc.Find(`.err[data-field="postal_code"]`).Text(); got == "" {
			t.Error("no inline postal code error")
		}
		if v, _ := doc.Find(`input[name="title"]`).Attr("value"); v != "田间地头的誓言" {
			t.Errorf("title not kept: %q", v)
		}

		// Without JavaScript, "添加参与人员" shows one more row and saves nothing.
		f = formValues()
		f.Set("action", "add_participant")
		doc = mustDoc(t, c.Must(http.StatusOK, "POST", "/submissions", f))
		if n := doc.Find(".participant").Length(); n != 2 {
			t.Errorf("participant rows after add = %d, want 2", n)
		}

		r = c.Must(http.StatusSeeOther, "POST", "/submissions", formValues())
		loc := r.Header.Get("Location")
		doc = mustDoc(t, c.Must(http.StatusOK, "GET", loc, nil))
		if !strings.Contains(doc.Find(".flash").Text(), "已保存") {
			t.Errorf("no confirmation after saving: %q", doc.Find(".flash").Text())
		}
		html, _ := doc.Html()
		if strings.Contains(html, idZhang) || !strings.Contains(html, "1101**********002X") {
			t.Error("submission page shows the full ID number or lacks the masked one")
		}
	})
}

func TestPages_ConsentOnTheOwnersDeviceThenSubmit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("z@example.org")
		loc := c.Must(http.StatusSeeOther, "POST", "/submissions", formValues()).Header.Get("Location")
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", loc, nil))
		if doc.Find("#finalize").Length() != 0 {
			t.Fatal("submit button offered before consent")
		}
		href, ok := doc.Find(`a[href$="/consent"]`).Attr("href")
		if !ok {
			t.Fatal("no link to sign on this device")
		}
		page := mustDoc(t, c.Must(http.StatusOK, "GET", href, nil))
		if !strings.Contains(page.Find("blockquote.authorization").Text(), "公益性科普宣传") {
			t.Error("consent page does not show the authorization text")
		}
		r := c.Must(http.StatusUnprocessableEntity, "POST", href, url.Values{"name": {"张三"}, "id_number": {idZhang}})
		if !strings.Contains(string(r.Body), "请阅读并勾选") {
			t.Error("unticked consent not explained")
		}
		c.Must(http.StatusSeeOther, "POST", href, url.Values{"name": {"张三"}, "id_number": {idZhang}, "agreed": {"1"}})
		doc = mustDoc(t, c.Must(http.StatusOK, "GET", loc, nil))
		if doc.Find("#finalize").Length() != 0 {
			t.Fatal("submit button shown before the video is uploaded")
		}
		c.UploadAccepted(strings.TrimPrefix(loc, "/submissions/"))
		doc = mustDoc(t, c.Must(http.StatusOK, "GET", loc, nil))
		if doc.Find("#finalize").Length() != 1 {
			t.Fatal("no submit button once everything is done")
		}
		c.Must(http.StatusSeeOther, "POST", loc+"/finalize", url.Values{})
		doc = mustDoc(t, c.Must(http.StatusOK, "GET", "/my", nil))
		if got := doc.Find(".status").First().Text(); got != "已提交" {
			t.Errorf("my submissions shows status %q", got)
		}
	})
}

func TestPages_AnonymousIsSentToSignInAndErrorsAreChinese(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client()
		r := c.Do("GET", "/my", nil)
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Fmy" {
			t.Errorf("anonymous /my = %d → %s", r.Status, r.Header.Get("Location"))
		}
		r = c.Do("GET", "/no-such-page", nil)
		if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "页面不存在") {
			t.Errorf("unknown page = %d", r.Status)
		}
		c.SignUp("z@example.org")
		if r := c.Do("GET", "/admin/submissions", nil); r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "只有组织者") {
			t.Errorf("contestant on the admin page = %d", r.Status)
		}
	})
}

func TestPages_OrganizerEditsSettingsInBeijingTime(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		org.Must(http.StatusOK, "GET", "/admin/contest", nil)
		form := url.Values{
			"name": {"第二届主题视频征集"}, "theme": {"创新争先、自立自强"}, "organizer": {"省科协"},
			"collection_start": {"2022-05-10T00:00"}, "collection_end": {"2022-05-25T23:59:59"},
			"review_start": {"2022-05-26T00:00"}, "review_end": {"2022-06-02T23:59:59"},
			"max_duration_sec": {"180"}, "min_short_side": {"720"}, "max_size_mb": {"1024"},
			"authorization_text": {"本人自愿参加……特此授权。"},
		}
		org.Must(http.StatusSeeOther, "POST", "/admin/contest", form)
		var ct map[string]any
		org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &ct)
		if ct["collection_end"] != "2022-05-25T23:59:59+08:00" || ct["name"] != "第二届主题视频征集" ||
			ct["rules"].(map[string]any)["max_size_bytes"] != float64(1<<30) {
			t.Fatalf("settings after save: %v", ct)
		}
		form.Set("collection_end", "昨天")
		r := org.Must(http.StatusUnprocessableEntity, "POST", "/admin/contest", form)
		if !strings.Contains(string(r.Body), "时间格式有误") {
			t.Error("a bad date is not explained")
		}
	})
}

func TestPages_SettingsSavedUnchangedKeepTheWindowsInAnotherZone(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	var ct map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &ct)
	ct["time_zone"] = "UTC"
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/contest", ct)
	var before, after map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &before)

	doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/contest", nil))
	form := url.Values{}
	doc.Find("main form input[name], main form textarea[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		v, ok := s.Attr("value")
		if !ok {
			v = s.Text()
		}
		form.Set(name, v)
	})
	org.Must(http.StatusSeeOther, "POST", "/admin/contest", form)
	org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &after)
	for _, k := range []string{"collection_start", "collection_end", "review_start", "review_end"} {
		b, _ := time.Parse(time.RFC3339, before[k].(string))
		a, _ := time.Parse(time.RFC3339, after[k].(string))
		if !a.Equal(b) {
			t.Errorf("%s moved from %s to %s by saving the form unchanged", k, b, a)
		}
	}
}

func TestPages_AfterTheDeadlineNoBlankFormIsOffered(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	c := e.Client().SignUp("z@example.org")
	e.Clock.Set(time.Date(2022, 5, 21, 1, 0, 0, 0, time.UTC))
	doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/new", nil))
	if doc.Find("#reg-form").Length() != 0 || !strings.Contains(doc.Find("main").Text(), "作品征集已截止") {
		t.Error("the registration form is offered after the deadline")
	}
	home := mustDoc(t, c.Must(http.StatusOK, "GET", "/", nil))
	if home.Find(`a[href="/submissions/new"]`).Length() != 0 {
		t.Error("the home page still offers 报名新作品")
	}
}

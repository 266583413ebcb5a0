package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// noticeTemplate is the API's kind of notification with its texts.
type noticeTemplate struct {
	Kind, Label, Audience, When string
	Reminder, Edited            bool
	Fields                      []struct{ Name, Sample string }
	Default, Current            struct{ Subject, Body string }
}

func noticeTemplates(t *testing.T, org *client) map[string]noticeTemplate {
	t.Helper()
	var list struct{ Items []noticeTemplate }
	org.Must(http.StatusOK, "GET", "/api/v1/admin/notice-templates", nil).JSON(t, &list)
	out := map[string]noticeTemplate{}
	for _, k := range list.Items {
		out[k.Kind] = k
	}
	return out
}

// The organizers' text of a kind is the one the event's message and e-mail carry; the audit
// log keeps the text before and after; going back to the default works.
func TestNotices_EditedTextReachesTheMessageAndTheMail(t *testing.T) {
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		org := e.Organizer()
		before := noticeTemplates(t, org)["formal_excluded"]
		if before.Edited || before.Current != before.Default || len(before.Fields) < 3 {
			t.Fatalf("formal_excluded before editing = %+v", before)
		}
		edited := map[string]string{"subject": "【{活动名称}】形式审查结果：{作品名称}",
			"body": "很遗憾，《{作品名称}》未通过形式审查。\n审查意见：{原因}\n感谢参与。"}
		var saved noticeTemplate
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/notice-templates/formal_excluded", edited).JSON(t, &saved)
		if !saved.Edited || saved.Current.Subject != edited["subject"] || saved.Current.Body != edited["body"] {
			t.Fatalf("saved = %+v", saved)
		}

		addr := address("zhao")
		c, id := e.SubmitWork(addr, nil)
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+id+"/formal-review",
			map[string]string{"decision": "excluded", "reason": "作品内容与征集主题不符"})
		var ct struct{ Name string }
		org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &ct)
		wantSubject := "【" + ct.Name + "】形式审查结果：实验室里的创新誓言"
		got := c.Messages().ofKind("formal_excluded")
		if len(got) != 1 || got[0].Subject != wantSubject || got[0].Body != "很遗憾，《实验室里的创新誓言》未通过形式审查。\n审查意见：作品内容与征集主题不符\n感谢参与。" {
			t.Fatalf("the exclusion's message = %+v, want the edited text", got)
		}
		// 回执, video accepted, 作品已提交, the exclusion.
		var mail *mailpitMessage
		for _, m := range mp.waitFor(addr, 4) {
			if m.Subject == wantSubject {
				mail = &m
			}
		}
		if mail == nil || !strings.Contains(mail.Text, "审查意见：作品内容与征集主题不符") || !strings.Contains(mail.HTML, "审查意见：作品内容与征集主题不符") {
			t.Fatalf("no mail with the edited text reached %s: %+v", addr, mail)
		}

		// The audit log has the change, before and after.
		var audit auditList
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &audit)
		var change *auditItem
		for _, a := range audit.Items {
			if a.Entity == "notice_template" && a.EntityID == "formal_excluded" && a.Action == "update" {
				change = &a
			}
		}
		if change == nil || !strings.Contains(change.Before, "形式审查未通过：《{作品名称}》") || !strings.Contains(change.After, "形式审查结果：{作品名称}") {
			t.Fatalf("audit of the change = %+v", change)
		}

		// Back to the default: the next exclusion reads the default text again.
		var reset noticeTemplate
		org.Must(http.StatusOK, "DELETE", "/api/v1/admin/notice-templates/formal_excluded", nil).JSON(t, &reset)
		if reset.Edited || reset.Current != before.Default {
			t.Fatalf("after reset = %+v, want the default", reset)
		}
		c2, id2 := e.SubmitWork(address("qian"), nil)
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+id2+"/formal-review",
			map[string]string{"decision": "excluded", "reason": "片尾含商业广告"})
		if got := c2.Messages().ofKind("formal_excluded"); len(got) != 1 || got[0].Subject != "形式审查未通过：《实验室里的创新誓言》" {
			t.Errorf("after the reset the exclusion reads %+v", got)
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &audit)
		var resets []auditItem
		for _, a := range audit.Items {
			if a.Entity == "notice_template" && a.Action == "reset" {
				resets = append(resets, a)
			}
		}
		if len(resets) != 1 || !strings.Contains(resets[0].Before, "形式审查结果") || !strings.Contains(resets[0].After, "形式审查未通过") {
			t.Errorf("the reset's audit = %+v", resets)
		}
	})
}

// The preview fills the typed text with samples and saves nothing; a text with an unknown
// placeholder is refused on its field, by the API and on the page; only organizers edit.
func TestNotices_PreviewSavesNothingAndRefusesUnknownPlaceholders(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		var p struct {
			Subject, Body, Link string
			EmailText           string `json:"email_text"`
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/notice-templates/formal_excluded/preview",
			map[string]string{"subject": "审查结果：{作品名称}", "body": "原因：{原因}"}).JSON(t, &p)
		if p.Subject != "审查结果：实验室里的创新誓言" || p.Body != "原因：作品内容与征集主题关联不足" ||
			!strings.Contains(p.EmailText, "张三，您好：") || !strings.Contains(p.EmailText, "原因：作品内容与征集主题关联不足") {
			t.Errorf("preview = %+v", p)
		}
		if k := noticeTemplates(t, org)["formal_excluded"]; k.Edited {
			t.Fatal("the preview saved the text")
		}

		r := org.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/admin/notice-templates/formal_excluded/preview",
			map[string]string{"subject": "审查结果", "body": "奖项：{奖项}"})
		if r.FieldCodes()["body"] != "unknown_placeholder" {
			t.Errorf("unknown placeholder in the preview: %s", r.Body)
		}
		r = org.Must(http.StatusUnprocessableEntity, "PUT", "/api/v1/admin/notice-templates/formal_excluded",
			map[string]string{"subject": "审查结果：{作品名称", "body": "原因：{原因}"})
		if r.FieldCodes()["subject"] != "brace" {
			t.Errorf("unmatched brace: %s", r.Body)
		}
		org.Must(http.StatusNotFound, "PUT", "/api/v1/admin/notice-templates/no_such_kind", map[string]string{"subject": "a", "body": "b"})

		// The pages: the list, the preview beside the form, an error on its field, save, reset.
		list := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/notices", nil))
		if row := list.Find("#kind-formal_excluded"); row.Length() != 1 || strings.TrimSpace(row.Find(".state").Text()) != "默认" ||
			!strings.Contains(row.Text(), "组织方在形式审查中排除作品时") {
			t.Fatalf("the list's row = %q", list.Find("#kind-formal_excluded").Text())
		}
		if list.Find("#kind-registration_received").Length() != 1 || list.Find("#kind-work_submitted").Length() != 1 {
			t.Error("the list lacks the new contestant events")
		}
		page := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/notices/formal_excluded", nil))
		if page.Find(`input[name="subject"]`).AttrOr("value", "") != "形式审查未通过：《{作品名称}》" || page.Find("#placeholders td.mono").Length() != 3 {
			t.Fatalf("edit page: subject %q, %d placeholders", page.Find(`input[name="subject"]`).AttrOr("value", ""), page.Find("#placeholders td.mono").Length())
		}
		form := url.Values{"action": {"preview"}, "subject": {"审查结果：{作品名称}"}, "body": {"原因：{原因}\r\n请知悉。"}}
		page = mustDoc(t, org.Must(http.StatusOK, "POST", "/admin/notices/formal_excluded", form))
		if got := page.Find("#preview-message .preview-subject").Text(); got != "审查结果：实验室里的创新誓言" {
			t.Errorf("preview subject %q", got)
		}
		if got := page.Find("#preview-mail .mail-text").Text(); !strings.Contains(got, "张三，您好：") || !strings.Contains(got, "请知悉。") {
			t.Errorf("preview mail %q", got)
		}
		if page.Find(`textarea[name="body"]`).Text() != "原因：{原因}\n请知悉。" {
			t.Errorf("the form lost the typed text: %q", page.Find(`textarea[name="body"]`).Text())
		}
		if noticeTemplates(t, org)["formal_excluded"].Edited {
			t.Fatal("the page's preview saved the text")
		}
		form.Set("action", "save")
		form.Set("body", "奖项：{奖项}")
		page = mustDoc(t, org.Must(http.StatusUnprocessableEntity, "POST", "/admin/notices/formal_excluded", form))
		if !strings.Contains(page.Find("#body-error").Text(), "没有占位符 {奖项}") || page.Find(`textarea[name="body"]`).Text() != "奖项：{奖项}" {
			t.Errorf("the bad placeholder is not shown on its field: %q", page.Find("#body-error").Text())
		}
		form.Set("body", "原因：{原因}")
		org.Must(http.StatusSeeOther, "POST", "/admin/notices/formal_excluded", form)
		if k := noticeTemplates(t, org)["formal_excluded"]; !k.Edited || k.Current.Body != "原因：{原因}" {
			t.Fatalf("saved from the page = %+v", k)
		}
		list = mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/notices", nil))
		if got := strings.TrimSpace(list.Find("#kind-formal_excluded .state").Text()); got != "已修改" {
			t.Errorf("the list says %q after saving", got)
		}
		org.Must(http.StatusSeeOther, "POST", "/admin/notices/formal_excluded", url.Values{"action": {"reset"}})
		if k := noticeTemplates(t, org)["formal_excluded"]; k.Edited || k.Current != k.Default {
			t.Errorf("after the page's reset = %+v", k)
		}

		// Only organizers.
		judge, _, _ := e.InviteJudge(org, "judge@example.org", "王评委", "省科技馆")
		contestant := e.Client().SignUp("sun@example.org")
		for _, c := range []*client{judge, contestant} {
			c.Must(http.StatusForbidden, "GET", "/api/v1/admin/notice-templates", nil)
			c.Must(http.StatusForbidden, "PUT", "/api/v1/admin/notice-templates/formal_excluded", map[string]string{"subject": "a", "body": "b"})
			c.Must(http.StatusForbidden, "POST", "/api/v1/admin/notice-templates/formal_excluded/preview", map[string]string{"subject": "a", "body": "b"})
			c.Must(http.StatusForbidden, "DELETE", "/api/v1/admin/notice-templates/formal_excluded", nil)
			c.Must(http.StatusForbidden, "GET", "/admin/notices", nil)
			c.Must(http.StatusForbidden, "POST", "/admin/notices/formal_excluded", url.Values{"action": {"save"}, "subject": {"a"}, "body": {"b"}})
		}
		if k := noticeTemplates(t, org)["formal_excluded"]; k.Edited {
			t.Error("a judge or contestant changed the text")
		}
	})
}

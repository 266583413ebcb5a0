package http

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
)

func TestAuditDiff_ShowsOnlyChangedFieldsInChinese(t *testing.T) {
	names := map[string]string{"judge-1": "李评委", "judge-2": "王评委", "w1": "量子之光"}
	for _, tc := range []struct {
		name, entity, before, after string
		want                        []auditChange
	}{
		{"a decision changed, the unchanged field left out", "formal_review",
			`{"decision":"excluded","reason":"与主题无关"}`, `{"decision":"passed","reason":"与主题无关"}`,
			[]auditChange{{Label: "结论", Old: "不通过", New: "通过", HasOld: true, HasNew: true}}},
		{"a new thing: every field after, no old value", "judge", ``, `{"email":"li@example.org","name":"李四","disabled":false}`,
			[]auditChange{{Label: "已停用", New: "否", HasNew: true}, {Label: "邮箱", New: "li@example.org", HasNew: true},
				{Label: "姓名", New: "李四", HasNew: true}}},
		{"the same key named by its entity; times in Beijing time", "contest",
			`{"name":"旧名称","collection_end":"2022-05-20T15:59:59Z"}`, `{"name":"新名称","collection_end":"2022-05-25T15:59:59Z"}`,
			[]auditChange{{Label: "征集截止", Old: "2022-05-20 23:59", New: "2022-05-25 23:59", HasOld: true, HasNew: true},
				{Label: "活动名称", Old: "旧名称", New: "新名称", HasOld: true, HasNew: true}}},
		{"nested settings compared leaf by leaf; judges by name", "assignment",
			`{"judge":"judge-1"}`, `{"judge":"judge-2"}`,
			[]auditChange{{Label: "评委", Old: "李评委", New: "王评委", HasOld: true, HasNew: true}}},
		{"a rubric's criterion changed deep inside the judging settings", "judging",
			`{"ReviewsPerWork":3,"Normalize":false,"Rubric":[{"key":"theme","name":"主题契合度","max_points":30}]}`,
			`{"ReviewsPerWork":3,"Normalize":true,"Rubric":[{"key":"theme","name":"主题契合度","max_points":40}]}`,
			[]auditChange{{Label: "按评委标准化计分", Old: "否", New: "是", HasOld: true, HasNew: true},
				{Label: "评分标准 · 第1项 · 满分", Old: "30", New: "40", HasOld: true, HasNew: true}}},
		{"a removed field", "notice_template", `{"subject":"旧标题","body":"正文"}`, `{"body":"正文"}`,
			[]auditChange{{Label: "邮件标题", Old: "旧标题", HasOld: true}}},
		{"long lists are counted, short ones listed", "assignment",
			`{"removed":[]}`, `{"removed":["a","b"],"added":["1","2","3","4","5","6","7"]}`,
			[]auditChange{{Label: "新增的分配", New: "共 7 项", HasNew: true},
				{Label: "撤下的分配", Old: "（无）", New: "a、b", HasOld: true, HasNew: true}}},
		{"a value that is not an object is shown whole", "export", ``, `"text"`,
			[]auditChange{{Label: "内容", New: "text", HasNew: true}}},
		{"a first review: the scores appear, nothing was there", "review",
			`{"scores":null,"comment":"","submitted":false}`, `{"scores":{"artistry":20},"comment":"","submitted":true}`,
			[]auditChange{{Label: "评分 · 艺术性", New: "20", HasNew: true},
				{Label: "已提交", Old: "否", New: "是", HasOld: true, HasNew: true}}},
		{"awards listed by the works' titles, assignments as work and judge", "award",
			`{"added":["w1:judge-1"]}`, `{"awards":{"w1":"一等奖"},"added":["w1:judge-2"]}`,
			[]auditChange{{Label: "新增的分配", Old: "《量子之光》—李评委", New: "《量子之光》—王评委", HasOld: true, HasNew: true},
				{Label: "奖项名单 · 《量子之光》", New: "一等奖", HasNew: true}}},
		{"a criterion named as in the rubric, not as the contest's theme", "review",
			`{"scores":{"theme":20}}`, `{"scores":{"theme":25}}`,
			[]auditChange{{Label: "评分 · 主题契合度", Old: "20", New: "25", HasOld: true, HasNew: true}}},
		{"nothing changed", "review", `{"scores":{"theme":20}}`, `{"scores":{"theme":20}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, auditDiff(tc.entity, tc.before, tc.after, names)); diff != "" {
				t.Errorf("auditDiff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuditLabels_EveryRecordedKeyAndActionHasChinese(t *testing.T) {
	// The keys the services write into before/after today; a new one needs its label.
	for _, key := range []string{"decision", "reason", "theme", "organizer", "collection_start", "review_end",
		"authorization_text", "require_email_verification", "email", "employer", "disabled", "role", "expires_at",
		"scores", "comment", "submitted", "total", "tier", "proposed", "version", "awards", "until", "results",
		"certificates", "revoked", "recommended", "title", "work", "status", "judge", "removed", "added",
		"assignments", "works", "judges", "short", "kind", "size", "sheet", "closed_at", "purged_at",
		"participants", "scans", "objections", "now", "reassigned_to", "Rubric", "ReviewsPerWork", "Quotas",
		"Normalize", "PublicityDays", "RetentionDays", "Certificate", "Heading", "Issuer", "PerParticipant", "flagged", "waiting", "no_judge", "reopened",
		contest.CritArtistry} {
		if l := auditFieldLabel("", key); l == key {
			t.Errorf("field %q has no Chinese label", key)
		}
	}
	for _, action := range []string{"passed", "excluded", "invite", "resend_invitation", "activate", "deactivate",
		"update", "reset", "reset_password", "run", "conflict", "reassign", "move", "confirm", "reopen", "submit",
		"draft", "decide", "recommend", "unrecommend", "publicity", "publish", "unpublish", "settings", "close",
		"start", "download", "registrations_full", "purge_personal_data", "advance", "advance_round", "extra_reviews", "reopen_judging"} {
		if l := labelOr(actionLabels, action); l == action {
			t.Errorf("action %q has no Chinese label", action)
		}
	}
	if got := auditFieldLabel("contest", "name"); got != "活动名称" {
		t.Errorf("contest name labelled %q", got)
	}
}

func TestAuditSubject_NamesWhatChanged(t *testing.T) {
	names := map[string]string{"w1": "稻田里的科研日记", "u1": "李评委", "o1": "量子之光"}
	for _, tc := range []struct {
		entry contest.AuditEntry
		want  string
	}{
		{contest.AuditEntry{Entity: "formal_review", EntityID: "w1", Action: "passed"}, "《稻田里的科研日记》"},
		{contest.AuditEntry{Entity: "award", EntityID: "w1", Action: "move"}, "《稻田里的科研日记》"},
		{contest.AuditEntry{Entity: "award", EntityID: "c1", Action: "confirm"}, "本届活动"},
		{contest.AuditEntry{Entity: "judge", EntityID: "u1", Action: "invite"}, "李评委"},
		{contest.AuditEntry{Entity: "assignment", EntityID: "u1", Action: "reassign"}, "李评委"},
		{contest.AuditEntry{Entity: "objection", EntityID: "o1", Action: "decide"}, "对《量子之光》的异议"},
		{contest.AuditEntry{Entity: "formal_review", EntityID: "gone", Action: "passed"}, "作品（已删除）"},
		{contest.AuditEntry{Entity: "export", EntityID: "x", Action: "start", After: `{"kind":"certificates"}`}, "全部获奖证书"},
	} {
		if got := auditSubject(tc.entry, names); got != tc.want {
			t.Errorf("%s %s: subject %q, want %q", tc.entry.Entity, tc.entry.Action, got, tc.want)
		}
	}
}

// A confirmation of hundreds of awards shows a few of them and their count, as long lists are.
func TestAuditDiff_CapsAManyAwards(t *testing.T) {
	awards := map[string]string{}
	for i := range 300 {
		awards[fmt.Sprintf("w%03d", i)] = "优秀奖"
	}
	doc, err := json.Marshal(map[string]any{"awards": awards, "version": 2})
	if err != nil {
		t.Fatal(err)
	}
	got := auditDiff("award", `{"version":1}`, string(doc), map[string]string{"w000": "量子之光"})
	if len(got) != contest.AuditListMax+2 {
		t.Fatalf("%d changes for 300 awards: %+v", len(got), got)
	}
	if got[0].Label != "奖项名单 · 《量子之光》" || got[0].New != "优秀奖" {
		t.Errorf("first change = %+v", got[0])
	}
	if rest := got[contest.AuditListMax]; rest.Label != "奖项名单" || rest.New != "……共 300 项" {
		t.Errorf("the rest = %+v", rest)
	}
	if last := got[len(got)-1]; last.Old != "1" || last.New != "2" {
		t.Errorf("the field after the awards = %+v", last)
	}
}

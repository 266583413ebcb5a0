package contest

import (
	"strings"
	"testing"
	"time"
)

func TestNoticeKinds_DefaultsAreValidAndUseOnlyTheirPlaceholders(t *testing.T) {
	seen := map[NotificationKind]bool{}
	for _, k := range NoticeKinds() {
		if seen[k.Kind] {
			t.Errorf("kind %s listed twice", k.Kind)
		}
		seen[k.Kind] = true
		if k.Label == "" || k.When == "" || k.Audience == "" {
			t.Errorf("kind %s lacks its label, time or audience", k.Kind)
		}
		if err := k.Validate(k.Default); err != nil {
			t.Errorf("default of %s: %v %v", k.Kind, err, ErrorFields(err))
		}
		p, err := PreviewNotice(k.Kind, k.Default)
		if err != nil || strings.ContainsAny(p.Subject+p.Body, "{}") {
			t.Errorf("preview of %s = %+v, %v: a placeholder is left unfilled", k.Kind, p, err)
		}
	}
}

func TestNoticeTexts_RenderFillsPlaceholdersAndLeavesOutEmptyLines(t *testing.T) {
	c := Contest{Name: "测试活动"}
	sub := Submission{ID: "w1", OwnerID: "u1", Status: StatusSubmitted, Registration: Registration{Title: "光与影"}}
	now := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)

	// Submitted already: the accepted verdict has no 待办 line.
	n := verdictNotification(now, c, sub, "k1", VideoCheck{State: CheckAccepted})
	if n.Subject != "视频检查通过：《光与影》" || n.Body != "作品《光与影》的视频已通过格式检查。" {
		t.Errorf("accepted = %q / %q", n.Subject, n.Body)
	}
	sub.Status = StatusDraft
	if n := verdictNotification(now, c, sub, "k1", VideoCheck{State: CheckAccepted}); !strings.HasSuffix(n.Body, "\n请确认报名信息和全部作品授权书后提交作品。") {
		t.Errorf("a draft's accepted verdict lacks what to do next: %q", n.Body)
	}
	// Reasons keep their lines.
	rej := verdictNotification(now, c, sub, "k1", VideoCheck{State: CheckRejected, Reasons: []Reason{{Message: "时长超过 3 分钟"}, {Message: "分辨率低于 720P"}}})
	if !strings.Contains(rej.Body, "原因如下：\n1. 时长超过 3 分钟\n2. 分辨率低于 720P\n请按以上要求") {
		t.Errorf("rejected body = %q", rej.Body)
	}

	// An organizer's text, with the contest's name, is used for the next event.
	c.Notices = NoticeTexts{NoteFormalExcluded: {Subject: "【{活动名称}】{作品名称} 未通过", Body: "理由：{原因}\n\n联系电话 025-1234"}}
	ex := exclusionNotification(now, c, sub, FormalReview{Reason: "与主题无关"})
	if ex.Subject != "【测试活动】光与影 未通过" || ex.Body != "理由：与主题无关\n\n联系电话 025-1234" {
		t.Errorf("edited exclusion = %q / %q", ex.Subject, ex.Body)
	}
	// A multi-line value in a subject becomes one line.
	if got := fillLine("{原因}", map[string]string{"原因": "一\n二"}); got != "一 二" {
		t.Errorf("subject = %q", got)
	}
}

func TestNoticeKind_ValidateNamesWhatToFix(t *testing.T) {
	k, _ := NoticeKindOf(NoteFormalExcluded)
	for _, tc := range []struct {
		t           NoticeTemplate
		field, code string
	}{
		{NoticeTemplate{Subject: "", Body: "正文"}, "subject", "required"},
		{NoticeTemplate{Subject: "一\n二", Body: "正文"}, "subject", "one_line"},
		{NoticeTemplate{Subject: "标题", Body: "  "}, "body", "required"},
		{NoticeTemplate{Subject: "标题", Body: "奖项：{奖项}"}, "body", "unknown_placeholder"},
		{NoticeTemplate{Subject: "标题 {作品名称", Body: "正文"}, "subject", "brace"},
		{NoticeTemplate{Subject: "标题", Body: "正文 }"}, "body", "brace"},
		{NoticeTemplate{Subject: strings.Repeat("长", MaxNoticeSubject+1), Body: "正文"}, "subject", "too_long"},
	} {
		err := k.Validate(tc.t)
		if f := ErrorFields(err)[tc.field]; f.Code != tc.code || f.Message == "" {
			t.Errorf("Validate(%+v) = %v, want %s on %s", tc.t, ErrorFields(err), tc.code, tc.field)
		}
	}
	if err := k.Validate(NoticeTemplate{Subject: "{作品名称}", Body: "{活动名称}：{原因}"}); err != nil {
		t.Errorf("a text with the kind's own placeholders was refused: %v", err)
	}
}

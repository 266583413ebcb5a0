package contest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Notice templates: the text of each kind of notification is a subject and a body with
// placeholders in braces — {作品名称}, {原因} — that the event fills in. The texts below are the
// defaults; organizers can edit each kind's text for their contest (Contest.Notices) and see a
// preview filled with sample values before saving. A notification is written with the text
// in force when its event happens: editing a template never changes a message already sent.
//
// A line whose placeholders are all empty is left out, so an optional sentence (the
// certificate's serial, what to do next) is written as a line of its own around its
// placeholder.

// NoticeTemplate is the text of one kind of notification.
type NoticeTemplate struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// NoticeField is one placeholder of a kind of notification.
type NoticeField struct {
	Name   string // the placeholder without braces: 作品名称
	Sample string // the value a preview shows
}

// NoticeKind describes a kind of notification to organizers and holds its default text.
type NoticeKind struct {
	Kind     NotificationKind
	Label    string // what it is, in Chinese: 视频检查未通过
	Audience Role   // who receives it
	When     string // when it is sent, in Chinese
	// Reminder marks a reminder, which recipients can turn off; the others tell of an event
	// that happened to the recipient and are always sent.
	Reminder bool
	Fields   []NoticeField
	Default  NoticeTemplate
}

// The placeholders every kind has.
var commonNoticeFields = []NoticeField{{"活动名称", "“创新争先、自立自强”主题视频征集活动"}}

// Sample values shared by several kinds.
var (
	fieldTitle  = NoticeField{"作品名称", "实验室里的创新誓言"}
	fieldReason = NoticeField{"原因", "作品内容与征集主题关联不足"}
)

// noticeKinds are the kinds of notification, in the order organizers see them.
var noticeKinds = []NoticeKind{
	{
		Kind: NoteVideoAccepted, Label: "视频检查通过", Audience: RoleContestant, When: "作品视频通过格式检查时",
		Fields: []NoticeField{fieldTitle, {"待办", "请确认报名信息和全部作品授权书后提交作品。"}},
		Default: NoticeTemplate{
			Subject: "视频检查通过：《{作品名称}》",
			Body:    "作品《{作品名称}》的视频已通过格式检查。\n{待办}",
		},
	},
	{
		Kind: NoteVideoRejected, Label: "视频检查未通过", Audience: RoleContestant, When: "作品视频未通过格式检查时",
		Fields: []NoticeField{fieldTitle, {"原因", "1. 视频时长 3 分 12 秒，超过 3 分钟的上限"}},
		Default: NoticeTemplate{
			Subject: "视频检查未通过：《{作品名称}》",
			Body:    "作品《{作品名称}》的视频未通过格式检查，原因如下：\n{原因}\n请按以上要求修改视频后，在作品页面重新上传。截止前可以多次上传。",
		},
	},
	{
		Kind: NoteFormalExcluded, Label: "形式审查未通过", Audience: RoleContestant, When: "组织方在形式审查中排除作品时",
		Fields: []NoticeField{fieldTitle, fieldReason},
		Default: NoticeTemplate{
			Subject: "形式审查未通过：《{作品名称}》",
			Body:    "作品《{作品名称}》未通过形式审查，不进入评审。\n原因：{原因}\n如有疑问，请联系主办单位。",
		},
	},
	{
		Kind: NotePublicity, Label: "作品入选公示", Audience: RoleContestant, When: "公示开始时，发给入选公示作品的参赛者",
		Fields: []NoticeField{fieldTitle, {"奖项", "一等奖"}, {"公示截止", "2022-06-10 23:59:59"}},
		Default: NoticeTemplate{
			Subject: "作品入选公示：《{作品名称}》",
			Body:    "您的作品《{作品名称}》拟获{奖项}，现予公示，公示期至{公示截止}。\n公示期间如有异议，任何人均可在公示页面提出；公示期满后结果正式发布。",
		},
	},
	{
		Kind: NoteResults, Label: "作品获奖", Audience: RoleContestant, When: "结果正式发布时，发给获奖作品的参赛者",
		Fields: []NoticeField{fieldTitle, {"奖项", "二等奖"}, {"证书编号", "JSKX-2022-0007"}},
		Default: NoticeTemplate{
			Subject: "评选结果：作品《{作品名称}》荣获{奖项}",
			Body:    "评选结果已正式发布，您的作品《{作品名称}》荣获{奖项}。\n获奖证书可通过本消息的链接或“我的作品”页面下载，证书编号 {证书编号}。",
		},
	},
	{
		Kind: NoteNotAwarded, Label: "作品未获奖", Audience: RoleContestant, When: "结果正式发布时，发给其余已提交作品的参赛者",
		Fields: []NoticeField{fieldTitle},
		Default: NoticeTemplate{
			Subject: "评选结果已发布：《{作品名称}》",
			Body:    "评选结果已正式发布。您的作品《{作品名称}》本次未获奖，感谢您的参与。",
		},
	},
}

// NoticeKinds returns the kinds of notification, in the order organizers see them.
func NoticeKinds() []NoticeKind { return noticeKinds }

// NoticeKindOf returns the description of kind k.
func NoticeKindOf(k NotificationKind) (NoticeKind, bool) {
	for _, n := range noticeKinds {
		if n.Kind == k {
			return n, true
		}
	}
	return NoticeKind{}, false
}

// AllFields returns the kind's placeholders, the common ones first.
func (k NoticeKind) AllFields() []NoticeField {
	return append(append([]NoticeField(nil), commonNoticeFields...), k.Fields...)
}

// samples are the preview's values of the kind's placeholders.
func (k NoticeKind) samples() map[string]string {
	out := map[string]string{}
	for _, f := range k.AllFields() {
		out[f.Name] = f.Sample
	}
	return out
}

// Limits of an edited template.
const (
	MaxNoticeSubject = 120  // characters
	MaxNoticeBody    = 2000 // characters
)

// Validate checks an edited text of the kind: a one-line subject and a body within their
// lengths, and only the kind's placeholders.
func (k NoticeKind) Validate(t NoticeTemplate) error {
	var f Fields
	subject, body := strings.TrimSpace(t.Subject), strings.TrimSpace(t.Body)
	switch {
	case subject == "":
		f.Add("subject", "required", "请填写标题")
	case strings.ContainsAny(subject, "\r\n"):
		f.Add("subject", "one_line", "标题只能有一行")
	case utf8.RuneCountInString(subject) > MaxNoticeSubject:
		f.Add("subject", "too_long", fmt.Sprintf("标题不能超过 %d 个字", MaxNoticeSubject))
	}
	switch {
	case body == "":
		f.Add("body", "required", "请填写正文")
	case utf8.RuneCountInString(body) > MaxNoticeBody:
		f.Add("body", "too_long", fmt.Sprintf("正文不能超过 %d 个字", MaxNoticeBody))
	}
	known := map[string]bool{}
	for _, fl := range k.AllFields() {
		known[fl.Name] = true
	}
	for field, text := range map[string]string{"subject": subject, "body": body} {
		names, err := placeholders(text)
		if err != "" {
			f.Add(field, "brace", err)
			continue
		}
		for _, n := range names {
			if !known[n] {
				f.Add(field, "unknown_placeholder", fmt.Sprintf("没有占位符 {%s}，可用的占位符：%s", n, k.fieldList()))
				break
			}
		}
	}
	return f.Err()
}

// fieldList lists the kind's placeholders for an error message: {活动名称}、{作品名称}.
func (k NoticeKind) fieldList() string {
	names := make([]string, 0, len(k.Fields)+1)
	for _, f := range k.AllFields() {
		names = append(names, "{"+f.Name+"}")
	}
	return strings.Join(names, "、")
}

// placeholders returns the names in braces in text, or a Chinese message when a brace is
// unmatched.
func placeholders(text string) ([]string, string) {
	var names []string
	for {
		open := strings.IndexAny(text, "{}")
		if open < 0 {
			return names, ""
		}
		if text[open] == '}' {
			return nil, "多余的“}”：花括号只用于占位符，如 {作品名称}"
		}
		end := strings.IndexAny(text[open+1:], "{}\n")
		if end < 0 || text[open+1+end] != '}' {
			return nil, "“{”没有对应的“}”：占位符写作 {作品名称}"
		}
		names = append(names, text[open+1:open+1+end])
		text = text[open+1+end+1:]
	}
}

// NoticeTexts are a contest's edited templates by kind; a kind not in it has its default.
type NoticeTexts map[NotificationKind]NoticeTemplate

// Template returns the text of kind k in force: the edited one, else the default.
func (t NoticeTexts) Template(k NotificationKind) NoticeTemplate {
	if x, ok := t[k]; ok {
		return x
	}
	d, _ := NoticeKindOf(k)
	return d.Default
}

// Edited reports whether the organizers changed kind k's text.
func (t NoticeTexts) Edited(k NotificationKind) bool {
	_, ok := t[k]
	return ok
}

// render fills kind k's text in force with the values of its placeholders.
func (t NoticeTexts) render(k NotificationKind, values map[string]string) (subject, body string) {
	x := t.Template(k)
	return fillLine(strings.TrimSpace(x.Subject), values), fillText(strings.TrimSpace(x.Body), values)
}

// fillText fills the placeholders of text, line by line, leaving out a line whose
// placeholders are all empty. A value of several lines (a list of reasons) keeps them.
func fillText(text string, values map[string]string) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		names, _ := placeholders(line)
		empty := len(names) > 0
		for _, n := range names {
			if strings.TrimSpace(values[n]) != "" {
				empty = false
			}
		}
		if !empty {
			out = append(out, fill(line, values))
		}
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// fillLine fills a one-line text (a subject): a value's line breaks become spaces.
func fillLine(text string, values map[string]string) string {
	return strings.Join(strings.Fields(fill(text, values)), " ")
}

// fill replaces each {name} in text with its value; an unknown name is left as written.
func fill(text string, values map[string]string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			b.WriteString(text)
			return b.String()
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			b.WriteString(text)
			return b.String()
		}
		name := text[open+1 : open+end]
		b.WriteString(text[:open])
		if v, ok := values[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(text[open : open+end+1])
		}
		text = text[open+end+1:]
	}
}

// NoticePreview is a kind's text filled with sample values, as a recipient would read it.
type NoticePreview struct {
	Subject string
	Body    string
}

// PreviewNotice fills t, an edited text of kind k, with the kind's sample values. The text is
// validated first, so a preview shows exactly what saving would keep.
func PreviewNotice(k NotificationKind, t NoticeTemplate) (NoticePreview, error) {
	kind, ok := NoticeKindOf(k)
	if !ok {
		return NoticePreview{}, Errorf(ENotFound, "没有这种通知")
	}
	if err := kind.Validate(t); err != nil {
		return NoticePreview{}, err
	}
	s, b := NoticeTexts{k: t}.render(k, kind.samples())
	return NoticePreview{Subject: s, Body: b}, nil
}

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
	// The work's reference number (Submission.Reference) and the collection's deadline.
	fieldReference = NoticeField{"报名编号", "2022-000123"}
	fieldDeadline  = NoticeField{"征集截止", "2022年5月20日 23:59:59"}
	// The objection's reference number (Objection.Reference) and the organizers' answer.
	fieldObjectionRef = NoticeField{"异议编号", "YY-2022-0007"}
	fieldDecision     = NoticeField{"处理意见", "经核查，该作品的主创人员信息有误，取消拟授奖项。"}
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
		Kind: NoteCandidateRejected, Label: "新视频检查未通过", Audience: RoleContestant,
		When: "已有视频通过检查后，新上传用于替换的视频未通过格式检查时（原视频保留）",
		Fields: []NoticeField{fieldTitle, {"新视频", "创新誓言-终版.mp4"}, {"原因", "1. 视频时长 3 分 12 秒，超过 3 分钟的上限"},
			{"参赛视频", "创新誓言.mp4"}},
		Default: NoticeTemplate{
			Subject: "新视频未通过检查：《{作品名称}》",
			Body: "作品《{作品名称}》新上传的视频“{新视频}”未通过格式检查，原因如下：\n{原因}\n" +
				"原先通过检查的视频“{参赛视频}”仍是参赛视频，作品不受影响。如仍要更换，请按以上要求修改后重新上传。",
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
		Fields: []NoticeField{fieldTitle, {"奖项", "一等奖"}, {"公示截止", "2022年6月10日"}},
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
	{
		Kind: NoteFeedback, Label: "评审意见已发布", Audience: RoleContestant, When: "组织方发布评审意见时，发给有评分的作品的参赛者",
		Fields: []NoticeField{fieldTitle},
		Default: NoticeTemplate{
			Subject: "评审意见已发布：《{作品名称}》",
			Body:    "作品《{作品名称}》的评审意见已发布：各评分项的平均分和评委评语（匿名），请在作品页面查看。",
		},
	},
	{
		Kind: NoteDeadlineReminder, Label: "作品截止提醒", Audience: RoleContestant, Reminder: true,
		When: "作品征集截止前 24 小时和 2 小时，发给作品尚未提交的参赛者",
		Fields: []NoticeField{fieldTitle, {"剩余时间", "24 小时"}, {"截止时间", "2022年5月20日 23:59:59"},
			{"待办", "1. 参赛视频未通过检查，请按提示重新上传\n2. 有 1 位参与人员尚未签署作品授权书"}},
		Default: NoticeTemplate{
			Subject: "距作品征集截止不到 {剩余时间}：《{作品名称}》尚未提交",
			Body:    "您的作品《{作品名称}》尚未提交，作品征集将于{截止时间}（北京时间）截止，截止后不能再提交。\n还需完成：\n{待办}\n请在截止前完成以上事项并点击“提交作品”。",
		},
	},
	{
		Kind: NoteReviewAssigned, Label: "评审任务分配", Audience: RoleJudge, When: "组织方分配或改派评审任务，评委有新的作品要评时",
		Fields: []NoticeField{{"新分配数", "12"}, {"作品总数", "30"}, {"评审截止", "2022年5月28日 23:59:59"}},
		Default: NoticeTemplate{
			Subject: "新的评审任务：{新分配数} 件作品",
			Body:    "组织方为您分配了 {新分配数} 件作品，您的评审队列现共有 {作品总数} 件作品。\n请在{评审截止}（北京时间）前完成评分。",
		},
	},
	{
		Kind: NotePairwiseAssigned, Label: "成对比较任务", Audience: RoleJudge, When: "组织方开始成对比较复核，评委有作品对要比较时",
		Fields: []NoticeField{{"比较数", "6"}},
		Default: NoticeTemplate{
			Subject: "成对比较复核：{比较数} 对作品",
			Body:    "组织方请您对 {比较数} 对处在奖项分界处的作品进行成对比较：每对作品中选出您认为更好的一件。\n请在评审页面的“成对比较”中完成。",
		},
	},
	{
		Kind: NoteReviewReminder, Label: "评审截止提醒", Audience: RoleJudge, Reminder: true,
		When:   "评审截止前 48 小时和 24 小时，发给尚有作品未评完的评委",
		Fields: []NoticeField{{"剩余时间", "48 小时"}, {"评审截止", "2022年5月28日 23:59:59"}, {"未完成数", "5"}, {"作品总数", "30"}},
		Default: NoticeTemplate{
			Subject: "距评审截止不到 {剩余时间}：还有 {未完成数} 件作品未提交评分",
			Body:    "您的 {作品总数} 件评审作品中还有 {未完成数} 件未提交评分。评审将于{评审截止}（北京时间）截止，截止后不能再评分。",
		},
	},
	{
		Kind: NoteJudgingClosed, Label: "评审结束", Audience: RoleJudge, When: "组织方结束评审时，发给有评审任务的评委",
		Fields: []NoticeField{{"已完成数", "30"}, {"作品总数", "30"}},
		Default: NoticeTemplate{
			Subject: "{活动名称}评审已结束",
			Body:    "组织方已结束本轮评审，评分已锁定，不能再修改。您共提交了 {已完成数} 件（共 {作品总数} 件）作品的评分。\n感谢您的辛勤评审！",
		},
	},
	{
		Kind: NoteDigest, Label: "组织方每日摘要", Audience: RoleOrganizer, Reminder: true,
		When: "征集和评审期间每天北京时间 8:00，发给组织者",
		Fields: []NoticeField{{"日期", "2022-05-15"}, {"统计时段", "2022-05-14 08:00 至 2022-05-15 08:00"},
			{"新报名", "12"}, {"新提交", "8"}, {"检查未通过", "3"}, {"作品草稿", "40"}, {"作品已提交", "120"},
			{"评审进度", "评委已提交 45 / 90 份评分"}, {"待处理异议", "有 2 条异议待处理"}},
		Default: NoticeTemplate{
			Subject: "每日摘要（{日期}）：新报名 {新报名}，新提交 {新提交}",
			Body:    "{统计时段}（北京时间）：\n新报名作品 {新报名} 件，新提交 {新提交} 件，视频检查未通过 {检查未通过} 次。\n目前共有草稿 {作品草稿} 件、已提交 {作品已提交} 件。\n{评审进度}\n{待处理异议}",
		},
	},
	{
		Kind: NoteRegistered, Label: "报名回执", Audience: RoleContestant, When: "参赛者首次保存报名登记表（作品创建）时",
		Fields: []NoticeField{fieldTitle, fieldReference, fieldDeadline},
		Default: NoticeTemplate{
			Subject: "报名回执：《{作品名称}》，报名编号 {报名编号}",
			Body:    "您的作品《{作品名称}》已报名，报名编号 {报名编号}。查询或联系主办单位时请提供此编号。\n请在 {征集截止}（北京时间）前上传视频、请全部参与人员签署作品授权书，并点击“提交作品”。只保存报名表不算提交。",
		},
	},
	{
		Kind: NoteSubmitted, Label: "作品已提交", Audience: RoleContestant, When: "参赛者提交作品时",
		Fields: []NoticeField{fieldTitle, fieldReference, {"提交时间", "2022年5月18日 21:30:05"}, fieldDeadline},
		Default: NoticeTemplate{
			Subject: "作品已提交：《{作品名称}》",
			Body:    "您的作品《{作品名称}》（报名编号 {报名编号}）已于 {提交时间} 提交成功。\n征集截止（{征集截止}）后，作品将进入形式审查和评审，结果将以站内消息通知您。\n截止前如更换视频，作品需在新视频通过检查后重新提交。",
		},
	},
	{
		Kind: NoteObjectionReceived, Label: "异议已受理", Audience: RoleContestant, When: "登录后在公示页面提出异议时，发给提出人",
		Fields: []NoticeField{fieldTitle, fieldObjectionRef},
		Default: NoticeTemplate{
			Subject: "异议已受理：{异议编号}",
			Body:    "我们已收到您对公示作品《{作品名称}》提出的异议，异议编号 {异议编号}。\n主办单位将在核查后答复，处理结果将以站内消息通知您。",
		},
	},
	{
		Kind: NoteObjectionDecided, Label: "异议处理结果", Audience: RoleContestant, When: "组织方处理异议后，发给登录后提出异议的人",
		Fields: []NoticeField{fieldTitle, fieldObjectionRef, {"处理结果", "异议成立"}, fieldDecision},
		Default: NoticeTemplate{
			Subject: "异议处理结果：{异议编号}（{处理结果}）",
			Body:    "您对作品《{作品名称}》提出的异议（编号 {异议编号}）已处理：{处理结果}。\n处理意见：{处理意见}",
		},
	},
	{
		Kind: NoteObjectionUpheld, Label: "作品所获异议成立", Audience: RoleContestant, When: "针对某作品的异议被认定成立时，发给该作品的参赛者",
		Fields: []NoticeField{fieldTitle, fieldDecision},
		Default: NoticeTemplate{
			Subject: "关于作品《{作品名称}》的异议经核查成立",
			Body:    "公示期间针对您的作品《{作品名称}》提出的异议，经主办单位核查成立。\n处理意见：{处理意见}\n主办单位将据此调整评选结果，调整后的结果将重新公示。如有疑问，请联系主办单位。",
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
	Link    string // a sample of the page the message links to
}

// previewLink is a sample of the page a kind's message links to: the work's page for a
// contestant's own work, else the results.
func previewLink(k NoticeKind) string {
	switch k.Kind {
	case NotePublicity, NoteNotAwarded, NoteObjectionReceived, NoteObjectionDecided:
		return "/results"
	case NoteResults:
		return "/certificates/JSKX-2022-0007"
	}
	if k.Audience == RoleContestant {
		return workLink("0192b7c4-5e2f-7a10-9c3d-8e4f5a6b7c8d") // a sample work id
	}
	return "/messages"
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
	return NoticePreview{Subject: s, Body: b, Link: previewLink(kind)}, nil
}

package http

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/demo"
)

//go:embed templates static
var assets embed.FS

// view is what every page template receives.
type view struct {
	Title    string
	User     *contest.User
	CSRF     string
	Contest  contest.Contest
	Now      time.Time
	Wide     bool // organizer tables use the full width
	Flash    string
	Errors   map[string]contest.FieldError
	ErrorMsg string
	Data     any
	// Unread is the signed-in user's unread messages, shown in the header.
	Unread int64
	// Demo is set in demo mode only: the banner on every page and the clock's steps.
	Demo *demoView
	// Unverified: the signed-in contestant's address is not verified and mail can verify it
	// (the banner with 发送验证邮件: at sign-up a mail is sent only if verification is required).
	Unverified bool
	// MailOn: e-mail is configured (mailed links, 需要验证邮箱).
	MailOn bool
	// Base is the prefix the URL named its contest by (/c/2023), "" on the default contest's
	// unprefixed routes; API is the API's root to match (/api/v1/contests/2023 or /api/v1).
	// Every link of a page starts with one of them, so a page keeps to its contest.
	Base, API string
}

// pages holds one template set per page, each page with the shared layout.
type pages struct{ sets map[string]*template.Template }

var funcs = template.FuncMap{
	"bj": func(t time.Time) string { return contest.FormatTime(t, beijing) },
	"bjdate": func(t time.Time) string {
		return t.In(beijing).Format("2006-01-02T15:04")
	},
	"bjshort": func(t time.Time) string { return t.In(beijing).Format("1月2日 15:04") },
	"bjsec":   func(t time.Time) string { return t.In(beijing).Format("2006-01-02T15:04:05") },
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
	"errmsg": contest.ErrorMessage,
	"mb":     func(n int64) int64 { return n >> 20 },
	"ms":     func(t time.Time) int64 { return t.UnixMilli() },
	"fieldErr": func(errs map[string]contest.FieldError, key string) string {
		return errs[key].Message
	},
	"pkey":        func(i int, field string) string { return fmt.Sprintf("participants.%d.%s", i, field) },
	"idtypes":     contest.IDTypes,
	"statuses":    contest.Statuses,
	"checks":      contest.CheckStates,
	"reasons":     contest.ReasonCodes,
	"poster":      func(id string, v contest.Video) string { return strings.TrimPrefix(posterURL(id, v), "/api/v1") },
	"duration":    contest.FormatDuration,
	"timecode":    contest.FormatTimecode,
	"hasKey":      func(m map[string][]contest.Reason, k string) bool { _, ok := m[k]; return ok },
	"trimapi":     func(u string) string { return strings.TrimPrefix(u, "/api/v1") },
	"inc":         func(i int) int { return i + 1 },
	"stat":        formatStatistic,
	"share":       func(x float64) string { return fmt.Sprintf("%.0f%%", 100*x) },
	"sub":         func(a, b int) int { return a - b },
	"entityLabel": func(e string) string { return labelOr(entityLabels, e) },
	"actionLabel": func(a string) string { return labelOr(actionLabels, a) },
	"percent": func(n, total int) int {
		if total == 0 {
			return 0
		}
		return n * 100 / total
	},
	"size": contest.FormatBytes,
	"minutes": func(sec int) string {
		if sec%60 == 0 {
			return fmt.Sprintf("%d分钟", sec/60)
		}
		return fmt.Sprintf("%d分%d秒", sec/60, sec%60)
	},
	"consents": func(s contest.Submission) string {
		given, total := s.ConsentCount()
		return fmt.Sprintf("%d/%d", given, total)
	},
	"lines": func(s string) []string { return strings.Split(s, "\n") },
	"bjday": func(t time.Time) string { return t.In(beijing).Format("2006年1月2日") },
	"days":  func(first, last time.Time) string { return contest.FormatDays(first, last, beijing) }, // 2027年7月1日至7月7日
	"join":  func(s []string) string { return strings.Join(s, "、") },
	"statrows": func(rows []contest.StatRow, max int, id string) map[string]any {
		return map[string]any{"Rows": rows, "Max": max, "ID": id}
	},
}

var beijing = contest.Beijing

// entityLabels and actionLabels name the audit log's codes in Chinese on its page (the CSV keeps
// the codes, for scripts).
var (
	entityLabels = map[string]string{"assignment": "评审分配", "award": "奖项", "contest": "活动设置", "demo_clock": "演示时钟", "user": "账号", "export": "导出", "formal_review": "形式审查", "notice_template": "通知模板",
		"judge": "评委", "judging": "评审", "objection": "异议", "publication": "结果发布", "recommendation": "推荐至全国", "review": "评分", "pairwise": "成对比较复核", "video_scan": "画面内容扫描"}
	actionLabels = map[string]string{"conflict": "回避", "move": "调整", "reassign": "改派", "advance": "调整演示时间", "run": "分配", "confirm": "确认",
		"reopen": "开启新版本", "download": "下载", "registrations_full": "完整导出报名信息", "start": "开始生成", "passed": "通过",
		"excluded": "不通过", "invite": "邀请", "activate": "启用", "deactivate": "停用", "close": "结束评审", "settings": "修改设置",
		"decide": "处理", "publicity": "开始公示", "publish": "发布", "unpublish": "撤回发布", "recommend": "推荐",
		"unrecommend": "取消推荐", "submit": "提交评分", "draft": "保存草稿", "update": "修改", "reset_password": "重置密码",
		"purge_personal_data": "清除个人信息", "reset": "恢复默认", "resend_invitation": "重发邀请",
		"withdrawn": "撤销（视频已更换）", "create": "新建", "set_default": "设为默认活动", "archive": "归档", "unarchive": "取消归档", "join": "加入本活动", "categories": "修改评审组别",
		"calibration": "设置校准作品", "feedback_release": "发布评审意见", "compare": "成对比较", "advance_round": "进入下一轮",
		"extra_reviews": "为评奖不稳定的作品增加评委", "reopen_judging": "重新开启评审",
		"rescan": "重新扫描", "clear": "确认提示无碍", "unclear": "撤销无碍确认"}
)

func labelOr(m map[string]string, code string) string {
	if l, ok := m[code]; ok {
		return l
	}
	return code
}

func mustParsePages() *pages {
	p := &pages{sets: map[string]*template.Template{}}
	base := template.Must(template.New("").Funcs(funcs).ParseFS(assets, "templates/layout/*.html"))
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		t := template.Must(template.Must(base.Clone()).ParseFS(assets, name))
		p.sets[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return p
}

// flashText are the one-line confirmations shown after a redirect; the cookie holds only the key.
var flashText = map[string]string{
	"saved":           "已保存",
	"purged":          "个人信息已清除：报名联系信息、证件号码、授权书扫描件、授权IP和异议人联系方式均已删除，获奖结果与证书验证不受影响。",
	"created":         "报名登记表已保存为草稿。下一步：请每位参与人员签署作品授权书。",
	"submitted":       "作品已提交",
	"deleted":         "草稿已删除",
	"consented":       "授权书已签署",
	"scan":            "扫描件已上传",
	"signedup":        "注册成功，欢迎参赛",
	"contest":         "活动设置已保存",
	"contest_created": "活动已创建。请核对本页设置，再邀请评委、发布征集通知",
	"reopened":        "修改后作品信息不完整，已退回草稿，请补全后重新提交",
	"signedout":       "已退出登录",
	"signedin":        "登录成功",
	"password":        "密码已修改，其他设备上的登录已失效",
	"mobile":          "手机号码已保存",
	"democlock":       "演示时间已调整",
	"remindon":        "已恢复接收提醒邮件",
	"remindoff":       "已退订提醒邮件，其他通知不受影响",

	"notice_saved": "通知模板已保存，此后发出的通知使用新文字",
	"notice_reset": "已恢复默认文字",
	"reset":        "新密码已设置，您已登录；所有设备上原有的登录均已失效",
	"invited":      "密码已设置，欢迎担任评委。这里是您的评审任务",
	"verified":     "邮箱已验证",
	"emailchanged": "邮箱已更改并验证，今后请使用新邮箱登录",
	"verifysent":   "验证邮件已发送，请查收并点击邮件中的链接",
	"emailsent":    "确认邮件已发送到新邮箱；点击邮件中的链接后，邮箱才会更改",
	"formal":       "形式审查结果已保存",
	"formal_next":  "上一件作品的形式审查结果已保存；这是列表中的下一件",

	"export_" + contest.ExportCertificates: "正在后台生成全部获奖证书（ZIP），请稍候：完成后在本页“证书与导出”表中点击“下载”（进度自动更新；未自动更新时请刷新本页）",
	"export_" + contest.ExportNational:     "正在后台生成推荐至全国作品包，请稍候：完成后在本页“证书与导出”表中点击“下载”（进度自动更新；未自动更新时请刷新本页）",
}

func flash(c echo.Context, key string) {
	c.SetCookie(&http.Cookie{Name: "flash", Value: key, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// render writes a page with the layout, filling in the user, CSRF token, contest and time.
func (s *Server) render(c echo.Context, status int, name string, v view) error {
	if u, ok := currentUser(c); ok {
		v.User = &u
		// One indexed count of the user's own unread rows; a failure only hides the number.
		if n, err := s.svc.Messages.Unread(c.Request().Context(), u); err == nil {
			v.Unread = n
		}
		v.Unverified = u.Role == contest.RoleContestant && u.EmailVerifiedAt == nil && s.svc.Accounts.MailConfigured()
	}
	if tok, ok := c.Get("csrf").(string); ok {
		v.CSRF = tok
	}
	if v.Contest.ID == "" {
		v.Contest = requestContest(c)
	}
	v.Base, v.API = base(c), apiRoot(c)
	v.Now = s.svc.Now()
	if s.opts.Demo != nil {
		v.Demo = &demoView{Stage: demo.Stage(v.Contest, v.Now), Steps: demo.Steps(v.Contest, v.Now)}
	}
	v.MailOn = s.svc.Accounts.MailConfigured()
	if f, err := c.Cookie("flash"); err == nil && v.Flash == "" {
		v.Flash = flashText[f.Value]
		c.SetCookie(&http.Cookie{Name: "flash", Path: "/", MaxAge: -1})
	}
	t, ok := s.pages.sets[name]
	if !ok {
		return contest.Internal(fmt.Errorf("no page %q", name))
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return contest.Internal(err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

package http

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// notices is the organizers' editor of the notifications' texts (通知模板): every kind with
// its text in force, an edit form with the placeholders, a preview rendered by the server
// without saving, and going back to the default.
type notices struct{ *Server }

func (s notices) routes(r router) {
	r.admin.GET("/notices", s.pageList)
	r.admin.GET("/notices/:kind", s.pageEdit)
	r.admin.POST("/notices/:kind", s.pageEditPost)
	r.org.GET("/notice-templates", s.apiList)
	r.org.PUT("/notice-templates/:kind", s.apiUpdate)
	r.org.DELETE("/notice-templates/:kind", s.apiReset)
	r.org.POST("/notice-templates/:kind/preview", s.apiPreview)
}

// noticeTextJSON is a subject and a body with placeholders.
type noticeTextJSON struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// noticeFieldJSON is a placeholder and the value a preview shows for it.
type noticeFieldJSON struct {
	Name   string `json:"name"`
	Sample string `json:"sample"`
}

// noticeTemplateJSON is a kind of notification with its default text and the text in force.
type noticeTemplateJSON struct {
	Kind     string            `json:"kind"`
	Label    string            `json:"label"`
	Audience string            `json:"audience"`
	When     string            `json:"when"`
	Reminder bool              `json:"reminder"`
	Edited   bool              `json:"edited"`
	Fields   []noticeFieldJSON `json:"fields"`
	Default  noticeTextJSON    `json:"default"`
	Current  noticeTextJSON    `json:"current"`
}

func toNoticeTemplateJSON(c contest.Contest, k contest.NoticeKind) noticeTemplateJSON {
	out := noticeTemplateJSON{Kind: string(k.Kind), Label: k.Label, Audience: string(k.Audience), When: k.When,
		Reminder: k.Reminder, Edited: c.Notices.Edited(k.Kind), Default: noticeTextJSON(k.Default),
		Current: noticeTextJSON(c.Notices.Template(k.Kind))}
	for _, f := range k.AllFields() {
		out.Fields = append(out.Fields, noticeFieldJSON{Name: f.Name, Sample: f.Sample})
	}
	return out
}

// noticeTemplateListJSON lists every kind, in the order organizers see them.
type noticeTemplateListJSON struct {
	Items []noticeTemplateJSON `json:"items"`
}

// noticePreviewJSON is the text filled with the sample values, as the site message and the
// e-mail read.
type noticePreviewJSON struct {
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	Link      string `json:"link"`
	EmailText string `json:"email_text"`
}

// kindOf returns the kind named in the path, or not found.
func kindOf(c echo.Context) (contest.NoticeKind, error) {
	k, ok := contest.NoticeKindOf(contest.NotificationKind(c.Param("kind")))
	if !ok {
		return k, contest.Errorf(contest.ENotFound, "没有这种通知")
	}
	return k, nil
}

func (s notices) apiList(c echo.Context) error {
	u, _ := currentUser(c)
	ct, kinds, err := s.svc.Contests.NoticeTemplates(c.Request().Context(), u)
	if err != nil {
		return err
	}
	out := noticeTemplateListJSON{Items: make([]noticeTemplateJSON, len(kinds))}
	for i, k := range kinds {
		out.Items[i] = toNoticeTemplateJSON(ct, k)
	}
	return c.JSON(http.StatusOK, out)
}

func (s notices) apiUpdate(c echo.Context) error {
	var in noticeTextJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	return s.apiSave(c, &in)
}

func (s notices) apiReset(c echo.Context) error { return s.apiSave(c, nil) }

// apiSave sets the kind's text, or its default when in is nil, and answers the kind.
func (s notices) apiSave(c echo.Context, in *noticeTextJSON) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	k, err := kindOf(c)
	if err != nil {
		return err
	}
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	if in != nil {
		ct, err = s.svc.Contests.UpdateNotice(ctx, u, ct.ID, k.Kind, contest.NoticeTemplate(*in))
	} else {
		ct, err = s.svc.Contests.ResetNotice(ctx, u, ct.ID, k.Kind)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toNoticeTemplateJSON(ct, k))
}

func (s notices) apiPreview(c echo.Context) error {
	var in noticeTextJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	k, err := kindOf(c)
	if err != nil {
		return err
	}
	p, err := s.svc.Contests.PreviewNotice(u, k.Kind, contest.NoticeTemplate(in))
	if err != nil {
		return err
	}
	m := s.previewMail(c, p)
	return c.JSON(http.StatusOK, noticePreviewJSON{Subject: p.Subject, Body: p.Body, Link: p.Link, EmailText: m.Text})
}

// previewMail is the e-mail a preview would be, to a sample recipient, with the site's link.
func (s notices) previewMail(c echo.Context, p contest.NoticePreview) contest.Mail {
	base := s.opts.BaseURL
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	n := contest.Notification{ID: "preview", Subject: p.Subject, Body: p.Body, Link: p.Link}
	return contest.NotificationMail(n, previewRecipient, "", base)
}

// previewRecipient is the name a preview's e-mail greets.
const previewRecipient = "张三"

// noticeRow is a kind on the list page.
type noticeRow struct {
	contest.NoticeKind
	Edited bool
}

func (s notices) pageList(c echo.Context) error {
	u, _ := currentUser(c)
	ct, kinds, err := s.svc.Contests.NoticeTemplates(c.Request().Context(), u)
	if err != nil {
		return err
	}
	rows := make([]noticeRow, len(kinds))
	for i, k := range kinds {
		rows[i] = noticeRow{NoticeKind: k, Edited: ct.Notices.Edited(k.Kind)}
	}
	return s.render(c, http.StatusOK, "admin_notices", view{Title: "通知模板", Wide: true, Data: rows})
}

// noticeEditPage is the edit form of one kind: the text typed (or in force), whether it is
// edited, and the preview when asked for.
type noticeEditPage struct {
	Kind    contest.NoticeKind
	Text    contest.NoticeTemplate
	Edited  bool
	Preview *contest.NoticePreview
	Mail    contest.Mail
	Sample  string // the name the preview's e-mail greets
}

func (s notices) pageEdit(c echo.Context) error {
	k, err := kindOf(c)
	if err != nil {
		return err
	}
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	d := noticeEditPage{Kind: k, Text: ct.Notices.Template(k.Kind), Edited: ct.Notices.Edited(k.Kind), Sample: previewRecipient}
	return s.render(c, http.StatusOK, "admin_notice", view{Title: "通知模板：" + k.Label, Wide: true, Data: d})
}

// pageEditPost answers the form's three buttons: 预览 (action=preview) shows the typed text
// filled with samples and saves nothing, 保存 (save) keeps it, 恢复默认 (reset) goes back to
// the default text.
func (s notices) pageEditPost(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	k, err := kindOf(c)
	if err != nil {
		return err
	}
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	text := contest.NoticeTemplate{Subject: c.FormValue("subject"), Body: strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")}
	d := noticeEditPage{Kind: k, Text: text, Edited: ct.Notices.Edited(k.Kind), Sample: previewRecipient}
	switch c.FormValue("action") {
	case "preview":
		p, err := s.svc.Contests.PreviewNotice(u, k.Kind, text)
		if err == nil {
			d.Preview, d.Mail = &p, s.previewMail(c, p)
			return s.render(c, http.StatusOK, "admin_notice", view{Title: "通知模板：" + k.Label, Wide: true, Data: d})
		}
		return s.editError(c, d, err)
	case "reset":
		if _, err := s.svc.Contests.ResetNotice(ctx, u, ct.ID, k.Kind); err != nil {
			return err
		}
		flash(c, "notice_reset")
	default:
		if _, err := s.svc.Contests.UpdateNotice(ctx, u, ct.ID, k.Kind, text); err != nil {
			return s.editError(c, d, err)
		}
		flash(c, "notice_saved")
	}
	return seeOther(c, "/admin/notices/"+string(k.Kind))
}

// editError shows the form again with what was typed and the errors on their fields.
func (s notices) editError(c echo.Context, d noticeEditPage, err error) error {
	code := contest.ErrorCode(err)
	if code != contest.EInvalid {
		return err
	}
	return s.render(c, statusOf[code], "admin_notice", view{Title: "通知模板：" + d.Kind.Label, Wide: true, Data: d,
		Errors: contest.ErrorFields(err), ErrorMsg: contest.ErrorMessage(err)})
}

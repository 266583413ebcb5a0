package contest

import (
	"html"
	"strings"
	"time"
)

// The account mails: links to reset a password, accept an invitation, verify an address or
// confirm a new one, and the notice to an old address. They are not notifications: a link that
// works must not sit in the message centre, and they are sent to one address only.

// accountLinkMail fills m's subject and body for a link of purpose p to link, working until
// expires.
func accountLinkMail(m Mail, p TokenPurpose, link string, expires time.Time) Mail {
	until := FormatTime(expires, Beijing) + "（北京时间）"
	var subject, intro, action, outro string
	switch p {
	case TokenReset:
		subject, action = "重置密码", "设置新密码"
		intro = "我们收到了重置您账号密码的请求。请点击下面的链接设置新密码："
		outro = "链接只能使用一次，" + until + "前有效。设置新密码后，您的账号在所有设备上的登录都将失效。\n如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。"
	case TokenInvite:
		subject, action = "评委邀请：请设置您的密码", "接受邀请并设置密码"
		intro = "活动组织方邀请您担任评委。请点击下面的链接设置您的登录密码，之后即可进入评审："
		outro = "链接只能使用一次，" + until + "前有效。如链接已过期，请联系组织方重新发送邀请。"
	case TokenVerify:
		subject, action = "请验证您的邮箱", "验证邮箱"
		intro = "感谢注册。请点击下面的链接验证您的邮箱地址："
		outro = "链接只能使用一次，" + until + "前有效。如果您没有注册过本站账号，请忽略本邮件。"
	default: // TokenEmail
		subject, action = "请确认您的新邮箱", "确认新邮箱"
		intro = "您申请将账号的邮箱更改为本地址。请点击下面的链接确认，确认后将使用本邮箱登录："
		outro = "链接只能使用一次，" + until + "前有效。如果这不是您本人的操作，请忽略本邮件，账号邮箱不会改变。"
	}
	return accountMail(m, subject, []string{intro}, link, action, strings.Split(outro, "\n"))
}

// emailChangeNotice fills m (to the old address) with the notice that the account's address
// is being changed to newEmail (masked: the old address's reader may not be the owner).
func emailChangeNotice(m Mail, newEmail string) Mail {
	return accountMail(m, "您的账号邮箱正在更改", []string{
		"您的账号申请将登录邮箱更改为 " + MaskEmail(newEmail) + "。新邮箱确认后，将不能再使用本邮箱登录。",
		"如果这不是您本人的操作，请立即登录修改密码（修改密码即取消这次尚未确认的更改），并联系活动组织者。",
	}, "", "", nil)
}

// accountMail writes the mail's plain text and HTML: a greeting, the lines before, the link,
// the lines after.
func accountMail(m Mail, subject string, before []string, link, action string, after []string) Mail {
	greeting := "您好："
	if m.ToName != "" {
		greeting = m.ToName + "，您好："
	}
	var t, h strings.Builder
	h.WriteString(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>` + html.EscapeString(subject) + `</title></head><body>`)
	para := func(line string) {
		t.WriteString(line + "\n\n")
		h.WriteString("<p>" + html.EscapeString(line) + "</p>")
	}
	para(greeting)
	for _, l := range before {
		para(l)
	}
	if link != "" {
		t.WriteString(link + "\n\n")
		h.WriteString(`<p><a href="` + html.EscapeString(link) + `">` + html.EscapeString(action) + `</a></p>`)
		h.WriteString(`<p><small>` + html.EscapeString(link) + `</small></p>`)
	}
	for _, l := range after {
		para(l)
	}
	t.WriteString("本邮件由系统自动发送，请勿直接回复。\n")
	h.WriteString("<p><small>本邮件由系统自动发送，请勿直接回复。</small></p></body></html>")
	m.Subject, m.Text, m.HTML = subject, t.String(), h.String()
	return m
}

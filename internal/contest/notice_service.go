package contest

import (
	"context"
	"maps"
	"strings"
)

// UpdateNotice sets the contest's text of a kind of notification; organizers only, audited
// with the text before and after. Notifications already made keep their text.
func (s *ContestService) UpdateNotice(ctx context.Context, actor User, contestID string, kind NotificationKind, t NoticeTemplate) (Contest, error) {
	k, ok := NoticeKindOf(kind)
	if !ok {
		return Contest{}, Errorf(ENotFound, "没有这种通知")
	}
	if err := k.Validate(t); err != nil {
		return Contest{}, err
	}
	t = NoticeTemplate{Subject: strings.TrimSpace(t.Subject), Body: strings.TrimSpace(strings.ReplaceAll(t.Body, "\r\n", "\n"))}
	return s.saveNotice(ctx, actor, contestID, kind, &t)
}

// ResetNotice gives a kind of notification its default text back; organizers only, audited.
func (s *ContestService) ResetNotice(ctx context.Context, actor User, contestID string, kind NotificationKind) (Contest, error) {
	if _, ok := NoticeKindOf(kind); !ok {
		return Contest{}, Errorf(ENotFound, "没有这种通知")
	}
	return s.saveNotice(ctx, actor, contestID, kind, nil)
}

// saveNotice sets kind's text to t, or back to the default when t is nil, and audits the
// change; saving the text in force changes nothing and records nothing.
func (s *ContestService) saveNotice(ctx context.Context, actor User, contestID string, kind NotificationKind, t *NoticeTemplate) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	c, err := s.contests.ContestByID(ctx, contestID)
	if err != nil {
		return Contest{}, err
	}
	before := c.Notices.Template(kind)
	notices := maps.Clone(c.Notices)
	if notices == nil {
		notices = NoticeTexts{}
	}
	k, _ := NoticeKindOf(kind)
	if t == nil || *t == k.Default {
		delete(notices, kind) // the default is kept as "not edited", so a better default reaches it
	} else {
		notices[kind] = *t
	}
	after := notices.Template(kind)
	if after == before && notices.Edited(kind) == c.Notices.Edited(kind) {
		return c, nil
	}
	c.Notices, c.UpdatedAt = notices, s.Now()
	if err := s.contests.SaveNotices(ctx, c); err != nil {
		return Contest{}, err
	}
	action := "update"
	if t == nil {
		action = "reset"
	}
	if err := s.audit(ctx, actor, "notice_template", string(kind), action,
		map[string]any{"subject": before.Subject, "body": before.Body},
		map[string]any{"subject": after.Subject, "body": after.Body}); err != nil {
		return Contest{}, err
	}
	return c, nil
}

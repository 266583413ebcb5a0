package contest

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
)

// CurrentContest returns the contest the site runs.
func (s *ContestService) CurrentContest(ctx context.Context) (Contest, error) {
	return s.contests.CurrentContest(ctx)
}

// Contest returns a contest by id.
func (s *ContestService) Contest(ctx context.Context, id string) (Contest, error) {
	return s.contests.ContestByID(ctx, id)
}

// SeedContestID is the id of the contest seeded into an empty database. It is fixed so that
// replicas starting together on an empty database create it once: the others conflict.
const SeedContestID = "00000000-0000-4000-8000-000000000001"

// SeedContest creates c unless a contest exists already; it reports whether it created one.
func (s *ContestService) SeedContest(ctx context.Context, c Contest) (bool, error) {
	if _, err := s.contests.CurrentContest(ctx); err == nil {
		return false, nil
	} else if ErrorCode(err) != ENotFound {
		return false, err
	}
	if err := c.Validate(); err != nil {
		return false, err
	}
	c.ID = SeedContestID
	c.Slug = cmp.Or(c.Slug, SeedSlug(c))
	c.Default = true
	c.CreatedAt, c.UpdatedAt = s.Now(), s.Now()
	err := s.contests.CreateContest(ctx, &c)
	if ErrorCode(err) == EConflict { // another replica seeded it first
		return false, nil
	}
	return err == nil, err
}

// UpdateContest changes a contest's settings, with an audit entry of what changed (before and
// after); organizers only. Once the results are published, the collection window is fixed:
// works are never collected again for results already out.
func (s *ContestService) UpdateContest(ctx context.Context, actor User, c Contest) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	old, err := s.contests.ContestByID(ctx, c.ID)
	if err != nil {
		return Contest{}, err
	}
	if old.Publication.PublishedAt != nil && (!c.CollectionStart.Equal(old.CollectionStart) || !c.CollectionEnd.Equal(old.CollectionEnd)) {
		return Contest{}, (Fields{"collection_end": {Code: "published", Message: "评选结果已发布，作品征集时间不能再修改"}}).Err()
	}
	if err := c.Validate(); err != nil {
		return Contest{}, err
	}
	if err := s.checkRemovedCategories(ctx, old, c); err != nil {
		return Contest{}, err
	}
	if c.RequireEmailVerification && !old.RequireEmailVerification && !s.mail {
		return Contest{}, (Fields{"require_email_verification": {Code: "no_mail",
			Message: "本站未配置邮件发送（CONTEST_SMTP_HOST），不能要求验证邮箱"}}).Err()
	}
	now := s.Now()
	c.CreatedAt, c.UpdatedAt = old.CreatedAt, now
	c.Judging = old.Judging // changed only through the judging methods (a closed round stays closed)
	c.Publication = old.Publication
	c.Notices = old.Notices // changed only through UpdateNotice and ResetNotice
	before, after := settingsChanges(old, c)
	if len(after) == 0 {
		return c, s.contests.UpdateContest(ctx, &c)
	}
	if err := s.contests.UpdateContest(ctx, &c); err != nil {
		return Contest{}, err
	}
	if err := s.audit(ctx, actor, "contest", c.ID, "update", before, after); err != nil {
		return Contest{}, err
	}
	return c, nil
}

// settingsChanges returns the settings an organizer edits that differ between old and c, as
// they were and as they are, for the audit log.
func settingsChanges(old, c Contest) (before, after map[string]any) {
	before, after = map[string]any{}, map[string]any{}
	pair := func(key string, was, is any) {
		if !reflect.DeepEqual(was, is) {
			before[key], after[key] = was, is
		}
	}
	pair("name", old.Name, c.Name)
	pair("theme", old.Theme, c.Theme)
	pair("organizer", old.Organizer, c.Organizer)
	pair("time_zone", old.TimeZone, c.TimeZone)
	pair("collection_start", old.CollectionStart.UTC(), c.CollectionStart.UTC())
	pair("collection_end", old.CollectionEnd.UTC(), c.CollectionEnd.UTC())
	pair("review_start", old.ReviewStart.UTC(), c.ReviewStart.UTC())
	pair("review_end", old.ReviewEnd.UTC(), c.ReviewEnd.UTC())
	pair("rules", old.Rules, c.Rules)
	pair("authorization_text", old.AuthorizationText, c.AuthorizationText)
	pair("intro", old.Intro, c.Intro)
	pair("require_email_verification", old.RequireEmailVerification, c.RequireEmailVerification)
	pair("categories", categoriesAudit(old.Categories), categoriesAudit(c.Categories))
	return before, after
}

// categoriesAudit is how the audit log shows categories: "key=name" each, nil for none.
func categoriesAudit(cats []Category) []string {
	var out []string
	for _, cat := range cats {
		s := cat.Key + "=" + cat.Name
		if q := cat.Quotas; q != nil {
			s += fmt.Sprintf("（名额 %s/%s/%s）", q[0], q[1], q[2])
		}
		out = append(out, s)
	}
	return out
}

// checkRemovedCategories refuses to remove a category that works of the contest are in: they
// would be left without one.
func (s *ContestService) checkRemovedCategories(ctx context.Context, old, c Contest) error {
	for _, cat := range removedCategories(old.Categories, c.Categories) {
		n, err := s.submissions.CountSubmissions(ctx, SubmissionFilter{ContestID: c.ID, Category: cat.Key})
		if err != nil {
			return err
		}
		if n > 0 {
			return (Fields{"categories": {Code: "category_in_use",
				Message: fmt.Sprintf("组别“%s”已有%d件作品，不能删除；可以改名", cat.Name, n)}}).Err()
		}
	}
	return nil
}

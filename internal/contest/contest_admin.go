package contest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// NewContestInput is what a site administrator enters to start a contest (a new year's edition,
// or a sibling activity such as 主题征文).
type NewContestInput struct {
	Name string
	Slug string // the contest's URLs: /c/{slug}/…
	// CopyFrom is the id of a contest whose settings the new one starts with (media rules, texts,
	// 授权书, rubric, judges per work, quotas, 公示 and certificate settings, notification
	// texts); "" starts from the notice's.
	CopyFrom                                               string
	CollectionStart, CollectionEnd, ReviewStart, ReviewEnd time.Time
}

// slugPattern: lower-case letters, digits and inner hyphens, 1 to 40 characters.
var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// validateSlug checks a contest's slug.
func validateSlug(slug string) *FieldError {
	if slug == "" {
		return &FieldError{Code: "required", Message: "请填写活动网址名"}
	}
	if !slugPattern.MatchString(slug) {
		return &FieldError{Code: "slug_format", Message: "活动网址名只能包含小写字母、数字和连字符（-），最长40位，如 2023 或 essay-2023"}
	}
	return nil
}

// requireSiteAdmin refuses everyone but site administrators.
func requireSiteAdmin(u User) error {
	if !u.IsSiteAdmin() {
		return Errorf(EForbidden, "只有站点管理员可以管理活动")
	}
	return nil
}

// Contests returns every contest, the newest collection first: the public home lists them.
func (s *ContestService) Contests(ctx context.Context) ([]Contest, error) {
	return s.contests.AllContests(ctx)
}

// ContestBySlug returns the contest of a URL's /c/{slug}/.
func (s *ContestService) ContestBySlug(ctx context.Context, slug string) (Contest, error) {
	return s.contests.ContestBySlug(ctx, slug)
}

// DefaultContest returns the contest the unprefixed routes stand for.
func (s *ContestService) DefaultContest(ctx context.Context) (Contest, error) {
	return s.contests.DefaultContest(ctx)
}

// IsMember reports whether the user judges or organizes the contest as its member.
func (s *ContestService) IsMember(ctx context.Context, contestID, userID string) (bool, error) {
	return s.users.IsMember(ctx, contestID, userID)
}

// CreateContest starts a contest with the settings of another (or the notice's) and its own
// name, slug and windows; nothing of the other's works, judging or results comes along. Site
// administrators only; audited.
func (s *ContestService) CreateContest(ctx context.Context, actor User, in NewContestInput) (Contest, error) {
	if err := requireSiteAdmin(actor); err != nil {
		return Contest{}, err
	}
	c := DefaultContest()
	if in.CopyFrom != "" {
		from, err := s.contests.ContestByID(ctx, in.CopyFrom)
		if err != nil {
			return Contest{}, err
		}
		c = from.settingsOnly()
	}
	c.Name, c.Slug = in.Name, in.Slug
	c.CollectionStart, c.CollectionEnd, c.ReviewStart, c.ReviewEnd = in.CollectionStart, in.CollectionEnd, in.ReviewStart, in.ReviewEnd
	var f Fields
	if fe := validateSlug(c.Slug); fe != nil {
		f.Add("slug", fe.Code, fe.Message)
	}
	if err := c.Validate(); err != nil {
		for k, v := range ErrorFields(err) {
			f.Add(k, v.Code, v.Message)
		}
	}
	if err := f.Err(); err != nil {
		return Contest{}, err
	}
	now := s.Now()
	c.ID, c.CreatedAt, c.UpdatedAt = NewID(), now, now
	if err := s.contests.CreateContest(ctx, &c); ErrorCode(err) == EConflict {
		return Contest{}, (Fields{"slug": {Code: "slug_taken", Message: "活动网址名“" + c.Slug + "”已被使用"}}).Err()
	} else if err != nil {
		return Contest{}, err
	}
	after := map[string]any{"name": c.Name, "slug": c.Slug, "copied_from": in.CopyFrom,
		"collection_start": c.CollectionStart.UTC(), "collection_end": c.CollectionEnd.UTC()}
	return c, s.audit(InContest(ctx, c.ID), actor, "contest", c.ID, "create", nil, after)
}

// settingsOnly returns c's settings with none of its state: no id, slug, judging round closed,
// awards confirmed, judges' categories, 公示, publication, purge or archive.
func (c Contest) settingsOnly() Contest {
	out := c
	out.ID, out.Slug, out.Default, out.ArchivedAt = "", "", false, nil
	out.Judging.ClosedAt, out.Judging.AwardsConfirmedAt, out.Judging.AwardsVersion = nil, nil, 0
	out.Judging.Rubric = append(Rubric(nil), c.Judging.Rubric...)
	out.Judging.JudgeCategories = nil // the judges are not copied, nor their categories
	if len(c.Judging.Rounds) > 0 {    // a new contest starts at its first round, judged as c's was
		first := c.Judging.Rounds[0]
		out.Judging.Rubric, out.Judging.ReviewsPerWork, out.Judging.Normalize = append(Rubric(nil), first.Rubric...), first.ReviewsPerWork, first.Normalize
	}
	out.Judging.Round, out.Judging.RoundName, out.Judging.RoundJudges, out.Judging.Rounds = 0, "", nil, nil
	out.Judging.Calibration, out.Judging.FeedbackReleasedAt = nil, nil // works of c, and c's release
	out.Categories = slices.Clone(c.Categories)
	p := DefaultPublication(c.Organizer)
	p.PublicityDays, p.RetentionDays, p.Certificate = c.Publication.PublicityDays, c.Publication.RetentionDays, c.Publication.Certificate
	out.Publication = p
	out.Notices = make(NoticeTexts, len(c.Notices))
	for k, v := range c.Notices {
		out.Notices[k] = v
	}
	return out
}

// SetDefaultContest makes the contest the one the unprefixed routes (/submissions/new,
// /results, /admin/…) stand for. Site administrators only; audited.
func (s *ContestService) SetDefaultContest(ctx context.Context, actor User, id string) error {
	if err := requireSiteAdmin(actor); err != nil {
		return err
	}
	c, err := s.contests.ContestByID(ctx, id)
	if err != nil {
		return err
	}
	return s.contests.SetDefaultContest(InContest(ctx, c.ID), id, s.newAudit(actor, "contest", c.ID, "set_default", nil, map[string]any{"slug": c.Slug}))
}

// ArchiveContest makes a contest whose results are published read-only, or (archive false)
// live again. Its pages, results, certificates and their verification stay; its personal data
// can still be purged per the retention setting. Site administrators only; audited.
func (s *ContestService) ArchiveContest(ctx context.Context, actor User, id string, archive bool) (Contest, error) {
	if err := requireSiteAdmin(actor); err != nil {
		return Contest{}, err
	}
	c, err := s.contests.ContestByID(ctx, id)
	if err != nil {
		return Contest{}, err
	}
	if (c.ArchivedAt != nil) == archive {
		return c, nil
	}
	var at *time.Time
	if archive {
		if c.Publication.PublishedAt == nil {
			return Contest{}, Errorf(EConflict, "“%s”的评选结果尚未发布，发布后才能归档", c.Name)
		}
		now := s.Now()
		at = &now
	}
	action := map[bool]string{true: "archive", false: "unarchive"}[archive]
	a := s.newAudit(actor, "contest", c.ID, action, nil, map[string]any{"slug": c.Slug})
	if err := s.contests.SetArchived(InContest(ctx, c.ID), c.ID, at, a); err != nil {
		return Contest{}, err
	}
	c.ArchivedAt = at
	return c, nil
}

// OrganizerInput is what a site administrator enters to give a contest an organizer.
type OrganizerInput struct {
	Email string
	Name  string
}

// AddContestOrganizer gives the contest an organizer who runs it and no other: an existing
// organizer's account joins it; otherwise an account is created with a one-time password,
// returned for the site administrator to hand over. Site administrators only; audited.
func (s *ContestService) AddContestOrganizer(ctx context.Context, actor User, contestID string, in OrganizerInput) (User, string, error) {
	if err := requireSiteAdmin(actor); err != nil {
		return User{}, "", err
	}
	c, err := s.contests.ContestByID(ctx, contestID)
	if err != nil {
		return User{}, "", err
	}
	ctx = InContest(ctx, c.ID)
	email, fe := ValidateEmail(in.Email)
	if fe != nil {
		return User{}, "", (Fields{"email": *fe}).Err()
	}
	if u, err := s.users.UserByEmail(ctx, email); err == nil {
		if u.Role != RoleOrganizer {
			return User{}, "", (Fields{"email": {Code: "email_taken", Message: "该邮箱已是参赛者或评委的账号，请使用其他邮箱"}}).Err()
		}
		a := s.newAudit(actor, "user", u.ID, "join", nil, map[string]any{"contest": c.Name, "email": u.Email})
		return u, "", s.users.AddMember(ctx, c.ID, u, s.Now(), &a)
	} else if ErrorCode(err) != ENotFound {
		return User{}, "", err
	}
	password := oneTimePassword()
	u, err := s.registration.newUser(ctx, SignUpInput{Email: email, Password: password, Name: in.Name}, RoleOrganizer, "", true)
	if err != nil {
		return User{}, "", err
	}
	u.SiteAdmin = false
	if err := s.users.CreateUser(ctx, &u); ErrorCode(err) == EConflict {
		return User{}, "", errEmailTaken()
	} else if err != nil {
		return User{}, "", err
	}
	a := s.newAudit(actor, "user", u.ID, "invite", nil, map[string]any{"contest": c.Name, "email": u.Email, "role": string(RoleOrganizer)})
	if err := s.users.AddMember(ctx, c.ID, u, s.Now(), &a); err != nil {
		return User{}, "", err
	}
	return u, password, nil
}

// SeedSlug is the slug a contest seeded into an empty database gets: the year its collection
// opens.
func SeedSlug(c Contest) string { return fmt.Sprint(c.CollectionStart.In(c.Location()).Year()) }

// ListOrder orders contests as the public home lists them: those taking works first (open, then
// about to open), then those being judged or in 公示, then past results; newest first within
// each. Archived contests come last.
func ListOrder(all []Contest, now time.Time) []Contest {
	rank := func(c Contest) int {
		if c.ArchivedAt != nil {
			return 4
		}
		switch c.Phase(now) {
		case PhaseCollecting:
			return 0
		case PhaseNotOpen:
			return 1
		case PhasePublished, PhaseWithdrawn:
			return 3
		}
		return 2
	}
	out := slices.Clone(all)
	slices.SortStableFunc(out, func(a, b Contest) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return b.CollectionStart.Compare(a.CollectionStart)
	})
	return out
}

// Label words the phase as the banner and the home page's list do.
func (p Phase) Label() string {
	return map[Phase]string{PhaseNotOpen: "征集尚未开始", PhaseCollecting: "征集中", PhaseClosed: "征集已截止",
		PhaseReview: "评审中", PhasePublicity: "公示中", PhaseReady: "公示期满", PhasePublished: "结果已发布",
		PhaseWithdrawn: "结果复核中"}[p]
}

// MemberContests returns the contests the user judges or organizes as a member, open ones
// first: a judge of two contests has two queues.
func (s *ContestService) MemberContests(ctx context.Context, userID string) ([]Contest, error) {
	ids, err := s.users.MemberContests(ctx, userID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	all, err := s.contests.AllContests(ctx)
	if err != nil {
		return nil, err
	}
	var out []Contest
	for _, c := range ListOrder(all, s.Now()) {
		if slices.Contains(ids, c.ID) {
			out = append(out, c)
		}
	}
	return out, nil
}

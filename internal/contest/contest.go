package contest

import (
	"strings"
	"sync"
	"time"
)

// DefaultTimeZone is the zone in which the notice's dates and deadlines are meant.
const DefaultTimeZone = "Asia/Shanghai"

// DefaultAuthorizationText is the body of the notice's 作品授权书 (附件5).
const DefaultAuthorizationText = "本人自愿参加省科协“创新争先、自立自强”视频征集活动，承诺报送作品不存在违法侵权问题，" +
	"接受活动的评审结果，并授权活动主办和承办单位将本人报送作品用于公益性科普宣传。特此授权。" +
	"（如为多人参加，则所有参加人都需签名并注明身份证号）"

// DefaultIntro is the notice's introduction of the contest and its awards, shown on the home
// page; each line a paragraph.
const DefaultIntro = "发动引导广大基层科技工作者特别是青年科技工作者，以所在工作岗位（实验室、大科学装置、厂矿车间、田间地头、医院学校等）为背景，" +
	"录制短视频表达对实现高水平科技自立自强的信心和期待，以及立足岗位、创新争先、拼搏奉献的誓言和决心。\n" +
	"设一等奖、二等奖、三等奖，所有获奖作品都将获得主办单位颁发的获奖证书。部分优秀作品将推荐报送中国科协“创新争先、自立自强”主题活动，" +
	"并在主流新媒体及地铁、户外科普电子屏展播。"

// MediaRules are the contest's requirements for a video (the notice: MP4, ≤ 3 minutes, ≥ 720P).
type MediaRules struct {
	Container      string // always "mp4" for this contest
	MaxDurationSec int    // 180
	MinShortSide   int    // 720: the short side of the displayed frame, in pixels
	MaxSizeBytes   int64  // 2 GiB
}

// Contest is one edition of the video contest with its windows and rules.
type Contest struct {
	ID                string
	Name              string
	Theme             string
	Organizer         string
	TimeZone          string
	CollectionStart   time.Time // first instant at which works are accepted
	CollectionEnd     time.Time // last second at which works are accepted (inclusive)
	ReviewStart       time.Time
	ReviewEnd         time.Time
	Rules             MediaRules
	AuthorizationText string
	// Intro (活动简介) introduces the contest and its awards on its home page, a paragraph a
	// line; "" shows DefaultIntro.
	Intro       string
	Judging     JudgingSettings
	Publication Publication
	// Categories are the contest's 组别, in display order; none: one ranking for all works.
	Categories []Category
	// RequireEmailVerification (需要验证邮箱): a contestant submits a work only once their
	// address is verified. Off by default, so the embedded default works without a mail server.
	RequireEmailVerification bool
	// Notices are the organizers' texts of the notifications; a kind not edited has its
	// default (notice_template.go).
	Notices NoticeTexts
	// Slug names the contest in its URLs (/c/2023/…): lower-case letters, digits and hyphens.
	Slug string
	// Default: the unprefixed routes (/submissions/new, /results, /admin/…) are this contest's.
	Default bool
	// ArchivedAt is when the contest was archived: read-only from then on, its results,
	// certificates and verification kept. nil while it is live.
	ArchivedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// DefaultContest returns a contest with the notice's values: collection 2022-05-10 00:00 to
// 2022-05-20 23:59:59 and review 2022-05-21 to 2022-05-28, Beijing time.
func DefaultContest() Contest {
	loc := mustLoad(DefaultTimeZone)
	return Contest{
		Name:              "“创新争先、自立自强”主题视频征集活动",
		Theme:             "创新争先、自立自强",
		Organizer:         "省科学技术协会",
		TimeZone:          DefaultTimeZone,
		CollectionStart:   time.Date(2022, 5, 10, 0, 0, 0, 0, loc),
		CollectionEnd:     time.Date(2022, 5, 20, 23, 59, 59, 0, loc),
		ReviewStart:       time.Date(2022, 5, 21, 0, 0, 0, 0, loc),
		ReviewEnd:         time.Date(2022, 5, 28, 23, 59, 59, 0, loc),
		Rules:             MediaRules{Container: "mp4", MaxDurationSec: 180, MinShortSide: 720, MaxSizeBytes: 2 << 30},
		AuthorizationText: DefaultAuthorizationText,
		Judging:           DefaultJudging(),
		Publication:       DefaultPublication("省科学技术协会"),
	}
}

// DemoContest returns the notice's contest with its windows moved so that collection is open at
// now: it opened at the start of today and runs as long as the notice's (11 days), then review
// follows for 8 days. The embedded default seeds it so a newcomer can try everything at once.
func DemoContest(now time.Time) Contest {
	c := DefaultContest()
	loc := c.Location()
	day := now.In(loc)
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	c.Name = c.Name + "（演示）"
	c.CollectionStart = start
	c.CollectionEnd = start.AddDate(0, 0, 11).Add(-time.Second)
	c.ReviewStart = start.AddDate(0, 0, 11)
	c.ReviewEnd = start.AddDate(0, 0, 19).Add(-time.Second)
	return c
}

// IntroText is the contest's introduction as its home page shows it: its own, or the notice's.
func (c Contest) IntroText() string {
	if strings.TrimSpace(c.Intro) == "" {
		return DefaultIntro
	}
	return c.Intro
}

// errArchived refuses every change to an archived contest.
var errArchived = Errorf(EArchived, "本活动已归档，只能查看，不能再修改")

// CheckWritable returns why nothing in the contest may change: it is archived. nil while live.
func (c Contest) CheckWritable() error {
	if c.ArchivedAt != nil {
		return errArchived
	}
	return nil
}

// Path is the start of the contest's page URLs: /c/{slug} ("" for a contest without a slug,
// which only a store test makes).
func (c Contest) Path() string {
	if c.Slug == "" {
		return ""
	}
	return "/c/" + c.Slug
}

// Location returns the contest's time zone; an unknown zone falls back to Beijing time.
func (c Contest) Location() *time.Location {
	if loc, ok := zones.Load(c.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return mustLoad(DefaultTimeZone)
	}
	zones.Store(c.TimeZone, loc)
	return loc
}

// zones are the time zones loaded so far, by name: time.LoadLocation reads the zone file on
// every call, and every contest read from the database asks for its zone (a page listing 20
// contests read 20 files).
var zones sync.Map

// CollectionCloses returns the first instant at which works are no longer accepted: the
// second after CollectionEnd, so that 23:59:59.999 is still in time and 00:00:00 is not.
func (c Contest) CollectionCloses() time.Time {
	return c.CollectionEnd.Truncate(time.Second).Add(time.Second)
}

// CheckCollectionOpen returns nil when works may be created or edited at now, and an error
// with code ENotOpen or EDeadline otherwise. now comes from the server clock.
func (c Contest) CheckCollectionOpen(now time.Time) error {
	switch {
	case now.Before(c.CollectionStart):
		return Errorf(ENotOpen, "作品征集尚未开始，开始时间为%s（北京时间）", FormatTime(c.CollectionStart, Beijing))
	case !now.Before(c.CollectionCloses()):
		return Errorf(EDeadline, "作品征集已于%s（北京时间）截止，已保存的内容不受影响", FormatTime(c.CollectionEnd, Beijing))
	}
	return nil
}

// CollectionOpen reports whether works may be created or edited at now.
func (c Contest) CollectionOpen(now time.Time) bool { return c.CheckCollectionOpen(now) == nil }

// CheckScoring returns why judges cannot save scores at now (by the server clock): the
// organizer closed judging, or now is outside the review window. nil while they can.
func (c Contest) CheckScoring(now time.Time) error {
	if c.Judging.ClosedAt != nil {
		return errJudgingClosed
	}
	if now.Before(c.ReviewStart) || now.After(c.ReviewEnd) {
		return Errorf(EDeadline, "不在评审期内（%s 至 %s），评分未保存", FormatTime(c.ReviewStart, c.Location()), FormatTime(c.ReviewEnd, c.Location()))
	}
	return nil
}

// ScoringOpen reports whether judges may save scores at now.
func (c Contest) ScoringOpen(now time.Time) bool { return c.CheckScoring(now) == nil }

// CheckConflictDeclaration returns why a judge can no longer declare a conflict at now: judging
// is closed, or the review window has ended (before it opens, a judge may already step aside).
func (c Contest) CheckConflictDeclaration(now time.Time) error {
	switch {
	case c.Judging.ClosedAt != nil:
		return errJudgingClosed
	case now.After(c.ReviewEnd):
		return Errorf(EDeadline, "评审期已结束，不能再回避；请联系组织方")
	}
	return nil
}

// Validate checks the settings an organizer can change.
func (c *Contest) Validate() error {
	var f Fields
	c.Name = strings.TrimSpace(c.Name)
	c.Theme = strings.TrimSpace(c.Theme)
	c.Organizer = strings.TrimSpace(c.Organizer)
	if c.Name == "" {
		f.Add("name", "required", "请填写活动名称")
	}
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		f.Add("time_zone", "time_zone", "时区无效")
	}
	if !c.CollectionEnd.After(c.CollectionStart) {
		f.Add("collection_end", "window_order", "征集截止时间应晚于开始时间")
	}
	if !c.ReviewEnd.After(c.ReviewStart) {
		f.Add("review_end", "window_order", "评审结束时间应晚于开始时间")
	}
	if c.ReviewStart.Before(c.CollectionEnd) {
		f.Add("review_start", "window_order", "评审应在征集截止后开始")
	}
	if c.Rules.MaxDurationSec <= 0 {
		f.Add("max_duration_sec", "range", "最长时长应大于0秒")
	}
	if c.Rules.MinShortSide <= 0 {
		f.Add("min_short_side", "range", "最低分辨率应大于0")
	}
	if c.Rules.MaxSizeBytes <= 0 {
		f.Add("max_size_bytes", "range", "文件大小上限应大于0")
	}
	if c.Rules.Container == "" {
		c.Rules.Container = "mp4"
	}
	if strings.TrimSpace(c.AuthorizationText) == "" {
		f.Add("authorization_text", "required", "请填写授权书内容")
	}
	if intro, fe := ValidateText(c.Intro, false, 2000); fe != nil {
		f.Add("intro", fe.Code, fe.Message)
	} else {
		c.Intro = intro
	}
	validateCategories(c.Categories, &f)
	return f.Err()
}

// Beijing is the zone in which pages and messages show every time, labelled 北京时间, whatever
// the contest's own zone (which decides only where a day ends).
var Beijing = mustLoad(DefaultTimeZone)

// FormatTime writes t in loc as people read it on the pages: 2022年5月20日 23:59:59.
func FormatTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006年1月2日 15:04:05")
}

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Asia/Shanghai has had no DST since 1991: a fixed zone is exact for our dates.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

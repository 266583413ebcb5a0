package db

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jskx/contest/internal/contest"
	"gorm.io/gorm"
)

// Contests keeps the contests and their settings: the contest page's and the judging settings.
// The publication has its own saves, in Publication.
type Contests struct{ db *DB }

var _ contest.ContestStore = (*Contests)(nil)

type contestRow struct {
	ID                 string
	Name               string
	Theme              string
	Organizer          string
	TimeZone           string
	CollectionStart    time.Time
	CollectionEnd      time.Time
	ReviewStart        time.Time
	ReviewEnd          time.Time
	RuleContainer      string
	RuleMaxDurationSec int
	RuleMinShortSide   int
	RuleMaxSizeBytes   int64
	AuthorizationText  string
	Intro              string
	Judging            string // JSON of contest.JudgingSettings; "" for the defaults
	Publication        string // JSON of contest.Publication; "" for the defaults
	// PublicationRevision is contest.Publication.Revision; written only by savePublicationTx.
	PublicationRevision int
	// RequireEmailVerification is contest.Contest.RequireEmailVerification.
	RequireEmailVerification bool
	Notices                  string // JSON of contest.NoticeTexts; "" for the defaults
	Slug                     string
	IsDefault                bool
	ArchivedAt               *time.Time
	Categories               string // JSON of []contest.Category; "" for none
	CreatedAt                time.Time
	UpdatedAt                time.Time
}

func (contestRow) TableName() string { return "contests" }

func fromDomainContest(c contest.Contest) contestRow {
	return contestRow{
		ID: c.ID, Name: c.Name, Theme: c.Theme, Organizer: c.Organizer, TimeZone: c.TimeZone,
		CollectionStart: c.CollectionStart.UTC(), CollectionEnd: c.CollectionEnd.UTC(),
		ReviewStart: c.ReviewStart.UTC(), ReviewEnd: c.ReviewEnd.UTC(),
		RuleContainer: c.Rules.Container, RuleMaxDurationSec: c.Rules.MaxDurationSec,
		RuleMinShortSide: c.Rules.MinShortSide, RuleMaxSizeBytes: c.Rules.MaxSizeBytes,
		AuthorizationText: c.AuthorizationText, Intro: c.Intro, Judging: mustJSON(c.Judging),
		Publication: mustJSON(c.Publication), RequireEmailVerification: c.RequireEmailVerification,
		Notices: noticesJSON(c.Notices), Slug: c.Slug, IsDefault: c.Default, ArchivedAt: utcPtr(c.ArchivedAt),
		Categories: categoriesJSON(c.Categories), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

func toDomainContest(r contestRow) contest.Contest {
	c := contest.Contest{
		ID: r.ID, Name: r.Name, Theme: r.Theme, Organizer: r.Organizer, TimeZone: r.TimeZone,
		Rules: contest.MediaRules{Container: r.RuleContainer, MaxDurationSec: r.RuleMaxDurationSec,
			MinShortSide: r.RuleMinShortSide, MaxSizeBytes: r.RuleMaxSizeBytes},
		AuthorizationText: r.AuthorizationText, Intro: r.Intro, RequireEmailVerification: r.RequireEmailVerification,
		Slug: r.Slug, Default: r.IsDefault, ArchivedAt: r.ArchivedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	c.Judging = contest.DefaultJudging()
	if r.Judging != "" {
		// Written by fromDomainContest; a column that does not parse keeps the defaults.
		var j contest.JudgingSettings
		if json.Unmarshal([]byte(r.Judging), &j) == nil && len(j.Rubric) > 0 {
			c.Judging = j
		}
	}
	c.Publication = contest.DefaultPublication(r.Organizer)
	if r.Publication != "" {
		var p contest.Publication
		if json.Unmarshal([]byte(r.Publication), &p) == nil && p.PublicityDays > 0 {
			c.Publication = p
		}
	}
	c.Publication.Revision = r.PublicationRevision
	if r.Notices != "" {
		// Written by noticesJSON; a column that does not parse keeps the defaults.
		_ = json.Unmarshal([]byte(r.Notices), &c.Notices)
	}
	if r.Categories != "" {
		_ = json.Unmarshal([]byte(r.Categories), &c.Categories) // written by categoriesJSON
	}
	loc := c.Location()
	c.CollectionStart, c.CollectionEnd = r.CollectionStart.In(loc), r.CollectionEnd.In(loc)
	c.ReviewStart, c.ReviewEnd = r.ReviewStart.In(loc), r.ReviewEnd.In(loc)
	return c
}

// CreateContest inserts a contest.
func (cs *Contests) CreateContest(ctx context.Context, c *contest.Contest) error {
	row := fromDomainContest(*c)
	return translate(cs.db.gorm.WithContext(ctx).Create(&row).Error, "活动")
}

// ContestByID returns a contest.
func (cs *Contests) ContestByID(ctx context.Context, id string) (contest.Contest, error) {
	var row contestRow
	err := cs.db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	return toDomainContest(row), translate(err, "活动")
}

// CurrentContest returns the contest ctx is about (contest.InContest) or, in a context about no
// contest, the default one (the most recently created if none is marked).
func (cs *Contests) CurrentContest(ctx context.Context) (contest.Contest, error) {
	if id, ok := contest.ContestScope(ctx); ok {
		return cs.ContestByID(ctx, id)
	}
	return cs.DefaultContest(ctx)
}

// DefaultContest returns the contest the unprefixed routes stand for.
func (cs *Contests) DefaultContest(ctx context.Context) (contest.Contest, error) {
	// The marked one without sorting every contest (SQLite sorted whole rows on every request
	// to an unprefixed route); by age only when none is marked.
	var row contestRow
	g := cs.db.gorm.WithContext(ctx)
	err := g.Where("is_default = ?", true).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = g.Order("created_at DESC, id").Take(&row).Error
	}
	return toDomainContest(row), translate(err, "活动")
}

// ContestBySlug returns the contest of a URL's /c/{slug}/.
func (cs *Contests) ContestBySlug(ctx context.Context, slug string) (contest.Contest, error) {
	var row contestRow
	err := cs.db.gorm.WithContext(ctx).Where("slug = ?", slug).Take(&row).Error
	return toDomainContest(row), translate(err, "活动")
}

// AllContests returns every contest, the newest collection first.
func (cs *Contests) AllContests(ctx context.Context) ([]contest.Contest, error) {
	var rows []contestRow
	if err := cs.db.gorm.WithContext(ctx).Order("collection_start DESC, created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "活动")
	}
	out := make([]contest.Contest, len(rows))
	for i, r := range rows {
		out[i] = toDomainContest(r)
	}
	return out, nil
}

// OpenContestsOr returns the contests ids and the live ones whose collection window holds
// now. The bounds are whole seconds with a second's margin, so that SQLite's text comparison
// of times never leaves one out; the domain checks each contest it keeps.
func (cs *Contests) OpenContestsOr(ctx context.Context, now time.Time, ids []string) ([]contest.Contest, error) {
	now = now.UTC().Truncate(time.Second)
	open := "(archived_at IS NULL AND collection_start <= ? AND collection_end > ?)"
	q := cs.db.gorm.WithContext(ctx)
	if len(ids) > 0 {
		q = q.Where(open+" OR id IN ?", now.Add(time.Second), now.Add(-time.Second), ids)
	} else {
		q = q.Where(open, now.Add(time.Second), now.Add(-time.Second))
	}
	var rows []contestRow
	if err := q.Order("collection_start DESC, created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "活动")
	}
	out := make([]contest.Contest, len(rows))
	for i, r := range rows {
		out[i] = toDomainContest(r)
	}
	return out, nil
}

// SetDefaultContest makes the contest id the default one, and no other, in one transaction.
func (cs *Contests) SetDefaultContest(ctx context.Context, id string, a contest.AuditEntry) error {
	return cs.setColumn(ctx, id, "is_default", true, a, func(tx *gorm.DB) error {
		return tx.Model(&contestRow{}).Where("is_default = ? AND id <> ?", true, id).Update("is_default", false).Error
	})
}

// SetArchived archives the contest at (read-only from then on), or reopens it (nil).
func (cs *Contests) SetArchived(ctx context.Context, id string, at *time.Time, a contest.AuditEntry) error {
	return cs.setColumn(ctx, id, "archived_at", utcPtr(at), a, nil)
}

// setColumn sets one column of the contest id, after before (if any), with the audit entry, in
// one transaction.
func (cs *Contests) setColumn(ctx context.Context, id, column string, value any, a contest.AuditEntry, before func(*gorm.DB) error) error {
	err := cs.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if before != nil {
			if err := before(tx); err != nil {
				return err
			}
		}
		res := tx.Model(&contestRow{}).Where("id = ?", id).Update(column, value)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return contest.Errorf(contest.ENotFound, "活动不存在")
		}
		audit := fromDomainAudit(a)
		return tx.Create(&audit).Error
	})
	return translate(err, "活动")
}

// UpdateContest saves the contest page's settings: not the judging settings (SaveJudging,
// SaveAwardsState) nor the publication (SavePublicity, SavePublication), so that a settings
// save made from an older read never takes back a closed round, confirmed awards or a
// publication.
func (cs *Contests) UpdateContest(ctx context.Context, c *contest.Contest) error {
	row := fromDomainContest(*c)
	res := cs.db.gorm.WithContext(ctx).Model(&contestRow{}).Where("id = ?", c.ID).Select("*").
		Omit("id", "slug", "is_default", "archived_at", "created_at", "judging", "publication", "publication_revision", "notices").Updates(&row)
	if res.Error == nil && res.RowsAffected == 0 {
		return contest.Errorf(contest.ENotFound, "活动不存在")
	}
	return translate(res.Error, "活动")
}

// CountContests returns how many contests exist.
func (cs *Contests) CountContests(ctx context.Context) (int64, error) {
	var n int64
	err := cs.db.gorm.WithContext(ctx).Model(&contestRow{}).Count(&n).Error
	return n, translate(err, "活动")
}

// SaveNotices saves the contest's texts of the notifications only.
func (cs *Contests) SaveNotices(ctx context.Context, c contest.Contest) error {
	res := cs.db.gorm.WithContext(ctx).Model(&contestRow{}).Where("id = ?", c.ID).
		Updates(map[string]any{"notices": noticesJSON(c.Notices), "updated_at": c.UpdatedAt.UTC()})
	if res.Error == nil && res.RowsAffected == 0 {
		return contest.Errorf(contest.ENotFound, "活动不存在")
	}
	return translate(res.Error, "活动")
}

// noticesJSON is the column of the edited texts: "" when none is edited.
func noticesJSON(n contest.NoticeTexts) string {
	if len(n) == 0 {
		return ""
	}
	return mustJSON(n)
}

// categoriesJSON is the column of the categories: "" when there are none.
func categoriesJSON(cats []contest.Category) string {
	if len(cats) == 0 {
		return ""
	}
	return mustJSON(cats)
}

// SaveJudging saves the contest's judging settings only, and inserts the notes with them.
// Settings read before their round was advanced are ErrStale: saved, they would take the
// contest back to that round.
func (cs *Contests) SaveJudging(ctx context.Context, c contest.Contest, notes ...contest.Notification) error {
	err := cs.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var advanced int64
		err := tx.Model(&roundWorkRow{}).Where("contest_id = ? AND round = ?", c.ID, c.Judging.CurrentRound()+1).Count(&advanced).Error
		if err != nil {
			return err
		}
		if advanced > 0 {
			return contest.ErrStale
		}
		res := tx.Model(&contestRow{}).Where("id = ?", c.ID).
			Updates(map[string]any{"judging": mustJSON(c.Judging), "updated_at": c.UpdatedAt.UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return contest.Errorf(contest.ENotFound, "活动不存在")
		}
		return cs.db.insertNotifications(ctx, tx, notes)
	})
	return translate(err, "活动")
}

// NextNumber returns the next number of the contest's series (contest_numbers, migration
// 00018) in one statement: the row is locked by the upsert, so callers at the same moment
// get different numbers. A number whose work is then not stored stays unused.
func (cs *Contests) NextNumber(ctx context.Context, contestID, series string) (int64, error) {
	var n int64
	err := cs.db.gorm.WithContext(ctx).Raw(`INSERT INTO contest_numbers (contest_id, series, last_number) VALUES (?, ?, 1)
		ON CONFLICT (contest_id, series) DO UPDATE SET last_number = contest_numbers.last_number + 1
		RETURNING last_number`, contestID, series).Scan(&n).Error
	if err == nil && n == 0 {
		return 0, contest.Internal(errors.New("contest_numbers: no number returned"))
	}
	return n, translate(err, "编号")
}

// inScope narrows q to the rows of the contest ctx is about (contest.InContest), by the column
// holding a row's contest: in a contest's context a row of another contest is not found, so a
// URL with another contest's id is 404 whatever the handler does. Outside one (jobs), q is
// unchanged.
func inScope(ctx context.Context, q *gorm.DB, column string) *gorm.DB {
	if id, ok := contest.ContestScope(ctx); ok {
		return q.Where(column+" = ?", id)
	}
	return q
}

// inScopeVia narrows q like inScope for a table whose rows belong to a work (column names the
// work's id).
func inScopeVia(ctx context.Context, q *gorm.DB, column string) *gorm.DB {
	if id, ok := contest.ContestScope(ctx); ok {
		return q.Where(column+" IN (SELECT id FROM submissions WHERE contest_id = ?)", id)
	}
	return q
}

package db

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jskx/contest/internal/contest"
)

// Reminders keeps what the reminders need (migration 00019): the rounds completed, the
// judges' progress, the digest's counts and each person's choice to get no reminders by
// e-mail. Every query counts; none reads the works one by one.
type Reminders struct{ db *DB }

type reminderRoundRow struct {
	Round  string `gorm:"primaryKey"`
	DoneAt time.Time
}

func (reminderRoundRow) TableName() string { return "reminder_rounds" }

// ReminderRoundDone reports whether a round of reminders was completed.
func (rm *Reminders) ReminderRoundDone(ctx context.Context, round string) (bool, error) {
	var n int64
	err := rm.db.gorm.WithContext(ctx).Model(&reminderRoundRow{}).Where("round = ?", round).Count(&n).Error
	return n > 0, translate(err, "提醒")
}

// SaveReminders inserts notes and, when round is not "", records the round done, in one
// transaction. A round recorded twice (two replicas finishing together) is recorded once.
func (rm *Reminders) SaveReminders(ctx context.Context, notes []contest.Notification, round string, at time.Time) error {
	err := rm.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := rm.db.insertNotifications(ctx, tx, notes); err != nil {
			return err
		}
		if round == "" {
			return nil
		}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&reminderRoundRow{Round: round, DoneAt: at.UTC()}).Error
	})
	return translate(err, "提醒")
}

// JudgeLoads counts each active judge's reviews in the contest, assigned and submitted.
func (rm *Reminders) JudgeLoads(ctx context.Context, contestID string) ([]contest.JudgeLoad, error) {
	var rows []struct {
		JudgeID  string
		Assigned int
		Done     int
	}
	err := rm.db.gorm.WithContext(ctx).Table("assignments AS a").
		Select("a.judge_id, COUNT(*) AS assigned, COUNT(a.submitted_at) AS done").
		Joins("JOIN users AS u ON u.id = a.judge_id").
		Where("a.contest_id = ? AND u.disabled = ?", contestID, false).
		Group("a.judge_id").Order("a.judge_id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "评审分配")
	}
	out := make([]contest.JudgeLoad, len(rows))
	for i, r := range rows {
		out[i] = contest.JudgeLoad{JudgeID: r.JudgeID, Assigned: r.Assigned, Done: r.Done}
	}
	return out, nil
}

// DigestCounts counts the contest's figures for a digest of [since, until): the counts per
// status are the kept ones (submission_counts); the period's are counts over the contest's
// works, the failed checks through the index on (contest_id, video_check).
func (rm *Reminders) DigestCounts(ctx context.Context, contestID string, since, until time.Time) (contest.DigestCounts, error) {
	var d contest.DigestCounts
	since, until = since.UTC(), until.UTC()
	err := rm.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		works := func() *gorm.DB { return tx.Model(&submissionRow{}).Where("contest_id = ?", contestID) }
		if err := works().Where("created_at >= ? AND created_at < ?", since, until).Count(&d.Registered).Error; err != nil {
			return err
		}
		if err := works().Where("status = ? AND submitted_at >= ? AND submitted_at < ?", string(contest.StatusSubmitted), since, until).
			Count(&d.Submitted).Error; err != nil {
			return err
		}
		if err := works().Where("video_check = ? AND video_checked_at >= ? AND video_checked_at < ?", string(contest.CheckRejected), since, until).
			Count(&d.ChecksFailed).Error; err != nil {
			return err
		}
		counts, err := contestCounts(tx, contestID)
		if err != nil {
			return err
		}
		d.Drafts, d.SubmittedAll = counts[contest.StatusDraft], counts[contest.StatusSubmitted]
		var reviews struct{ Assigned, Done int64 }
		if err := tx.Model(&assignmentRow{}).Select("COUNT(*) AS assigned, COUNT(submitted_at) AS done").
			Where("contest_id = ?", contestID).Scan(&reviews).Error; err != nil {
			return err
		}
		d.Assigned, d.Reviewed = reviews.Assigned, reviews.Done
		return tx.Model(&objectionRow{}).Where("contest_id = ? AND status = ?", contestID, string(contest.ObjectionOpen)).
			Count(&d.ObjectionsOpen).Error
	})
	return d, translate(err, "提醒")
}

// SetRemindersOff records whether the user gets reminders by e-mail.
func (rm *Reminders) SetRemindersOff(ctx context.Context, userID string, off bool) error {
	res := rm.db.gorm.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).Update("reminders_off", off)
	if res.Error == nil && res.RowsAffected == 0 {
		return contest.Errorf(contest.ENotFound, "账号不存在")
	}
	return translate(res.Error, "账号")
}

// DraftsAfter returns up to limit of the contest's works in draft whose id sorts after
// afterID, by id, with their participants (numbers masked): a walk over every draft that a
// work changed meanwhile cannot make skip another, as a walk by pages of the newest change
// first would.
func (rm *Reminders) DraftsAfter(ctx context.Context, contestID, afterID string, limit int) ([]contest.Submission, error) {
	sb := &Submissions{db: rm.db}
	g := rm.db.gorm.WithContext(ctx)
	var rows []submissionRow
	if err := g.Where("contest_id = ? AND status = ? AND id > ?", contestID, string(contest.StatusDraft), afterID).
		Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "作品")
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	byID, err := participantsOf(g, ids)
	if err != nil {
		return nil, err
	}
	out := make([]contest.Submission, 0, len(rows))
	for _, r := range rows {
		s, err := sb.toDomainSubmission(r, byID[r.ID], false)
		if err != nil {
			return nil, contest.Internal(err)
		}
		out = append(out, s)
	}
	return out, nil
}

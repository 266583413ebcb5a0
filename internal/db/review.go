package db

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jskx/contest/internal/contest"
)

// Reviews keeps the judging: the assignments with the judges' reviews, the conflicts judges
// declare and the organizers' award decisions.
type Reviews struct{ db *DB }

var (
	_ contest.ReviewStore = (*Reviews)(nil)
	_ contest.AwardStore  = (*Reviews)(nil)
)

type assignmentRow struct {
	SubmissionID string `gorm:"primaryKey"`
	JudgeID      string `gorm:"primaryKey"`
	ContestID    string
	Position     int
	Scores       string // JSON of contest.Scores
	Comment      string
	SavedAt      *time.Time
	SubmittedAt  *time.Time
}

func (assignmentRow) TableName() string { return "assignments" }

func (r assignmentRow) toDomain() contest.ReviewRecord {
	rec := contest.ReviewRecord{Assignment: contest.Assignment{WorkID: r.SubmissionID, JudgeID: r.JudgeID},
		Position: r.Position, Comment: r.Comment, SavedAt: r.SavedAt, SubmittedAt: r.SubmittedAt}
	if r.Scores != "" {
		_ = json.Unmarshal([]byte(r.Scores), &rec.Scores) // written by SaveReview
	}
	return rec
}

// ReviewRecords returns every assignment of the contest with its review.
func (rv *Reviews) ReviewRecords(ctx context.Context, contestID string) ([]contest.ReviewRecord, error) {
	var rows []assignmentRow
	if err := rv.db.gorm.WithContext(ctx).Where("contest_id = ?", contestID).Find(&rows).Error; err != nil {
		return nil, translate(err, "评审分配")
	}
	out := make([]contest.ReviewRecord, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// ReplaceAssignments removes unreviewed assignments and adds new ones, with the audit entry,
// in one transaction. An assignment reviewed meanwhile is not removed.
func (rv *Reviews) ReplaceAssignments(ctx context.Context, contestID string, remove, drafts []contest.Assignment, add []contest.ReviewRecord, a contest.AuditEntry, notes ...contest.Notification) error {
	audit := fromDomainAudit(a)
	err := rv.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, r := range remove {
			err := tx.Where("submission_id = ? AND judge_id = ? AND saved_at IS NULL AND submitted_at IS NULL", r.WorkID, r.JudgeID).
				Delete(&assignmentRow{}).Error
			if err != nil {
				return err
			}
		}
		for _, r := range drafts {
			err := tx.Where("submission_id = ? AND judge_id = ? AND submitted_at IS NULL", r.WorkID, r.JudgeID).
				Delete(&assignmentRow{}).Error
			if err != nil {
				return err
			}
		}
		rows := make([]assignmentRow, len(add))
		for i, r := range add {
			rows[i] = assignmentRow{SubmissionID: r.WorkID, JudgeID: r.JudgeID, ContestID: contestID, Position: r.Position}
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(&rows, 500).Error; err != nil {
				return err
			}
		}
		if err := rv.db.insertNotifications(ctx, tx, notes); err != nil {
			return err
		}
		return tx.Create(&audit).Error
	})
	return translate(err, "评审分配")
}

// blindColumns are what a blind review may read of a work (submissions s, joined with its
// formal review f): never the registration's personal columns nor the video's file name.
const blindColumns = "s.status, COALESCE(f.decision, '') AS formal, s.title, s.description, " +
	"s.video_key, s.video_content_type, s.video_size, s.video_uploaded_at, " +
	"s.video_poster, s.video_web_copy, s.video_check, s.video_check_done"

// blindCols are the blindColumns as read.
type blindCols struct {
	Status           string
	Formal           string
	Title            string
	Description      string
	VideoKey         string
	VideoContentType string
	VideoSize        int64
	VideoUploadedAt  *time.Time
	VideoCheckCols   `gorm:"embedded"`
}

// work is the work as a blind review shows it, with its review record.
func (b blindCols) work(rec contest.ReviewRecord) contest.AssignedWork {
	w := contest.AssignedWork{ReviewRecord: rec, Status: contest.Status(b.Status),
		Formal: contest.FormalDecision(b.Formal), Title: b.Title, Description: b.Description}
	if b.VideoKey != "" && b.VideoUploadedAt != nil {
		w.Video = &contest.Video{Attachment: contest.Attachment{Key: b.VideoKey, ContentType: b.VideoContentType, Size: b.VideoSize},
			UploadedAt: *b.VideoUploadedAt, Check: b.VideoCheckCols.toDomain()}
	}
	return w
}

// assignedWorkRow is an assignment joined with what a blind review may show of its work.
type assignedWorkRow struct {
	SubmissionID string
	JudgeID      string
	Position     int
	Scores       string
	Comment      string
	SavedAt      *time.Time
	SubmittedAt  *time.Time
	Blind        blindCols `gorm:"embedded"`
}

// AssignedWorks returns the works assigned to a judge, in the judge's order. It reads nothing
// personal: neither the registration's personal columns nor the video's file name.
func (rv *Reviews) AssignedWorks(ctx context.Context, judgeID string) ([]contest.AssignedWork, error) {
	var rows []assignedWorkRow
	q := rv.db.gorm.WithContext(ctx).Table("assignments a").
		Select("a.submission_id, a.judge_id, a.position, a.scores, a.comment, a.saved_at, a.submitted_at, "+blindColumns).
		Joins("JOIN submissions s ON s.id = a.submission_id").
		Joins("LEFT JOIN formal_reviews f ON f.submission_id = a.submission_id").
		Where("a.judge_id = ?", judgeID)
	err := inScope(ctx, q, "a.contest_id").Order("a.position").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "评审任务")
	}
	out := make([]contest.AssignedWork, len(rows))
	for i, r := range rows {
		rec := assignmentRow{SubmissionID: r.SubmissionID, JudgeID: r.JudgeID, Position: r.Position, Scores: r.Scores,
			Comment: r.Comment, SavedAt: r.SavedAt, SubmittedAt: r.SubmittedAt}
		out[i] = r.Blind.work(rec.toDomain())
	}
	return out, nil
}

// SaveReview stores a judge's scores for an assigned work, with the audit entry.
func (rv *Reviews) SaveReview(ctx context.Context, r contest.ReviewRecord, a contest.AuditEntry) error {
	audit := fromDomainAudit(a)
	err := rv.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&assignmentRow{}).Where("submission_id = ? AND judge_id = ?", r.WorkID, r.JudgeID)
		if r.SubmittedAt == nil {
			q = q.Where("submitted_at IS NULL") // a draft never takes back a submitted review
		}
		res := q.Updates(map[string]any{
			"scores": mustJSON(r.Scores), "comment": r.Comment, "saved_at": utcPtr(r.SavedAt), "submitted_at": utcPtr(r.SubmittedAt),
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return gorm.ErrRecordNotFound
		}
		return tx.Create(&audit).Error
	})
	return translate(err, "评审任务")
}

type judgeConflictRow struct {
	JudgeID      string `gorm:"primaryKey"`
	SubmissionID string `gorm:"primaryKey"`
	Reason       string
	DeclaredAt   time.Time
}

func (judgeConflictRow) TableName() string { return "judge_conflicts" }

// DeclareConflict records the conflict, removes the judge's unsubmitted assignment and adds the
// replacements with the audit entry and the notes to their judges, in one transaction.
func (rv *Reviews) DeclareConflict(ctx context.Context, contestID string, c contest.Assignment, reason string, at time.Time, add []contest.ReviewRecord, a contest.AuditEntry, notes ...contest.Notification) error {
	audit := fromDomainAudit(a)
	err := rv.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("submission_id = ? AND judge_id = ? AND submitted_at IS NULL", c.WorkID, c.JudgeID).Delete(&assignmentRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return contest.ErrStale // submitted meanwhile
		}
		row := judgeConflictRow{JudgeID: c.JudgeID, SubmissionID: c.WorkID, Reason: reason, DeclaredAt: at.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		for _, r := range add {
			if err := tx.Create(&assignmentRow{SubmissionID: r.WorkID, JudgeID: r.JudgeID, ContestID: contestID, Position: r.Position}).Error; err != nil {
				return err
			}
		}
		if err := rv.db.insertNotifications(ctx, tx, notes); err != nil {
			return err
		}
		return tx.Create(&audit).Error
	})
	return translate(err, "评审任务")
}

// Conflicts returns the declared conflicts as judge → work → true.
func (rv *Reviews) Conflicts(ctx context.Context) (map[string]map[string]bool, error) {
	var rows []judgeConflictRow
	if err := rv.db.gorm.WithContext(ctx).Find(&rows).Error; err != nil {
		return nil, translate(err, "回避记录")
	}
	out := map[string]map[string]bool{}
	for _, r := range rows {
		if out[r.JudgeID] == nil {
			out[r.JudgeID] = map[string]bool{}
		}
		out[r.JudgeID][r.SubmissionID] = true
	}
	return out, nil
}

type awardRow struct {
	SubmissionID string `gorm:"primaryKey"`
	ContestID    string
	Tier         int
	Reason       string
	SetBy        string
	SetAt        time.Time
}

func (awardRow) TableName() string { return "awards" }

// AwardDecisions returns the organizers' award decisions by work.
func (rv *Reviews) AwardDecisions(ctx context.Context, contestID string) (map[string]contest.AwardDecision, error) {
	var rows []awardRow
	if err := rv.db.gorm.WithContext(ctx).Where("contest_id = ?", contestID).Find(&rows).Error; err != nil {
		return nil, translate(err, "奖项")
	}
	out := map[string]contest.AwardDecision{}
	for _, r := range rows {
		out[r.SubmissionID] = contest.AwardDecision{WorkID: r.SubmissionID, Tier: contest.Tier(r.Tier), Reason: r.Reason, ByID: r.SetBy, At: r.SetAt}
	}
	return out, nil
}

// SaveAward records an award decision (replacing an earlier one) with its audit entry.
func (rv *Reviews) SaveAward(ctx context.Context, contestID string, d contest.AwardDecision, a contest.AuditEntry) error {
	row := awardRow{SubmissionID: d.WorkID, ContestID: contestID, Tier: int(d.Tier), Reason: d.Reason, SetBy: d.ByID, SetAt: d.At.UTC()}
	audit := fromDomainAudit(a)
	err := rv.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return err
		}
		return tx.Create(&audit).Error
	})
	return translate(err, "奖项")
}

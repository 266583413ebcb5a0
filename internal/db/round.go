package db

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

var _ contest.RoundStore = (*Reviews)(nil)

// roundReviewRow is an assignmentRow filed under its round.
type roundReviewRow struct {
	ContestID    string `gorm:"primaryKey"`
	Round        int    `gorm:"primaryKey"`
	SubmissionID string `gorm:"primaryKey"`
	JudgeID      string `gorm:"primaryKey"`
	Position     int
	Scores       string
	Comment      string
	SavedAt      *time.Time
	SubmittedAt  *time.Time
}

func (roundReviewRow) TableName() string { return "round_reviews" }

type roundWorkRow struct {
	ContestID     string `gorm:"primaryKey"`
	Round         int    `gorm:"primaryKey"`
	SubmissionID  string `gorm:"primaryKey"`
	PreviousRank  int
	PreviousScore float64
}

func (roundWorkRow) TableName() string { return "round_works" }

// AdvanceRound moves the current round's assignments to round_reviews as round `from`, drops
// the award moves made on its ranking, admits
// the shortlist to round from+1 and saves the judging settings with the audit entry, in one
// transaction. A round already advanced (its next round has works), or awards confirmed since c
// was read (the publication's revision moved on, as advancing moves it too), is ErrStale.
func (rv *Reviews) AdvanceRound(ctx context.Context, c contest.Contest, from int, shortlist []contest.RankingRow, a contest.AuditEntry) error {
	audit := fromDomainAudit(a)
	err := rv.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&roundWorkRow{}).Where("contest_id = ? AND round = ?", c.ID, from+1).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return contest.ErrStale
		}
		err := tx.Exec(`INSERT INTO round_reviews (contest_id, round, submission_id, judge_id, position, scores, comment, saved_at, submitted_at)
			SELECT contest_id, ?, submission_id, judge_id, position, scores, comment, saved_at, submitted_at FROM assignments WHERE contest_id = ?`,
			from, c.ID).Error
		if err != nil {
			return err
		}
		if err := tx.Where("contest_id = ?", c.ID).Delete(&assignmentRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("contest_id = ?", c.ID).Delete(&awardRow{}).Error; err != nil {
			return err // moves of awards made on this round's ranking
		}
		rows := make([]roundWorkRow, len(shortlist))
		for i, r := range shortlist {
			rows[i] = roundWorkRow{ContestID: c.ID, Round: from + 1, SubmissionID: r.WorkID, PreviousRank: r.Rank, PreviousScore: r.Score}
		}
		if err := tx.CreateInBatches(&rows, 500).Error; err != nil {
			return err
		}
		// Awards confirmed meanwhile moved the publication's revision on: stale.
		res := tx.Model(&contestRow{}).Where("id = ? AND publication_revision = ?", c.ID, c.Publication.Revision).
			Updates(map[string]any{"judging": mustJSON(c.Judging), "updated_at": c.UpdatedAt.UTC(),
				"publication_revision": c.Publication.Revision + 1})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return contest.ErrStale
		}
		return tx.Create(&audit).Error
	})
	if err == contest.ErrStale {
		return err
	}
	return translate(err, "评审轮次")
}

// RoundReviews returns the assignments and reviews of an advanced round.
func (rv *Reviews) RoundReviews(ctx context.Context, contestID string, round int) ([]contest.ReviewRecord, error) {
	var rows []roundReviewRow
	if err := rv.db.gorm.WithContext(ctx).Where("contest_id = ? AND round = ?", contestID, round).Find(&rows).Error; err != nil {
		return nil, translate(err, "评审轮次")
	}
	out := make([]contest.ReviewRecord, len(rows))
	for i, r := range rows {
		out[i] = assignmentRow{SubmissionID: r.SubmissionID, JudgeID: r.JudgeID, Position: r.Position, Scores: r.Scores,
			Comment: r.Comment, SavedAt: r.SavedAt, SubmittedAt: r.SubmittedAt}.toDomain()
	}
	return out, nil
}

// RoundWorks returns the ids of the works admitted to a round after the first.
func (rv *Reviews) RoundWorks(ctx context.Context, contestID string, round int) ([]string, error) {
	var ids []string
	err := rv.db.gorm.WithContext(ctx).Model(&roundWorkRow{}).Where("contest_id = ? AND round = ?", contestID, round).
		Order("submission_id").Pluck("submission_id", &ids).Error
	return ids, translate(err, "评审轮次")
}

package db

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jskx/contest/internal/contest"
)

type formalReviewRow struct {
	SubmissionID string `gorm:"primaryKey"`
	Decision     string
	Reason       string
	DecidedBy    string
	DecidedAt    time.Time
}

func (formalReviewRow) TableName() string { return "formal_reviews" }

// SaveFormalReview records (or replaces) the formal review of a submission, its audit entry and
// its notifications in one transaction.
func (sb *Submissions) SaveFormalReview(ctx context.Context, submissionID string, fr contest.FormalReview, a contest.AuditEntry, notes []contest.Notification) error {
	row := formalReviewRow{SubmissionID: submissionID, Decision: string(fr.Decision), Reason: fr.Reason,
		DecidedBy: fr.ByID, DecidedAt: fr.At.UTC()}
	audit := fromDomainAudit(a)
	err := sb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Create(&audit).Error; err != nil {
			return err
		}
		return sb.db.insertNotifications(ctx, tx, notes)
	})
	return translate(err, "形式审查")
}

// formalReviews loads the formal reviews of the given submissions.
func (sb *Submissions) formalReviews(ctx context.Context, ids []string) (map[string]*contest.FormalReview, error) {
	out := map[string]*contest.FormalReview{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []formalReviewRow
	if err := sb.db.gorm.WithContext(ctx).Where("submission_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, translate(err, "形式审查")
	}
	for _, r := range rows {
		out[r.SubmissionID] = &contest.FormalReview{Decision: contest.FormalDecision(r.Decision), Reason: r.Reason,
			ByID: r.DecidedBy, At: r.DecidedAt}
	}
	return out, nil
}

package db

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// Pairwise keeps the pairwise check at the award cuts: the judges' comparisons of two
// works each.
type Pairwise struct{ db *DB }

var _ contest.PairStore = (*Pairwise)(nil)

type pairComparisonRow struct {
	ID        string `gorm:"primaryKey"`
	ContestID string
	Round     int
	WorkA     string `gorm:"column:work_a"`
	WorkB     string `gorm:"column:work_b"`
	JudgeID   string
	Winner    string
	Reason    string
	CreatedAt time.Time
	DecidedAt *time.Time
}

func (pairComparisonRow) TableName() string { return "pair_comparisons" }

func (r pairComparisonRow) toDomain() contest.PairComparison {
	return contest.PairComparison{ID: r.ID, ContestID: r.ContestID, Round: r.Round, WorkA: r.WorkA, WorkB: r.WorkB, JudgeID: r.JudgeID,
		Winner: r.Winner, Reason: r.Reason, CreatedAt: r.CreatedAt, DecidedAt: r.DecidedAt}
}

func fromDomainPair(p contest.PairComparison) pairComparisonRow {
	return pairComparisonRow{ID: p.ID, ContestID: p.ContestID, Round: p.Round, WorkA: p.WorkA, WorkB: p.WorkB, JudgeID: p.JudgeID,
		Winner: p.Winner, Reason: p.Reason, CreatedAt: p.CreatedAt.UTC(), DecidedAt: utcPtr(p.DecidedAt)}
}

// PairComparisons returns every comparison of the contest's round, in the order they were made.
func (pc *Pairwise) PairComparisons(ctx context.Context, contestID string, round int) ([]contest.PairComparison, error) {
	var rows []pairComparisonRow
	if err := pc.db.gorm.WithContext(ctx).Where("contest_id = ? AND round = ?", contestID, round).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "成对比较")
	}
	out := make([]contest.PairComparison, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// AddPairComparisons stores the comparisons with the audit entry and the notes, in one
// transaction that first locks the contest's row: of two starts at the same moment (a double
// click), the second finds the first's comparisons and is ErrStale.
func (pc *Pairwise) AddPairComparisons(ctx context.Context, add []contest.PairComparison, a contest.AuditEntry, notes ...contest.Notification) error {
	rows := make([]pairComparisonRow, len(add))
	for i, p := range add {
		rows[i] = fromDomainPair(p)
	}
	audit := fromDomainAudit(a)
	err := pc.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if len(rows) > 0 {
			first := rows[0]
			if err := tx.Exec("UPDATE contests SET updated_at = updated_at WHERE id = ?", first.ContestID).Error; err != nil {
				return err
			}
			var n int64
			if err := tx.Model(&pairComparisonRow{}).Where("contest_id = ? AND round = ?", first.ContestID, first.Round).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return contest.ErrStale
			}
			if err := tx.CreateInBatches(&rows, 500).Error; err != nil {
				return err
			}
		}
		if err := pc.db.insertNotifications(ctx, tx, notes); err != nil {
			return err
		}
		return tx.Create(&audit).Error
	})
	if errors.Is(err, contest.ErrStale) {
		return err
	}
	return translate(err, "成对比较")
}

// DecidePair records a judge's choice on their own comparison, with the audit entry.
func (pc *Pairwise) DecidePair(ctx context.Context, p contest.PairComparison, a contest.AuditEntry) error {
	audit := fromDomainAudit(a)
	err := pc.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&pairComparisonRow{}).Where("id = ? AND judge_id = ? AND contest_id = ?", p.ID, p.JudgeID, p.ContestID).
			Updates(map[string]any{"winner": p.Winner, "reason": p.Reason, "decided_at": utcPtr(p.DecidedAt)})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return gorm.ErrRecordNotFound
		}
		return tx.Create(&audit).Error
	})
	return translate(err, "比较任务")
}

// blindWorkRow is what a blind review may show of a work, with its id.
type blindWorkRow struct {
	ID    string
	Blind blindCols `gorm:"embedded"`
}

// BlindWorks returns what a blind review may show of the works. It reads nothing personal:
// neither the registration's personal columns nor the video's file name.
func (pc *Pairwise) BlindWorks(ctx context.Context, ids []string) ([]contest.AssignedWork, error) {
	var rows []blindWorkRow
	q := pc.db.gorm.WithContext(ctx).Table("submissions s").
		Select("s.id, "+blindColumns).
		Joins("LEFT JOIN formal_reviews f ON f.submission_id = s.id").
		Where("s.id IN ?", ids)
	if err := inScope(ctx, q, "s.contest_id").Scan(&rows).Error; err != nil {
		return nil, translate(err, "作品")
	}
	out := make([]contest.AssignedWork, len(rows))
	for i, r := range rows {
		out[i] = r.Blind.work(contest.ReviewRecord{Assignment: contest.Assignment{WorkID: r.ID}})
	}
	return out, nil
}

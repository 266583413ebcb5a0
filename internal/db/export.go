package db

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// ExportJobs keeps the export jobs (packages built in the background) and queues their
// building.
type ExportJobs struct{ db *DB }

var _ contest.ExportStore = (*ExportJobs)(nil)

type exportRow struct {
	ID         string `gorm:"primaryKey"`
	ContestID  string
	Kind       string
	Status     string
	Done       int
	Total      int
	StorageKey string
	Size       int64
	Error      string
	CreatedBy  string
	CreatedAt  time.Time
	FinishedAt *time.Time
}

func (exportRow) TableName() string { return "exports" }

func fromDomainExport(j contest.ExportJob) exportRow {
	r := exportRow{ID: j.ID, ContestID: j.ContestID, Kind: j.Kind, Status: j.Status, Done: j.Done, Total: j.Total,
		StorageKey: j.Key, Size: j.Size, Error: j.Error, CreatedBy: j.CreatedBy, CreatedAt: j.CreatedAt.UTC()}
	if j.FinishedAt != nil {
		t := j.FinishedAt.UTC()
		r.FinishedAt = &t
	}
	return r
}

func (r exportRow) toDomain() contest.ExportJob {
	return contest.ExportJob{ID: r.ID, ContestID: r.ContestID, Kind: r.Kind, Status: r.Status, Done: r.Done, Total: r.Total,
		Key: r.StorageKey, Size: r.Size, Error: r.Error, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt}
}

// CreateExport records the job, queues its building and records the audit entry, in one
// transaction.
func (ex *ExportJobs) CreateExport(ctx context.Context, j *contest.ExportJob, a contest.AuditEntry) error {
	row, audit := fromDomainExport(*j), fromDomainAudit(a)
	err := ex.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&audit).Error; err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return ex.db.insertTx(ctx, tx, contest.ExportArgs{ID: j.ID}, &river.InsertOpts{Queue: exportQueue, MaxAttempts: exportAttempts})
	})
	return translate(err, "导出")
}

// ExportByID returns one export job.
func (ex *ExportJobs) ExportByID(ctx context.Context, id string) (contest.ExportJob, error) {
	var row exportRow
	err := inScope(ctx, ex.db.gorm.WithContext(ctx), "contest_id").Where("id = ?", id).Take(&row).Error
	return row.toDomain(), translate(err, "导出")
}

// SaveExport records the job's state and progress.
func (ex *ExportJobs) SaveExport(ctx context.Context, j contest.ExportJob) error {
	row := fromDomainExport(j)
	err := ex.db.gorm.WithContext(ctx).Model(&exportRow{}).Where("id = ?", j.ID).Select("*").Omit("id", "created_at", "created_by", "contest_id", "kind").Updates(&row).Error
	return translate(err, "导出")
}

// Exports returns the contest's latest jobs, newest first.
func (ex *ExportJobs) Exports(ctx context.Context, contestID string, limit int) ([]contest.ExportJob, error) {
	var rows []exportRow
	if err := ex.db.gorm.WithContext(ctx).Where("contest_id = ?", contestID).Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "导出")
	}
	out := make([]contest.ExportJob, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// ExportsBefore returns finished jobs (done or failed) created before t, oldest first.
func (ex *ExportJobs) ExportsBefore(ctx context.Context, t time.Time, limit int) ([]contest.ExportJob, error) {
	var rows []exportRow
	err := ex.db.gorm.WithContext(ctx).Where("created_at < ? AND status IN ?", t.UTC(), []string{contest.ExportDone, contest.ExportFailed}).
		Order("created_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "导出")
	}
	out := make([]contest.ExportJob, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// DeleteExport removes a job's record.
func (ex *ExportJobs) DeleteExport(ctx context.Context, id string) error {
	return translate(ex.db.gorm.WithContext(ctx).Where("id = ?", id).Delete(&exportRow{}).Error, "导出")
}

// FailStaleExports marks unfinished jobs created before t as failed.
func (ex *ExportJobs) FailStaleExports(ctx context.Context, t time.Time, reason string) (int64, error) {
	res := ex.db.gorm.WithContext(ctx).Model(&exportRow{}).
		Where("created_at < ? AND status IN ?", t.UTC(), []string{contest.ExportQueued, contest.ExportRunning}).
		Updates(map[string]any{"status": contest.ExportFailed, "error": reason, "finished_at": time.Now().UTC()})
	return res.RowsAffected, translate(res.Error, "导出")
}

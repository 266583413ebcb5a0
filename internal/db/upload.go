package db

import (
	"context"
	"maps"
	"time"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// Uploads keeps the resumable video uploads; finishing one records the video on its work and
// queues its check.
type Uploads struct{ db *DB }

var _ contest.UploadStore = (*Uploads)(nil)

type uploadRow struct {
	ID           string
	SubmissionID string
	OwnerID      string
	StorageKey   string
	StorageID    string
	FileName     string
	ContentType  string
	Size         int64
	PartSize     int64
	PartCount    int
	FileModified int64
	State        string
	Checksum     string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ExpiresAt    time.Time
	CompletedAt  *time.Time
}

func (uploadRow) TableName() string { return "uploads" }

func fromDomainUpload(u contest.Upload) uploadRow {
	return uploadRow{
		ID: u.ID, SubmissionID: u.SubmissionID, OwnerID: u.OwnerID, StorageKey: u.Key, StorageID: u.StorageID,
		FileName: u.FileName, ContentType: u.ContentType, Size: u.Size, PartSize: u.PartSize, PartCount: u.PartCount,
		FileModified: u.FileModified, State: string(u.State), Checksum: u.Checksum,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), ExpiresAt: u.ExpiresAt.UTC(), CompletedAt: utcPtr(u.CompletedAt),
	}
}

func (r uploadRow) toDomain() contest.Upload {
	return contest.Upload{
		ID: r.ID, SubmissionID: r.SubmissionID, OwnerID: r.OwnerID, Key: r.StorageKey, StorageID: r.StorageID,
		FileName: r.FileName, ContentType: r.ContentType, Size: r.Size, PartSize: r.PartSize, PartCount: r.PartCount,
		FileModified: r.FileModified, State: contest.UploadState(r.State), Checksum: r.Checksum,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ExpiresAt: r.ExpiresAt, CompletedAt: r.CompletedAt,
	}
}

// CreateUpload inserts an upload.
func (up *Uploads) CreateUpload(ctx context.Context, u *contest.Upload) error {
	row := fromDomainUpload(*u)
	return translate(up.db.gorm.WithContext(ctx).Create(&row).Error, "上传")
}

func (up *Uploads) uploadWhere(ctx context.Context, query string, args ...any) (contest.Upload, error) {
	var row uploadRow
	if err := inScopeVia(ctx, up.db.gorm.WithContext(ctx), "submission_id").Where(query, args...).Order("created_at DESC").Take(&row).Error; err != nil {
		return contest.Upload{}, translate(err, "上传")
	}
	return row.toDomain(), nil
}

// UploadByID returns an upload.
func (up *Uploads) UploadByID(ctx context.Context, id string) (contest.Upload, error) {
	return up.uploadWhere(ctx, "id = ?", id)
}

// UploadByStorageID returns the upload with the storage's id.
func (up *Uploads) UploadByStorageID(ctx context.Context, storageID string) (contest.Upload, error) {
	return up.uploadWhere(ctx, "storage_id = ?", storageID)
}

// OpenUploadOf returns the newest open upload of a submission.
func (up *Uploads) OpenUploadOf(ctx context.Context, submissionID string) (contest.Upload, error) {
	return up.uploadWhere(ctx, "submission_id = ? AND state = ?", submissionID, string(contest.UploadOpen))
}

// uploadChanges are the columns an upload changes after its creation.
var uploadChanges = []string{"state", "checksum", "updated_at", "expires_at", "completed_at"}

// UpdateUpload saves an upload's state, checksum and times.
func (up *Uploads) UpdateUpload(ctx context.Context, u *contest.Upload) error {
	row := fromDomainUpload(*u)
	res := up.db.gorm.WithContext(ctx).Model(&uploadRow{}).Where("id = ?", u.ID).Select(uploadChanges).Updates(&row)
	if res.Error == nil && res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, "上传")
	}
	return translate(res.Error, "上传")
}

// FinishUpload marks the upload completed and records sub's video (dropping the candidate the
// caller read, see dropCandidate), both or neither. Only an upload still open is finished, so two completions cannot both win.
// With reopened, sub's status and submission time are saved too, under a new version, if the stored version is
// still sub.Version; without, the stored status must still be sub's (a draft's other edits go
// on undisturbed). Otherwise it returns contest.ErrStale and changes nothing.
func (up *Uploads) FinishUpload(ctx context.Context, u *contest.Upload, sub *contest.Submission, reopened bool, replacing string) error {
	v := sub.Video
	started, uploaded := v.StartedAt.UTC(), v.UploadedAt.UTC()
	err := up.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := finishOpenUpload(tx, u); err != nil {
			return err
		}
		changes := checkUpdates(v.Check)
		maps.Copy(changes, map[string]any{
			"video_key": v.Key, "video_name": v.Name, "video_content_type": v.ContentType, "video_size": v.Size,
			"video_checksum": v.Checksum, "video_started_at": &started, "video_uploaded_at": &uploaded,
			"video_check_queued_at": time.Now().UTC(),
		})
		// The status the domain decided from must still be the stored one: a work finalized
		// meanwhile is read again, so it goes back to draft too.
		q := tx.Model(&submissionRow{}).Where("id = ?", sub.ID)
		if reopened {
			contestID, status, found, err := storedStatus(tx, sub.ID, sub.Version)
			if err != nil {
				return err
			}
			if !found {
				return contest.ErrStale
			}
			if err := moveCount(tx, contestID, status, sub.Status); err != nil {
				return err
			}
			q = q.Where("version = ?", sub.Version)
			maps.Copy(changes, map[string]any{"status": string(sub.Status), "submitted_at": utcPtr(sub.SubmittedAt),
				"version": sub.Version + 1})
		} else {
			q = q.Where("status = ?", string(sub.Status))
		}
		res := q.Updates(changes)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return contest.ErrStale // changed meanwhile (or deleted: the next read says so)
		}
		// A candidate waited to replace the video this one replaces at once: the one the caller
		// read, or none (the update above holds the work's row, as PromoteCandidate's does).
		if err := dropCandidate(tx, sub.ID, replacing); err != nil {
			return err
		}
		return up.db.queueCheck(ctx, tx, contest.VideoCheckArgs{SubmissionID: sub.ID, VideoKey: v.Key})
	})
	if err == nil && reopened {
		sub.Version++
	}
	return translate(err, "上传")
}

// IdleUploads returns open uploads whose abandonment time has passed, oldest first.
func (up *Uploads) IdleUploads(ctx context.Context, now time.Time, limit int) ([]contest.Upload, error) {
	var rows []uploadRow
	err := up.db.gorm.WithContext(ctx).Where("state = ? AND expires_at < ?", string(contest.UploadOpen), now.UTC()).
		Order("expires_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "上传")
	}
	out := make([]contest.Upload, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

package db

import (
	"context"
	"maps"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jskx/contest/internal/contest"
)

// candidateRow is a work's candidate video (migration 00020): one uploaded to replace a video
// that passed its check, kept apart until its own check passes. Its columns are named as the
// submission's video columns, so the check's columns are written by the same code.
type candidateRow struct {
	SubmissionID       string `gorm:"primaryKey"`
	VideoKey           string
	VideoName          string
	VideoContentType   string
	VideoSize          int64
	VideoChecksum      string
	VideoStartedAt     time.Time
	VideoUploadedAt    time.Time
	VideoCheckQueuedAt *time.Time
	VideoCheckCols     `gorm:"embedded"`
}

func (candidateRow) TableName() string { return "video_candidates" }

func fromDomainCandidate(submissionID string, v contest.Video) candidateRow {
	return candidateRow{SubmissionID: submissionID, VideoKey: v.Key, VideoName: v.Name, VideoContentType: v.ContentType,
		VideoSize: v.Size, VideoChecksum: v.Checksum, VideoStartedAt: v.StartedAt.UTC(), VideoUploadedAt: v.UploadedAt.UTC(),
		VideoCheckCols: fromDomainCheck(v.Check)}
}

func (r candidateRow) toDomain() contest.Video {
	return contest.Video{
		Attachment: contest.Attachment{Key: r.VideoKey, Name: r.VideoName, ContentType: r.VideoContentType, Size: r.VideoSize},
		Checksum:   r.VideoChecksum, StartedAt: r.VideoStartedAt, UploadedAt: r.VideoUploadedAt, Check: r.VideoCheckCols.toDomain(),
	}
}

// candidates returns the candidate video of each of the submissions that has one.
func (sb *Submissions) candidates(ctx context.Context, ids []string) (map[string]*contest.Video, error) {
	out := map[string]*contest.Video{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []candidateRow
	if err := sb.db.gorm.WithContext(ctx).Where("submission_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, translate(err, "作品")
	}
	for _, r := range rows {
		v := r.toDomain()
		out[r.SubmissionID] = &v
	}
	return out, nil
}

// FinishCandidate marks the upload completed and records sub.Candidate as the work's candidate
// video, replacing an earlier one, and queues its check, all or nothing. Only an upload still
// open is finished; the stored video must still be sub.Video and accepted, otherwise it returns
// contest.ErrStale (the caller reads the work again and decides anew).
func (up *Uploads) FinishCandidate(ctx context.Context, u *contest.Upload, sub *contest.Submission, replacing string) error {
	v := sub.Candidate
	err := up.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := finishOpenUpload(tx, u); err != nil {
			return err
		}
		// The work's row is held (on PostgreSQL) until the end, so a promotion of the candidate
		// cannot slip in between this check and the candidate's replacement below.
		var stored struct{ VideoKey, VideoCheck string }
		res := tx.Model(&submissionRow{}).Clauses(clause.Locking{Strength: "UPDATE"}).Select("video_key, video_check").
			Where("id = ?", sub.ID).Limit(1).Find(&stored)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 || stored.VideoKey != sub.Video.Key || stored.VideoCheck != string(contest.CheckAccepted) {
			return contest.ErrStale
		}
		if err := dropCandidate(tx, sub.ID, replacing); err != nil {
			return err
		}
		row := fromDomainCandidate(sub.ID, *v)
		now := time.Now().UTC()
		row.VideoCheckQueuedAt = &now
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return up.db.queueCheck(ctx, tx, contest.VideoCheckArgs{SubmissionID: sub.ID, VideoKey: v.Key})
	})
	return translate(err, "上传")
}

// dropCandidate removes the work's candidate stored under the key replacing, the one the caller
// read and will delete the object of; "" means the caller read none. A different candidate
// stored (a newer upload's, or one promoted meanwhile) is contest.ErrStale: the caller reads the
// work again, so no object is deleted that a row still names.
func dropCandidate(tx *gorm.DB, submissionID, replacing string) error {
	if replacing == "" {
		var n int64
		if err := tx.Model(&candidateRow{}).Where("submission_id = ?", submissionID).Count(&n).Error; err != nil {
			return err
		}
		if n != 0 {
			return contest.ErrStale
		}
		return nil
	}
	res := tx.Where("submission_id = ? AND video_key = ?", submissionID, replacing).Delete(&candidateRow{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return contest.ErrStale
	}
	return nil
}

// finishOpenUpload saves u as completed in tx if it is still open: two completions cannot
// both win.
func finishOpenUpload(tx *gorm.DB, u *contest.Upload) error {
	row := fromDomainUpload(*u)
	res := tx.Model(&uploadRow{}).Where("id = ? AND state = ?", u.ID, string(contest.UploadOpen)).
		Select(uploadChanges).Updates(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return contest.UploadError(contest.CodeUploadClosed, nil)
	}
	return nil
}

// PromoteCandidate makes the work's candidate video its video, with cand's verdict, and
// removes the candidate, in one transaction with the notes and the job making the copies; the
// status and version stay, a pass at 形式审查 is withdrawn (the new video is reviewed anew). Either replaced meanwhile (the candidate is no longer cand.Key, or
// the video no longer oldKey) is contest.ErrStale.
func (sb *Submissions) PromoteCandidate(ctx context.Context, submissionID, oldKey string, cand contest.Video, follow contest.VerdictFollowUp, withdrawn *contest.AuditEntry) error {
	err := sb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The work's row first, then the candidate's: the order FinishUpload and FinishCandidate
		// take them in, so two of them wait for each other instead of deadlocking.
		started, uploaded := cand.StartedAt.UTC(), cand.UploadedAt.UTC()
		changes := checkUpdates(cand.Check)
		maps.Copy(changes, map[string]any{
			"video_key": cand.Key, "video_name": cand.Name, "video_content_type": cand.ContentType, "video_size": cand.Size,
			"video_checksum": cand.Checksum, "video_started_at": &started, "video_uploaded_at": &uploaded,
			"video_check_queued_at": time.Now().UTC(),
		})
		res := tx.Model(&submissionRow{}).Where("id = ? AND video_key = ?", submissionID, oldKey).Updates(changes)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return contest.ErrStale
		}
		if err := dropCandidate(tx, submissionID, cand.Key); err != nil {
			return err
		}
		// A pass at 形式审查 was given to the video this one replaces: the new one is reviewed
		// anew (an exclusion stands: its reason is the contestant's to answer).
		res = tx.Where("submission_id = ? AND decision = ?", submissionID, string(contest.FormalPassed)).Delete(&formalReviewRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 && withdrawn != nil {
			audit := fromDomainAudit(*withdrawn)
			if err := tx.Create(&audit).Error; err != nil {
				return err
			}
		}
		return sb.db.followVerdict(ctx, tx, follow)
	})
	return translate(err, "作品")
}

// updateVideoByKey applies changes to the submission's video if it is still videoKey, else to
// its candidate if that is videoKey. It returns how many rows changed (0: replaced meanwhile).
func updateVideoByKey(tx *gorm.DB, submissionID, videoKey string, changes map[string]any) (int64, error) {
	res := tx.Model(&submissionRow{}).Where("id = ? AND video_key = ?", submissionID, videoKey).Updates(changes)
	if res.Error != nil || res.RowsAffected == 1 {
		return res.RowsAffected, res.Error
	}
	res = tx.Model(&candidateRow{}).Where("submission_id = ? AND video_key = ?", submissionID, videoKey).Updates(changes)
	return res.RowsAffected, res.Error
}

package db

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jskx/contest/internal/contest"
)

// Scans keeps the content scans of the videos (migration 00026).
type Scans struct{ db *DB }

var _ contest.ScanStore = (*Scans)(nil)

// scanQueue runs the content scans: JobSettings.ScanWorkers at a time per replica (1 by
// default), at the lowest priority, after the verdicts and the copies.
const scanQueue = "media_scans"

// scanUnique keeps one scan of a video queued or running at a time: a second 重新扫描, or a
// verdict's scan while one runs, adds nothing (the one there scans the same file).
var scanUnique = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}}

type videoScanRow struct {
	VideoKey     string `gorm:"primaryKey"`
	SubmissionID string
	ContestID    string
	State        string
	Findings     string
	Flagged      bool
	Hashes       string
	Error        string
	Attempts     int
	QueuedAt     time.Time
	ScannedAt    *time.Time
	ClearedBy    string
	ClearedAt    *time.Time
	ClearedNote  string
}

func (videoScanRow) TableName() string { return "video_scans" }

// currentVideo joins a scan to its work while it is still the work's video.
const currentVideo = "JOIN submissions ON submissions.id = video_scans.submission_id AND submissions.video_key = video_scans.video_key"

// unclear removes an organizer's clearance.
var unclear = map[string]any{"cleared_by": "", "cleared_at": nil, "cleared_note": ""}

// rewriteFindings changes the stored findings of the scan row r with change (which may add
// columns to update), in the transaction tx, keeping the flag in step.
func rewriteFindings(tx *gorm.DB, r videoScanRow, change func(f *contest.ScanFindings, updates map[string]any)) error {
	var f contest.ScanFindings
	if err := json.Unmarshal([]byte(r.Findings), &f); err != nil {
		return fmt.Errorf("video scan %s: findings: %w", r.VideoKey, err)
	}
	updates := map[string]any{}
	change(&f, updates)
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	updates["findings"], updates["flagged"] = string(b), f.Flagged()
	return tx.Model(&videoScanRow{}).Where("video_key = ?", r.VideoKey).Updates(updates).Error
}

// scanColumns are the columns read with a join on submissions: all but the hashes.
const scanColumns = "video_scans.video_key, video_scans.submission_id, video_scans.contest_id, video_scans.state, video_scans.findings, video_scans.flagged, " +
	"video_scans.error, video_scans.attempts, video_scans.queued_at, video_scans.scanned_at, video_scans.cleared_by, video_scans.cleared_at, video_scans.cleared_note"

func (r videoScanRow) toDomain() (contest.VideoScan, error) {
	s := contest.VideoScan{SubmissionID: r.SubmissionID, ContestID: r.ContestID, VideoKey: r.VideoKey, State: contest.ScanState(r.State),
		Error: r.Error, Attempts: r.Attempts, QueuedAt: r.QueuedAt, ScannedAt: r.ScannedAt}
	if r.Findings != "" {
		if err := json.Unmarshal([]byte(r.Findings), &s.Findings); err != nil {
			return s, fmt.Errorf("video scan %s: findings: %w", r.VideoKey, err)
		}
	}
	h, err := decodeHashes(r.Hashes)
	if err != nil {
		return s, fmt.Errorf("video scan %s: %w", r.VideoKey, err)
	}
	s.Hashes = h
	if r.ClearedAt != nil {
		s.Cleared = &contest.ScanClearance{ByID: r.ClearedBy, At: *r.ClearedAt, Note: r.ClearedNote}
	}
	return s, nil
}

// hashBytes is the size of one stored hash: its time in milliseconds (uint32) and the hash.
const hashBytes = 12

func encodeHashes(hs []contest.FrameHash) string {
	b := make([]byte, 0, len(hs)*hashBytes)
	for _, h := range hs {
		b = binary.BigEndian.AppendUint32(b, uint32(math.Round(max(h.At, 0)*1000)))
		b = binary.BigEndian.AppendUint64(b, h.Hash)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeHashes(s string) ([]contest.FrameHash, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b)%hashBytes != 0 {
		return nil, errors.New("hashes: not base64 of 12-byte records")
	}
	out := make([]contest.FrameHash, len(b)/hashBytes)
	for i := range out {
		r := b[i*hashBytes:]
		out[i] = contest.FrameHash{At: float64(binary.BigEndian.Uint32(r)) / 1000, Hash: binary.BigEndian.Uint64(r[4:])}
	}
	return out, nil
}

// VideoScan returns the scan of the video under key, without its hashes.
func (sc *Scans) VideoScan(ctx context.Context, videoKey string) (contest.VideoScan, error) {
	var row videoScanRow
	if err := sc.db.gorm.WithContext(ctx).Omit("hashes").Where("video_key = ?", videoKey).Take(&row).Error; err != nil {
		return contest.VideoScan{}, translate(err, "视频扫描")
	}
	return row.toDomain()
}

// WorkScans returns the scans of the works' current videos, by work id; the hashes are not
// read.
func (sc *Scans) WorkScans(ctx context.Context, submissionIDs []string) (map[string]contest.VideoScan, error) {
	out := map[string]contest.VideoScan{}
	for chunk := range chunks(submissionIDs, 500) {
		var rows []videoScanRow
		err := sc.db.gorm.WithContext(ctx).Select(scanColumns).
			Joins(currentVideo).
			Where("video_scans.submission_id IN ?", chunk).Find(&rows).Error
		if err != nil {
			return nil, translate(err, "视频扫描")
		}
		for _, r := range rows {
			s, err := r.toDomain()
			if err != nil {
				return nil, err
			}
			out[r.SubmissionID] = s
		}
	}
	return out, nil
}

// chunks splits s into slices of at most n.
func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// SaveVideoScan records a finished scan while its video is still its work's, drops the rows of
// the work's earlier videos, keeps the organizer's clearance only when the scan found the same
// names, units and duplicates as before, adds the reciprocal hit to each duplicate's scan and
// takes it back from the works no longer found.
func (sc *Scans) SaveVideoScan(ctx context.Context, s contest.VideoScan) error {
	findings, err := json.Marshal(s.Findings)
	if err != nil {
		return err
	}
	err = sc.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sub submissionRow
		if err := tx.Select("id", "owner_id", "video_key", "title").Where("id = ? AND video_key = ?", s.SubmissionID, s.VideoKey).Take(&sub).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return contest.ErrStale
			}
			return err
		}
		if err := tx.Where("submission_id = ? AND video_key <> ?", s.SubmissionID, s.VideoKey).Delete(&videoScanRow{}).Error; err != nil {
			return err
		}
		changes := map[string]any{
			"state": string(s.State), "findings": string(findings), "flagged": s.Findings.Flagged(), "hashes": encodeHashes(s.Hashes), "error": "",
			"attempts": s.Attempts, "scanned_at": utcPtr(s.ScannedAt),
		}
		var old videoScanRow
		switch err := tx.Clauses(lockingClause(tx)...).Where("video_key = ?", s.VideoKey).Take(&old).Error; {
		case errors.Is(err, gorm.ErrRecordNotFound): // a scan run without a queued row (tests, a lost row)
			row := videoScanRow{VideoKey: s.VideoKey, SubmissionID: s.SubmissionID, ContestID: s.ContestID, State: string(s.State),
				Findings: string(findings), Flagged: s.Findings.Flagged(), Hashes: encodeHashes(s.Hashes), Attempts: s.Attempts,
				QueuedAt: time.Now().UTC(), ScannedAt: utcPtr(s.ScannedAt)}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if old.ClearedAt != nil && !sameFindings(old.Findings, s.Findings) {
				maps.Copy(changes, unclear)
			}
			if err := tx.Model(&videoScanRow{}).Where("video_key = ?", s.VideoKey).Updates(changes).Error; err != nil {
				return err
			}
		}
		found := map[string]bool{}
		for _, d := range s.Findings.Duplicates {
			found[d.SubmissionID] = true
			back := contest.DuplicateHit{SubmissionID: s.SubmissionID, Title: sub.Title, SameOwner: d.SameOwner, Share: d.Share, Offset: -d.Offset}
			if err := addDuplicate(tx, d.SubmissionID, back); err != nil {
				return err
			}
		}
		return dropDuplicates(tx, s.ContestID, s.SubmissionID, found)
	})
	return translate(err, "视频扫描")
}

// sameFindings says whether the stored findings name the same things as f (what a clearance
// was given for).
func sameFindings(stored string, f contest.ScanFindings) bool {
	var old contest.ScanFindings
	if err := json.Unmarshal([]byte(stored), &old); err != nil {
		return false
	}
	return old.Named() == f.Named()
}

// dropDuplicates takes the hit of the work id back from the contest's scans that list it but
// are not in found: its video changed, or no longer matches.
func dropDuplicates(tx *gorm.DB, contestID, id string, found map[string]bool) error {
	var rows []videoScanRow
	err := tx.Select(scanColumns).
		Joins(currentVideo).
		Where("video_scans.contest_id = ? AND video_scans.submission_id <> ? AND video_scans.findings LIKE ? ESCAPE '\\'",
			contestID, id, `%"submission_id":"`+escapeLike(id)+`"%`).Find(&rows).Error
	if err != nil {
		return err
	}
	for _, r := range rows {
		if found[r.SubmissionID] {
			continue
		}
		err := rewriteFindings(tx, r, func(f *contest.ScanFindings, _ map[string]any) {
			f.Duplicates = slices.DeleteFunc(f.Duplicates, func(d contest.DuplicateHit) bool { return d.SubmissionID == id })
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// addDuplicate adds hit to the findings of the current video's scan of the work id, replacing
// an earlier hit of the same work.
func addDuplicate(tx *gorm.DB, id string, hit contest.DuplicateHit) error {
	var row videoScanRow
	err := tx.Clauses(lockingClause(tx)...).Select(scanColumns).Joins(currentVideo).
		Where("video_scans.submission_id = ? AND video_scans.state = ?", id, string(contest.ScanDone)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	return rewriteFindings(tx, row, func(f *contest.ScanFindings, updates map[string]any) {
		same := func(d contest.DuplicateHit) bool { return d.SubmissionID == hit.SubmissionID }
		if !slices.ContainsFunc(f.Duplicates, same) {
			maps.Copy(updates, unclear) // a work it was not cleared for
		}
		f.Duplicates = append(slices.DeleteFunc(f.Duplicates, same), hit)
	})
}

// lockingClause locks the rows read for update on PostgreSQL (SQLite has one writer anyway).
func lockingClause(tx *gorm.DB) []clause.Expression {
	if tx.Dialector.Name() == "postgres" {
		return []clause.Expression{clause.Locking{Strength: "UPDATE"}}
	}
	return nil
}

// DropVideoScan deletes the scan of the video.
func (sc *Scans) DropVideoScan(ctx context.Context, videoKey string) error {
	return translate(sc.db.gorm.WithContext(ctx).Where("video_key = ?", videoKey).Delete(&videoScanRow{}).Error, "视频扫描")
}

// SaveScanFailure records why the scan could not run; final marks it failed, otherwise it
// stays queued (it is retried).
func (sc *Scans) SaveScanFailure(ctx context.Context, videoKey string, attempts int, msg string, final bool) error {
	changes := map[string]any{"error": msg, "attempts": attempts}
	if final {
		changes["state"] = string(contest.ScanFailed)
	}
	err := sc.db.gorm.WithContext(ctx).Model(&videoScanRow{}).Where("video_key = ?", videoKey).Updates(changes).Error
	return translate(err, "视频扫描")
}

// RequestVideoScan marks the scan queued and queues it, in one transaction.
func (sc *Scans) RequestVideoScan(ctx context.Context, contestID, submissionID, videoKey string) error {
	err := sc.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return sc.db.queueScan(ctx, tx, contestID, contest.VideoScanArgs{SubmissionID: submissionID, VideoKey: videoKey})
	})
	return translate(err, "视频扫描")
}

// queueScan marks the video's scan queued (a row made, or an earlier one's state reset, its
// findings kept until the new ones come) and inserts the job, in the transaction tx. With
// contestID "" the work's contest is read.
func (db *DB) queueScan(ctx context.Context, tx *gorm.DB, contestID string, a contest.VideoScanArgs) error {
	if contestID == "" {
		var sub submissionRow
		if err := tx.Select("contest_id").Where("id = ?", a.SubmissionID).Take(&sub).Error; err != nil {
			return err
		}
		contestID = sub.ContestID
	}
	row := videoScanRow{VideoKey: a.VideoKey, SubmissionID: a.SubmissionID, ContestID: contestID, State: string(contest.ScanQueued),
		QueuedAt: time.Now().UTC()}
	upsert := clause.OnConflict{Columns: []clause.Column{{Name: "video_key"}},
		DoUpdates: clause.Assignments(map[string]any{"state": string(contest.ScanQueued), "queued_at": row.QueuedAt, "error": "", "attempts": 0})}
	if err := tx.Clauses(upsert).Create(&row).Error; err != nil {
		return err
	}
	return db.insertTx(ctx, tx, a, &river.InsertOpts{Queue: scanQueue, MaxAttempts: db.checkAttempts, Priority: 4, UniqueOpts: scanUnique})
}

// ScanHashes returns the hashes of the contest's other scanned videos that are still their
// works' videos.
func (sc *Scans) ScanHashes(ctx context.Context, contestID, exceptKey string) ([]contest.ScanHashes, error) {
	var rows []struct {
		SubmissionID string
		OwnerID      string
		Title        string
		VideoKey     string
		Hashes       string
	}
	err := sc.db.gorm.WithContext(ctx).Table("video_scans").
		Select("video_scans.submission_id, submissions.owner_id, submissions.title, video_scans.video_key, video_scans.hashes").
		Joins(currentVideo).
		Where("video_scans.contest_id = ? AND video_scans.video_key <> ? AND video_scans.hashes <> ''", contestID, exceptKey).
		Find(&rows).Error
	if err != nil {
		return nil, translate(err, "视频扫描")
	}
	out := make([]contest.ScanHashes, 0, len(rows))
	for _, r := range rows {
		h, err := decodeHashes(r.Hashes)
		if err != nil {
			return nil, err
		}
		out = append(out, contest.ScanHashes{SubmissionID: r.SubmissionID, OwnerID: r.OwnerID, Title: r.Title, VideoKey: r.VideoKey, Hashes: h})
	}
	return out, nil
}

// ClearVideoScan records (or, with c nil, removes) the organizer's clearance, with its audit
// entry, in one transaction.
func (sc *Scans) ClearVideoScan(ctx context.Context, videoKey string, c *contest.ScanClearance, a contest.AuditEntry) error {
	changes := maps.Clone(unclear)
	if c != nil {
		at := c.At.UTC()
		changes = map[string]any{"cleared_by": c.ByID, "cleared_at": &at, "cleared_note": c.Note}
	}
	err := sc.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&videoScanRow{}).Where("video_key = ? AND state = ?", videoKey, string(contest.ScanDone)).Updates(changes)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return contest.ErrStale
		}
		audit := fromDomainAudit(a)
		return tx.Create(&audit).Error
	})
	return translate(err, "视频扫描")
}

// RequeueScans queues the scans of the accepted current videos of contests not archived that
// have none (accepted before scans existed), or whose scan was queued before lostBefore and has
// not finished (its job lost; a job still there is not queued twice).
func (sc *Scans) RequeueScans(ctx context.Context, lostBefore time.Time, limit int) (int, error) {
	var rows []submissionRow
	err := sc.db.gorm.WithContext(ctx).Select("submissions.id", "submissions.contest_id", "submissions.video_key").
		Joins("JOIN contests ON contests.id = submissions.contest_id AND contests.archived_at IS NULL").
		Where("submissions.video_check = ? AND submissions.video_key <> '' AND NOT EXISTS (SELECT 1 FROM video_scans v "+
			"WHERE v.video_key = submissions.video_key AND (v.state <> ? OR v.queued_at >= ?))",
			string(contest.CheckAccepted), string(contest.ScanQueued), lostBefore.UTC()).
		Order("submissions.video_uploaded_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return 0, translate(err, "视频扫描")
	}
	for _, r := range rows {
		err := sc.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return sc.db.queueScan(ctx, tx, r.ContestID, contest.VideoScanArgs{SubmissionID: r.ID, VideoKey: r.VideoKey})
		})
		if err != nil {
			return 0, translate(err, "视频扫描")
		}
	}
	return len(rows), nil
}

// ScanFrameKeys returns the keys of the frame pictures the contest's scans stored.
func (sc *Scans) ScanFrameKeys(ctx context.Context, contestID string) ([]string, error) {
	var rows []videoScanRow
	err := sc.db.gorm.WithContext(ctx).Select("video_key", "findings").
		Where("contest_id = ? AND findings LIKE ?", contestID, `%"leaks":%`).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "视频扫描")
	}
	var keys []string
	for _, r := range rows {
		var f contest.ScanFindings
		if err := json.Unmarshal([]byte(r.Findings), &f); err != nil {
			return nil, err
		}
		keys = append(keys, f.FrameKeys(r.VideoKey)...)
	}
	return keys, nil
}

// purgeScanLeaks drops, in the transaction tx, what the contest's scans read on screen (names
// and units, with their frames): the retention purge.
func purgeScanLeaks(tx *gorm.DB, contestID string) error {
	var rows []videoScanRow
	if err := tx.Select("video_key", "findings").Where("contest_id = ? AND findings LIKE ?", contestID, `%"leaks":%`).Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		if err := rewriteFindings(tx, r, func(f *contest.ScanFindings, _ map[string]any) { f.Leaks = nil }); err != nil {
			return err
		}
	}
	return nil
}

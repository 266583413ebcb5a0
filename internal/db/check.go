package db

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// VideoCheckCols are the submission's columns for the media check of its video. Like the
// other video columns they are never written by UpdateSubmission.
type VideoCheckCols struct {
	VideoCheck         string
	VideoFacts         string // JSON of contest.VideoFacts
	VideoReasons       string // JSON array of contest.Reason
	VideoWarnings      string
	VideoCheckError    string
	VideoCheckAttempts int
	VideoCheckedAt     *time.Time
	VideoPoster        bool
	VideoWebCopy       bool
	VideoCheckDone     bool
	// Copies of facts, for filtering and sorting in SQL.
	VideoDuration float64
	VideoWidth    int // displayed
	VideoHeight   int
	VideoCodec    string
}

var checkColumns = []string{"video_check", "video_facts", "video_reasons", "video_warnings", "video_check_error",
	"video_check_attempts", "video_checked_at", "video_poster", "video_web_copy", "video_check_done", "video_duration",
	"video_width", "video_height", "video_codec"}

func fromDomainCheck(c contest.VideoCheck) VideoCheckCols {
	row := VideoCheckCols{
		VideoCheck: string(c.State), VideoCheckError: c.Error, VideoCheckAttempts: c.Attempts,
		VideoCheckedAt: utcPtr(c.CheckedAt), VideoPoster: c.Poster, VideoWebCopy: c.WebCopy, VideoCheckDone: c.Done,
	}
	if c.State == contest.CheckAccepted || c.State == contest.CheckRejected {
		row.VideoFacts = mustJSON(c.Facts)
		row.VideoDuration, row.VideoWidth, row.VideoHeight, row.VideoCodec = c.Facts.DurationSec,
			c.Facts.DisplayWidth, c.Facts.DisplayHeight, c.Facts.VideoCodec
	}
	if len(c.Reasons) > 0 {
		row.VideoReasons = mustJSON(c.Reasons)
	}
	if len(c.Warnings) > 0 {
		row.VideoWarnings = mustJSON(c.Warnings)
	}
	return row
}

func (r VideoCheckCols) toDomain() contest.VideoCheck {
	c := contest.VideoCheck{State: contest.CheckState(r.VideoCheck), Error: r.VideoCheckError,
		Attempts: r.VideoCheckAttempts, CheckedAt: r.VideoCheckedAt, Poster: r.VideoPoster, WebCopy: r.VideoWebCopy, Done: r.VideoCheckDone}
	// The JSON was written by fromDomainCheck; a column that does not parse leaves the field empty.
	_ = json.Unmarshal([]byte(r.VideoFacts), &c.Facts)
	_ = json.Unmarshal([]byte(r.VideoReasons), &c.Reasons)
	_ = json.Unmarshal([]byte(r.VideoWarnings), &c.Warnings)
	return c
}

// mustJSON encodes v, a plain struct or slice of them, which cannot fail.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// checkUpdates are the column values that record c.
func checkUpdates(c contest.VideoCheck) map[string]any {
	r := fromDomainCheck(c)
	return map[string]any{
		"video_check": r.VideoCheck, "video_facts": r.VideoFacts, "video_reasons": r.VideoReasons,
		"video_warnings": r.VideoWarnings, "video_check_error": r.VideoCheckError,
		"video_check_attempts": r.VideoCheckAttempts, "video_checked_at": r.VideoCheckedAt,
		"video_poster": r.VideoPoster, "video_web_copy": r.VideoWebCopy, "video_check_done": r.VideoCheckDone,
		"video_duration": r.VideoDuration,
		"video_width":    r.VideoWidth, "video_height": r.VideoHeight, "video_codec": r.VideoCodec,
	}
}

// SaveVideoCheck records the check of a submission's video, or of its candidate video,
// whichever is still videoKey.
func (sb *Submissions) SaveVideoCheck(ctx context.Context, submissionID, videoKey string, c contest.VideoCheck) error {
	err := sb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, err := updateVideoByKey(tx, submissionID, videoKey, checkUpdates(c))
		return err
	})
	return translate(err, "作品")
}

// SaveVideoVerdict records the verdict on a submission's video or candidate if still videoKey,
// inserts what follows it (notifications, the job making its poster and web copy, the content
// scan), in one transaction: a verdict is never recorded without what follows it.
func (sb *Submissions) SaveVideoVerdict(ctx context.Context, submissionID, videoKey string, c contest.VideoCheck, follow contest.VerdictFollowUp) error {
	err := sb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		n, err := updateVideoByKey(tx, submissionID, videoKey, checkUpdates(c))
		if err != nil || n != 1 {
			return err // replaced meanwhile: nothing to make or tell
		}
		return sb.db.followVerdict(ctx, tx, follow)
	})
	return translate(err, "作品")
}

// followVerdict inserts what follows a verdict in its transaction tx: the notes, the job making
// the video's copies and its content scan, each unless nil.
func (db *DB) followVerdict(ctx context.Context, tx *gorm.DB, f contest.VerdictFollowUp) error {
	if err := db.insertNotifications(ctx, tx, f.Notes); err != nil {
		return err
	}
	if f.Copies != nil {
		if err := db.queueCopy(ctx, tx, *f.Copies); err != nil {
			return err
		}
	}
	if f.Scan != nil {
		return db.queueScan(ctx, tx, "", *f.Scan)
	}
	return nil
}

// SaveVideoCopies records what was made from a video (poster, web copy, done) if its verdict is
// still c's: a check requested again meanwhile has its own copies made.
func (sb *Submissions) SaveVideoCopies(ctx context.Context, submissionID, videoKey string, c contest.VideoCheck) error {
	if c.CheckedAt == nil {
		return nil
	}
	err := sb.db.gorm.WithContext(ctx).Model(&submissionRow{}).
		Where("id = ? AND video_key = ? AND video_checked_at = ?", submissionID, videoKey, c.CheckedAt.UTC()).
		Updates(map[string]any{"video_poster": c.Poster, "video_web_copy": c.WebCopy, "video_check_done": c.Done}).Error
	return translate(err, "作品")
}

// RequestVideoCheck sets the check of the video or candidate under videoKey back to checking
// and queues it, in one transaction.
func (sb *Submissions) RequestVideoCheck(ctx context.Context, submissionID, videoKey string) error {
	err := sb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		changes := checkUpdates(contest.VideoCheck{State: contest.CheckPending})
		changes["video_check_queued_at"] = time.Now().UTC()
		n, err := updateVideoByKey(tx, submissionID, videoKey, changes)
		if err != nil {
			return err
		}
		if n != 1 {
			return contest.Errorf(contest.EConflict, "作品的视频已更换，请刷新页面")
		}
		return sb.db.queueCheck(ctx, tx, contest.VideoCheckArgs{SubmissionID: submissionID, VideoKey: videoKey})
	})
	return translate(err, "作品")
}

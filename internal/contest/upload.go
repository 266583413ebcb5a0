package contest

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// A video arrives as a multipart upload: the browser asks for an upload, sends each part
// (straight to S3 through a presigned URL, or to our own route in the local folder), and
// completes it. Storage checks every part's length and SHA-256 as it arrives; completion checks
// that parts 1..N are all there and that storage's composite checksum is the one the browser
// computed, so every byte is covered end to end. Nothing of the upload lives in the browser: a
// contestant who comes back picks the same file again and only the missing parts are sent.

// UploadState is where an upload stands.
type UploadState string

// Upload states.
const (
	UploadOpen      UploadState = "uploading" // parts may be sent
	UploadCompleted UploadState = "completed" // the video is stored and attached to its submission
	UploadAborted   UploadState = "aborted"   // cancelled, replaced by a new upload, or abandoned
)

// UploadSettings are the service's upload settings, the same for every contest.
type UploadSettings struct {
	// PartSize is the planned size of every part but the last (at least 5 MiB, S3's minimum).
	PartSize int64
	// Grace is how long after the collection closes an upload opened before the close may still
	// send parts and complete.
	Grace time.Duration
	// AbandonAfter is how long an upload may stay idle before the sweeper drops it.
	AbandonAfter time.Duration
	// URLTTL is how long a part URL stays valid (never past the close plus Grace).
	URLTTL time.Duration
}

// DefaultUploadSettings are 8 MiB parts, 30 minutes of grace, 24 hours to abandonment and
// 15-minute part URLs.
func DefaultUploadSettings() UploadSettings {
	return UploadSettings{PartSize: 8 << 20, Grace: 30 * time.Minute, AbandonAfter: 24 * time.Hour, URLTTL: 15 * time.Minute}
}

// MinPartSize is S3's smallest part but the last.
const MinPartSize = 5 << 20

// Upload is one attempt to send a video for a submission.
type Upload struct {
	ID           string
	SubmissionID string
	OwnerID      string
	Key          string // storage key: videos/<submission>/<upload>.mp4, never the user's name
	StorageID    string // the storage's id of the multipart upload
	FileName     string // the name on the contestant's device, for display
	ContentType  string
	Size         int64
	PartSize     int64
	PartCount    int
	// FileModified is the file's last-modified time on the device (milliseconds since the
	// epoch, as browsers give it); with name and size it recognizes the same file on resume.
	FileModified int64
	State        UploadState
	Checksum     string // the composite checksum, once completed
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ExpiresAt    time.Time // the sweeper aborts an open upload idle until then
	CompletedAt  *time.Time
}

// PartSizeOf returns the planned size of part n (1-based).
func (u Upload) PartSizeOf(n int) int64 {
	if n < u.PartCount {
		return u.PartSize
	}
	return u.Size - int64(u.PartCount-1)*u.PartSize
}

// PartOffset returns where part n (1-based) starts in the file: every part but the last has
// the planned size, so part n starts after n-1 of them.
func (u Upload) PartOffset(n int) int64 {
	return int64(n-1) * u.PartSize
}

// Video is the finished video of a submission.
type Video struct {
	Attachment
	Checksum   string    // composite SHA-256 of the parts, as storage reports it
	StartedAt  time.Time // when its upload was opened (decides the grace after the close)
	UploadedAt time.Time
	Check      VideoCheck // the media check; a new video starts at CheckPending
}

// UploadStore keeps uploads.
type UploadStore interface {
	CreateUpload(ctx context.Context, u *Upload) error
	UploadByID(ctx context.Context, id string) (Upload, error)
	UploadByStorageID(ctx context.Context, storageID string) (Upload, error)
	// OpenUploadOf returns the submission's open upload; ENotFound when there is none.
	OpenUploadOf(ctx context.Context, submissionID string) (Upload, error)
	// UpdateUpload saves state, checksum and times.
	UpdateUpload(ctx context.Context, u *Upload) error
	// FinishUpload marks u completed and records sub.Video as the submission's video (dropping
	// the candidate stored under the key replacing, "" when the caller read none), both or
	// neither; only an upload still open is finished. With reopened, it also saves sub's
	// status and SubmittedAt under a new version, provided the stored version is still
	// sub.Version; without, provided the stored status is still sub.Status. A stored
	// candidate other than replacing, or any of these changed, returns ErrStale and changes
	// nothing.
	FinishUpload(ctx context.Context, u *Upload, sub *Submission, reopened bool, replacing string) error
	// FinishCandidate marks u completed and records sub.Candidate as the submission's
	// candidate video (replacing the one stored under the key replacing, "" when the caller
	// read none) and queues its check, all or nothing; only an upload still open is finished.
	// The stored video must still be sub.Video's and accepted and the stored candidate
	// replacing's, otherwise it returns ErrStale and changes nothing.
	FinishCandidate(ctx context.Context, u *Upload, sub *Submission, replacing string) error
	// IdleUploads returns up to limit open uploads whose ExpiresAt is before now.
	IdleUploads(ctx context.Context, now time.Time, limit int) ([]Upload, error)
}

// UploadInput describes the file a contestant picked.
type UploadInput struct {
	Name         string
	Size         int64
	ContentType  string
	LastModified int64
}

// UploadStatus is an upload with the parts storage already holds.
type UploadStatus struct {
	Upload Upload
	Parts  []PartInfo
}

// videoExts are the file name endings of MP4 files.
var videoExts = map[string]bool{".mp4": true, ".m4v": true}

func (in UploadInput) check(rules MediaRules) error {
	ext := strings.ToLower(path.Ext(in.Name))
	switch {
	case in.Size <= 0:
		return UploadError(CodeUploadEmpty, fmt.Errorf("size %d", in.Size))
	case !videoExts[ext] && in.ContentType != "video/mp4":
		return UploadError(CodeUploadType, fmt.Errorf("name %q, type %q", in.Name, in.ContentType))
	case rules.MaxSizeBytes > 0 && in.Size > rules.MaxSizeBytes:
		msg := fmt.Sprintf("视频文件 %s，超过%s上限，请降低码率后重新导出", FormatBytes(in.Size), FormatBytes(rules.MaxSizeBytes))
		return &Error{Code: EInvalid, Message: msg, Fields: map[string]FieldError{UploadField: {Code: CodeUploadTooLarge, Message: msg}}}
	}
	return nil
}

func formatMinutes(d time.Duration) string { return fmt.Sprintf("%d分钟", int(d.Minutes())) }

func notFoundAsUpload(err error) error {
	if ErrorCode(err) == ENotFound {
		return Errorf(ENotFound, "上传不存在")
	}
	return err
}

// PartWriter is implemented by storages whose parts come through our own API rather than
// straight to the store (the local folder).
type PartWriter interface {
	// WritePart stores part n from r, which must hold exactly size bytes with that SHA-256;
	// the part starts at offset in the finished file (so the storage can write it where it
	// will stay, and completion need not copy it).
	WritePart(ctx context.Context, key, storageID string, n int, offset, size int64, sha256 string, r io.Reader) error
}

package contest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"time"
)

// deleteVideo removes a video's object and what its check derived from it. A failure leaves a
// stray object, which is harmless; the record of the video is what counts.
func (s *MediaService) deleteVideo(ctx context.Context, key string) {
	s.deleteFiles(ctx, append([]string{key, PosterKey(key), WebCopyKey(key)}, s.scanFrameKeys(ctx, key)...))
}

func (s *MediaService) deleteFiles(ctx context.Context, keys []string) {
	for _, k := range keys {
		_ = s.storage.Delete(ctx, k)
	}
}

// scanFrameKeys are the frame pictures the video's content scan stored (they show what names
// its makers): those its findings list, so a video never scanned, or scanned clean, costs
// storage nothing when it goes. Read them before the scan's row is deleted.
func (s *MediaService) scanFrameKeys(ctx context.Context, key string) []string {
	if s.scans == nil {
		return nil
	}
	sc, err := s.scans.VideoScan(ctx, key)
	if err != nil {
		return nil
	}
	return sc.Findings.FrameKeys(key)
}

func (s *MediaService) multipart() (MultipartStorage, error) {
	m, ok := s.storage.(MultipartStorage)
	if !ok {
		return nil, Internal(errors.New("storage takes no multipart uploads"))
	}
	return m, nil
}

// StartUpload opens an upload of the picked file for the actor's submission while collection
// is open. When an open upload is of the same file (name, size, last-modified) it is returned
// with the parts already stored, so the contestant resumes; any other open upload is aborted.
func (s *MediaService) StartUpload(ctx context.Context, actor User, submissionID string, in UploadInput) (UploadStatus, error) {
	sub, err := s.ownSubmission(ctx, actor, submissionID)
	if err != nil {
		return UploadStatus{}, err
	}
	c, closed := s.openContest(ctx, sub.ContestID)
	if closed != nil && ErrorCode(closed) != EDeadline {
		return UploadStatus{}, closed
	}
	in.Name = cleanName(in.Name)
	if err := in.check(c.Rules); err != nil {
		return UploadStatus{}, err
	}
	open, err := s.uploads.OpenUploadOf(ctx, sub.ID)
	hasOpen := err == nil
	if !hasOpen && ErrorCode(err) != ENotFound {
		return UploadStatus{}, err
	}
	if hasOpen && open.FileName == in.Name && open.Size == in.Size && open.FileModified == in.LastModified {
		// The same file: resume, also in the grace after the close if it was opened before.
		if _, err := s.uploadWindow(c, open.CreatedAt); err != nil {
			return UploadStatus{}, err
		}
		st, err := s.uploadStatus(ctx, open)
		if ErrorCode(err) != ENotFound {
			return st, err
		}
		// Storage no longer knows it (expired there): start afresh.
	}
	if closed != nil { // a new upload after the close: says so, not that the grace is over
		if _, err := s.uploadWindow(c, s.Now()); err != nil {
			return UploadStatus{}, err
		}
		return UploadStatus{}, closed
	}
	m, err := s.multipart()
	if err != nil {
		return UploadStatus{}, err
	}
	if hasOpen {
		if err := s.abortUpload(ctx, m, &open); err != nil {
			return UploadStatus{}, err
		}
	}

	now := s.Now()
	partSize := max(s.settings.PartSize, MinPartSize, (in.Size+MaxParts-1)/MaxParts)
	u := Upload{
		ID: NewID(), SubmissionID: sub.ID, OwnerID: actor.ID,
		FileName: in.Name, ContentType: "video/mp4", Size: in.Size, FileModified: in.LastModified,
		PartSize: partSize, PartCount: int((in.Size + partSize - 1) / partSize),
		State: UploadOpen, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(s.settings.AbandonAfter),
	}
	u.Key = path.Join("videos", sub.ID, u.ID+".mp4")
	if u.StorageID, err = m.CreateMultipart(ctx, u.Key, u.ContentType); err != nil {
		return UploadStatus{}, err
	}
	if err := s.uploads.CreateUpload(ctx, &u); err != nil {
		return UploadStatus{}, errors.Join(err, m.AbortMultipart(ctx, u.Key, u.StorageID))
	}
	return UploadStatus{Upload: u}, nil
}

// CurrentUpload returns the open upload of the actor's submission with its stored parts.
func (s *MediaService) CurrentUpload(ctx context.Context, actor User, submissionID string) (UploadStatus, error) {
	sub, err := s.ownSubmission(ctx, actor, submissionID)
	if err != nil {
		return UploadStatus{}, err
	}
	u, err := s.uploads.OpenUploadOf(ctx, sub.ID)
	if err != nil {
		return UploadStatus{}, err
	}
	return s.uploadStatus(ctx, u)
}

func (s *MediaService) uploadStatus(ctx context.Context, u Upload) (UploadStatus, error) {
	m, err := s.multipart()
	if err != nil {
		return UploadStatus{}, err
	}
	parts, err := m.ListParts(ctx, u.Key, u.StorageID)
	if err != nil {
		return UploadStatus{}, err
	}
	return UploadStatus{Upload: u, Parts: parts}, nil
}

// ownUpload loads an open upload of the actor's and checks that parts may still be sent: the
// collection is open, or it closed less than the grace ago and the upload was opened before.
// It returns how long part URLs may live.
func (s *MediaService) ownUpload(ctx context.Context, actor User, u Upload) (Upload, time.Duration, error) {
	if u.OwnerID != actor.ID {
		return Upload{}, 0, Errorf(ENotFound, "上传不存在")
	}
	if u.State != UploadOpen {
		return Upload{}, 0, UploadError(CodeUploadClosed, fmt.Errorf("upload %s is %s", u.ID, u.State))
	}
	sub, err := s.submissions.SubmissionByID(ctx, u.SubmissionID)
	if err != nil {
		return Upload{}, 0, err
	}
	c, err := s.contests.ContestByID(ctx, sub.ContestID)
	if err != nil {
		return Upload{}, 0, err
	}
	ttl, err := s.uploadWindow(c, u.CreatedAt)
	return u, ttl, err
}

// uploadWindow says whether an upload opened at started may go on now, and for how long: while
// collection is open, or in the grace after the close when it was opened before the close.
// Refused after the close, it says which of the two it is: opened too late, or the grace over.
func (s *MediaService) uploadWindow(c Contest, started time.Time) (time.Duration, error) {
	now := s.Now()
	closes := c.CollectionCloses()
	err := c.CheckCollectionOpen(now)
	switch {
	case err != nil && ErrorCode(err) != EDeadline:
		return 0, err
	case err != nil && !started.Before(closes):
		return 0, Errorf(EDeadline, "作品征集已于%s（北京时间）截止，截止后不能再开始上传。已保存的内容不受影响",
			FormatTime(c.CollectionEnd, Beijing))
	case err != nil && !now.Before(closes.Add(s.settings.Grace)):
		return 0, Errorf(EDeadline, "作品征集已于%s（北京时间）截止，截止前开始的上传可在截止后%s内完成，现已超过，无法继续上传。已保存的内容不受影响",
			FormatTime(c.CollectionEnd, Beijing), formatMinutes(s.settings.Grace))
	}
	return min(s.settings.URLTTL, closes.Add(s.settings.Grace).Sub(now)), nil
}

// finalizeWindow returns nil when, as far as time goes, sub may be submitted now: while
// collection is open, or in the grace after the close when its video's upload was opened before.
// Refused, it says that collection has closed: submitting is not uploading.
func (s *MediaService) finalizeWindow(c Contest, sub Submission) error {
	err := c.CheckCollectionOpen(s.Now())
	if err == nil || ErrorCode(err) != EDeadline || sub.Video == nil {
		return err
	}
	if _, outOfGrace := s.uploadWindow(c, sub.Video.StartedAt); outOfGrace != nil {
		return err
	}
	return nil
}

// Allowed says what the owner may do with sub's video now: upload one (collection open, or the
// grace of an upload opened before the close), and submit the work (complete, and in time).
func (s *MediaService) Allowed(c Contest, sub Submission) (upload, finalize bool) {
	upload = c.CollectionOpen(s.Now())
	if !upload && sub.Uploading != nil {
		_, err := s.uploadWindow(c, sub.Uploading.CreatedAt)
		upload = err == nil
	}
	finalize = sub.Status == StatusDraft && len(sub.MissingIn(c)) == 0 && s.finalizeWindow(c, sub) == nil
	return upload, finalize
}

// PartTargets tells the actor where to send the given parts (number and SHA-256 each). The
// sizes are the planned ones: storage refuses a part of another length or checksum.
func (s *MediaService) PartTargets(ctx context.Context, actor User, uploadID string, parts []PartInfo) ([]PartTarget, error) {
	if len(parts) == 0 || len(parts) > 100 {
		return nil, UploadError(CodePartOutOfRange, fmt.Errorf("%d parts asked at once", len(parts)))
	}
	u, err := s.uploads.UploadByID(ctx, uploadID)
	if err != nil {
		return nil, notFoundAsUpload(err)
	}
	u, ttl, err := s.ownUpload(ctx, actor, u)
	if err != nil {
		return nil, err
	}
	m, err := s.multipart()
	if err != nil {
		return nil, err
	}
	out := make([]PartTarget, len(parts))
	for i, p := range parts {
		if p.N < 1 || p.N > u.PartCount {
			return nil, UploadError(CodePartOutOfRange, fmt.Errorf("part %d of %d", p.N, u.PartCount))
		}
		if out[i], err = m.PartTarget(ctx, u.Key, u.StorageID, p.N, u.PartSizeOf(p.N), p.SHA256, ttl); err != nil {
			return nil, err
		}
	}
	return out, s.touch(ctx, &u)
}

// touch pushes an active upload's abandonment back, writing at most once an hour.
func (s *MediaService) touch(ctx context.Context, u *Upload) error {
	now := s.Now()
	if u.ExpiresAt.Sub(now) > s.settings.AbandonAfter-time.Hour {
		return nil
	}
	u.UpdatedAt, u.ExpiresAt = now, now.Add(s.settings.AbandonAfter)
	return s.uploads.UpdateUpload(ctx, u)
}

// WritePart stores part n of the actor's upload with the given storage id (the id part URLs
// carry) from r, whose length the client declared as size.
func (s *MediaService) WritePart(ctx context.Context, actor User, storageID string, n int, size int64, sha256 string, r io.Reader) error {
	w, ok := s.storage.(PartWriter)
	if !ok {
		return Errorf(ENotFound, "上传不存在")
	}
	u, err := s.uploads.UploadByStorageID(ctx, storageID)
	if err != nil {
		return notFoundAsUpload(err)
	}
	if u, _, err = s.ownUpload(ctx, actor, u); err != nil {
		return err
	}
	if n < 1 || n > u.PartCount {
		return UploadError(CodePartOutOfRange, fmt.Errorf("part %d of %d", n, u.PartCount))
	}
	if want := u.PartSizeOf(n); size != want {
		return UploadError(CodePartSize, fmt.Errorf("part %d: %d bytes sent, %d planned", n, size, want))
	}
	return w.WritePart(ctx, u.Key, u.StorageID, n, u.PartOffset(n), size, sha256, r)
}

// CompleteUpload joins the parts of the actor's upload into the video when storage holds
// exactly parts 1..N of the planned sizes and their composite checksum is the one the client
// computed. The video replaces the submission's previous one, whose object is then removed;
// a previous one that passed its check is replaced only once the new one passes too.
func (s *MediaService) CompleteUpload(ctx context.Context, actor User, uploadID, checksum string) (Submission, error) {
	u, err := s.uploads.UploadByID(ctx, uploadID)
	if err != nil {
		return Submission{}, notFoundAsUpload(err)
	}
	if u.OwnerID == actor.ID && u.State == UploadCompleted && u.Checksum == checksum {
		return s.ownSubmission(ctx, actor, u.SubmissionID) // a retried completion
	}
	if u, _, err = s.ownUpload(ctx, actor, u); err != nil {
		return Submission{}, err
	}
	st, err := s.uploadStatus(ctx, u)
	if ErrorCode(err) == ENotFound {
		// Storage may have joined the parts already, recording the video having failed.
		if joined, jerr := s.joinedBefore(ctx, u, checksum); jerr != nil {
			return Submission{}, jerr
		} else if joined {
			return s.recordUpload(ctx, u, checksum, u.Size)
		}
	}
	if err != nil {
		return Submission{}, err
	}
	stored := st.Parts
	m, _ := s.multipart() // uploadStatus succeeded, so storage takes multipart uploads
	want := make([]PartInfo, u.PartCount)
	for i := range want {
		n := i + 1
		want[i] = PartInfo{N: n, Size: u.PartSizeOf(n)}
		if i < len(stored) && stored[i].N == n {
			want[i].SHA256 = stored[i].SHA256
		}
	}
	for _, p := range want {
		if p.SHA256 == "" {
			return Submission{}, UploadError(CodeUploadIncomplete, fmt.Errorf("part %d of %d missing", p.N, u.PartCount))
		}
	}
	composite, err := CompositeChecksum(want)
	if err != nil {
		return Submission{}, err
	}
	if composite != checksum {
		return Submission{}, UploadError(CodeChecksumMismatch, fmt.Errorf("client composite %q, stored parts give %q", checksum, composite))
	}
	sum, size, err := m.CompleteMultipart(ctx, u.Key, u.StorageID, want)
	if err != nil {
		return Submission{}, err
	}
	if size != u.Size || sum != composite {
		_ = s.storage.Delete(ctx, u.Key)
		return Submission{}, UploadError(CodeChecksumMismatch, fmt.Errorf("stored %d bytes %q, planned %d bytes %q", size, sum, u.Size, composite))
	}
	return s.recordUpload(ctx, u, sum, size)
}

// recordUpload records the object storage joined for u as its submission's video (or, when the
// work has a video that passed its check, as the candidate to replace it), and completes u.
// When that fails (the database is down) u stays open and the object stays, so the same
// completion can be sent again (see joinedBefore).
func (s *MediaService) recordUpload(ctx context.Context, u Upload, sum string, size int64) (Submission, error) {
	now := s.Now()
	v := Video{Attachment: Attachment{Key: u.Key, Name: u.FileName, ContentType: u.ContentType, Size: size},
		Checksum: sum, StartedAt: u.CreatedAt, UploadedAt: now, Check: VideoCheck{State: CheckPending}}
	u.State, u.Checksum, u.UpdatedAt, u.CompletedAt = UploadCompleted, sum, now, &now
	sub, dropped, err := s.attachVideo(ctx, &u, v)
	if err != nil {
		// The object is kept: the row still points at it as this upload's key, and a sweep
		// of orphans can find it. Losing the bytes silently is the one thing not allowed.
		return Submission{}, err
	}
	for _, old := range dropped {
		if old.Key != v.Key {
			s.deleteVideo(ctx, old.Key) // the new video is recorded
		}
	}
	return sub, nil
}

// attachVideo records v for u's submission and completes u, both or neither: as the work's
// video, or as its candidate when the work's video passed its check (Submission.KeepsVideo). A
// submission changed meanwhile (a consent, a finalization, a verdict) is read again and the
// rule applied to what it is now. It returns the submission as saved and the videos v put
// aside (a replaced video, an earlier candidate), whose objects the caller deletes.
func (s *MediaService) attachVideo(ctx context.Context, u *Upload, v Video) (Submission, []Video, error) {
	for attempt := 1; ; attempt++ {
		sub, err := s.submissions.SubmissionByID(ctx, u.SubmissionID)
		if err != nil {
			return Submission{}, nil, err
		}
		var dropped []Video
		replacing := ""
		if sub.Candidate != nil {
			dropped = append(dropped, *sub.Candidate) // a newer upload wins over a candidate
			replacing = sub.Candidate.Key
		}
		if sub.KeepsVideo() {
			sub.ProposeVideo(v)
			err = s.uploads.FinishCandidate(ctx, u, &sub, replacing)
		} else {
			if sub.Video != nil {
				dropped = append(dropped, *sub.Video)
			}
			reopened := sub.AttachVideo(v)
			err = s.uploads.FinishUpload(ctx, u, &sub, reopened, replacing)
		}
		if errors.Is(err, ErrStale) && attempt < 5 {
			continue
		}
		return sub, dropped, err
	}
}

// dropOpenUpload abandons the open upload of a work being deleted, if any; storage expires
// stale uploads anyway, so a failure is not the deletion's.
func (s *MediaService) dropOpenUpload(ctx context.Context, submissionID string) {
	if u, err := s.uploads.OpenUploadOf(ctx, submissionID); err == nil {
		if m, err := s.multipart(); err == nil {
			_ = m.AbortMultipart(ctx, u.Key, u.StorageID)
		}
	}
}

// AbortUpload cancels the actor's open upload; the submission keeps its previous video.
func (s *MediaService) AbortUpload(ctx context.Context, actor User, uploadID string) error {
	u, err := s.uploads.UploadByID(ctx, uploadID)
	if err != nil {
		return notFoundAsUpload(err)
	}
	if u.OwnerID != actor.ID {
		return Errorf(ENotFound, "上传不存在")
	}
	if u.State != UploadOpen {
		return nil
	}
	m, err := s.multipart()
	if err != nil {
		return err
	}
	return s.abortUpload(ctx, m, &u)
}

func (s *MediaService) abortUpload(ctx context.Context, m MultipartStorage, u *Upload) error {
	if err := m.AbortMultipart(ctx, u.Key, u.StorageID); err != nil {
		return err
	}
	u.State, u.UpdatedAt = UploadAborted, s.Now()
	return s.uploads.UpdateUpload(ctx, u)
}

// SweepUploads aborts uploads idle past their abandonment time and returns how many it
// dropped. Several replicas may sweep at once: aborting twice is harmless.
func (s *MediaService) SweepUploads(ctx context.Context) (int, error) {
	m, err := s.multipart()
	if err != nil {
		return 0, nil // nothing to sweep in a storage without uploads
	}
	idle, err := s.uploads.IdleUploads(ctx, s.Now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range idle {
		if err := s.abortUpload(ctx, m, &u); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// VideoOf returns the video of a submission to its owner or an organizer.
func (s *MediaService) VideoOf(ctx context.Context, actor User, submissionID string) (Video, error) {
	sub, err := s.visibleSubmission(ctx, actor, submissionID)
	if err != nil {
		return Video{}, err
	}
	if sub.Video == nil {
		return Video{}, Errorf(ENotFound, "尚未上传视频")
	}
	return *sub.Video, nil
}

// OpenVideo opens a video that VideoOf returned.
func (s *MediaService) OpenVideo(ctx context.Context, v Video) (io.ReadCloser, error) {
	return s.storage.Get(ctx, v.Key)
}

// Linker is implemented by storages that hand out time-limited download links (S3), so a
// video is fetched from storage directly, with range requests, rather than through the API.
type Linker interface {
	// DownloadURL signs a GET of key whose response carries the given Content-Disposition.
	DownloadURL(ctx context.Context, key, disposition string, ttl time.Duration) (string, error)
}

// VideoURL returns a direct link to the video, valid for an hour, when storage gives one;
// otherwise "" (the video is then served through the API).
func (s *MediaService) VideoURL(ctx context.Context, v Video, disposition string) (string, error) {
	l, ok := s.storage.(Linker)
	if !ok {
		return "", nil
	}
	return l.DownloadURL(ctx, v.Key, disposition, time.Hour)
}

package contest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// CheckState is where the media check of a submission's video stands.
type CheckState string

// Check states. A finished upload starts at checking; a background job moves it to accepted or
// rejected, or to failed when the check itself could not run after every retry.
const (
	CheckPending  CheckState = "checking"
	CheckAccepted CheckState = "accepted"
	CheckRejected CheckState = "rejected"
	CheckFailed   CheckState = "failed"
	// CheckNone is no check at all: no video has been uploaded. Only filters use it.
	CheckNone CheckState = "none"
)

// Label returns the state in Chinese.
func (c CheckState) Label() string {
	switch c {
	case CheckPending:
		return "检查中"
	case CheckAccepted:
		return "已通过"
	case CheckRejected:
		return "未通过"
	case CheckFailed:
		return "检查出错"
	case CheckNone:
		return "未上传"
	}
	return string(c)
}

// CheckStates lists the states in display order, for filters.
func CheckStates() []CheckState {
	return []CheckState{CheckNone, CheckPending, CheckAccepted, CheckRejected, CheckFailed}
}

// ReasonCodes lists the codes a check gives, rules then warnings, with their Chinese names, for
// filters.
func ReasonCodes() []Reason {
	return []Reason{
		{VNotMP4, "不是MP4"}, {VNoVideo, "没有视频画面"}, {VTooLong, "超时长"}, {VLowResolution, "分辨率不足"},
		{VUnreadable, "无法读取"}, {VTooLarge, "文件过大"},
		{VCodecNotPlayable, "提示：浏览器可能无法播放"}, {VAudioNotPlayable, "提示：音频可能无声"},
		{WScanPending, "画面扫描：发现姓名/单位/重复，待处理"},
	}
}

// VideoCheck is the media check of one video: the facts measured, the verdict, and what the
// check derived from the video (a poster frame, a web-friendly copy).
type VideoCheck struct {
	State    CheckState
	Facts    VideoFacts
	Reasons  []Reason // the rules broken; empty unless rejected
	Warnings []Reason // problems that do not reject, e.g. a codec some browsers cannot play
	// Error is why the check could not run (failed), or why the last attempt failed while it is
	// retried. Technical; shown to organizers only.
	Error     string
	Attempts  int
	CheckedAt *time.Time
	Poster    bool // a poster frame is stored under PosterKey(video key)
	WebCopy   bool // a copy for playback (index first, no metadata) is stored under WebCopyKey(video key)
	// Done is true once the check has finished: the verdict (CheckVideo), and the poster and
	// web copy when they are needed (CopyVideo, a later job; a verdict is shown before them).
	Done bool
}

// VideoCheckArgs ask for the verdict on one video. The video key, not just the submission, is
// named, so a check queued for a video that has since been replaced does nothing.
type VideoCheckArgs struct {
	SubmissionID string `json:"submission_id"`
	VideoKey     string `json:"video_key"`
}

// Kind names the job for the queue.
func (VideoCheckArgs) Kind() string { return "video_check" }

// PosterKey is where a video's poster frame (JPEG) is stored.
func PosterKey(videoKey string) string { return strings.TrimSuffix(videoKey, ".mp4") + ".poster.jpg" }

// WebCopyKey is where a video's copy for playback is stored: moov box first, metadata removed.
func WebCopyKey(videoKey string) string { return strings.TrimSuffix(videoKey, ".mp4") + ".web.mp4" }

// ErrUnreadableMedia means a file is not a media file that can be judged: empty, truncated,
// corrupt, or without streams or a duration. Media tools wrap it; the file is then rejected as
// unreadable rather than the check failing.
var ErrUnreadableMedia = errors.New("unreadable media file")

// ErrNotMP4Container means a file does not start as ISO base media (no ftyp box): it is not
// MP4, and no media tool is let read it, since other formats (HLS and other playlists, concat
// scripts) make the tools open the files and URLs they name. Media tools wrap it; the file is
// then rejected as not_mp4 with the facts known without a tool (size, the format guessed from
// its first bytes).
var ErrNotMP4Container = errors.New("not an ISO base media file")

// MediaTools measure and convert videos. Input is a local file path or an http(s) URL that
// answers range requests; the tools read only what they need of it.
type MediaTools interface {
	// Probe measures the file. An error wrapping ErrUnreadableMedia or ErrNotMP4Container
	// comes with the facts that are known (size, brand); any other error means nothing was
	// judged.
	Probe(ctx context.Context, input string) (VideoFacts, error)
	// Poster returns a JPEG of the frame at the given second, rotated as displayed.
	Poster(ctx context.Context, input string, at float64) ([]byte, error)
	// Faststart writes to dst a copy of the MP4 with its index (moov box) first and without its
	// metadata, without re-encoding, so browsers can start playing before the whole file has
	// arrived and nothing in the file names its makers.
	Faststart(ctx context.Context, input string, dst string) error
}

// MediaReader is implemented by storages whose objects the media tools can read in place: a
// local file path, or a URL signed for the server's own address.
type MediaReader interface {
	MediaInput(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// CheckSettings tune the media check.
type CheckSettings struct {
	// DurationTolerance is how many seconds above the maximum duration are still accepted.
	DurationTolerance float64
	// TempDir holds the web-friendly copy while it is made; "" means the system's.
	TempDir string
}

// errCheckUnavailable means the service has no media tools (ffmpeg not installed).
var errCheckUnavailable = errors.New("ffprobe/ffmpeg not installed on this server")

// VideoCopyArgs ask for what is made from a video once its verdict is in: the poster frame and,
// for an accepted video, the copy for playback. They are a job of their own, on a queue of their
// own, so that verdicts (which contestants wait for) never wait behind copies (which read the
// whole file).
type VideoCopyArgs struct {
	SubmissionID string `json:"submission_id"`
	VideoKey     string `json:"video_key"`
}

// Kind names the job for the queue.
func (VideoCopyArgs) Kind() string { return "video_copy" }

// VerdictFollowUp is what a verdict sets off, inserted in the verdict's transaction so that it
// is never recorded without them: its notes, and the jobs that make the poster and web copy and
// scan the content (nil: none).
type VerdictFollowUp struct {
	Notes  []Notification
	Copies *VideoCopyArgs
	Scan   *VideoScanArgs
}

// followUp is what follows the verdict c on the video under key: the copies it needs, and the
// content scan of an accepted video (where the service can decode one).
func (s *MediaService) followUp(c VideoCheck, submissionID, key string, notes ...Notification) VerdictFollowUp {
	f := VerdictFollowUp{Notes: notes}
	if poster, webCopy := c.needs(); poster || webCopy {
		f.Copies = &VideoCopyArgs{SubmissionID: submissionID, VideoKey: key}
	}
	if c.State == CheckAccepted && s.content != nil {
		f.Scan = &VideoScanArgs{SubmissionID: submissionID, VideoKey: key}
	}
	return f
}

// needs says what is made from a video with this verdict: a poster frame of a readable video
// with a picture (a file without an ftyp box was never given to a tool: no stream is known),
// and a copy for playback of every accepted video (index first, and no metadata, which may name
// its makers: judges play only this copy).
func (c VideoCheck) needs() (poster, webCopy bool) {
	return c.Facts.HasVideo && !c.HasReason(VUnreadable), c.State == CheckAccepted
}

// HasReason reports whether the check rejected the video for the reason code.
func (c VideoCheck) HasReason(code string) bool {
	for _, r := range c.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

// hasVerdict reports whether the check has judged the video (accepted or rejected).
func (c VideoCheck) hasVerdict() bool { return c.State == CheckAccepted || c.State == CheckRejected }

// CheckVideo is the background job of a video's verdict: it measures the stored video (the box
// reader and ffprobe, which read only what they need), judges it against the contest's rules and
// records the verdict, queueing the poster frame and the copy for playback (CopyVideo) in the
// same transaction. attempt counts from 1; on an error the caller retries the job, and final
// says there will be no more attempts. A check that could not reach a verdict is then recorded
// as failed, visibly. A video replaced or deleted meanwhile is left alone.
func (s *MediaService) CheckVideo(ctx context.Context, a VideoCheckArgs, attempt int, final bool) error {
	err := s.checkVideo(ctx, a, attempt)
	if err == nil {
		return nil
	}
	// The job's context may be what ended it (its timeout); the record must still be written.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	sub, serr := s.submissions.SubmissionByID(sctx, a.SubmissionID)
	switch {
	case ErrorCode(serr) == ENotFound:
		return nil // deleted meanwhile
	case serr != nil:
		return errors.Join(err, serr)
	case sub.videoByKey(a.VideoKey) == nil:
		return nil // replaced meanwhile
	case sub.videoByKey(a.VideoKey).Check.hasVerdict():
		return err // recorded meanwhile; a failure now must not take the verdict back
	}
	// A candidate that cannot be checked stays, its file kept, beside the accepted video.
	state := CheckPending
	if final {
		state = CheckFailed
	}
	now := s.Now()
	rec := VideoCheck{State: state, Error: err.Error(), Attempts: attempt, CheckedAt: &now}
	if serr := s.submissions.SaveVideoCheck(sctx, a.SubmissionID, a.VideoKey, rec); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

func (s *MediaService) checkVideo(ctx context.Context, a VideoCheckArgs, attempt int) error {
	sub, err := s.submissions.SubmissionByID(ctx, a.SubmissionID)
	if ErrorCode(err) == ENotFound {
		return nil
	} else if err != nil {
		return err
	}
	v := sub.videoByKey(a.VideoKey)
	if v == nil {
		return nil
	}
	candidate := v == sub.Candidate
	c, err := s.contests.ContestByID(ctx, sub.ContestID)
	if err != nil {
		return err
	}
	if cur := v.Check; cur.hasVerdict() && candidate {
		// A refused candidate (an accepted one is no longer a candidate): its file may have
		// outlived the run that recorded the verdict.
		s.deleteVideo(ctx, a.VideoKey)
		return nil
	} else if cur.hasVerdict() {
		// An earlier run recorded the verdict (its replica died before the job was marked
		// done): it stands, and its copies were queued with it. A verdict recorded before the
		// copies were a job of their own may lack them; queueing them again is harmless.
		if cur.Done {
			return nil
		}
		return s.submissions.SaveVideoVerdict(ctx, a.SubmissionID, a.VideoKey, cur, VerdictFollowUp{
			Copies: &VideoCopyArgs{SubmissionID: a.SubmissionID, VideoKey: a.VideoKey},
			Notes:  []Notification{verdictNotification(s.Now(), c, sub, a.VideoKey, cur)}})
	}
	input, err := s.mediaInput(ctx, a.VideoKey)
	if err != nil {
		return err
	}
	facts, err := s.tools.Probe(ctx, input)
	verdict, _, err := c.Rules.JudgeProbe(facts, s.check.DurationTolerance, err)
	if err != nil {
		return err
	}
	now := s.Now()
	check := VideoCheck{State: CheckRejected, Facts: facts, Reasons: verdict.Reasons, Warnings: verdict.Warnings,
		Attempts: attempt, CheckedAt: &now}
	if verdict.OK {
		check.State = CheckAccepted
	}
	if candidate {
		return s.settleCandidate(ctx, c, sub, check)
	}
	follow := s.followUp(check, a.SubmissionID, a.VideoKey)
	check.Done = follow.Copies == nil
	follow.Notes = []Notification{verdictNotification(now, c, sub, a.VideoKey, check)}
	return s.submissions.SaveVideoVerdict(ctx, a.SubmissionID, a.VideoKey, check, follow)
}

// settleCandidate records the verdict on sub's candidate video. Accepted, the candidate
// replaces the work's video, whose files are then deleted; refused, the verdict stays on the
// candidate to tell the contestant why, the candidate's file is deleted, and the work's video
// stays the one entered.
func (s *MediaService) settleCandidate(ctx context.Context, c Contest, sub Submission, check VideoCheck) error {
	cand, old := *sub.Candidate, sub.Video
	note := candidateNotification(s.Now(), c, sub, cand, check)
	if check.State != CheckAccepted {
		check.Done = true // nothing is made from a refused candidate
		if err := s.submissions.SaveVideoVerdict(ctx, sub.ID, cand.Key, check, VerdictFollowUp{Notes: []Notification{note}}); err != nil {
			return err
		}
		s.deleteVideo(ctx, cand.Key)
		return nil
	}
	cand.Check = check
	follow := s.followUp(check, sub.ID, cand.Key, note)
	// A pass at 形式审查 was the old video's: withdrawn with the replacement, and the organizers'
	// audit log says so (filed under the work's contest).
	withdrawn := s.newAudit(systemActor, "formal_review", sub.ID, "withdrawn",
		map[string]any{"decision": string(FormalPassed)}, map[string]any{"reason": "作品视频已更换，需对新视频重新形式审查"})
	if err := s.submissions.PromoteCandidate(InContest(ctx, sub.ContestID), sub.ID, old.Key, cand, follow, &withdrawn); err != nil {
		return err // replaced meanwhile: the job's retry finds the candidate gone and stops
	}
	s.deleteVideo(ctx, old.Key)
	return nil
}

// mediaInput is where the media tools read a stored video.
func (s *MediaService) mediaInput(ctx context.Context, key string) (string, error) {
	if s.tools == nil {
		return "", errCheckUnavailable
	}
	mr, ok := s.storage.(MediaReader)
	if !ok {
		return "", fmt.Errorf("storage %T cannot hand files to the media tools", s.storage)
	}
	input, err := mr.MediaInput(ctx, key, 2*time.Hour)
	if err != nil {
		return "", fmt.Errorf("stored video %s: %w", key, err)
	}
	return input, nil
}

// CopyVideo is the background job that follows a verdict: it stores the poster frame and, for
// an accepted video, the copy for playback, then marks the check done. Until then pages show
// the verdict without a poster and play the original. After the last attempt the verdict
// stands with what could be made (the error stays in the job's history). A video replaced,
// deleted or sent to be checked again meanwhile is left alone.
func (s *MediaService) CopyVideo(ctx context.Context, a VideoCopyArgs, attempt int, final bool) error {
	check, err := s.copyVideo(ctx, a)
	if err == nil || !final || check == nil {
		return err
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return s.submissions.SaveVideoCopies(sctx, a.SubmissionID, a.VideoKey, done(*check))
}

// copyVideo makes what the check needs; on an error it returns the check with what was made.
func (s *MediaService) copyVideo(ctx context.Context, a VideoCopyArgs) (*VideoCheck, error) {
	sub, err := s.submissions.SubmissionByID(ctx, a.SubmissionID)
	if ErrorCode(err) == ENotFound {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if sub.Video == nil || sub.Video.Key != a.VideoKey || !sub.Video.Check.hasVerdict() || sub.Video.Check.Done {
		return nil, nil
	}
	check := sub.Video.Check
	input, err := s.mediaInput(ctx, a.VideoKey)
	if err != nil {
		return &check, err
	}
	needPoster, needCopy := check.needs()
	if needPoster && !check.Poster {
		if err := s.storePoster(ctx, input, a.VideoKey, check.Facts.DurationSec); err != nil {
			return &check, fmt.Errorf("poster frame: %w", err)
		}
		check.Poster = true
	}
	if needCopy && !check.WebCopy {
		if err := s.storeWebCopy(ctx, input, a.VideoKey); err != nil {
			return &check, fmt.Errorf("web copy: %w", err)
		}
		check.WebCopy = true
	}
	check.Done = true
	return &check, s.submissions.SaveVideoCopies(ctx, a.SubmissionID, a.VideoKey, check)
}

func done(c VideoCheck) VideoCheck { c.Done = true; return c }

// posterAt picks the poster's second: a little into the video, past a black opening frame.
func posterAt(duration float64) float64 { return min(duration/3, 3) }

func (s *MediaService) storePoster(ctx context.Context, input, videoKey string, duration float64) error {
	jpeg, err := s.tools.Poster(ctx, input, posterAt(duration))
	if err != nil {
		return err
	}
	return s.storage.Put(ctx, PosterKey(videoKey), bytes.NewReader(jpeg), int64(len(jpeg)), "image/jpeg")
}

func (s *MediaService) storeWebCopy(ctx context.Context, input, videoKey string) error {
	dir, err := os.MkdirTemp(s.check.TempDir, "webcopy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dst := dir + string(os.PathSeparator) + "web.mp4"
	if err := s.tools.Faststart(ctx, input, dst); err != nil {
		return err
	}
	f, err := os.Open(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return s.storage.Put(ctx, WebCopyKey(videoKey), f, st.Size(), "video/mp4")
}

// RecheckVideo queues the media check of a submission's video again, e.g. after a check
// failed because storage or ffmpeg was unavailable; of its candidate video instead when that
// one has no verdict. Organizers only.
func (s *MediaService) RecheckVideo(ctx context.Context, actor User, id string) (Submission, error) {
	if err := requireOrganizer(actor); err != nil {
		return Submission{}, err
	}
	sub, err := s.submissions.SubmissionByID(ctx, id)
	if err != nil {
		return Submission{}, err
	}
	if sub.Video == nil {
		return Submission{}, Errorf(EConflict, "该作品尚未上传视频")
	}
	key := sub.Video.Key
	if sub.CandidateUnchecked() {
		key = sub.Candidate.Key // a candidate that could not be checked is what needs checking
	}
	if err := s.submissions.RequestVideoCheck(ctx, sub.ID, key); err != nil {
		return Submission{}, err
	}
	return s.submissions.SubmissionByID(ctx, id)
}

// Poster opens the poster frame of sub's video for someone allowed to see the submission.
func (s *MediaService) Poster(ctx context.Context, actor User, id string) (io.ReadCloser, error) {
	sub, err := s.visibleSubmission(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.posterOf(ctx, sub.Video)
}

// JudgePoster opens the poster frame of a work assigned to the judge.
func (s *JudgingService) JudgePoster(ctx context.Context, actor User, id string) (io.ReadCloser, error) {
	t, err := s.JudgeTask(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.media.posterOf(ctx, t.Video)
}

func (s *MediaService) posterOf(ctx context.Context, v *Video) (io.ReadCloser, error) {
	if v == nil || !v.Check.Poster {
		return nil, Errorf(ENotFound, "该作品还没有封面图")
	}
	return s.storage.Get(ctx, PosterKey(v.Key))
}

// Advice says in Chinese what the contestant should do about the check, for the submission page.
func (c VideoCheck) Advice() string {
	switch c.State {
	case CheckPending:
		return "系统正在检查视频的格式、时长和分辨率，通常不到一分钟，请稍候。"
	case CheckAccepted:
		return "视频符合大赛要求。"
	case CheckRejected:
		return "视频不符合大赛要求，请按以下提示修改后重新上传（截止时间前可多次上传，以最后一次为准）。"
	case CheckFailed:
		return "系统暂时无法检查该视频，组织方会处理；如长时间未恢复，请联系组织方。"
	}
	return ""
}

// Summary describes the measured video in one line, e.g. "1920×1080，2分35秒，H.264/AAC，MP4".
func (f VideoFacts) Summary() string {
	if !f.HasVideo {
		return ""
	}
	s := fmt.Sprintf("%d×%d，%s，%s", f.DisplayWidth, f.DisplayHeight, FormatDuration(f.DurationSec), codecLabel(f.VideoCodec))
	if f.AudioCodec != "" {
		s += "/" + codecLabel(f.AudioCodec)
	}
	return s
}

func codecLabel(c string) string {
	switch strings.ToLower(c) {
	case "h264":
		return "H.264"
	case "hevc":
		return "HEVC"
	case "aac":
		return "AAC"
	}
	return c
}

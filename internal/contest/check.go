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
	// Done is true once the check has finished: the verdict, and the poster and web copy
	// when they are needed (a verdict is shown before them).
	Done bool
}

// VideoCheckArgs ask for the check of one video. The video key, not just the submission, is
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

// CheckVideo is the background job of a video's media check: it measures the stored video,
// judges it against the contest's rules and records the verdict at once; then it stores a
// poster frame and, for an accepted video, a copy for playback (index first, no metadata).
// attempt counts from 1; on an error the caller retries the job, and final says there will be
// no more attempts. A check that could not reach a verdict is then recorded as failed,
// visibly; a verdict already recorded stands even if its poster or copy could not be made
// (the page then shows no poster and plays the original). A video replaced or deleted
// meanwhile is left alone.
func (s *MediaService) CheckVideo(ctx context.Context, a VideoCheckArgs, attempt int, final bool) error {
	err := s.checkVideo(ctx, a, attempt)
	if err == nil {
		return nil
	}
	// The job's context may be what ended it (its timeout); the record must still be written.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var derr derivedError
	if errors.As(err, &derr) {
		if final { // the verdict stands without its poster or copy; the error is in the job's history
			return s.submissions.SaveVideoCheck(sctx, a.SubmissionID, a.VideoKey, derr.check)
		}
		return err
	}
	sub, serr := s.submissions.SubmissionByID(sctx, a.SubmissionID)
	switch {
	case ErrorCode(serr) == ENotFound:
		return nil // deleted meanwhile
	case serr != nil:
		return errors.Join(err, serr)
	case sub.Video == nil || sub.Video.Key != a.VideoKey:
		return nil // replaced meanwhile
	}
	if cur := sub.Video.Check; cur.State == CheckAccepted || cur.State == CheckRejected {
		// An earlier attempt recorded the verdict and only its poster or copy is missing: a
		// failure now (storage unreachable, say) must not take the verdict back.
		if final {
			return s.submissions.SaveVideoCheck(sctx, a.SubmissionID, a.VideoKey, done(cur))
		}
		return err
	}
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

// derivedError is a failure to make the poster frame or the web copy after the verdict was
// recorded.
type derivedError struct {
	error
	check VideoCheck // the check as recorded, marked done
}

func (e derivedError) Unwrap() error { return e.error }

func (s *MediaService) checkVideo(ctx context.Context, a VideoCheckArgs, attempt int) error {
	sub, err := s.submissions.SubmissionByID(ctx, a.SubmissionID)
	if ErrorCode(err) == ENotFound {
		return nil
	} else if err != nil {
		return err
	}
	if sub.Video == nil || sub.Video.Key != a.VideoKey {
		return nil
	}
	c, err := s.contests.ContestByID(ctx, sub.ContestID)
	if err != nil {
		return err
	}
	if s.tools == nil {
		return errCheckUnavailable
	}
	mr, ok := s.storage.(MediaReader)
	if !ok {
		return fmt.Errorf("storage %T cannot hand files to the media tools", s.storage)
	}
	input, err := mr.MediaInput(ctx, a.VideoKey, 2*time.Hour)
	if err != nil {
		return fmt.Errorf("stored video %s: %w", a.VideoKey, err)
	}
	facts, err := s.tools.Probe(ctx, input)
	verdict, readable, err := c.Rules.JudgeProbe(facts, s.check.DurationTolerance, err)
	if err != nil {
		return err
	}
	now := s.Now()
	check := VideoCheck{State: CheckRejected, Facts: facts, Reasons: verdict.Reasons, Warnings: verdict.Warnings,
		Attempts: attempt, CheckedAt: &now}
	if verdict.OK {
		check.State = CheckAccepted
	}
	// Every accepted video gets a copy for playback: index first, and no metadata, which may
	// name its makers (judges play only this copy).
	needPoster, needCopy := readable && facts.HasVideo, verdict.OK
	check.Done = !needPoster && !needCopy
	if err := s.submissions.SaveVideoCheck(ctx, a.SubmissionID, a.VideoKey, check); err != nil {
		return err
	}
	if check.Done {
		return nil
	}

	if needPoster {
		if err := s.storePoster(ctx, input, a.VideoKey, facts.DurationSec); err != nil {
			return derivedError{fmt.Errorf("poster frame: %w", err), done(check)}
		}
		check.Poster = true
	}
	if needCopy {
		if err := s.storeWebCopy(ctx, input, a.VideoKey); err != nil {
			return derivedError{fmt.Errorf("web copy: %w", err), done(check)}
		}
		check.WebCopy = true
	}
	check.Done = true
	return s.submissions.SaveVideoCheck(ctx, a.SubmissionID, a.VideoKey, check)
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
// failed because storage or ffmpeg was unavailable. Organizers only.
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
	if err := s.submissions.RequestVideoCheck(ctx, sub.ID, sub.Video.Key); err != nil {
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

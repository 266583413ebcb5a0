package contest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// ScanStore keeps the content scans.
type ScanStore interface {
	// VideoScan returns the scan of the video stored under key, without its hashes; ENotFound
	// when it has none.
	VideoScan(ctx context.Context, videoKey string) (VideoScan, error)
	// WorkScans returns the scans of these works' current videos, by work id, without their
	// hashes; a work with none is missing.
	WorkScans(ctx context.Context, submissionIDs []string) (map[string]VideoScan, error)
	// SaveVideoScan records a finished scan if videoKey is still its submission's video, and
	// adds each of its duplicates' reciprocal hit (dup of the other work) to the other's scan,
	// in one transaction. It returns ErrStale when the video was replaced.
	SaveVideoScan(ctx context.Context, s VideoScan) error
	// DropVideoScan deletes the scan of the video (replaced, deleted or no longer accepted).
	DropVideoScan(ctx context.Context, videoKey string) error
	// SaveScanFailure records that the scan of the video could not run (after its last attempt,
	// or while it is retried), keeping any earlier findings.
	SaveScanFailure(ctx context.Context, videoKey string, attempts int, msg string, final bool) error
	// RequestVideoScan marks the scan of the submission's video queued and queues it, in one
	// transaction.
	RequestVideoScan(ctx context.Context, contestID, submissionID, videoKey string) error
	// ScanHashes returns the perceptual hashes of the contest's scanned videos that are still
	// their works' videos, but the one under exceptKey.
	ScanHashes(ctx context.Context, contestID, exceptKey string) ([]ScanHashes, error)
	// ClearVideoScan records the organizer's clearance of the scan, with its audit entry.
	ClearVideoScan(ctx context.Context, videoKey string, c *ScanClearance, a AuditEntry) error
	// ScanFrameKeys returns the storage keys of the frame pictures of the contest's scans.
	ScanFrameKeys(ctx context.Context, contestID string) ([]string, error)
	// RequeueScans queues the scans of accepted videos that have none (videos accepted before
	// scans existed) or whose scan was queued before lostBefore and never finished (a lost job),
	// at most limit; it returns how many.
	RequeueScans(ctx context.Context, lostBefore time.Time, limit int) (int, error)
}

// ScanHashes are the hashes of another work's video, with what the duplicates list shows.
type ScanHashes struct {
	SubmissionID string
	OwnerID      string
	Title        string
	VideoKey     string
	Hashes       []FrameHash
}

// Duplicates: two sampled seconds look alike when their hashes differ in at most dupBits of
// 64; two videos are the same when, at one offset, alike seconds cover at least dupShare of the
// shorter one. A frame that looks like much of the other video (a still, a plain colour) says
// nothing about which moment it is, and is left out of the count.
const (
	dupBits     = 12
	dupShare    = 0.5
	dupMinFrame = 4 // seconds: shorter videos are not compared
	maxLeakHits = 24
	maxFrames   = 12 // frame pictures stored per scan
)

// MatchVideos compares two videos' hashes: the share of the shorter one matched, in time, by
// the other, and the offset (seconds) of the match in b.
func MatchVideos(a, b []FrameHash) (share, offset float64) {
	if len(a) > len(b) {
		s, o := MatchVideos(b, a)
		return s, -o
	}
	if len(a) < dupMinFrame {
		return 0, 0
	}
	type key struct{ off, i int }
	seen := map[key]bool{}
	votes := map[int]int{}
	informative := 0
	for i, fa := range a {
		var offs []int
		for _, fb := range b {
			if bits.OnesCount64(fa.Hash^fb.Hash) <= dupBits {
				offs = append(offs, int(math.Round(fb.At-fa.At)))
			}
		}
		if len(offs) == 0 || len(offs) > max(3, len(b)/5) {
			if len(offs) == 0 {
				informative++
			}
			continue // no match, or a picture that is everywhere in b
		}
		informative++
		for _, o := range offs {
			for d := -1; d <= 1; d++ { // a second either way: the samples need not line up
				if k := (key{o + d, i}); !seen[k] {
					seen[k] = true
					votes[o+d]++
				}
			}
		}
	}
	best, bestOff := 0, 0
	for o, n := range votes {
		if n > best || n == best && abs(o) < abs(bestOff) {
			best, bestOff = n, o
		}
	}
	if informative < dupMinFrame {
		return 0, 0
	}
	return float64(best) / float64(len(a)), float64(bestOff)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ScanVideo is the background job of a video's content scan, queued with an accepted verdict at
// a low priority: it decodes the video once, reads the text of the frames worth reading, looks
// for the work's makers and their units in it, for the same video in the contest's other works,
// and measures the sound. attempt counts from 1; after the last, the failure is recorded.
func (s *MediaService) ScanVideo(ctx context.Context, a VideoScanArgs, attempt int, final bool) error {
	err := s.scanVideo(ctx, a, attempt)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errScanGone):
		// Replaced, deleted or no longer accepted meanwhile: its row and any frames go (a
		// new video has its own scan).
		s.deleteFiles(sctx, s.scanFrameKeys(sctx, a.VideoKey))
		return s.scans.DropVideoScan(sctx, a.VideoKey)
	case errors.Is(err, ErrUnreadableMedia):
		final = true // it would fail the same way again: the job is not retried
	}
	return errors.Join(err, s.scans.SaveScanFailure(sctx, a.VideoKey, attempt, err.Error(), final))
}

// errScanGone means the video to scan is no longer its work's accepted video.
var errScanGone = errors.New("the video is no longer its work's accepted video")

// ScanContent looks inside the video at input (with these facts from its check): it decodes it
// once with tools, reads the text of the frames worth reading with reader (nil: none) as it goes,
// and returns the findings about names and units (not yet grouped), subtitles and sound, with a
// perceptual hash a second. Duplicates need the other works and are left to the caller.
func ScanContent(ctx context.Context, tools ContentTools, reader TextReader, input string, facts VideoFacts, names, units []string) (ScanFindings, []FrameHash, error) {
	fs := newFrameScanner(ctx, reader, facts.DurationSec)
	sound, err := tools.Sample(ctx, input, NewScanPlan(facts), fs.frame)
	texts, ocrErr := fs.finish()
	if err != nil {
		return ScanFindings{}, nil, fmt.Errorf("decoding: %w", err)
	}
	f := ScanFindings{Sound: finiteSound(sound), FramesRead: fs.reads}
	switch {
	case ErrorCode(ocrErr) == EUnavailable:
		f.OCR = ErrorMessage(ErrOCRUnavailable)
	case ocrErr != nil:
		return ScanFindings{}, nil, fmt.Errorf("reading text: %w", ocrErr)
	case fs.unread > 0:
		f.OCR = fmt.Sprintf("%d 处画面的文字未能识别（文字识别超时或出错），可重新扫描", fs.unread)
	}
	f.Subtitles = subtitlesOf(texts, fs.bottom)
	f.Leaks = groupLeaks(FindLeaks(texts, names, units))
	return f, fs.hashes, nil
}

// errScanUnavailable means the server has no ffmpeg to decode with.
var errScanUnavailable = errors.New("ffmpeg not installed on this server: videos cannot be scanned")

func (s *MediaService) scanVideo(ctx context.Context, a VideoScanArgs, attempt int) error {
	sub, err := s.submissions.SubmissionByID(ctx, a.SubmissionID)
	if ErrorCode(err) == ENotFound {
		return errScanGone
	} else if err != nil {
		return err
	}
	v := sub.Video
	if v == nil || v.Key != a.VideoKey || v.Check.State != CheckAccepted {
		return errScanGone // replaced, or no longer accepted: its own scan will come
	}
	if s.content == nil {
		return errScanUnavailable
	}
	input, err := s.mediaInput(ctx, v.Key)
	if err != nil {
		return err
	}
	start := time.Now()
	names, units := sub.identities()
	f, hashes, err := ScanContent(ctx, s.content, s.ocr, input, v.Check.Facts, names, units)
	if err != nil {
		return err
	}
	if err := s.storeLeakFrames(ctx, input, v.Key, f.Leaks); err != nil {
		return err
	}
	scan := VideoScan{SubmissionID: sub.ID, ContestID: sub.ContestID, VideoKey: v.Key, State: ScanDone, Attempts: attempt,
		Hashes: hashes}
	others, err := s.scans.ScanHashes(ctx, sub.ContestID, v.Key)
	if err != nil {
		return err
	}
	for _, o := range others {
		if share, off := MatchVideos(scan.Hashes, o.Hashes); share >= dupShare {
			f.Duplicates = append(f.Duplicates, DuplicateHit{SubmissionID: o.SubmissionID, Title: o.Title,
				SameOwner: o.OwnerID == sub.OwnerID, Share: math.Round(share*100) / 100, Offset: off})
		}
	}
	slices.SortFunc(f.Duplicates, func(x, y DuplicateHit) int { return cmp.Compare(y.Share, x.Share) })
	f.Seconds = math.Round(time.Since(start).Seconds()*10) / 10
	now := s.Now()
	scan.Findings, scan.ScannedAt = f, &now
	if err := s.scans.SaveVideoScan(ctx, scan); errors.Is(err, ErrStale) {
		s.deleteFiles(ctx, f.FrameKeys(v.Key)) // the frames this run stored
		return errScanGone                     // replaced while it was scanned
	} else if err != nil {
		return err
	}
	return nil
}

// identities are the names a work's video must not show: its makers' and its contact's, and
// their units.
func (s Submission) identities() (names, units []string) {
	add := func(list []string, v string) []string {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
		return list
	}
	names = add(add(names, s.Registration.LeadName), s.Registration.ContactName)
	units = add(units, s.Registration.Employer)
	for _, p := range s.Participants {
		names = add(names, p.Name)
		units = add(units, p.Employer)
	}
	return names, units
}

// groupLeaks keeps one hit per thing matched and per stretch of video (the same caption read
// again a second later is one finding), the best read of each, up to maxLeakHits, and numbers
// the frames to store.
func groupLeaks(hits []LeakHit) []LeakHit {
	var out []LeakHit
	last := map[string]int{} // kind+matched → index in out
	for _, h := range hits {
		k := string(h.Kind) + "\x00" + h.Matched
		if i, ok := last[k]; ok && h.At-out[i].At <= 3 {
			if h.Score > out[i].Score {
				at := out[i].At
				out[i] = h
				out[i].At = at // the stretch starts where it was first seen
			}
			continue
		}
		if len(out) == maxLeakHits {
			break
		}
		last[k] = len(out)
		out = append(out, h)
	}
	frame := map[float64]int{}
	for i := range out {
		n, ok := frame[out[i].At]
		if !ok && len(frame) < maxFrames {
			n = len(frame) + 1
			frame[out[i].At] = n
		}
		out[i].Frame = n
	}
	return out
}

// storeLeakFrames stores the picture of each frame a leak was found in, as it is shown.
func (s *MediaService) storeLeakFrames(ctx context.Context, input, key string, leaks []LeakHit) error {
	done := map[int]bool{}
	for _, h := range leaks {
		if h.Frame == 0 || done[h.Frame] {
			continue
		}
		done[h.Frame] = true
		jpeg, err := s.tools.Poster(ctx, input, h.At)
		if err != nil {
			return fmt.Errorf("frame at %.1f s: %w", h.At, err)
		}
		if err := s.storage.Put(ctx, ScanFrameKey(key, h.Frame), bytes.NewReader(jpeg), int64(len(jpeg)), "image/jpeg"); err != nil {
			return err
		}
	}
	return nil
}

// subtitlesOf judges the burned-in subtitles from the bottom band: looks are the times the
// band was looked at, each the time of the reading it showed (a caption still on screen shows
// the earlier reading), or -1 when it held no light text.
func subtitlesOf(texts []FrameText, looks []float64) Subtitles {
	read := map[float64]bool{}
	for _, t := range texts {
		if t.Region == RegionBottom {
			read[t.At] = SubtitleText(t.Text)
		}
	}
	sub := Subtitles{Sampled: len(looks)}
	for _, at := range looks {
		if at >= 0 && read[at] {
			sub.WithText++
		}
	}
	sub.Present = sub.WithText >= 3 && float64(sub.WithText) >= 0.3*float64(sub.Sampled)
	return sub
}

// RescanVideo queues the content scan of a work's video again. Organizers only; audited.
func (s *MediaService) RescanVideo(ctx context.Context, actor User, id string) error {
	if err := requireOrganizer(actor); err != nil {
		return err
	}
	sub, err := s.submissions.SubmissionByID(ctx, id)
	if err != nil {
		return err
	}
	if sub.Video == nil || sub.Video.Check.State != CheckAccepted {
		return Errorf(EConflict, "只有通过检查的视频才能扫描画面内容")
	}
	if err := s.scans.RequestVideoScan(ctx, sub.ContestID, sub.ID, sub.Video.Key); err != nil {
		return err
	}
	return s.audit(ctx, actor, "video_scan", sub.ID, "rescan", nil, map[string]any{"title": sub.Registration.Title})
}

// ClearScan records that an organizer looked at a scan's findings and accepts the work as it is
// (note says why), or, with clear false, takes that back. Audited. seen, if not nil, is when
// the scan the organizer looked at was made: a newer scan's findings are not cleared unseen.
func (s *MediaService) ClearScan(ctx context.Context, actor User, id string, clear bool, note string, seen *time.Time) (VideoScan, error) {
	if err := requireOrganizer(actor); err != nil {
		return VideoScan{}, err
	}
	sub, scan, err := s.scanOf(ctx, id)
	if err != nil {
		return VideoScan{}, err
	}
	if scan.State != ScanDone || scan.ScannedAt == nil {
		return VideoScan{}, Errorf(EConflict, "扫描尚未完成，请完成后再确认")
	}
	if seen != nil && !seen.Equal(*scan.ScannedAt) {
		return VideoScan{}, Errorf(EConflict, "扫描结果已更新，请查看新的结果后再确认")
	}
	var c *ScanClearance
	if clear {
		v, fe := ValidateText(note, true, 300)
		if fe != nil {
			var f Fields
			f.Add("note", fe.Code, "请写明为何接受（例如：片尾署名已由作者删除、两份作品确为不同作品）")
			return VideoScan{}, f.Err()
		}
		note = v
		c = &ScanClearance{ByID: actor.ID, At: s.Now(), Note: note}
	}
	a := s.newAudit(actor, "video_scan", sub.ID, map[bool]string{true: "clear", false: "unclear"}[clear], nil,
		map[string]any{"title": sub.Registration.Title, "note": note, "leaks": len(scan.Findings.Leaks), "duplicates": len(scan.Findings.Duplicates)})
	if err := s.scans.ClearVideoScan(ctx, scan.VideoKey, c, a); err != nil {
		return VideoScan{}, err
	}
	scan.Cleared = c
	return scan, nil
}

// scanOf returns a work and the scan of its video.
func (s *MediaService) scanOf(ctx context.Context, id string) (Submission, VideoScan, error) {
	sub, err := s.submissions.SubmissionByID(ctx, id)
	if err != nil {
		return sub, VideoScan{}, err
	}
	if sub.Video == nil {
		return sub, VideoScan{}, Errorf(ENotFound, "该作品尚未上传视频")
	}
	scan, err := s.scans.VideoScan(ctx, sub.Video.Key)
	if ErrorCode(err) == ENotFound {
		return sub, VideoScan{}, Errorf(ENotFound, "该作品的视频尚未扫描画面内容")
	}
	return sub, scan, err
}

// Scan returns the content scan of a work's video. Organizers only: what it found names the
// work's makers.
func (s *MediaService) Scan(ctx context.Context, actor User, id string) (VideoScan, error) {
	if err := requireOrganizer(actor); err != nil {
		return VideoScan{}, err
	}
	_, scan, err := s.scanOf(ctx, id)
	return scan, err
}

// ScanFrame opens the stored picture of a frame with a finding. Organizers only.
func (s *MediaService) ScanFrame(ctx context.Context, actor User, id string, frame int) (io.ReadCloser, error) {
	scan, err := s.Scan(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	for _, h := range scan.Findings.Leaks {
		if h.Frame == frame && frame > 0 {
			return s.storage.Get(ctx, ScanFrameKey(scan.VideoKey, frame))
		}
	}
	return nil, Errorf(ENotFound, "没有这一帧的画面")
}

// ScanAdvice is what the owner of a work is told of its scan: subtitles and loudness, with what
// to do. Nothing about names or other works.
func (s *MediaService) ScanAdvice(ctx context.Context, sub Submission) []Reason {
	if sub.Video == nil || s.scans == nil {
		return nil
	}
	scan, err := s.scans.VideoScan(ctx, sub.Video.Key)
	if err != nil || scan.State != ScanDone {
		return nil
	}
	return scan.Findings.ContestantAdvice()
}

// NationalCheck is the national rules' pre-check of one work: the scan's state and, once it
// has run, its warnings.
type NationalCheck struct {
	State    ScanState
	Done     bool // findings are in (a new scan may be queued)
	Warnings []Reason
}

// NationalChecks returns the national rules' pre-check (subtitles, loudness, black and silent
// stretches) of each of these works that has a scan. Organizers only.
func (s *MediaService) NationalChecks(ctx context.Context, actor User, ids []string) (map[string]NationalCheck, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	scans, err := s.scans.WorkScans(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]NationalCheck, len(scans))
	for id, sc := range scans {
		nc := NationalCheck{State: sc.State, Done: sc.ScannedAt != nil}
		if nc.Done {
			nc.Warnings = nonNilReasons(sc.Findings.NationalWarnings())
		}
		out[id] = nc
	}
	return out, nil
}

func nonNilReasons(r []Reason) []Reason {
	if r == nil {
		return []Reason{}
	}
	return r
}

// finiteSound keeps the loudness figures finite (digital silence measures −∞): below −70 is
// −70, as EBU R 128's absolute gate.
func finiteSound(s SoundPicture) SoundPicture {
	fix := func(v float64) float64 {
		if math.IsNaN(v) || v < -70 {
			return -70
		}
		return min(v, 20)
	}
	s.Loudness, s.TruePeak = fix(s.Loudness), fix(s.TruePeak)
	if math.IsNaN(s.Range) || math.IsInf(s.Range, 0) {
		s.Range = 0
	}
	return s
}

// scanBlocker says why a work with this video cannot pass the formal review in a batch because
// of its content scan ("" when it can): findings not cleared, or a scan not finished. A video
// never scanned (no scan tools) is no obstacle.
func (s *MediaService) scanBlocker(ctx context.Context, videoKey string) (string, error) {
	sc, err := s.scans.VideoScan(ctx, videoKey)
	switch {
	case ErrorCode(err) == ENotFound:
		return "", nil
	case err != nil:
		return "", err
	case sc.State == ScanQueued && sc.ScannedAt == nil:
		return "画面内容扫描尚未完成，请稍后再批量通过，或在作品页逐件审查", nil
	case sc.State == ScanFailed && sc.ScannedAt == nil:
		return "画面内容扫描出错，请在作品页查看或重新扫描", nil
	case sc.Findings.Flagged() && sc.Cleared == nil:
		return "画面内容扫描发现参与者姓名、工作单位或重复的视频，请在作品页查看后再审查", nil
	}
	return "", nil
}

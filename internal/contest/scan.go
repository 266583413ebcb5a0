package contest

import (
	"context"
	"image"
	"strconv"
	"strings"
	"time"
)

// The content scan looks inside an accepted video for what the container check cannot see:
// text on screen that names the work's makers or their employer (blind review would be broken),
// the same video entered twice, and the national contest's rules (Chinese subtitles, loudness,
// long black or silent stretches). It runs after the verdict, at low priority, and only warns
// organizers (and, for subtitles and loudness, the contestant): it never rejects a video.
//
// Everything runs on the server: ffmpeg decodes, Tesseract reads text; no frame, text or name
// leaves it.

// ScanPlan says how a video is sampled: the domain decides, the media tools follow.
type ScanPlan struct {
	// Every is the time between sampled frames, in seconds.
	Every float64
	// Width and Height are the size of the sampled frames (the display orientation, scaled
	// down to fit the plan's bound, never up). Both are set by NewScanPlan.
	Width, Height int
	// MaxFrames bounds the frames sampled, whatever the file says its duration is.
	MaxFrames int
}

// FrameSink receives each sampled frame in time order: at is its time in seconds, img its
// grey picture, which the caller reuses once the sink returns. An error stops the sampling.
type FrameSink func(at float64, img *image.Gray) error

// SoundPicture is what the media tools measure while sampling: loudness (EBU R 128) and the
// stretches of black picture and of silence.
type SoundPicture struct {
	HasAudio bool `json:"has_audio"`
	// Loudness is the integrated loudness in LUFS, TruePeak the true peak in dBTP, Range the
	// loudness range in LU; meaningful only with HasAudio.
	Loudness float64 `json:"loudness_lufs"`
	TruePeak float64 `json:"true_peak_dbtp"`
	Range    float64 `json:"loudness_range_lu"`
	// Black and Silence are the stretches at least BlackMin / SilenceMin long.
	Black   []Stretch `json:"black,omitempty"`
	Silence []Stretch `json:"silence,omitempty"`
	// Frames is how many frames were sampled.
	Frames int `json:"frames"`
}

// Stretch is a span of a video, in seconds.
type Stretch struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// Length is the stretch's duration in seconds.
func (s Stretch) Length() float64 { return s.End - s.Start }

// The shortest stretches the media tools report: a black picture of 2 s or more, a silence of
// 3 s or more (below SilenceFloor dBFS).
const (
	BlackMin     = 2.0
	SilenceMin   = 3.0
	SilenceFloor = -50.0
)

// ContentTools decode a video for the content scan.
type ContentTools interface {
	// Sample decodes input (a path or an http(s) URL, MP4 only, as for Probe) once: it gives
	// sink a grey frame every plan.Every seconds, scaled to plan.Width×plan.Height in the
	// display orientation, and measures the sound and the black stretches. It stops after
	// plan.MaxFrames frames. An error wrapping ErrUnreadableMedia means the file cannot be
	// decoded; other errors (storage, ffmpeg missing, ctx) mean nothing was measured.
	Sample(ctx context.Context, input string, plan ScanPlan, sink FrameSink) (SoundPicture, error)
}

// TextReader recognizes text (OCR) in pictures, on the server.
type TextReader interface {
	// ReadText returns the text recognized in each image, in order: one string per image, its
	// lines separated by "\n". Images are grey, dark text on a light background works best.
	ReadText(ctx context.Context, imgs []image.Image) ([]string, error)
}

// ErrOCRUnavailable means the server has no OCR (Tesseract or its Chinese model is not
// installed): the scan goes on without reading text, and says so.
var ErrOCRUnavailable = Errorf(EUnavailable, "服务器未安装文字识别（Tesseract 中文模型）")

// VideoScanArgs ask for the content scan of one video. The key is named, so a scan queued for a
// video that has since been replaced does nothing.
type VideoScanArgs struct {
	SubmissionID string `json:"submission_id"`
	VideoKey     string `json:"video_key"`
}

// Kind names the job for the queue.
func (VideoScanArgs) Kind() string { return "video_scan" }

// ScanState is where a video's content scan stands.
type ScanState string

// Scan states.
const (
	ScanQueued ScanState = "queued"
	ScanDone   ScanState = "done"
	ScanFailed ScanState = "failed"
)

// Label returns the state in Chinese.
func (s ScanState) Label() string {
	switch s {
	case ScanQueued:
		return "扫描中"
	case ScanDone:
		return "已扫描"
	case ScanFailed:
		return "扫描出错"
	}
	return "未扫描"
}

// FrameText is the text read in one region of one sampled frame.
type FrameText struct {
	At     float64 `json:"at"`     // seconds
	Region string  `json:"region"` // RegionFull, RegionTop or RegionBottom
	Text   string  `json:"text"`
}

// The regions of a frame that are read: the whole frame in the opening and closing seconds
// (片头, 片尾), and the bands where captions, names and logos sit.
const (
	RegionFull   = "full"
	RegionTop    = "top"
	RegionBottom = "bottom"
)

// LeakKind is what a leak names.
type LeakKind string

// Leak kinds.
const (
	LeakName     LeakKind = "name"     // a participant's name
	LeakEmployer LeakKind = "employer" // a participant's 工作单位, whole or abbreviated
)

// LeakHit is text on screen that looks like the name of a participant of the work or of their
// employer: the frame, the time, what was read, and what it matched.
type LeakHit struct {
	Kind    LeakKind `json:"kind"`
	At      float64  `json:"at"`
	Region  string   `json:"region"`
	Read    string   `json:"read"`    // the text as read, around the match
	Matched string   `json:"matched"` // the participant's name or unit it resembles
	// Score is the similarity, 0..1 (1 exact); Labelled says a label such as 主创 or 作者
	// stood before it, which lets a weaker match count.
	Score    float64 `json:"score"`
	Labelled bool    `json:"labelled,omitempty"`
	// Frame numbers the stored frame picture (ScanFrameKey).
	Frame int `json:"frame"`
}

// FrameHash is the perceptual hash of a sampled frame.
type FrameHash struct {
	At   float64 `json:"at"`
	Hash uint64  `json:"hash"`
}

// DuplicateHit is another work whose video looks like this one.
type DuplicateHit struct {
	SubmissionID string `json:"submission_id"`
	Title        string `json:"title"`
	SameOwner    bool   `json:"same_owner"`
	// Share is the part of the shorter video whose frames match, in time, the other's (0..1);
	// Offset is how many seconds later the match starts in the other video.
	Share  float64 `json:"share"`
	Offset float64 `json:"offset"`
}

// Subtitles is what the bottom band says about burned-in subtitles.
type Subtitles struct {
	Sampled  int  `json:"sampled"`   // bottom-band samples read
	WithText int  `json:"with_text"` // of which held Chinese text
	Present  bool `json:"present"`
}

// ScanFindings are the scan's results, stored as facts and shown with them.
type ScanFindings struct {
	Sound      SoundPicture   `json:"sound"`
	Leaks      []LeakHit      `json:"leaks,omitempty"`
	Duplicates []DuplicateHit `json:"duplicates,omitempty"`
	Subtitles  Subtitles      `json:"subtitles"`
	// OCR says why text was not read ("" when it was).
	OCR string `json:"ocr,omitempty"`
	// FramesRead counts the frame regions given to OCR; Seconds is the scan's wall time.
	FramesRead int     `json:"frames_read"`
	Seconds    float64 `json:"seconds"`
}

// VideoScan is the content scan of one video.
type VideoScan struct {
	SubmissionID string
	ContestID    string
	VideoKey     string
	State        ScanState
	Findings     ScanFindings
	Hashes       []FrameHash // kept for the duplicates of later videos
	Error        string      // why the last attempt failed
	Attempts     int
	QueuedAt     time.Time
	ScannedAt    *time.Time
	// Cleared is the organizer's decision that the findings are no obstacle (e.g. a name in
	// the credits that a new cut removed, or a duplicate that is a deliberate second entry).
	Cleared *ScanClearance
}

// ScanClearance is an organizer's note that a scan's findings were looked at and accepted.
type ScanClearance struct {
	ByID string
	At   time.Time
	Note string
}

// ScanFrameKey is where the picture of a scanned frame with a finding is stored.
func ScanFrameKey(videoKey string, frame int) string {
	return strings.TrimSuffix(videoKey, ".mp4") + ".scan-" + strconv.Itoa(frame) + ".jpg"
}

package contest

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Video verdict codes. They are stable: the organizer list filters on them and
// `contest probe --json` prints them for scripts.
const (
	VNotMP4        = "not_mp4"        // the container is not MP4 (QuickTime, Matroska, WebM, TS, AVI …)
	VNoVideo       = "no_video"       // no video stream, e.g. an audio-only file
	VTooLong       = "too_long"       // longer than the maximum plus the tolerance
	VLowResolution = "low_resolution" // the displayed frame's short side is below the minimum
	VUnreadable    = "unreadable"     // empty, truncated, corrupt or not a media file
	VTooLarge      = "too_large"      // bigger than the maximum file size

	// VCodecNotPlayable is a warning: the video plays in some players but not in every browser.
	VCodecNotPlayable = "codec_not_browser_playable"
	// VAudioNotPlayable is a warning: browsers may play the video silently.
	VAudioNotPlayable = "audio_codec_not_browser_playable"
)

// DefaultDurationTolerance is how many seconds above the maximum duration are still accepted,
// to allow for encoder padding (an exported 3:00 video often measures 180.02 s).
const DefaultDurationTolerance = 0.5

// VideoFacts are what a media probe measured in a file. They are stored with the verdict so the
// organizer can see why a video passed or failed.
type VideoFacts struct {
	Brand            string   `json:"brand"`             // ftyp major brand, e.g. "isom", "qt  "; "" when the file has no ftyp box
	CompatibleBrands []string `json:"compatible_brands"` // ftyp compatible brands
	FormatName       string   `json:"format_name"`       // the prober's container name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"
	DurationSec      float64  `json:"duration_sec"`
	StoredWidth      int      `json:"width"` // the coded frame as stored, before rotation
	StoredHeight     int      `json:"height"`
	Rotation         int      `json:"rotation"`      // the display rotation the probe reports, normalized to 0, 90, 180 or 270
	DisplayWidth     int      `json:"display_width"` // the frame as shown, after rotation
	DisplayHeight    int      `json:"display_height"`
	VideoCodec       string   `json:"video_codec"` // e.g. "h264", "hevc"; "" when there is no video
	AudioCodec       string   `json:"audio_codec"` // e.g. "aac"; "" when there is no audio
	HasVideo         bool     `json:"has_video"`
	Size             int64    `json:"size"` // bytes
	// Faststart is true when the index (moov box) comes before the media data, so a browser
	// can start playing before the whole file has arrived.
	Faststart bool `json:"faststart"`
}

// Reason is one rule a video breaks, or one warning: a stable code and a Chinese message that
// says what to do.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Verdict is the judgement on one video: OK when no rule is broken. Every broken rule is listed
// so the contestant can fix them all at once; warnings never reject.
type Verdict struct {
	OK       bool
	Reasons  []Reason
	Warnings []Reason
}

// mp4Brands are ftyp major brands of the ISO base media / MP4 family. QuickTime's "qt  " is
// deliberately absent.
var mp4Brands = map[string]bool{
	"isom": true, "iso2": true, "iso3": true, "iso4": true, "iso5": true, "iso6": true,
	"iso7": true, "iso8": true, "iso9": true, "mp41": true, "mp42": true, "avc1": true,
	"dash": true, "M4V ": true, "M4VP": true, "M4A ": true, "f4v ": true, "mmp4": true,
	"MSNV": true, "XAVC": true, "msdh": true, "cmfc": true, "cmf2": true,
}

// IsMP4Brand reports whether a file with this ftyp major brand and these compatible brands is an
// MP4 file. A major brand of "qt  " is QuickTime and never MP4, even when its compatible brands
// list MP4 ones: QuickTime players and editors write such files, and the notice asks for MP4. An
// unknown major brand counts as MP4 when a compatible brand is isom or mp41/mp42 (e.g. 3GP files
// from phones). An empty major brand means there was no ftyp box: not MP4.
func IsMP4Brand(major string, compatible []string) bool {
	switch {
	case major == "" || major == "qt  ":
		return false
	case mp4Brands[major]:
		return true
	}
	for _, b := range compatible {
		if b == "isom" || b == "mp41" || b == "mp42" {
			return true
		}
	}
	return false
}

// NormalizeRotation turns a rotation in degrees as probes report it (e.g. -90 from a display
// matrix, "270" from a rotate tag) into 0, 90, 180 or 270, rounded to the nearest quarter turn.
func NormalizeRotation(deg float64) int {
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return 0
	}
	q := int(math.Round(deg/90)) % 4
	if q < 0 {
		q += 4
	}
	return q * 90
}

// DisplaySize returns the width and height of the frame as shown: the stored size with width
// and height swapped for a quarter turn.
func DisplaySize(storedW, storedH, rotation int) (w, h int) {
	if rotation == 90 || rotation == 270 {
		return storedH, storedW
	}
	return storedW, storedH
}

// Judge applies the rules to the facts of a file. tolerance is how many seconds above
// MaxDurationSec are still accepted (see DefaultDurationTolerance). readable is false when the
// probe could not read the file; then only unreadable (and too_large, which needs only the
// size) are reported, since the other facts mean nothing. A limit of zero or less is not checked.
func (r MediaRules) Judge(f VideoFacts, tolerance float64, readable bool) Verdict {
	var v Verdict
	add := func(code, format string, args ...any) {
		v.Reasons = append(v.Reasons, Reason{Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if !readable {
		add(VUnreadable, "无法读取视频文件（文件为空、不完整或已损坏），请重新导出后完整上传")
	}
	if readable {
		if !IsMP4Brand(f.Brand, f.CompatibleBrands) {
			add(VNotMP4, "文件格式为%s，不是MP4，请导出为MP4格式（仅修改文件扩展名无效）", containerName(f))
		}
		if !f.HasVideo {
			add(VNoVideo, "文件中没有视频画面（可能只有音频），请导出包含视频画面的MP4文件")
		}
		if r.MaxDurationSec > 0 && f.DurationSec > float64(r.MaxDurationSec)+tolerance {
			add(VTooLong, "视频时长 %s，超过%s限制，请剪辑后重新导出",
				FormatDuration(math.Ceil(f.DurationSec)), formatLimit(r.MaxDurationSec))
		}
		if f.HasVideo && r.MinShortSide > 0 {
			w, h := f.DisplayWidth, f.DisplayHeight
			if w == 0 && h == 0 {
				w, h = DisplaySize(f.StoredWidth, f.StoredHeight, f.Rotation)
			}
			if min(w, h) < r.MinShortSide {
				add(VLowResolution, "分辨率为 %d×%d，短边低于%d像素（%dP），请以%dP或更高分辨率导出",
					w, h, r.MinShortSide, r.MinShortSide, r.MinShortSide)
			}
		}
	}
	if r.MaxSizeBytes > 0 && f.Size > r.MaxSizeBytes {
		add(VTooLarge, "文件大小 %s，超过%s上限，请降低码率后重新导出", FormatBytes(f.Size), FormatBytes(r.MaxSizeBytes))
	}
	if readable && f.HasVideo && !browserVideo[strings.ToLower(f.VideoCodec)] {
		v.Warnings = append(v.Warnings, Reason{Code: VCodecNotPlayable, Message: fmt.Sprintf(
			"视频编码为 %s，部分浏览器无法播放，建议导出为H.264（AVC）编码", codecName(f.VideoCodec))})
	}
	if readable && f.AudioCodec != "" && !browserAudio[strings.ToLower(f.AudioCodec)] {
		v.Warnings = append(v.Warnings, Reason{Code: VAudioNotPlayable, Message: fmt.Sprintf(
			"音频编码为 %s，部分浏览器播放时可能没有声音，建议使用AAC音频", codecName(f.AudioCodec))})
	}
	v.OK = len(v.Reasons) == 0
	return v
}

// JudgeProbe judges what a probe returned: the facts with err nil, an unreadable file with err
// wrapping ErrUnreadableMedia, and a file that is not ISO base media (which no tool read) with
// err wrapping ErrNotMP4Container. readable says the tools read the file as media. Any other
// err means nothing was judged and is returned.
func (r MediaRules) JudgeProbe(f VideoFacts, tolerance float64, err error) (v Verdict, readable bool, _ error) {
	switch {
	case err == nil:
		return r.Judge(f, tolerance, true), true, nil
	case errors.Is(err, ErrUnreadableMedia):
		return r.Judge(f, tolerance, false), false, nil
	case errors.Is(err, ErrNotMP4Container):
		v.Reasons = append(v.Reasons, Reason{Code: VNotMP4, Message: fmt.Sprintf("文件格式为%s，不是MP4，请导出为MP4格式（仅修改文件扩展名无效）", containerName(f))})
		if r.MaxSizeBytes > 0 && f.Size > r.MaxSizeBytes {
			v.Reasons = append(v.Reasons, Reason{Code: VTooLarge, Message: fmt.Sprintf("文件大小 %s，超过%s上限，请降低码率后重新导出", FormatBytes(f.Size), FormatBytes(r.MaxSizeBytes))})
		}
		return v, false, nil
	}
	return Verdict{}, false, err
}

// Codecs that current Chrome, Firefox and Safari all play in MP4.
var (
	browserVideo = map[string]bool{"h264": true, "avc1": true}
	browserAudio = map[string]bool{"aac": true, "mp3": true}
)

func codecName(c string) string {
	switch strings.ToLower(c) {
	case "hevc", "h265", "hvc1", "hev1":
		return "HEVC（H.265）"
	case "":
		return "未知"
	}
	return c
}

func containerName(f VideoFacts) string {
	switch {
	case f.Brand == "qt  ":
		return " QuickTime（MOV）"
	case f.Brand != "":
		return fmt.Sprintf(" %s", strings.TrimSpace(f.Brand))
	case strings.Contains(f.FormatName, "matroska"):
		return " MKV/WebM"
	case f.FormatName == "mpegts":
		return " MPEG-TS"
	case f.FormatName == "avi":
		return " AVI"
	case f.FormatName == "hls":
		return " HLS播放列表（m3u8）"
	case f.FormatName == "concat":
		return " 拼接脚本（ffconcat）"
	case strings.Contains(f.FormatName, "mov"):
		return " QuickTime（MOV）"
	case f.FormatName != "":
		return " " + f.FormatName
	}
	return "未知"
}

// FormatDuration writes whole seconds as people read them: "3分12秒", "45秒".
func FormatDuration(sec float64) string {
	s := int64(math.Round(sec))
	if s < 60 {
		return fmt.Sprintf("%d秒", s)
	}
	return fmt.Sprintf("%d分%d秒", s/60, s%60)
}

// formatLimit writes a limit in seconds: "3分钟", "1分30秒".
func formatLimit(sec int) string {
	if sec%60 == 0 {
		return fmt.Sprintf("%d分钟", sec/60)
	}
	return FormatDuration(float64(sec))
}

// FormatBytes writes a size with a binary unit as file managers show it: "2GB", "2.01GB", "300MB".
func FormatBytes(n int64) string {
	const ki, mi, gi = 1 << 10, 1 << 20, 1 << 30
	unit := func(v float64, u string) string {
		s := strings.TrimRight(fmt.Sprintf("%.2f", v), "0")
		return strings.TrimSuffix(s, ".") + u
	}
	switch {
	case n >= gi:
		return unit(float64(n)/gi, "GB")
	case n >= mi:
		return unit(float64(n)/mi, "MB")
	case n >= ki:
		return unit(float64(n)/ki, "KB")
	}
	return fmt.Sprintf("%d字节", n)
}

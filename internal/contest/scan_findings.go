package contest

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// The national contest's sound: integrated loudness within LoudnessTarget ± LoudnessTolerance
// LUFS (EBU R 128, as GY/T 282 asks of programmes), true peak at most TruePeakMax dBTP.
// Pictures black, or sound silent, for LongStretch seconds or more are pointed out.
const (
	LoudnessTarget    = -23.0
	LoudnessTolerance = 2.0
	TruePeakMax       = -1.0
	LongStretch       = 3.0
)

// Warning codes of the content scan, stable for programs.
const (
	WLeakName       = "scan_name_on_screen"
	WLeakEmployer   = "scan_employer_on_screen"
	WDuplicate      = "scan_duplicate"
	WNoSubtitles    = "scan_no_subtitles"
	WNoAudio        = "scan_no_audio"
	WTooQuiet       = "scan_too_quiet"
	WTooLoud        = "scan_too_loud"
	WPeak           = "scan_true_peak"
	WBlack          = "scan_black"
	WSilence        = "scan_silence"
	WOCRUnavailable = "scan_ocr_unavailable"
	// WScanPending selects, in the work list's filter, the works whose scan found a name, a
	// unit or a duplicate that no organizer has cleared.
	WScanPending = "scan_pending"
)

// sortedTexts orders texts by time, then region.
func sortedTexts(t []FrameText) []FrameText {
	out := append([]FrameText(nil), t...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].At != out[j].At {
			return out[i].At < out[j].At
		}
		return out[i].Region < out[j].Region
	})
	return out
}

// ReviewWarnings are the findings that matter at 形式审查: names and units on screen, and the
// same video in another work.
func (f ScanFindings) ReviewWarnings() []Reason {
	var out []Reason
	for _, h := range f.Leaks {
		code, what := WLeakName, "参与者姓名"
		if h.Kind == LeakEmployer {
			code, what = WLeakEmployer, "工作单位"
		}
		how := "相似"
		if h.Score >= 0.999 {
			how = "一致"
		} else if h.Labelled {
			how = "相似，且前有署名字样"
		}
		out = append(out, Reason{code, fmt.Sprintf("%s %s画面识别出“%s”，与%s“%s”%s", FormatTimecode(h.At), regionLabel(h.Region), h.Read, what, h.Matched, how)})
	}
	for _, d := range f.Duplicates {
		who := "其他账号"
		if d.SameOwner {
			who = "同一账号"
		}
		out = append(out, Reason{WDuplicate, fmt.Sprintf("与%s的作品《%s》画面相同（%.0f%% 的画面按时间对应）", who, d.Title, d.Share*100)})
	}
	if f.OCR != "" {
		out = append(out, Reason{WOCRUnavailable, "未识别画面文字：" + f.OCR})
	}
	return out
}

// NationalWarnings are the findings that matter before recommending a work to the national
// contest: subtitles, loudness, long black or silent stretches.
func (f ScanFindings) NationalWarnings() []Reason {
	out := f.ContestantAdvice()
	for _, b := range f.Sound.Black {
		if b.Length() >= LongStretch {
			out = append(out, Reason{WBlack, fmt.Sprintf("%s–%s 黑场 %.0f 秒", FormatTimecode(b.Start), FormatTimecode(b.End), b.Length())})
		}
	}
	for _, s := range f.Sound.Silence {
		if s.Length() >= LongStretch {
			out = append(out, Reason{WSilence, fmt.Sprintf("%s–%s 无声 %.0f 秒", FormatTimecode(s.Start), FormatTimecode(s.End), s.Length())})
		}
	}
	return out
}

// ContestantAdvice are the findings the work's owner is told, with what to do: subtitles and
// loudness. Names and other works are for organizers only.
func (f ScanFindings) ContestantAdvice() []Reason {
	var out []Reason
	if f.OCR == "" && !f.Subtitles.Present {
		out = append(out, Reason{WNoSubtitles, "未检测到中文字幕：推荐至全国的作品须配中文字幕，建议在剪辑软件中添加字幕（如“识别字幕”功能），在征集截止前重新上传。"})
	}
	s := f.Sound
	switch {
	case !s.HasAudio:
		out = append(out, Reason{WNoAudio, "视频没有声音：如需配音或背景音乐，请添加后在征集截止前重新上传。"})
	case s.Loudness < LoudnessTarget-LoudnessTolerance:
		out = append(out, Reason{WTooQuiet, fmt.Sprintf("声音偏小（整体响度 %s LUFS，建议 %.0f±%.0f）：请在剪辑软件中提高音量或使用“响度统一/音量标准化”，在征集截止前重新上传。", fmtLUFS(s.Loudness), LoudnessTarget, LoudnessTolerance)})
	case s.Loudness > LoudnessTarget+LoudnessTolerance:
		out = append(out, Reason{WTooLoud, fmt.Sprintf("声音偏大（整体响度 %s LUFS，建议 %.0f±%.0f）：请在剪辑软件中降低音量或使用“响度统一/音量标准化”，在征集截止前重新上传。", fmtLUFS(s.Loudness), LoudnessTarget, LoudnessTolerance)})
	}
	if s.HasAudio && s.TruePeak > TruePeakMax {
		out = append(out, Reason{WPeak, fmt.Sprintf("声音峰值过高（真峰值 %.1f dBTP，应不高于 %.0f），可能出现破音：请降低音量或加限幅，在征集截止前重新上传。", s.TruePeak, TruePeakMax)})
	}
	return out
}

func fmtLUFS(v float64) string {
	if math.IsInf(v, -1) || v < -70 {
		return "低于 −70"
	}
	return fmt.Sprintf("%.1f", v)
}

// FormatTimecode writes seconds as m:ss, e.g. 1:05.
func FormatTimecode(sec float64) string {
	s := int(math.Floor(sec))
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func regionLabel(r string) string {
	switch r {
	case RegionTop:
		return "画面上方"
	case RegionBottom:
		return "画面下方"
	}
	return "整幅"
}

// Label names the kind in Chinese.
func (k LeakKind) Label() string {
	if k == LeakEmployer {
		return "工作单位"
	}
	return "姓名"
}

// Flagged says the findings name a participant or unit on screen, or another work: they wait
// for an organizer until one clears them.
func (f ScanFindings) Flagged() bool { return len(f.Leaks) > 0 || len(f.Duplicates) > 0 }

// Named lists what the findings name (each name or unit matched, each other work), in a fixed
// order: a clearance holds while a new scan names the same.
func (f ScanFindings) Named() string {
	var keys []string
	for _, h := range f.Leaks {
		keys = append(keys, string(h.Kind)+":"+h.Matched)
	}
	for _, d := range f.Duplicates {
		keys = append(keys, "dup:"+d.SubmissionID)
	}
	slices.Sort(keys)
	return strings.Join(slices.Compact(keys), "\n")
}

// FrameKeys are the storage keys of the frame pictures of these findings, for the video key.
func (f ScanFindings) FrameKeys(videoKey string) []string {
	var keys []string
	done := map[int]bool{}
	for _, h := range f.Leaks {
		if h.Frame > 0 && !done[h.Frame] {
			done[h.Frame] = true
			keys = append(keys, ScanFrameKey(videoKey, h.Frame))
		}
	}
	return keys
}

package contest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
)

func goodFacts() contest.VideoFacts {
	return contest.VideoFacts{
		Brand: "isom", CompatibleBrands: []string{"isom", "iso2", "avc1", "mp41"},
		FormatName: "mov,mp4,m4a,3gp,3g2,mj2", DurationSec: 120,
		StoredWidth: 1280, StoredHeight: 720, DisplayWidth: 1280, DisplayHeight: 720,
		VideoCodec: "h264", AudioCodec: "aac", HasVideo: true, Size: 50 << 20,
	}
}

func codes(rs []contest.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func TestJudge_ReportsEveryBrokenRule(t *testing.T) {
	rules := contest.DefaultContest().Rules
	tests := []struct {
		name     string
		edit     func(*contest.VideoFacts)
		readable bool
		want     []string
		warn     []string
	}{
		{"landscape 720p passes", func(f *contest.VideoFacts) {}, true, []string{}, []string{}},
		{"portrait 1080x1920 passes", func(f *contest.VideoFacts) {
			f.StoredWidth, f.StoredHeight, f.DisplayWidth, f.DisplayHeight = 1080, 1920, 1080, 1920
		}, true, []string{}, []string{}},
		{"portrait 540x960 is low resolution", func(f *contest.VideoFacts) {
			f.StoredWidth, f.StoredHeight, f.DisplayWidth, f.DisplayHeight = 540, 960, 540, 960
		}, true, []string{"low_resolution"}, []string{}},
		{"display size derived from rotation when missing", func(f *contest.VideoFacts) {
			f.StoredWidth, f.StoredHeight, f.Rotation, f.DisplayWidth, f.DisplayHeight = 960, 540, 90, 0, 0
		}, true, []string{"low_resolution"}, []string{}},
		{"QuickTime is not MP4", func(f *contest.VideoFacts) {
			f.Brand, f.CompatibleBrands = "qt  ", []string{"qt  ", "mp41"}
		}, true, []string{"not_mp4"}, []string{}},
		{"no ftyp (Matroska) is not MP4", func(f *contest.VideoFacts) {
			f.Brand, f.CompatibleBrands, f.FormatName = "", nil, "matroska,webm"
		}, true, []string{"not_mp4"}, []string{}},
		{"3GP with isom compatible is MP4", func(f *contest.VideoFacts) {
			f.Brand, f.CompatibleBrands = "3gp4", []string{"isom", "3gp4"}
		}, true, []string{}, []string{}},
		{"audio only", func(f *contest.VideoFacts) {
			f.Brand, f.HasVideo, f.VideoCodec = "M4A ", false, ""
			f.StoredWidth, f.StoredHeight, f.DisplayWidth, f.DisplayHeight = 0, 0, 0, 0
		}, true, []string{"no_video"}, []string{}},
		{"180.5 s is within tolerance", func(f *contest.VideoFacts) { f.DurationSec = 180.5 }, true, []string{}, []string{}},
		{"180.51 s is too long", func(f *contest.VideoFacts) { f.DurationSec = 180.51 }, true, []string{"too_long"}, []string{}},
		{"exactly 2 GiB passes", func(f *contest.VideoFacts) { f.Size = 2 << 30 }, true, []string{}, []string{}},
		{"one byte over 2 GiB is too large", func(f *contest.VideoFacts) { f.Size = 2<<30 + 1 }, true, []string{"too_large"}, []string{}},
		{"several rules at once", func(f *contest.VideoFacts) {
			f.Brand, f.DurationSec, f.DisplayWidth, f.DisplayHeight, f.Size = "qt  ", 192, 960, 540, 3<<30
		}, true, []string{"not_mp4", "too_long", "low_resolution", "too_large"}, []string{}},
		{"unreadable reports only what it can know", func(f *contest.VideoFacts) {
			*f = contest.VideoFacts{Size: 0}
		}, false, []string{"unreadable"}, []string{}},
		{"unreadable and too large", func(f *contest.VideoFacts) {
			*f = contest.VideoFacts{Size: 3 << 30}
		}, false, []string{"unreadable", "too_large"}, []string{}},
		{"HEVC is a warning only", func(f *contest.VideoFacts) { f.VideoCodec = "hevc" }, true, []string{}, []string{"codec_not_browser_playable"}},
		{"PCM audio is a warning only", func(f *contest.VideoFacts) { f.AudioCodec = "pcm_s16le" }, true, []string{}, []string{"audio_codec_not_browser_playable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := goodFacts()
			tt.edit(&f)
			v := rules.Judge(f, contest.DefaultDurationTolerance, tt.readable)
			if diff := cmp.Diff(tt.want, codes(v.Reasons)); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warn, codes(v.Warnings)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if v.OK != (len(tt.want) == 0) {
				t.Errorf("OK = %v with reasons %v", v.OK, codes(v.Reasons))
			}
			for _, r := range append(v.Reasons, v.Warnings...) {
				if r.Message == "" {
					t.Errorf("%s has no message", r.Code)
				}
			}
		})
	}
}

func TestJudge_MessagesCarryTheNumbers(t *testing.T) {
	rules := contest.DefaultContest().Rules
	f := goodFacts()
	f.Brand, f.DurationSec, f.DisplayWidth, f.DisplayHeight, f.Size = "qt  ", 191.3, 540, 960, 2<<30+(1<<29)
	v := rules.Judge(f, 0.5, true)
	want := []contest.Reason{
		{Code: "not_mp4", Message: "文件格式为 QuickTime（MOV），不是MP4，请导出为MP4格式（仅修改文件扩展名无效）"},
		{Code: "too_long", Message: "视频时长 3分12秒，超过3分钟限制，请剪辑后重新导出"},
		{Code: "low_resolution", Message: "分辨率为 540×960，短边低于720像素（720P），请以720P或更高分辨率导出"},
		{Code: "too_large", Message: "文件大小 2.5GB，超过2GB上限，请降低码率后重新导出"},
	}
	if diff := cmp.Diff(want, v.Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
}

func TestNormalizeRotation(t *testing.T) {
	for in, want := range map[float64]int{0: 0, 90: 90, -90: 270, 180: 180, -180: 180, 270: 270, 360: 0, 89.9: 90, -270: 90, 450: 90} {
		if got := contest.NormalizeRotation(in); got != want {
			t.Errorf("NormalizeRotation(%v) = %d, want %d", in, got, want)
		}
	}
}

func TestIsMP4Brand(t *testing.T) {
	for _, tt := range []struct {
		major  string
		compat []string
		want   bool
	}{
		{"isom", nil, true}, {"mp42", nil, true}, {"iso5", nil, true}, {"M4V ", nil, true}, {"dash", nil, true},
		{"qt  ", []string{"qt  "}, false}, {"qt  ", []string{"isom", "mp41"}, false},
		{"", nil, false}, {"abcd", []string{"abcd"}, false}, {"3gp5", []string{"3gp5", "isom"}, true},
	} {
		if got := contest.IsMP4Brand(tt.major, tt.compat); got != tt.want {
			t.Errorf("IsMP4Brand(%q, %q) = %v, want %v", tt.major, tt.compat, got, tt.want)
		}
	}
}

func TestFormatBytes_ReadsNaturally(t *testing.T) {
	for n, want := range map[int64]string{2 << 30: "2GB", 3 << 29: "1.5GB", 20 << 20: "20MB", 1536 << 10: "1.5MB", 2048: "2KB", 512: "512字节"} {
		if got := contest.FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

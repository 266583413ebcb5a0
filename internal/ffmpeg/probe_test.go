package ffmpeg_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	ffmpegtest.Cleanup()
	os.Exit(code)
}

// judge probes path and judges it with the default rules, as the service does.
func judge(t *testing.T, path string) (contest.VideoFacts, contest.Verdict) {
	t.Helper()
	f, err := ffmpeg.Probe(context.Background(), path)
	v, _, err := contest.DefaultContest().Rules.JudgeProbe(f, contest.DefaultDurationTolerance, err)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	return f, v
}

func reasonCodes(rs []contest.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func TestProbe_JudgesRealFiles(t *testing.T) {
	ffmpegtest.Require(t)
	start := time.Now()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.mp4")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	notMedia := filepath.Join(dir, "notes.mp4")
	if err := os.WriteFile(notMedia, []byte("这不是视频 this is not a video\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		want  []string
		warn  []string
		check func(t *testing.T, f contest.VideoFacts)
	}{
		{"1280x720 landscape passes", ffmpegtest.MustVideo(t, ffmpegtest.Video{Audio: true}), []string{}, []string{},
			func(t *testing.T, f contest.VideoFacts) {
				want := contest.VideoFacts{Brand: "isom", CompatibleBrands: []string{"isom", "iso2", "avc1", "mp41"},
					FormatName: "mov,mp4,m4a,3gp,3g2,mj2", StoredWidth: 1280, StoredHeight: 720,
					DisplayWidth: 1280, DisplayHeight: 720, VideoCodec: "h264", AudioCodec: "aac", HasVideo: true}
				got := f
				got.DurationSec, got.Size = 0, 0
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("facts (-want +got):\n%s", diff)
				}
				if f.DurationSec < 1.9 || f.DurationSec > 2.2 || f.Size <= 0 {
					t.Errorf("duration %v size %d", f.DurationSec, f.Size)
				}
			}},
		{"1080x1920 portrait passes", ffmpegtest.MustVideo(t, ffmpegtest.Video{Width: 1080, Height: 1920}), []string{}, []string{}, nil},
		{"960x540 rotated 90 shows 540x960: low resolution", ffmpegtest.MustVideo(t, ffmpegtest.Video{Width: 960, Height: 540, Rotate: 90}),
			[]string{"low_resolution"}, []string{}, func(t *testing.T, f contest.VideoFacts) {
				if f.Rotation != 90 && f.Rotation != 270 || f.DisplayWidth != 540 || f.DisplayHeight != 960 {
					t.Errorf("rotation %d display %dx%d, want a quarter turn and 540x960", f.Rotation, f.DisplayWidth, f.DisplayHeight)
				}
			}},
		{"720x1280 stored, rotated 90, passes", ffmpegtest.MustVideo(t, ffmpegtest.Video{Width: 720, Height: 1280, Rotate: 90}), []string{}, []string{},
			func(t *testing.T, f contest.VideoFacts) {
				if f.DisplayWidth != 1280 || f.DisplayHeight != 720 {
					t.Errorf("display %dx%d, want 1280x720", f.DisplayWidth, f.DisplayHeight)
				}
			}},
		{"QuickTime named .mp4 is not MP4", ffmpegtest.MustVideo(t, ffmpegtest.Video{Format: "mov"}), []string{"not_mp4"}, []string{},
			func(t *testing.T, f contest.VideoFacts) {
				if f.Brand != "qt  " {
					t.Errorf("brand %q, want qt", f.Brand)
				}
			}},
		{"Matroska named .mp4 is not MP4", ffmpegtest.MustVideo(t, ffmpegtest.Video{Format: "matroska"}), []string{"not_mp4"}, []string{}, nil},
		{"audio-only m4a has no video", ffmpegtest.MustVideo(t, ffmpegtest.Video{Codec: "none", Format: "ipod", Ext: ".m4a"}), []string{"no_video"}, []string{}, nil},
		{"truncated upload (moov at the end) is unreadable", ffmpegtest.MustVideo(t, ffmpegtest.Video{Duration: 4, Truncate: 0.5}), []string{"unreadable"}, []string{}, nil},
		{"truncated upload (faststart) is unreadable", ffmpegtest.MustVideo(t, ffmpegtest.Video{Duration: 4, Faststart: true, Truncate: 0.5}), []string{"unreadable"}, []string{}, nil},
		{"empty file is unreadable", empty, []string{"unreadable"}, []string{}, nil},
		// No tool reads a file without an ftyp box (see TestProbe_ReferencesAreNeverFollowed).
		{"text file is not MP4", notMedia, []string{"not_mp4"}, []string{}, nil},
		{"180 s passes", ffmpegtest.MustVideo(t, ffmpegtest.Video{Duration: 180}), []string{}, []string{}, nil},
		{"181 s is too long", ffmpegtest.MustVideo(t, ffmpegtest.Video{Duration: 181}), []string{"too_long"}, []string{}, nil},
	}
	t.Logf("fixtures generated in %v", time.Since(start))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, v := judge(t, tt.path)
			if diff := cmp.Diff(tt.want, reasonCodes(v.Reasons)); diff != "" {
				t.Errorf("reasons (-want +got):\n%s\nfacts: %+v", diff, f)
			}
			if diff := cmp.Diff(tt.warn, reasonCodes(v.Warnings)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}

func TestProbe_HEVCIsOnlyAWarning(t *testing.T) {
	if !ffmpegtest.HasEncoder(t, "libx265") {
		t.Skip("ffmpeg has no libx265")
	}
	f, v := judge(t, ffmpegtest.MustVideo(t, ffmpegtest.Video{Codec: "libx265"}))
	if !v.OK || f.VideoCodec != "hevc" {
		t.Errorf("verdict %+v facts %+v, want OK with hevc", v, f)
	}
	if diff := cmp.Diff([]string{"codec_not_browser_playable"}, reasonCodes(v.Warnings)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestProbe_CancelledContextIsNotAVerdict(t *testing.T) {
	ffmpegtest.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ffmpeg.Probe(ctx, ffmpegtest.MustVideo(t, ffmpegtest.Video{}))
	if err == nil || errors.Is(err, ffmpeg.ErrUnreadable) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled and not ErrUnreadable", err)
	}
}

func TestProbe_MissingFileIsAnError(t *testing.T) {
	_, err := ffmpeg.Probe(context.Background(), filepath.Join(t.TempDir(), "nope.mp4"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want os.ErrNotExist", err)
	}
}

// serve answers like a store: the file with range requests, or fail's status once stat has
// succeeded.
func serve(t *testing.T, path string, fail func(n int64) int) string {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch code := fail(n.Add(1)); code {
		case 0:
		case -1: // a proxy in trouble: bytes that are not the file's
			w.Header().Set("Content-Range", "bytes 0-4095/99999")
			w.WriteHeader(http.StatusPartialContent)
			w.Write(bytes.Repeat([]byte{0xde, 0xad}, 2048))
			return
		default:
			http.Error(w, "unavailable", code)
			return
		}
		http.ServeFile(w, r, path)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/stored.mp4?X-Amz-Signature=secret"
}

func TestProbe_ReadsAStoredFileByURL(t *testing.T) {
	ffmpegtest.Require(t)
	ok := func(int64) int { return 0 }
	for _, tt := range []struct {
		v         ffmpegtest.Video
		faststart bool
	}{{ffmpegtest.Video{Audio: true}, false}, {ffmpegtest.Video{Audio: true, Faststart: true}, true}} {
		path := ffmpegtest.MustVideo(t, tt.v)
		local, err := ffmpeg.Probe(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		remote, err := ffmpeg.Probe(context.Background(), serve(t, path, ok))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(local, remote); diff != "" || remote.Faststart != tt.faststart {
			t.Errorf("facts by URL differ from the local file's (-local +url):\n%s; faststart %v", diff, remote.Faststart)
		}
	}
}

func TestProbe_StorageFailingIsNotAVerdict(t *testing.T) {
	ffmpegtest.Require(t)
	path := ffmpegtest.MustVideo(t, ffmpegtest.Video{})
	for name, fail := range map[string]func(int64) int{
		"unreachable from the start":   func(int64) int { return http.StatusServiceUnavailable },
		"failing after the first read": func(n int64) int { return map[bool]int{true: http.StatusServiceUnavailable}[n > 1] },
		"failing once ffprobe reads":   func(n int64) int { return map[bool]int{true: http.StatusBadGateway}[n > 3] },
		// ffprobe sees garbage and calls the file invalid; asked again, storage fails.
		"garbage, then down": func(n int64) int {
			switch {
			case n <= 2:
				return 0
			case n <= 6:
				return -1
			}
			return http.StatusServiceUnavailable
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ffmpeg.Probe(context.Background(), serve(t, path, fail))
			if err == nil || errors.Is(err, ffmpeg.ErrUnreadable) {
				t.Fatalf("err = %v, want a storage error, not unreadable", err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error names the signed URL: %v", err)
			}
		})
	}
}

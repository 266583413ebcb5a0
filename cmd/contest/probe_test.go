package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

func runProbe(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(string) string { return "" }
	err := run(context.Background(), append([]string{"probe"}, args...), getenv, &out, &errOut)
	if err != nil {
		code = exitCode(err)
	}
	return out.String(), errOut.String(), code
}

// jsonLines decodes stdout as one JSON object per line.
func jsonLines(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimRight(stdout, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not a JSON object: %v", line, err)
		}
		objs = append(objs, m)
	}
	return objs
}

// probeOne runs `probe --json` on one file and returns its one JSON object, failing unless the
// exit status is want.
func probeOne(t *testing.T, file string, want int) map[string]any {
	t.Helper()
	stdout, stderr, code := runProbe(t, "--json", file)
	if code != want {
		t.Fatalf("exit %d, want %d; stderr %s", code, want, stderr)
	}
	objs := jsonLines(t, stdout)
	if len(objs) != 1 {
		t.Fatalf("%d objects, want exactly 1:\n%s", len(objs), stdout)
	}
	return objs[0]
}

func TestProbe_JSONPassPrintsOneObjectAndExitsZero(t *testing.T) {
	file := ffmpegtest.MustVideo(t, ffmpegtest.Video{Width: 720, Height: 1280, Rotate: 90, Audio: true})
	got := probeOne(t, file, 0)
	for _, k := range []string{"file", "ok", "reasons", "warnings", "brand", "duration_sec", "width", "height",
		"display_width", "display_height", "rotation", "video_codec", "audio_codec", "size"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing key %q in %v", k, got)
		}
	}
	want := map[string]any{"file": file, "ok": true, "reasons": []any{}, "brand": "isom", "width": 720.0, "height": 1280.0,
		"display_width": 1280.0, "display_height": 720.0, "video_codec": "h264", "audio_codec": "aac"}
	for k, v := range want {
		if diff := cmp.Diff(v, got[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	if r := got["rotation"]; r != 90.0 && r != 270.0 {
		t.Errorf("rotation %v, want a quarter turn", r)
	}
}

func TestProbe_JSONRejectedExitsOneWithReasons(t *testing.T) {
	pass := ffmpegtest.MustVideo(t, ffmpegtest.Video{})
	mov := ffmpegtest.MustVideo(t, ffmpegtest.Video{Format: "mov", Width: 960, Height: 540})
	got := probeOne(t, mov, 1)
	if got["ok"] != false || got["brand"] != "qt  " {
		t.Errorf("got %v", got)
	}
	var codes []string
	for _, r := range got["reasons"].([]any) {
		r := r.(map[string]any)
		if r["message"] == "" {
			t.Errorf("reason without message: %v", r)
		}
		codes = append(codes, r["code"].(string))
	}
	if diff := cmp.Diff([]string{"not_mp4", "low_resolution"}, codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}

	// Several files: one line each, in order; any rejection makes the status 1.
	stdout, _, code := runProbe(t, "--json", pass, mov)
	if objs := jsonLines(t, stdout); code != 1 || len(objs) != 2 || objs[0]["ok"] != true || objs[1]["ok"] != false {
		t.Errorf("exit %d, output:\n%s", code, stdout)
	}
}

func TestProbe_HumanOutputAndFlags(t *testing.T) {
	file := ffmpegtest.MustVideo(t, ffmpegtest.Video{Duration: 4})
	stdout, _, code := runProbe(t, file)
	if code != 0 || !strings.Contains(stdout, "通过") || strings.Contains(stdout, "未通过") {
		t.Errorf("exit %d, output %q", code, stdout)
	}
	stdout, _, code = runProbe(t, "--max-duration", "3", "--tolerance", "0", "--min-short-side", "1080", file)
	if code != 1 || !strings.Contains(stdout, "未通过") || !strings.Contains(stdout, "视频时长 4秒，超过3秒限制") ||
		!strings.Contains(stdout, "分辨率为 1280×720，短边低于1080像素") {
		t.Errorf("exit %d, output %q", code, stdout)
	}
}

func TestProbe_UsageErrorsExitTwo(t *testing.T) {
	for name, args := range map[string][]string{
		"no files":      {"--json"},
		"unknown flag":  {"--bogus", "a.mp4"},
		"bad number":    {"--max-duration", "three", "a.mp4"},
		"zero limit":    {"--min-short-side", "0", "a.mp4"},
		"negative tol.": {"--tolerance", "-1", "a.mp4"},
	} {
		t.Run(name, func(t *testing.T) {
			stdout, _, code := runProbe(t, args...)
			if code != 2 || stdout != "" {
				t.Errorf("exit %d stdout %q, want 2 and nothing", code, stdout)
			}
		})
	}
}

func TestProbe_MissingFileIsRejectedNotFatal(t *testing.T) {
	file := ffmpegtest.MustVideo(t, ffmpegtest.Video{})
	stdout, _, code := runProbe(t, "--json", "/nonexistent/x.mp4", file)
	objs := jsonLines(t, stdout)
	if code != 1 || len(objs) != 2 || objs[0]["ok"] != false || objs[1]["ok"] != true {
		t.Errorf("exit %d output:\n%s", code, stdout)
	}
}

func TestProbe_RejectedErrorIsStatusOne(t *testing.T) {
	var err error = rejectedError{rejected: 1, total: 2}
	if exitCode(err) != 1 || errors.Is(err, flag.ErrHelp) {
		t.Errorf("exitCode = %d", exitCode(err))
	}
}

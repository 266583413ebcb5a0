// Package ffmpegtest generates small media fixtures with the real ffmpeg for tests: videos of any
// size, length, rotation and container, audio-only files and truncated uploads. Fixtures are
// cached by their options for the life of the test binary, so tests can ask for the same file
// freely.
package ffmpegtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Video describes a fixture. The zero value is a 2-second 1280x720 H.264 MP4 at 1 frame/s.
type Video struct {
	Width, Height int     // default 1280x720
	Duration      float64 // seconds, default 2
	Rate          int     // frames per second, default 1 (keeps long fixtures fast and tiny)
	Codec         string  // video encoder: "libx264" (default), "libx265", or "none" for audio only
	Audio         bool    // add an AAC tone (always on when Codec is "none")
	Rotate        int     // rotate tag (degrees); ffmpeg 5.1 writes it as a display matrix
	Format        string  // ffmpeg muxer: "mp4" (default), "mov", "matroska", "ipod" (m4a) …
	Faststart     bool    // put the moov box first (-movflags +faststart)
	Truncate      float64 // keep only this fraction of the bytes (0: the whole file)
	Ext           string  // file extension, default ".mp4"
	Title         string  // a title in the file's metadata, as editors write one
}

// Require skips the test when ffmpeg or ffprobe is missing, or fails it when
// CONTEST_TEST_REQUIRE_ALL=1 (CI must not skip silently).
func Require(tb testing.TB) {
	tb.Helper()
	for _, prog := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(prog); err != nil {
			if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
				tb.Fatalf("%s is required (CONTEST_TEST_REQUIRE_ALL=1): %v", prog, err)
			}
			tb.Skipf("%s not installed: %v", prog, err)
		}
	}
}

// HasEncoder reports whether ffmpeg was built with the named encoder (e.g. "libx265").
func HasEncoder(tb testing.TB, name string) bool {
	tb.Helper()
	Require(tb)
	out, err := exec.Command("ffmpeg", "-hide_banner", "-encoders").Output()
	return err == nil && bytes.Contains(out, []byte(" "+name+" "))
}

var cache struct {
	sync.Mutex
	dir   string
	files map[string]string
}

// MustVideo returns the path of a fixture made to v, generating it on first use. Callers must
// not modify the file; copy it first.
func MustVideo(tb testing.TB, v Video) string {
	tb.Helper()
	Require(tb)
	v = v.withDefaults()
	key := fmt.Sprintf("%+v", v)
	cache.Lock()
	defer cache.Unlock()
	if p, ok := cache.files[key]; ok {
		return p
	}
	if cache.dir == "" {
		dir, err := os.MkdirTemp("", "contest-ffmpegtest-")
		if err != nil {
			tb.Fatal(err)
		}
		cache.dir, cache.files = dir, map[string]string{}
	}
	sum := sha256.Sum256([]byte(key))
	path := filepath.Join(cache.dir, hex.EncodeToString(sum[:8])+v.Ext)
	if err := v.generate(path); err != nil {
		tb.Fatalf("generate fixture %s: %v", key, err)
	}
	cache.files[key] = path
	return path
}

// Cleanup removes the cached fixtures; call it from TestMain after m.Run.
func Cleanup() {
	cache.Lock()
	defer cache.Unlock()
	if cache.dir != "" {
		os.RemoveAll(cache.dir)
		cache.dir, cache.files = "", nil
	}
}

func (v Video) withDefaults() Video {
	if v.Width == 0 && v.Height == 0 {
		v.Width, v.Height = 1280, 720
	}
	if v.Duration == 0 {
		v.Duration = 2
	}
	if v.Rate == 0 {
		v.Rate = 1
	}
	if v.Codec == "" {
		v.Codec = "libx264"
	}
	if v.Codec == "none" {
		v.Audio = true
	}
	if v.Format == "" {
		v.Format = "mp4"
	}
	if v.Ext == "" {
		v.Ext = ".mp4"
	}
	return v
}

func (v Video) generate(path string) error {
	dur := strconv.FormatFloat(v.Duration, 'f', -1, 64)
	args := []string{"-v", "error", "-y"}
	if v.Codec != "none" {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("testsrc=size=%dx%d:rate=%d", v.Width, v.Height, v.Rate))
	}
	if v.Audio {
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000")
	}
	args = append(args, "-t", dur)
	switch v.Codec {
	case "none":
		args = append(args, "-vn")
	case "libx265":
		args = append(args, "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-b:v", "20k",
			"-x265-params", "log-level=error")
		if v.Format == "mp4" || v.Format == "mov" {
			args = append(args, "-tag:v", "hvc1")
		}
	default:
		args = append(args, "-c:v", v.Codec, "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-b:v", "20k")
	}
	if v.Audio {
		args = append(args, "-c:a", "aac", "-b:a", "16k")
	}
	if v.Faststart {
		args = append(args, "-movflags", "+faststart")
	}
	if v.Title != "" {
		args = append(args, "-metadata", "title="+v.Title, "-metadata", "artist="+v.Title)
	}
	tmp := path + ".tmp"
	if err := ffmpeg(append(args, "-f", v.Format, tmp)...); err != nil {
		return err
	}
	if v.Rotate != 0 {
		// ffmpeg 5.1 drops a rotate tag given while encoding; a stream copy keeps it.
		rot := path + ".rot"
		copyArgs := []string{"-v", "error", "-y", "-i", tmp, "-c", "copy",
			"-metadata:s:v", "rotate=" + strconv.Itoa(v.Rotate)}
		if v.Faststart {
			copyArgs = append(copyArgs, "-movflags", "+faststart")
		}
		if err := ffmpeg(append(copyArgs, "-f", v.Format, rot)...); err != nil {
			return err
		}
		if err := os.Rename(rot, tmp); err != nil {
			return err
		}
	}
	if v.Truncate > 0 && v.Truncate < 1 {
		b, err := os.ReadFile(tmp)
		if err != nil {
			return err
		}
		if err := os.WriteFile(tmp, b[:int(float64(len(b))*v.Truncate)], 0o644); err != nil {
			return err
		}
	}
	return os.Rename(tmp, path)
}

func ffmpeg(args ...string) error {
	var stderr bytes.Buffer
	cmd := exec.Command("ffmpeg", args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ffmpeg %q: %v: %s", args, err, stderr.String())
	}
	return nil
}

// Package ffmpegtest generates small media fixtures with the real ffmpeg for tests: videos of any
// size, length, rotation and container, audio-only files and truncated uploads; pictures drawn
// from a pattern, with black stretches and burned-in (Chinese) text; tones of any volume with
// silences; and re-encoded, cropped or captioned copies of a fixture (Derive). Fixtures are
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
	"strings"
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

	// Picture: the lavfi source, a filter chain on it, black stretches and burned-in texts,
	// applied in that order (then the rotate tag, which only says how to display it).
	Pattern string // lavfi video source: "testsrc" (default), "testsrc2", "smptebars", "color=c=blue" …
	Filter  string // a filter chain on the source, e.g. "drawbox=x=0:y=0:w=20:h=ih:c=white:t=fill"
	Black   []Span // stretches of black picture
	Texts   []Text // texts burned into the picture

	// Sound (with Audio): a 440 Hz tone, its peak at -18 dBFS (about -21.6 LUFS), sampled at
	// 8 kHz, made louder or quieter by Volume and silenced over Silence.
	Volume  float64 // gain in dB: -40 for a quiet tone, +12 for a loud one
	Silence []Span  // stretches of digital silence (to within 0.128 s: the tone comes in frames of 1024 samples)
}

// Span is a stretch of a fixture, in seconds.
type Span struct{ From, To float64 }

// Text is a text burned into a fixture's picture with drawtext.
type Text struct {
	Text     string
	Size     int     // font size in pixels, default 48
	X, Y     string  // drawtext position expressions, default centred
	From, To float64 // shown from..to seconds; To 0 means to the end
	Color    string  // default white
	Box      bool    // on a black box
	Font     string  // font file, default DefaultFont
}

// DefaultFont is the font of burned-in texts, with Chinese glyphs; scripts/deps.sh installs it.
const DefaultFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

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
	for _, t := range v.Texts {
		if _, err := os.Stat(t.Font); err != nil {
			tb.Fatalf("font for burned-in text: %v (run scripts/deps.sh)", err)
		}
	}
	path := cachePath(tb, key, v.Ext)
	if err := v.generate(path); err != nil {
		tb.Fatalf("generate fixture %s: %v", key, err)
	}
	cache.files[key] = path
	return path
}

// cachePath names the cached file of key; the caller holds the cache's lock.
func cachePath(tb testing.TB, key, ext string) string {
	tb.Helper()
	if cache.dir == "" {
		dir, err := os.MkdirTemp("", "contest-ffmpegtest-")
		if err != nil {
			tb.Fatal(err)
		}
		cache.dir, cache.files = dir, map[string]string{}
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(cache.dir, hex.EncodeToString(sum[:8])+ext)
}

// Derive returns the path of a re-encoded copy of the fixture src (H.264 at the given CRF,
// 0 meaning 23; the sound copied), with the video filter chain vf applied if not empty: a
// crop, a scale, a caption. The copy is displayed as src is, with no rotate tag (ffmpeg turns
// the picture while decoding). Copies are cached like fixtures.
func Derive(tb testing.TB, src, vf string, crf int) string {
	tb.Helper()
	Require(tb)
	if crf == 0 {
		crf = 23
	}
	key := fmt.Sprintf("derive %q %q %d", src, vf, crf)
	cache.Lock()
	defer cache.Unlock()
	if p, ok := cache.files[key]; ok {
		return p
	}
	path := cachePath(tb, key, ".mp4")
	args := []string{"-v", "error", "-y", "-i", src, "-map", "0:v:0", "-map", "0:a:0?",
		"-c:v", "libx264", "-preset", "ultrafast", "-crf", strconv.Itoa(crf), "-pix_fmt", "yuv420p", "-c:a", "copy"}
	if vf != "" {
		args = append(args, "-vf", vf)
	}
	if err := ffmpeg(append(args, "-f", "mp4", path+".tmp")...); err != nil {
		tb.Fatalf("derive %s: %v", key, err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		tb.Fatal(err)
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
	if v.Pattern == "" {
		v.Pattern = "testsrc"
	}
	texts := make([]Text, len(v.Texts))
	for i, t := range v.Texts {
		if t.Size == 0 {
			t.Size = 48
		}
		if t.X == "" {
			t.X = "(w-text_w)/2"
		}
		if t.Y == "" {
			t.Y = "(h-text_h)/2"
		}
		if t.Color == "" {
			t.Color = "white"
		}
		if t.Font == "" {
			t.Font = DefaultFont
		}
		texts[i] = t
	}
	v.Texts = texts
	return v
}

// videoFilter is the filter chain drawing the picture's black stretches and texts; the texts
// are written to files beside path, which the caller removes.
func (v Video) videoFilter(path string) (string, []string, error) {
	var chain, files []string
	if v.Filter != "" {
		chain = append(chain, v.Filter)
	}
	for _, b := range v.Black {
		chain = append(chain, fmt.Sprintf("drawbox=c=black:t=fill:enable='between(t,%g,%g)'", b.From, b.To))
	}
	for i, t := range v.Texts {
		file := fmt.Sprintf("%s.text%d", path, i)
		if err := os.WriteFile(file, []byte(t.Text), 0o644); err != nil {
			return "", files, err
		}
		files = append(files, file)
		f := fmt.Sprintf("drawtext=fontfile=%s:textfile=%s:expansion=none:fontsize=%d:fontcolor=%s:x='%s':y='%s'",
			t.Font, file, t.Size, t.Color, t.X, t.Y)
		if t.Box {
			f += ":box=1:boxcolor=black:boxborderw=8"
		}
		if t.To > 0 {
			f += fmt.Sprintf(":enable='between(t,%g,%g)'", t.From, t.To)
		} else if t.From > 0 {
			f += fmt.Sprintf(":enable='gte(t,%g)'", t.From)
		}
		chain = append(chain, f)
	}
	return strings.Join(chain, ","), files, nil
}

// drawn says whether the picture was asked for (pattern, filter, black, texts): such fixtures
// are encoded at CRF 23 rather than 20 kbit/s, so that what is drawn stays legible.
func (v Video) drawn() bool {
	return v.Pattern != "testsrc" || v.Filter != "" || len(v.Black) > 0 || len(v.Texts) > 0
}

// audioFilter is the filter chain setting the tone's volume and silences.
func (v Video) audioFilter() string {
	var chain []string
	if v.Volume != 0 {
		chain = append(chain, fmt.Sprintf("volume=%gdB", v.Volume))
	}
	for _, s := range v.Silence {
		chain = append(chain, fmt.Sprintf("volume=0:enable='between(t,%g,%g)'", s.From, s.To))
	}
	return strings.Join(chain, ",")
}

func (v Video) generate(path string) error {
	dur := strconv.FormatFloat(v.Duration, 'f', -1, 64)
	args := []string{"-v", "error", "-y"}
	var vf, af string
	if v.Codec != "none" {
		sep := "="
		if strings.Contains(v.Pattern, "=") {
			sep = ":"
		}
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("%s%ssize=%dx%d:rate=%d", v.Pattern, sep, v.Width, v.Height, v.Rate))
		var files []string
		var err error
		vf, files, err = v.videoFilter(path)
		for _, f := range files {
			defer os.Remove(f)
		}
		if err != nil {
			return err
		}
	}
	if v.Audio {
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000")
		af = v.audioFilter()
	}
	if vf != "" {
		args = append(args, "-vf", vf)
	}
	if af != "" {
		args = append(args, "-af", af)
	}
	args = append(args, "-t", dur)
	// A drawn picture is kept legible; the default one only needs to exist.
	rate := []string{"-b:v", "20k"}
	if v.drawn() {
		rate = []string{"-crf", "23"}
	}
	switch v.Codec {
	case "none":
		args = append(args, "-vn")
	case "libx265":
		args = append(args, "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
		args = append(args, rate...)
		args = append(args, "-x265-params", "log-level=error")
		if v.Format == "mp4" || v.Format == "mov" {
			args = append(args, "-tag:v", "hvc1")
		}
	default:
		args = append(args, "-c:v", v.Codec, "-preset", "ultrafast", "-pix_fmt", "yuv420p")
		args = append(args, rate...)
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

// Package ffmpeg measures media files with ffprobe and turns what it reports into the domain's
// contest.VideoFacts. It also reads the MP4 ftyp box itself, because ffprobe names MP4 and
// QuickTime alike ("mov,mp4,m4a,3gp,3g2,mj2").
//
// ffprobe runs through os/exec rather than github.com/u2takey/ffmpeg-go: that library's
// Probe/ProbeWithTimeout build their own context from context.Background (a timeout at most),
// so a probe would not die with its request or job, and they discard ffprobe's stderr, which
// holds the only explanation of a failure. The command line is the same one ffmpeg-go builds.
package ffmpeg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strconv"
	"strings"

	"github.com/jskx/contest/internal/childproc"
	"github.com/jskx/contest/internal/contest"
)

// ErrUnreadable means the file is not a media file that can be judged: empty, truncated,
// corrupt, or without streams or a duration. Probe wraps it; the caller judges the file with
// readable=false. It is the domain's ErrUnreadableMedia.
var ErrUnreadable = contest.ErrUnreadableMedia

// ErrNotMP4 means the file does not start with an ftyp box, so no tool was run on it: it is
// the domain's ErrNotMP4Container.
var ErrNotMP4 = contest.ErrNotMP4Container

// ErrNotInstalled means the ffprobe program was not found on PATH.
var ErrNotInstalled = errors.New("ffprobe not found: install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg)")

// ftypReadLimit is how much of the file's start is read for the ftyp box; real ones are tens
// of bytes.
const ftypReadLimit = 4096

// Probe measures the media at input: a local file path, or an http(s) URL that answers range
// requests (a presigned GET of the stored object), of which only the boxes' headers and what
// ffprobe needs are read. When the file cannot be read as media the error wraps ErrUnreadable
// and the facts still carry what is known (size, brand). Other errors (a missing file, storage
// unreachable, ffprobe not installed, ctx cancelled) mean nothing was judged. ffprobe is
// killed when ctx is done.
func Probe(ctx context.Context, input string) (contest.VideoFacts, error) {
	var f contest.VideoFacts
	src, err := openInput(ctx, input)
	if err != nil {
		return f, err
	}
	defer src.Close()
	f.Size = src.size
	if f.Size == 0 {
		return f, fmt.Errorf("%w: empty file", ErrUnreadable)
	}

	head := make([]byte, min(f.Size, ftypReadLimit))
	if _, err := src.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return f, fmt.Errorf("read %s: %w", src.name, err)
	}
	// Only ISO base media reaches a tool. Other formats name further files and URLs that the
	// tools would open (HLS and other playlists, concat scripts): a "video" could make the
	// server fetch addresses on its network or read its own files.
	ft, err := ParseFtyp(head)
	if err != nil {
		f.FormatName = sniff(head)
		return f, fmt.Errorf("%w: %s", ErrNotMP4, err)
	}
	f.Brand, f.CompatibleBrands = ft.MajorBrand, ft.CompatibleBrands

	out, err := runFFprobe(ctx, src.ffInput)
	if errors.Is(err, ErrUnreadable) && isHTTP(input) {
		// ffprobe cannot tell a file it cannot read from a connection that failed; a file is
		// only judged unreadable when storage still serves it whole.
		if size, serr := src.stat(); serr != nil || size != f.Size {
			return f, fmt.Errorf("reading stored file failed (%v): %s", serr, strings.TrimPrefix(err.Error(), ErrUnreadable.Error()+": "))
		}
	}
	if err != nil {
		return f, err
	}
	if err := parseProbe(out, &f); err != nil {
		return f, err
	}
	layout, err := walkBoxes(src, f.Size)
	switch {
	case errors.Is(err, errTruncated):
		return f, fmt.Errorf("%w: %w", ErrUnreadable, err)
	case err != nil:
		return f, fmt.Errorf("read %s: %w", src.name, err)
	}
	f.Faststart = layout.faststart()
	return f, nil
}

// runFFprobe runs ffprobe on input and returns its JSON output.
func runFFprobe(ctx context.Context, input string) ([]byte, error) {
	args := append([]string{"-v", "error", "-print_format", "json", "-show_format", "-show_streams"}, inputArgs(input)...)
	cmd := exec.CommandContext(ctx, "ffprobe", append(args, "-i", input)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &limitedBuffer{b: &stderr, n: 4096}
	childproc.DieWithParent(cmd)
	err := cmd.Run()
	switch {
	case err == nil:
		return stdout.Bytes(), nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("ffprobe: %w", ctx.Err())
	case errors.Is(err, exec.ErrNotFound):
		return nil, ErrNotInstalled
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		msg := redact(stderr.String(), input)
		if isHTTP(input) && (strings.Contains(msg, "Server returned") || strings.Contains(msg, "Connection")) {
			return nil, fmt.Errorf("ffprobe: reading stored file: %s", msg) // storage, not the file
		}
		return nil, fmt.Errorf("%w: ffprobe: %s", ErrUnreadable, msg)
	}
	return nil, fmt.Errorf("ffprobe: %w", err)
}

// probeOutput is the part of ffprobe's JSON that the rules need.
type probeOutput struct {
	Streams []struct {
		CodecType   string            `json:"codec_type"`
		CodecName   string            `json:"codec_name"`
		Width       int               `json:"width"`
		Height      int               `json:"height"`
		Duration    string            `json:"duration"`
		Tags        map[string]string `json:"tags"`
		Disposition map[string]int    `json:"disposition"`
		SideData    []struct {
			Type     string   `json:"side_data_type"`
			Rotation *float64 `json:"rotation"`
		} `json:"side_data_list"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

// parseProbe fills f from ffprobe's JSON output.
func parseProbe(out []byte, f *contest.VideoFacts) error {
	var p probeOutput
	if err := json.Unmarshal(out, &p); err != nil {
		return fmt.Errorf("%w: ffprobe output: %w", ErrUnreadable, err)
	}
	f.FormatName = p.Format.FormatName
	f.DurationSec, _ = strconv.ParseFloat(p.Format.Duration, 64)
	for _, s := range p.Streams {
		if d, err := strconv.ParseFloat(s.Duration, 64); err == nil && p.Format.Duration == "" && d > f.DurationSec {
			f.DurationSec = d
		}
		switch s.CodecType {
		case "video":
			// Cover art in audio files is a one-frame "video" stream: not a video.
			if f.HasVideo || s.Disposition["attached_pic"] == 1 {
				continue
			}
			f.HasVideo, f.VideoCodec = true, s.CodecName
			f.StoredWidth, f.StoredHeight = s.Width, s.Height
			f.Rotation = streamRotation(s.Tags, s.SideData)
			f.DisplayWidth, f.DisplayHeight = contest.DisplaySize(s.Width, s.Height, f.Rotation)
		case "audio":
			if f.AudioCodec == "" {
				f.AudioCodec = s.CodecName
			}
		}
	}
	if len(p.Streams) == 0 {
		return fmt.Errorf("%w: no streams", ErrUnreadable)
	}
	if !(f.DurationSec > 0) || math.IsInf(f.DurationSec, 0) { // also NaN
		return fmt.Errorf("%w: no duration", ErrUnreadable)
	}
	return nil
}

// streamRotation reads the rotation from the display matrix (ffmpeg ≥ 5 reports it there, e.g.
// -90 for a phone held upright) or else from the older rotate tag.
func streamRotation(tags map[string]string, side []struct {
	Type     string   `json:"side_data_type"`
	Rotation *float64 `json:"rotation"`
}) int {
	for _, sd := range side {
		if sd.Type == "Display Matrix" && sd.Rotation != nil {
			return contest.NormalizeRotation(*sd.Rotation)
		}
	}
	if r, err := strconv.ParseFloat(tags["rotate"], 64); err == nil {
		return contest.NormalizeRotation(r)
	}
	return 0
}

// limitedBuffer keeps the first n bytes written to it and discards the rest, so a chatty
// ffprobe cannot fill memory.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

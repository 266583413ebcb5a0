package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// makeVideo writes a small valid MP4 into dir with ffmpeg: 3 s of 1280×720 test pattern, H.264,
// index first.
func makeVideo(ctx context.Context, dir string) (string, error) {
	path := filepath.Join(dir, "loadtest.mp4")
	cmd := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25",
		"-t", "3", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-movflags", "+faststart", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ffmpeg: %w: %s", err, out)
	}
	return path, nil
}

// video is one contestant's file: the base MP4 with a top-level `free` box appended that names
// the contestant, so every stored video differs and a video stored under the wrong work is
// found by the byte check. Players and checkers skip `free` boxes.
type video struct {
	base []byte
	tail []byte
}

func newVideo(base []byte, run string, i int) video {
	payload := fmt.Appendf(nil, "loadtest %s contestant %d", run, i)
	tail := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	tail = append(tail, "free"...)
	return video{base: base, tail: append(tail, payload...)}
}

func (v video) size() int64 { return int64(len(v.base) + len(v.tail)) }

// part copies the bytes [off, off+n).
func (v video) part(off, n int64) []byte {
	b := make([]byte, 0, n)
	if off < int64(len(v.base)) {
		b = append(b, v.base[off:min(off+n, int64(len(v.base)))]...)
	}
	start := max(off-int64(len(v.base)), 0)
	end := min(off+n-int64(len(v.base)), int64(len(v.tail)))
	if end > start {
		b = append(b, v.tail[start:end]...)
	}
	return b
}

// sha256 is the whole file's digest, to compare with the stored copy.
func (v video) sha256() [32]byte {
	h := sha256.New()
	h.Write(v.base)
	h.Write(v.tail)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// plan is the upload's parts: each one's SHA-256 (standard base64), and the composite checksum
// base64(sha256(sha256(p1)‖…‖sha256(pN)))-N the completion sends.
func (v video) plan(partSize int64, count int) (sums []string, composite string) {
	all := sha256.New()
	for n := range count {
		off := int64(n) * partSize
		s := sha256.Sum256(v.part(off, min(partSize, v.size()-off)))
		all.Write(s[:])
		sums = append(sums, base64.StdEncoding.EncodeToString(s[:]))
	}
	return sums, fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(all.Sum(nil)), count)
}

func readVideo(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 12 || string(b[4:8]) != "ftyp" {
		return nil, fmt.Errorf("%s is not an MP4 file (no ftyp box at the start)", path)
	}
	return b, nil
}

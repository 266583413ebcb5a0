package ffmpeg_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// bigFaststartVideo makes a 3-minute 1080p faststart MP4 of about 500 MB: 10 s of noise (which
// does not compress) at 22 Mbit/s, looped by stream copy.
func bigFaststartVideo(b *testing.B) string {
	b.Helper()
	ffmpegtest.Require(b)
	dir := b.TempDir()
	clip, big := filepath.Join(dir, "clip.mp4"), filepath.Join(dir, "big.mp4")
	for _, args := range [][]string{
		{"-f", "lavfi", "-i", "nullsrc=s=1920x1080:r=25,geq=random(1)*255:128:128", "-t", "10",
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-b:v", "22M", "-maxrate", "22M", "-bufsize", "22M", clip},
		{"-stream_loop", "17", "-i", clip, "-c", "copy", "-movflags", "+faststart", big},
	} {
		if out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput(); err != nil {
			b.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
	}
	return big
}

// countingServer serves path with range requests, as storage does, and counts the bytes sent.
func countingServer(b *testing.B, path string) (url string, sent *atomic.Int64) {
	sent = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(countingWriter{w, sent}, r, path)
	}))
	b.Cleanup(srv.Close)
	return srv.URL + "/video.mp4", sent
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// BenchmarkProbeBytesRead judges a 500 MB faststart file read from a range-serving store, as
// the check reads a stored video, and reports how many bytes it read; and the same for the
// poster frame.
func BenchmarkProbeBytesRead(b *testing.B) {
	big := bigFaststartVideo(b)
	st, err := os.Stat(big)
	if err != nil {
		b.Fatal(err)
	}
	url, sent := countingServer(b, big)
	ctx := context.Background()
	b.Run("judge", func(b *testing.B) {
		sent.Store(0)
		for b.Loop() {
			f, err := ffmpeg.Probe(ctx, url)
			if err != nil || !f.Faststart || f.DisplayHeight != 1080 {
				b.Fatalf("probe: %+v, %v", f, err)
			}
		}
		report(b, sent.Load(), st.Size())
	})
	b.Run("poster", func(b *testing.B) {
		sent.Store(0)
		for b.Loop() {
			if _, err := (ffmpeg.Tools{}).Poster(ctx, url, 3); err != nil {
				b.Fatal(err)
			}
		}
		report(b, sent.Load(), st.Size())
	})
}

func report(b *testing.B, sent, size int64) {
	per := float64(sent) / float64(b.N)
	b.ReportMetric(per/(1<<20), "MiB-read/op")
	b.ReportMetric(float64(size)/(1<<20), "MiB-file")
	b.ReportMetric(100*per/float64(size), "%-of-file")
	b.Logf("read %.2f MiB of a %.0f MiB file per run", per/(1<<20), float64(size)/(1<<20))
}

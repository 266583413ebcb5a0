package ffmpeg_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/tesseract"
	"github.com/jskx/contest/internal/tesseract/tesseracttest"
)

// benchScanVideo is the benchmark's video: 3 minutes of 1080p30 (testsrc2, a busy moving
// picture), H.264 High at preset medium as editors export, AAC stereo, with what the scan
// reads: a credit naming the maker and the unit in the first seconds, a subtitle line every
// 3 seconds throughout, a name caption at 1:00. Made once into the temporary folder (a few
// minutes), or CONTEST_BENCH_SCAN_VIDEO names a video of one's own.
func benchScanVideo(b *testing.B) string {
	if p := os.Getenv("CONTEST_BENCH_SCAN_VIDEO"); p != "" {
		return p
	}
	path := filepath.Join(os.TempDir(), "contest-bench-scan-1080p-180s.mp4")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	dir := b.TempDir()
	var filters []string
	text := func(i int, s string, size int, x, y string, from, to float64) {
		file := filepath.Join(dir, fmt.Sprintf("t%d.txt", i))
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
		filters = append(filters, fmt.Sprintf("drawtext=fontfile=%s:textfile=%s:expansion=none:fontsize=%d:fontcolor=white:borderw=2:bordercolor=black:x=%s:y=%s:enable='between(t,%g,%g)'",
			ffmpegtest.DefaultFont, file, size, x, y, from, to))
	}
	text(0, "稻田里的科研日记", 96, "(w-text_w)/2", "h/3", 0, 4)
	text(1, "主创：欧阳明哲　江苏省农业科学院", 56, "(w-text_w)/2", "h/2", 0, 4)
	text(2, "欧阳明哲 研究员", 52, "80", "h-220", 60, 64)
	lines := []string{"稻田里的清晨，露水还挂在叶尖", "我们每天记录每一株秧苗的长势", "病虫害的防治要看准时机", "数据告诉我们哪块田需要补肥",
		"科技让农民种地更省心", "这是我们团队三年的坚持"}
	for i := 0; i < 60; i++ {
		text(3+i, lines[i%len(lines)], 48, "(w-text_w)/2", "h-110", float64(i)*3, float64(i)*3+2.9)
	}
	script := filepath.Join(dir, "filters.txt")
	if err := os.WriteFile(script, []byte(strings.Join(filters, ",")), 0o644); err != nil {
		b.Fatal(err)
	}
	tmp := path + ".part.mp4"
	cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=180",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=180", "-filter_script:v", script,
		"-c:v", "libx264", "-preset", "medium", "-profile:v", "high", "-crf", "20", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-ac", "2", "-b:a", "128k", "-shortest", tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("making the benchmark video: %v: %s", err, out)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// cpuTimes are the process's own CPU time and its waited-for children's (ffmpeg, tesseract).
func cpuTimes() (self, children time.Duration) {
	var s, c syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &s)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &c)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(s.Utime) + tv(s.Stime), tv(c.Utime) + tv(c.Stime)
}

// BenchmarkContentScan scans a 3-minute 1080p video (decode once, sample, read text, match
// names and units, hash) against one bare ffmpeg decode of the same file in the same run:
// wall time and CPU (ours: the server's own plus ffmpeg's and tesseract's). Run it by hand:
//
//	go test ./internal/ffmpeg -run '^$' -bench ContentScan -benchtime 3x
func BenchmarkContentScan(b *testing.B) {
	ffmpegtest.Require(b)
	tesseracttest.Require(b)
	path := benchScanVideo(b)
	ctx := context.Background()
	facts, err := ffmpeg.Probe(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	reader := &tesseract.Reader{}
	var baseWall, baseCPU, scanWall, scanCPU time.Duration
	var f contest.ScanFindings
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		cpu, err := ffmpeg.DecodeBaseline(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		baseWall, baseCPU = baseWall+time.Since(start), baseCPU+cpu

		self0, child0 := cpuTimes()
		start = time.Now()
		f, _, err = contest.ScanContent(ctx, ffmpeg.Tools{}, reader, path, facts, []string{"欧阳明哲"}, []string{"江苏省农业科学院"})
		if err != nil {
			b.Fatal(err)
		}
		self1, child1 := cpuTimes()
		scanWall, scanCPU = scanWall+time.Since(start), scanCPU+(self1-self0)+(child1-child0)
	}
	n := float64(b.N)
	b.ReportMetric(baseWall.Seconds()/n, "decode-wall-s")
	b.ReportMetric(baseCPU.Seconds()/n, "decode-cpu-s")
	b.ReportMetric(scanWall.Seconds()/n, "scan-wall-s")
	b.ReportMetric(scanCPU.Seconds()/n, "scan-cpu-s")
	b.ReportMetric(float64(scanWall)/float64(baseWall), "wall-x")
	b.ReportMetric(float64(scanCPU)/float64(baseCPU), "cpu-x")
	b.ReportMetric(float64(f.FramesRead), "regions-read")
	b.ReportMetric(float64(len(f.Leaks)), "leaks")
	if !f.Subtitles.Present || len(f.Leaks) == 0 {
		b.Errorf("the benchmark's video: subtitles %+v, leaks %+v; the scan should find both", f.Subtitles, f.Leaks)
	}
}

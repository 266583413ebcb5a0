package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// probeFolder makes a folder of n videos, a mix of what contestants upload (hard links to a
// few fixtures), and returns their paths.
func probeFolder(tb testing.TB, n int) []string {
	tb.Helper()
	kinds := []ffmpegtest.Video{
		{Audio: true}, {Width: 1080, Height: 1920}, {Format: "mov"}, {Duration: 30, Audio: true, Faststart: true},
		{Width: 960, Height: 540, Rotate: 90}, {Format: "matroska"}, {Duration: 4, Truncate: 0.5},
	}
	dir := tb.TempDir()
	var files []string
	for i := range n {
		src := ffmpegtest.MustVideo(tb, kinds[i%len(kinds)])
		dst := filepath.Join(dir, fmt.Sprintf("%03d.mp4", i))
		if err := os.Link(src, dst); err != nil {
			tb.Fatal(err)
		}
		files = append(files, dst)
	}
	return files
}

func TestProbe_ParallelKeepsTheOrderOfTheArguments(t *testing.T) {
	files := probeFolder(t, 14)
	one, _, code1 := runProbe(t, append([]string{"--json", "-j", "1"}, files...)...)
	four, _, code4 := runProbe(t, append([]string{"--json", "-j", "4"}, files...)...)
	if one != four || code1 != 1 || code4 != 1 {
		t.Fatalf("-j 4 output differs from -j 1 (exit %d, %d)", code1, code4)
	}
	for i, obj := range jsonLines(t, four) {
		if obj["file"] != files[i] {
			t.Fatalf("line %d is %v, want %s", i, obj["file"], files[i])
		}
	}
}

// BenchmarkProbeFolder measures `contest probe` over a folder of 100 files, one at a time and
// two at once, against running bare ffprobe on each file in turn.
func BenchmarkProbeFolder(b *testing.B) {
	files := probeFolder(b, 100)
	for _, j := range []int{1, 2} {
		b.Run("contest-probe-j"+strconv.Itoa(j), func(b *testing.B) {
			for b.Loop() {
				err := run(context.Background(), append([]string{"probe", "--json", "-j", strconv.Itoa(j)}, files...),
					func(string) string { return "" }, io.Discard, io.Discard)
				if exitCode(err) == 2 || err != nil && fmt.Sprint(err) == "" {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
	b.Run("bare-ffprobe-sequential", func(b *testing.B) {
		for b.Loop() {
			for _, f := range files {
				// Exit status 1 on the unreadable files is expected.
				_ = exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-i", "file:"+f).Run()
			}
		}
		b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
	})
}

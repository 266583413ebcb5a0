package http_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/s3"
)

// TestUploadOneGiB sends a 1 GiB file through the whole protocol in 8 MiB parts on both
// backends and checks the stored object byte for byte.
func TestUploadOneGiB(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB upload skipped in -short mode")
	}
	forEachBackend(t, func(t *testing.T, e *env) {
		e.Configure(func(o *contest.Options) { o.Uploads.PartSize = 8 << 20 })
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		f := patternFile("一个很大的视频.mp4", 1<<30+12345)
		start := time.Now()
		got := c.Upload(s.ID, f)
		t.Logf("1 GiB uploaded in %v", time.Since(start).Round(time.Millisecond))
		if got.Video == nil || got.Video.Size != f.Size || !strings.HasSuffix(got.Video.Checksum, "-129") {
			t.Fatalf("video = %+v, want %d bytes in 129 parts", got.Video, f.Size)
		}
		if sum, n := c.VideoSHA256(s.ID); sum != f.SHA256(t) || n != f.Size {
			t.Fatalf("stored sha256 %s (%d bytes), file %s (%d bytes)", sum, n, f.SHA256(t), f.Size)
		}
	})
}

// BenchmarkUploadVsRawPut uploads the same 256 MiB file to the same MinIO twice per round:
// with a raw minio-go PutObject (the baseline), and through our protocol as a browser does it
// (part URLs from the API, 4 parts in flight, storage checking each part's SHA-256,
// completion). The parts' SHA-256 are computed before the clock starts: a browser hashes a part
// on the device while earlier ones are on the wire. It reports both rates and their ratio.
func BenchmarkUploadVsRawPut(b *testing.B) {
	e := MustEnv(b, "postgres+minio")
	e.Configure(func(o *contest.Options) { o.Uploads.PartSize = 8 << 20 })
	c := e.Client().SignUp("bench@example.org")
	s := c.Create(nil)
	const size = 256 << 20
	f := patternFile("bench.mp4", size)
	plan := uploadInfo{PartSize: 8 << 20, PartCount: size / (8 << 20)}
	f.Composite(b, plan) // hashes every part once
	m := e.Storage.(*s3.Multipart)
	ctx := context.Background()
	var raw, ours time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		_, err := m.Client().PutObject(ctx, m.Bucket(), "raw/bench.mp4", io.NewSectionReader(f, 0, size), size,
			minio.PutObjectOptions{ContentType: "video/mp4"})
		if err != nil {
			b.Fatal(err)
		}
		raw += time.Since(start)

		i++
		f.LastModified = int64(i) // another file each round: no resume
		start = time.Now()
		c.Upload(s.ID, f)
		ours += time.Since(start)
	}
	mb := float64(size) / (1 << 20) * float64(i)
	b.ReportMetric(mb/raw.Seconds(), "raw-MiB/s")
	b.ReportMetric(mb/ours.Seconds(), "ours-MiB/s")
	b.ReportMetric(raw.Seconds()/ours.Seconds(), "ratio")
}

// BenchmarkUploadMemory measures the peak resident memory of the process (server and client
// together, so an upper bound for the server) uploading 10 MiB, then 1 GiB, through the local
// folder, where every byte passes through the API. Run it once: -benchtime=1x.
func BenchmarkUploadMemory(b *testing.B) {
	e := MustEnv(b, "sqlite+localfs")
	e.Configure(func(o *contest.Options) { o.Uploads.PartSize = 8 << 20 })
	c := e.Client().SignUp("bench@example.org")
	s := c.Create(nil)
	for b.Loop() {
		c.Upload(s.ID, patternFile("small.mp4", 10<<20))
		small := peakRSS(b)
		c.Upload(s.ID, patternFile("large.mp4", 1<<30))
		large := peakRSS(b)
		b.ReportMetric(small, "peak-MiB-10MiB")
		b.ReportMetric(large, "peak-MiB-1GiB")
		b.ReportMetric(large-small, "growth-MiB")
	}
}

// peakRSS returns the process's peak resident set (VmHWM) in MiB.
func peakRSS(b *testing.B) float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status: ", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkLocalCompletion uploads 1 GiB through the API to the local folder (8 MiB parts, 4
// in flight, the part hashes computed before the clock starts, as a browser hashes while
// earlier parts are on the wire) and times the upload of the parts and the completion apart.
// Completion only checks the parts and renames the file, so it should cost a small fraction of
// the upload whatever the size. Run it once: -benchtime=1x.
//
//	go test -run '^$' -bench LocalCompletion -benchtime 1x ./internal/http/
func BenchmarkLocalCompletion(b *testing.B) {
	e := MustEnv(b, "sqlite+localfs")
	e.Configure(func(o *contest.Options) { o.Uploads.PartSize = 8 << 20 })
	c := e.Client().SignUp("bench@example.org")
	s := c.Create(nil)
	const size = 1 << 30
	f := patternFile("large.mp4", size)
	f.Composite(b, uploadInfo{PartSize: 8 << 20, PartCount: size / (8 << 20)})
	var parts, complete time.Duration
	i := 0
	for b.Loop() {
		i++
		f.LastModified = int64(i) // another file each round: no resume
		start := time.Now()
		u := c.StartUpload(s.ID, f)
		ns := make([]int, u.PartCount)
		for k := range ns {
			ns[k] = k + 1
		}
		c.SendParts(u, f, ns...)
		parts += time.Since(start)
		start = time.Now()
		if r := c.Complete(u, f); r.Status != http.StatusOK {
			b.Fatalf("complete = %d: %s", r.Status, r.Body)
		}
		complete += time.Since(start)
	}
	b.ReportMetric(parts.Seconds()/float64(i), "upload-s/GiB")
	b.ReportMetric(complete.Seconds()/float64(i)*1000, "complete-ms/GiB")
	b.ReportMetric(complete.Seconds()/parts.Seconds(), "ratio")
}

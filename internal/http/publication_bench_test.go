package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// BenchmarkCertificateZIP builds the ZIP of 1 000 winners' certificates as the background
// job does (render on every core, write the ZIP, store it), against a baseline measured in the
// same run: the same certificates rendered one after another on one core, into memory. It
// reports certificates per second for both and the size of one certificate.
//
//	go test -run '^$' -bench CertificateZIP -benchtime 1x -cpu 2 ./internal/http/
func BenchmarkCertificateZIP(b *testing.B) {
	ffmpegtest.Require(b)
	const winners = 1000
	e := MustEnv(b, "sqlite+localfs")
	ctx := context.Background()
	c, certs, org := e.SeedCertificates(winners)
	e.stopJobs() // the benchmark runs the export job itself
	now := *c.Publication.PublishedAt

	b.Run("job", func(b *testing.B) {
		var size int64
		var pdfBytes uint64
		for b.Loop() {
			j, err := e.Svc.StartExport(ctx, org, contest.ExportCertificates)
			if err != nil {
				b.Fatal(err)
			}
			if err := e.Svc.RunExport(ctx, contest.ExportArgs{ID: j.ID}, 1, true); err != nil {
				b.Fatal(err)
			}
			j, _ = e.Svc.Export(ctx, org, j.ID)
			_, rc, err := e.Svc.OpenExport(ctx, org, j.ID)
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			buf.ReadFrom(rc)
			rc.Close()
			z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil || len(z.File) != winners {
				b.Fatalf("zip: %v, %d files", err, len(z.File))
			}
			pdfBytes = z.File[0].UncompressedSize64
			size = j.Size
		}
		b.ReportMetric(float64(winners*b.N)/b.Elapsed().Seconds(), "certs/s")
		b.ReportMetric(float64(pdfBytes), "bytes/pdf")
		b.ReportMetric(float64(size)/winners, "zip-bytes/cert")
	})
	b.Run("baseline-sequential-render", func(b *testing.B) {
		r := mustCertificates(b)
		tmpl := c.Publication.Certificate
		for b.Loop() {
			for _, cert := range certs {
				var buf bytes.Buffer
				if err := r.RenderCertificate(&buf, tmpl.Doc(c, cert, "https://contest.example.org/verify/"+cert.Serial, now)); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(winners*b.N)/b.Elapsed().Seconds(), "certs/s")
	})
}

// SeedCertificates publishes the contest with n certificates of one real work (straight into
// the store: entering a thousand works through the API would take minutes), and returns the
// contest, the certificates and the organizer.
func (e *env) SeedCertificates(n int) (contest.Contest, []contest.Certificate, contest.User) {
	e.t.Helper()
	ctx := context.Background()
	_, work := e.SubmitWork("zhang@example.org", nil)
	c, err := e.Svc.CurrentContest(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	now := time.Date(2022, 5, 28, 10, 0, 0, 0, contest.Beijing)
	c.Publication.PublishedAt = &now
	certs := make([]contest.Certificate, n)
	for i := range certs {
		certs[i] = contest.Certificate{Serial: fmt.Sprintf("2022-%d-%04d-SEED%04d", 1+i%3, i+1, i), ContestID: c.ID, WorkID: work,
			Version: 1, Tier: contest.Tier(1 + i%3), Title: fmt.Sprintf("科技创新短视频作品第%d号", i+1),
			Names: []string{"张三", "李四", "王五"}, Employer: "省农业科学院", IssuedAt: now,
			Recipient: fmt.Sprintf("参与人%04d", i)} // one valid certificate per work and recipient
	}
	audit := contest.AuditEntry{ID: "seed", ActorID: "seed", Entity: "publication", EntityID: c.ID, Action: "publish", At: now}
	if err := e.DB.SavePublication(ctx, c, certs, nil, now, audit); err != nil {
		e.t.Fatal(err)
	}
	org, err := e.DB.UserByEmail(ctx, "organizer@example.org")
	if err != nil {
		e.t.Fatal(err)
	}
	return c, certs, org
}

package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
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
			j, err := e.Svc.Reports.StartExport(ctx, org, contest.ExportCertificates)
			if err != nil {
				b.Fatal(err)
			}
			if err := e.Svc.Reports.RunExport(ctx, contest.ExportArgs{ID: j.ID}, 1, true); err != nil {
				b.Fatal(err)
			}
			j, _ = e.Svc.Reports.Export(ctx, org, j.ID)
			_, rc, err := e.Svc.Reports.OpenExport(ctx, org, j.ID)
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
	c, err := e.Svc.Contests.CurrentContest(ctx)
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
	if err := e.Stores.SavePublication(ctx, c, certs, nil, now, audit, nil); err != nil {
		e.t.Fatal(err)
	}
	org, err := e.Stores.UserByEmail(ctx, "organizer@example.org")
	if err != nil {
		e.t.Fatal(err)
	}
	return c, certs, org
}

// BenchmarkPublicPages measures the public pages on announcement day, when everyone opens
// them: the results (100 winners) and the gallery, against /healthz (the router, middleware
// and a write of a small JSON body) measured in the same run, over real HTTP from parallel
// clients.
//
//	go test -run '^$' -bench PublicPages -benchtime 2000x -cpu 2 ./internal/http/
func BenchmarkPublicPages(b *testing.B) {
	ffmpegtest.Require(b)
	e := MustEnv(b, "sqlite+localfs")
	e.Configure(func(o *contest.Options) { o.MaxWorks = 100 }) // one owner stands in for 100 winners
	ctx := context.Background()
	owner, work := e.SubmitWork("zhang@example.org", nil)
	e.stopJobs()
	c, err := e.Svc.Contests.CurrentContest(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// One work with a video (the gallery plays it), 99 drafts standing in for the other winners
	// of the list: the snapshot, not the works, is what the results page reads.
	works := []string{work}
	for i := 1; i < 100; i++ {
		works = append(works, owner.Create(validInput()).ID)
	}
	results := make([]contest.Result, len(works))
	for i := range results {
		results[i] = contest.Result{WorkID: works[i], Tier: contest.Tier(1 + i*3/100), Rank: i + 1, Score: 90 - float64(i)/10,
			Title: fmt.Sprintf("科技创新短视频作品第%d号", i+1), Names: []string{"张三", "李四"}, Employer: "省农业科学院"}
	}
	now := time.Date(2022, 5, 28, 10, 0, 0, 0, contest.Beijing)
	end := now.Add(-time.Hour)
	c.Judging.AwardsConfirmedAt, c.Judging.AwardsVersion = &now, 1
	c.Publication.PublicityStart, c.Publication.PublicityEnd, c.Publication.PublicityVersion = &end, &end, 1
	c.Publication.PublishedAt = &now
	audit := contest.AuditEntry{ID: "bench", ActorID: "bench", Entity: "publication", EntityID: c.ID, Action: "publish", At: now}
	if err := e.Stores.SaveJudging(ctx, c); err != nil {
		b.Fatal(err)
	}
	if err := e.Stores.SavePublicity(ctx, c, results, audit, nil); err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/healthz", "/results", "/showcase", "/api/v1/results"} {
		b.Run(path, func(b *testing.B) {
			client := e.Server.Client()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := client.Get(e.Server.URL + path)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Fatalf("%s = %d", path, res.StatusCode)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

package http_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/jskx/contest/internal/backup"
	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	webhttp "github.com/jskx/contest/internal/http"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/pdf/pdftest"
	"github.com/jskx/contest/internal/pii"
	"github.com/jskx/contest/internal/s3"
)

// TestBackup_RestoreDrill is the restore drill: a contest with works, videos, reviews, a 公示
// and published certificates is backed up while its server runs, restored into a fresh
// database and a fresh bucket or folder, and a server over the restored data gives every
// video back byte for byte, opens the ID numbers with the key, finds works by ID number, and
// verifies every certificate.
func TestBackup_RestoreDrill(t *testing.T) {
	ffmpegtest.Require(t)
	pdftest.Require(t)
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			e := MustEnv(t, backend)
			org := e.Organizer()
			owners, ids := e.ConfirmAwards(org,
				workOf("量子之光", "省农业科学院", "江苏省南京市玄武区孝陵卫街50号"),
				workOf("稻浪", "东南大学", "江苏省苏州市姑苏区"),
				workOf("匠心", "省人民医院", "南京市鼓楼区"),
				workOf("未获奖的作品", "省气象局", "江苏省无锡市"))
			org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
			e.Clock.Set(afterPublicity)
			org.Must(http.StatusSeeOther, "POST", "/admin/publication/settings", url.Values{"publicity_days": {"5"}, "heading": {"获奖证书"},
				"body": {"{姓名}：\n你（们）创作的作品《{作品}》在{活动}中荣获{奖项}。"}, "issuer": {"省科学技术协会"}, "per_participant": {"1"}})
			org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)

			videos := map[string]string{}
			for i, id := range ids {
				sum, _ := owners[i].VideoSHA256(id)
				videos[id] = sum
			}
			var serials []string
			for _, owner := range owners[:3] {
				mustDoc(t, owner.Must(http.StatusOK, "GET", "/my", nil)).Find("a.certificate").Each(func(_ int, a *goquery.Selection) {
					href, _ := a.Attr("href")
					serials = append(serials, strings.TrimPrefix(href, "/certificates/"))
				})
			}
			if len(serials) != 9 {
				t.Fatalf("%d certificates before the backup, want 3 works × (the work + 2 participants)", len(serials))
			}

			// The backup, with the server running.
			dir := filepath.Join(t.TempDir(), "backup")
			m, err := backup.Backup(ctx, dir, backup.Source{DB: e.DB, Storage: e.Storage.(backup.Storage), StorageKind: backend, KeyFingerprints: e.box.Fingerprints()})
			if err != nil {
				t.Fatal(backup.Error(err))
			}
			if len(m.Missing) != 0 {
				t.Fatalf("files missing from the backup: %v", m.Missing)
			}
			inBackup := map[string]string{}
			for _, o := range m.Objects {
				inBackup[o.Key] = o.SHA256
			}
			referenced, err := e.DB.ReferencedKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(referenced) < len(ids) {
				t.Fatalf("the database names %d files, want at least the %d videos", len(referenced), len(ids))
			}

			// A fresh database and storage; another key is refused before anything is written.
			loader, storage, open := freshTarget(t, backend, e.box)
			other, _ := pii.New(bytes.Repeat([]byte{9}, pii.KeySize))
			if _, err := backup.Restore(ctx, dir, backup.Target{DB: loader, Storage: storage, KeyFingerprints: other.Fingerprints(), LatestSchema: db.LatestVersion()}); !strings.Contains(backup.Error(err), "密钥") {
				t.Fatalf("restore under another key = %v", err)
			}
			if _, err := backup.Restore(ctx, dir, backup.Target{DB: loader, Storage: storage, KeyFingerprints: e.box.Fingerprints(), LatestSchema: db.LatestVersion()}); err != nil {
				t.Fatal(backup.Error(err))
			}
			r := envOver(t, e, open(), storage)

			// Every video, byte for byte, through the restored server.
			for i, id := range ids {
				owner := r.Client()
				owner.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": fmt.Sprintf("owner%d@example.org", i), "password": "secret-pass"})
				if sum, _ := owner.VideoSHA256(id); sum != videos[id] {
					t.Errorf("work %d's video after the restore has SHA-256 %s, want %s", i, sum, videos[id])
				}
			}
			// The ID numbers open with the key, and the organizers' search by ID number finds them.
			s, err := r.Stores.SubmissionByID(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if s.Registration.ContactIDNumber != idZhang || len(s.Participants) != 2 || s.Participants[1].IDNumber != idLi {
				t.Fatalf("the restored ID numbers: contact %q, participants %+v", s.Registration.ContactIDNumber, s.Participants)
			}
			var found struct{ Total int }
			r.Organizer().Must(http.StatusOK, "POST", "/api/v1/admin/submissions/search", map[string]string{"id_number": idLi}).JSON(t, &found)
			if found.Total != len(ids) {
				t.Errorf("the search by ID number finds %d works after the restore, want %d", found.Total, len(ids))
			}
			// Every certificate verifies.
			anon := r.Client()
			for _, serial := range serials {
				if d := mustDoc(t, anon.Must(http.StatusOK, "GET", "/verify/"+serial, nil)); d.Find("#genuine").Length() != 1 {
					t.Errorf("certificate %s does not verify after the restore", serial)
				}
			}
		})
	}
}

// freshTarget returns an empty database (its loader, and a function to open it once loaded)
// and an empty storage of the backend.
func freshTarget(t *testing.T, backend string, box *pii.Box) (*db.Loader, backup.Storage, func() *db.DB) {
	t.Helper()
	var (
		url     string
		storage backup.Storage
	)
	if backend == "sqlite+localfs" {
		url = filepath.Join(t.TempDir(), "restored.db")
		st, err := localfs.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		storage = localfs.NewMultipart(st, webhttp.PartURL)
	} else {
		url = dbtest.MustOpenEmpty(t, db.Postgres, box).URL()
		m, err := s3.NewMultipart(context.Background(), mustMinIO(t), s3.PublicEndpoint{})
		if err != nil {
			t.Fatal(err)
		}
		storage = m
	}
	open := func() *db.DB {
		d, err := db.Open(context.Background(), url, "", box, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if err := d.CheckVersion(context.Background()); err != nil {
			t.Fatalf("the restored schema: %v", err)
		}
		return d
	}
	return db.NewLoader(url, "", slog.New(slog.DiscardHandler)), storage, open
}

// envOver is a service over a restored database and storage, with e's key and clock time.
func envOver(t *testing.T, e *env, d *db.DB, storage contest.Storage) *env {
	t.Helper()
	r := &env{t: t, Clock: &clock{t: e.Clock.Now()}, Log: &bytes.Buffer{}, JobSettings: testJobSettings, box: e.box,
		DB: d, Stores: d.Stores(), Storage: storage}
	r.start()
	var err error
	if r.Contest, err = r.Svc.Contests.CurrentContest(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

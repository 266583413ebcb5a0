package backup_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the seeding
	"github.com/minio/minio-go/v7"

	"github.com/jskx/contest/internal/backup"
	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/s3"
)

// BenchmarkBackup measures `contest backup` and `contest restore` on PostgreSQL and MinIO with
// 2 000 works and 2 000 videos of 1 MiB (2 000 MiB in all), against what an
// operator would do by hand in the same run: pg_dump plus a plain copy of every object with
// minio-go, and pg_restore plus a plain upload of every file. Both sides copy 4 objects at once.
// It is run by hand, not in the test suite (docs/benchmarks.md):
//
//	CONTEST_BENCH_BACKUP=1 go test -run '^$' -bench BenchmarkBackup -benchtime 1x -timeout 1h ./internal/backup/
//
// CONTEST_BENCH_BACKUP_WORKS and CONTEST_BENCH_BACKUP_ROUNDS change the size and the rounds.
func BenchmarkBackup(b *testing.B) {
	if os.Getenv("CONTEST_BENCH_BACKUP") != "1" {
		b.Skip("set CONTEST_BENCH_BACKUP=1 to run (2 GB of objects)")
	}
	works := envInt("CONTEST_BENCH_BACKUP_WORKS", 2000)
	rounds := envInt("CONTEST_BENCH_BACKUP_ROUNDS", 2)
	ctx := context.Background()
	box := dbtest.MustBox(b)
	d := dbtest.MustOpen(b, db.Postgres, box)
	src := mustBucket(b)
	seedWorks(b, d, works)
	seedVideos(b, d, src, 1<<20)
	if os.Getenv("CONTEST_BENCH_BACKUP_LOG") == "1" {
		t0 := time.Now()
		src.List(ctx, func(contest.ObjectInfo) error { return nil })
		t1 := time.Now()
		for range src.Client().ListObjects(ctx, src.Bucket(), minio.ListObjectsOptions{Recursive: true}) {
		}
		b.Logf("listing: with content types %v, without %v", t1.Sub(t0), time.Since(t1))
	}
	b.ResetTimer()
	var ours, theirs, theirsSynced, oursR, theirsR time.Duration
	for round := range rounds {
		work := b.TempDir()
		// Ours: contest backup.
		dir := filepath.Join(work, "backup")
		t0 := time.Now()
		m, err := backup.Backup(ctx, dir, backup.Source{DB: d, Storage: src, StorageKind: "s3", KeyFingerprints: box.Fingerprints(), Log: benchLog()})
		if err != nil {
			b.Fatal(backup.Error(err))
		}
		tb := time.Since(t0)
		// By hand: pg_dump and a plain copy loop.
		plain := filepath.Join(work, "plain")
		t0 = time.Now()
		plainBackup(b, d, src, plain)
		tp := time.Since(t0)
		// The same, made durable as ours is (pg_dump syncs its file; the copies are not).
		t0 = time.Now()
		if err := exec.Command("sync", "-f", plain).Run(); err != nil {
			b.Fatal(err)
		}
		tps := tp + time.Since(t0)

		// Ours: contest restore into a fresh database and bucket.
		empty := dbtest.MustOpenEmpty(b, db.Postgres, nil)
		dst := mustBucket(b)
		t0 = time.Now()
		if _, err := backup.Restore(ctx, dir, backup.Target{DB: db.NewLoader(empty.URL(), "", nil), Storage: dst, KeyFingerprints: box.Fingerprints(), LatestSchema: db.LatestVersion()}); err != nil {
			b.Fatal(backup.Error(err))
		}
		tr := time.Since(t0)
		// By hand: pg_restore and a plain upload loop.
		empty2 := dbtest.MustOpenEmpty(b, db.Postgres, nil)
		dst2 := mustBucket(b)
		t0 = time.Now()
		plainRestore(b, empty2.URL(), dst2, plain)
		tpr := time.Since(t0)

		b.Logf("round %d: %d works, %d files, %.0f MiB: backup %v (pg_dump + copy %v, %.2f×; then synced %v, %.2f×), restore %v (pg_restore + put %v, %.2f×)",
			round+1, works, len(m.Objects), float64(m.Bytes())/(1<<20), tb.Round(time.Millisecond), tp.Round(time.Millisecond), tb.Seconds()/tp.Seconds(),
			tps.Round(time.Millisecond), tb.Seconds()/tps.Seconds(),
			tr.Round(time.Millisecond), tpr.Round(time.Millisecond), tr.Seconds()/tpr.Seconds())
		ours, theirs, theirsSynced, oursR, theirsR = ours+tb, theirs+tp, theirsSynced+tps, oursR+tr, theirsR+tpr
		os.RemoveAll(work)
		emptyBucket(b, dst)
		emptyBucket(b, dst2)
	}
	b.ReportMetric(ours.Seconds()/float64(rounds), "backup-s")
	b.ReportMetric(theirs.Seconds()/float64(rounds), "pgdump+copy-s")
	b.ReportMetric(ours.Seconds()/theirs.Seconds(), "backup-ratio")
	b.ReportMetric(ours.Seconds()/theirsSynced.Seconds(), "backup-ratio-synced")
	b.ReportMetric(oursR.Seconds()/float64(rounds), "restore-s")
	b.ReportMetric(theirsR.Seconds()/float64(rounds), "pgrestore+put-s")
	b.ReportMetric(oursR.Seconds()/theirsR.Seconds(), "restore-ratio")
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}

// seedWorks stores n works of two participants each (ID numbers sealed), each naming a video.
func seedWorks(b *testing.B, d *db.DB, n int) {
	ctx := context.Background()
	now := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)
	st := d.Stores()
	c := contest.DefaultContest()
	c.ID, c.CreatedAt, c.UpdatedAt = contest.NewID(), now, now
	if err := st.CreateContest(ctx, &c); err != nil {
		b.Fatal(err)
	}
	u := contest.User{ID: contest.NewID(), Email: "z@example.org", Name: "张三", Role: contest.RoleContestant, PasswordHash: "x", CreatedAt: now}
	if err := st.CreateUser(ctx, &u); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		s := contest.Submission{
			ID: contest.NewID(), ContestID: c.ID, OwnerID: u.ID, Reference: contest.WorkReference(c, int64(i+1)), Status: contest.StatusDraft, CreatedAt: now, UpdatedAt: now,
			Registration: contest.Registration{Title: fmt.Sprintf("作品 %d", i), LeadName: "张三", ContactIDType: contest.IDResident,
				ContactIDNumber: "11010519491231002X", Mobile: "13800138000", Email: "z@example.org", Description: "以田间地头为背景，记录青年科技工作者的一天。"},
			Participants: []contest.Participant{
				{ID: contest.NewID(), Name: "张三", IDType: contest.IDResident, IDNumber: "11010519491231002X", ConsentToken: contest.NewID()},
				{ID: contest.NewID(), Name: "李四", IDType: contest.IDResident, IDNumber: "110105198001010016", ConsentToken: contest.NewID()},
			},
		}
		if err := st.CreateSubmission(ctx, &s, nil); err != nil {
			b.Fatal(err)
		}
	}
	conn, err := sql.Open("pgx", d.URL())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "UPDATE submissions SET video_key = 'videos/' || id || '.mp4', video_uploaded_at = created_at"); err != nil {
		b.Fatal(err)
	}
}

// seedVideos puts a random object of size bytes under every video key the database names.
func seedVideos(b *testing.B, d *db.DB, s *s3.Store, size int) {
	keys, err := d.ReferencedKeys(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, size)
	inParallel(b, len(keys), func(i int) error {
		b := make([]byte, size)
		copy(b, buf)
		rand.Read(b[:64]) // each object its own bytes, so no store can deduplicate
		return s.Put(context.Background(), keys[i], bytesReader(b), int64(size), "video/mp4")
	})
}

// plainBackup is pg_dump and a plain minio-go copy of every object into dir.
func plainBackup(b *testing.B, d *db.DB, s *s3.Store, dir string) {
	ctx := context.Background()
	if err := os.MkdirAll(filepath.Join(dir, "objects"), 0o700); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command("pg_dump", "--format=custom", "--file="+filepath.Join(dir, "db.pgdump"), "--dbname="+d.URL()).CombinedOutput(); err != nil {
		b.Fatalf("pg_dump: %v: %s", err, out)
	}
	var keys []string
	for o := range s.Client().ListObjects(ctx, s.Bucket(), minio.ListObjectsOptions{Recursive: true}) {
		keys = append(keys, o.Key)
	}
	inParallel(b, len(keys), func(i int) error {
		path := filepath.Join(dir, "objects", filepath.FromSlash(keys[i]))
		os.MkdirAll(filepath.Dir(path), 0o700)
		return s.Client().FGetObject(ctx, s.Bucket(), keys[i], path, minio.GetObjectOptions{})
	})
}

// plainRestore is pg_restore and a plain minio-go upload of every file in dir.
func plainRestore(b *testing.B, url string, s *s3.Store, dir string) {
	ctx := context.Background()
	if out, err := exec.Command("pg_restore", "--no-owner", "--no-privileges", "--dbname="+url, filepath.Join(dir, "db.pgdump")).CombinedOutput(); err != nil {
		b.Fatalf("pg_restore: %v: %s", err, out)
	}
	root := filepath.Join(dir, "objects")
	var files []string
	filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			files = append(files, path)
		}
		return err
	})
	inParallel(b, len(files), func(i int) error {
		rel, _ := filepath.Rel(root, files[i])
		_, err := s.Client().FPutObject(ctx, s.Bucket(), filepath.ToSlash(rel), files[i], minio.PutObjectOptions{ContentType: "video/mp4"})
		return err
	})
}

// inParallel runs fn for 0..n-1, four at a time, as the backup does.
func inParallel(b *testing.B, n int, fn func(i int) error) {
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, n)
	for range backup.DefaultWorkers {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func emptyBucket(b *testing.B, s *s3.Store) {
	ctx := context.Background()
	objs := s.Client().ListObjects(ctx, s.Bucket(), minio.ListObjectsOptions{Recursive: true})
	for e := range s.Client().RemoveObjects(ctx, s.Bucket(), objs, minio.RemoveObjectsOptions{}) {
		b.Logf("remove %s: %v", e.ObjectName, e.Err)
	}
}

type byteReader struct {
	b   []byte
	off int
}

func bytesReader(b []byte) io.Reader { return &byteReader{b: b} }

func (r *byteReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}

// benchLog shows the steps' times with -v when CONTEST_BENCH_BACKUP_LOG=1.
func benchLog() *slog.Logger {
	if os.Getenv("CONTEST_BENCH_BACKUP_LOG") != "1" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

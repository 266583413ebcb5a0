package backup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/backup"
	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/pii"
	"github.com/jskx/contest/internal/s3"
	"github.com/jskx/contest/internal/storagetest"
)

// side is one backend's database and storage, with what a restore needs to write into it.
type side struct {
	DB      *db.DB
	Loader  *db.Loader
	Storage backup.Storage
	Kind    string
}

// mustSide opens a fresh, migrated database and an empty storage of the backend.
func mustSide(t *testing.T, backend string, box *pii.Box) side {
	t.Helper()
	d := dbtest.MustOpen(t, backend, box)
	s := side{DB: d, Loader: db.NewLoader(d.URL(), "", nil)}
	if backend == db.SQLite {
		st, err := localfs.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		s.Storage, s.Kind = st, "localfs"
	} else {
		s.Storage, s.Kind = mustBucket(t), "s3"
	}
	return s
}

// mustEmptySide is a database that does not exist yet (SQLite) or has no tables (PostgreSQL),
// and an empty storage.
func mustEmptySide(t *testing.T, backend string) side {
	t.Helper()
	if backend == db.SQLite {
		st, err := localfs.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return side{Loader: db.NewLoader(filepath.Join(t.TempDir(), "restored.db"), "", nil), Storage: st, Kind: "localfs"}
	}
	d := dbtest.MustOpenEmpty(t, db.Postgres, nil)
	return side{Loader: db.NewLoader(d.URL(), "", nil), Storage: mustBucket(t), Kind: "s3"}
}

func mustBucket(t testing.TB) *s3.Store {
	t.Helper()
	endpoint, access, secret := storagetest.MinIOConfigFromEnv(t)
	st, err := s3.New(t.Context(), s3.Config{Endpoint: endpoint, AccessKey: access, SecretKey: secret, Bucket: "test-backup-" + storagetest.RandomHex(t, 6)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		st.List(ctx, func(o contest.ObjectInfo) error { return st.Delete(ctx, o.Key) })
		st.Client().RemoveBucket(ctx, st.Bucket())
	})
	return st
}

func mustBackup(t *testing.T, s side, box *pii.Box) (string, backup.Manifest) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "backup")
	m, err := backup.Backup(t.Context(), dir, backup.Source{DB: s.DB, Storage: s.Storage, StorageKind: s.Kind, KeyFingerprints: box.Fingerprints()})
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

func target(s side, box *pii.Box) backup.Target {
	return backup.Target{DB: s.Loader, Storage: s.Storage, KeyFingerprints: box.Fingerprints(), LatestSchema: db.LatestVersion()}
}

func TestBackupRestore_RoundTripsTheDatabaseAndEveryFile(t *testing.T) {
	for _, backend := range dbtest.Dialects {
		t.Run(backend, func(t *testing.T) {
			ctx := t.Context()
			box := dbtest.MustBox(t)
			src := mustSide(t, backend, box)
			seeded := contest.DefaultContest()
			seeded.ID, seeded.Slug = contest.SeedContestID, "seeded"
			seeded.CreatedAt, seeded.UpdatedAt = time.Now(), time.Now()
			if err := src.DB.Stores().CreateContest(ctx, &seeded); err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{"videos/a/work.mp4": storagetest.RandomBytes(t, 3<<20+5), "consent/b.pdf": storagetest.RandomBytes(t, 100), "empty.txt": nil}
			for k, b := range files {
				storagetest.MustPut(t, src.Storage, k, b, "video/mp4")
			}
			dir, m := mustBackup(t, src, box)
			if len(m.Objects) != 3 || m.KeyFingerprint != box.Fingerprint() || m.SchemaVersion != db.LatestVersion() || m.Database.Dialect != backend {
				t.Fatalf("manifest %+v", m)
			}
			for _, p := range []string{dir, filepath.Join(dir, backup.ManifestFile), filepath.Join(dir, m.Database.File), filepath.Join(dir, "objects", "videos", "a", "work.mp4")} {
				if st, err := os.Stat(p); err != nil || st.Mode().Perm()&0o077 != 0 {
					t.Errorf("%s: %v, mode %v; want private to its owner", p, err, st.Mode())
				}
			}
			raw, _ := os.ReadFile(filepath.Join(dir, backup.ManifestFile))
			if bytes.Contains(raw, []byte("dbtest key")) {
				t.Fatal("the manifest holds the key")
			}

			dst := mustEmptySide(t, backend)
			if _, err := backup.Restore(ctx, dir, target(dst, box)); err != nil {
				t.Fatal(backup.Error(err))
			}
			for k, b := range files {
				if got := storagetest.MustGet(t, dst.Storage, k); !bytes.Equal(got, b) {
					t.Errorf("%s restored with %d bytes, want %d", k, len(got), len(b))
				}
			}
			if dst.Kind == "s3" { // the bucket keeps content types: restored with each object
				dst.Storage.List(ctx, func(o contest.ObjectInfo) error {
					if o.ContentType != "video/mp4" {
						t.Errorf("%s restored as %q, want video/mp4", o.Key, o.ContentType)
					}
					return nil
				})
			}
			restored, err := db.Open(ctx, dst.Loader.URL(), "", box, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer restored.Close()
			if err := restored.CheckVersion(ctx); err != nil {
				t.Fatalf("the restored schema: %v", err)
			}
			if c, err := restored.Stores().CurrentContest(ctx); err != nil || c.Name != contest.DefaultContest().Name {
				t.Fatalf("the restored contest: %+v, %v", c.Name, err)
			}

			// Restoring again into the now full database and storage is refused.
			if _, err := backup.Restore(ctx, dir, target(dst, box)); contest.ErrorCode(err) != contest.EConflict || !strings.Contains(backup.Error(err), "不是空的") {
				t.Fatalf("restore into a full target = %v", err)
			}
		})
	}
}

func TestRestore_RefusesAnotherKey(t *testing.T) {
	box := dbtest.MustBox(t)
	src := mustSide(t, db.SQLite, box)
	dir, _ := mustBackup(t, src, box)
	other, _ := pii.New(bytes.Repeat([]byte{7}, pii.KeySize))
	dst := mustEmptySide(t, db.SQLite)
	_, err := backup.Restore(t.Context(), dir, target(dst, other))
	if !errors.Is(err, backup.ErrKeyMismatch) || !strings.Contains(backup.Error(err), "CONTEST_SECRET_KEY") || !strings.Contains(backup.Error(err), "密钥") {
		t.Fatalf("restore under another key = %v", err)
	}
	if empty, err := dst.Loader.Empty(t.Context()); err != nil || !empty {
		t.Fatalf("the refused restore wrote the database (empty %v, %v)", empty, err)
	}
}

func TestRestore_DamagedOrMissingFileIsReportedAndNothingWritten(t *testing.T) {
	for _, backend := range dbtest.Dialects {
		t.Run(backend, func(t *testing.T) { damagedBackup(t, backend) })
	}
}

func damagedBackup(t *testing.T, backend string) {
	box := dbtest.MustBox(t)
	src := mustSide(t, backend, box)
	storagetest.MustPut(t, src.Storage, "videos/x.mp4", storagetest.RandomBytes(t, 4096), "video/mp4")
	storagetest.MustPut(t, src.Storage, "videos/y.mp4", storagetest.RandomBytes(t, 4096), "video/mp4")
	dir, _ := mustBackup(t, src, box)
	// One byte changed in one file, another file gone.
	path := filepath.Join(dir, "objects", "videos", "x.mp4")
	b, _ := os.ReadFile(path)
	b[100] ^= 1
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "objects", "videos", "y.mp4"))

	dst := mustEmptySide(t, backend)
	_, err := backup.Restore(t.Context(), dir, target(dst, box))
	msg := backup.Error(err)
	if !strings.Contains(msg, "objects/videos/x.mp4：SHA-256 不符") || !strings.Contains(msg, "objects/videos/y.mp4：缺失") || !strings.Contains(msg, "未写入任何数据") {
		t.Fatalf("restore of a damaged backup = %v", msg)
	}
	if empty, _ := dst.Loader.Empty(t.Context()); !empty {
		t.Fatal("the database was written although the backup is damaged")
	}
	n := 0
	dst.Storage.List(t.Context(), func(contest.ObjectInfo) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d files were written although the backup is damaged", n)
	}
}

// lostFile is a database that names one file more than the storage has.
type lostFile struct{ *db.DB }

func (l lostFile) ReferencedKeys(ctx context.Context) ([]string, error) {
	keys, err := l.DB.ReferencedKeys(ctx)
	return append(keys, "videos/lost.mp4"), err
}

func TestBackup_ReportsFilesTheDatabaseNamesButStorageLacks(t *testing.T) {
	box := dbtest.MustBox(t)
	src := mustSide(t, db.SQLite, box)
	storagetest.MustPut(t, src.Storage, "videos/here.mp4", []byte("x"), "video/mp4")
	var log bytes.Buffer
	m, err := backup.Backup(t.Context(), filepath.Join(t.TempDir(), "b"), backup.Source{DB: lostFile{src.DB}, Storage: src.Storage,
		KeyFingerprints: box.Fingerprints(), Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Missing) != 1 || m.Missing[0] != "videos/lost.mp4" || len(m.Objects) != 1 || !strings.Contains(log.String(), "videos/lost.mp4") {
		t.Fatalf("missing %v, objects %v, log:\n%s", m.Missing, m.Objects, log.String())
	}
}

func TestBackup_RefusesAFolderThatIsNotEmpty(t *testing.T) {
	box := dbtest.MustBox(t)
	src := mustSide(t, db.SQLite, box)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o600)
	_, err := backup.Backup(t.Context(), dir, backup.Source{DB: src.DB, Storage: src.Storage, KeyFingerprints: box.Fingerprints()})
	if contest.ErrorCode(err) != contest.EInvalid || !strings.Contains(backup.Error(err), "不是空文件夹") {
		t.Fatalf("backup into a folder with a file = %v", err)
	}
}

func TestRestore_RefusesAManifestItCannotFollow(t *testing.T) {
	box := dbtest.MustBox(t)
	src := mustSide(t, db.SQLite, box)
	storagetest.MustPut(t, src.Storage, "videos/x.mp4", []byte("x"), "video/mp4")
	dir, m := mustBackup(t, src, box)
	for name, tc := range map[string]struct {
		change func(*backup.Manifest)
		want   string
	}{
		"a key leaving the folder": {func(m *backup.Manifest) { m.Objects[0].Key = "../../etc/passwd" }, "文件路径"},
		"a newer schema":           {func(m *backup.Manifest) { m.SchemaVersion = db.LatestVersion() + 1 }, "比此程序"},
		"a newer format":           {func(m *backup.Manifest) { m.Format = backup.FormatVersion + 1 }, "备份格式"},
		"another dialect":          {func(m *backup.Manifest) { m.Database.Dialect = db.Postgres }, "备份的数据库是 postgres"},
	} {
		t.Run(name, func(t *testing.T) {
			changed := m
			changed.Objects = append([]backup.Object(nil), m.Objects...)
			tc.change(&changed)
			b, _ := json.Marshal(changed)
			if err := os.WriteFile(filepath.Join(dir, backup.ManifestFile), b, 0o600); err != nil {
				t.Fatal(err)
			}
			dst := mustEmptySide(t, db.SQLite)
			if _, err := backup.Restore(t.Context(), dir, target(dst, box)); !strings.Contains(backup.Error(err), tc.want) {
				t.Fatalf("restore = %v, want %q", err, tc.want)
			}
		})
	}
	os.Remove(filepath.Join(dir, backup.ManifestFile))
	if _, err := backup.Restore(t.Context(), dir, target(mustEmptySide(t, db.SQLite), box)); !strings.Contains(backup.Error(err), "备份没有完成") {
		t.Fatalf("restore without a manifest = %v", err)
	}
}

// TestRestore_KeysOfARotation: a backup made before a rotation restores under the new key when
// the old one is configured as the previous key; a backup made during a rotation needs both.
func TestRestore_KeysOfARotation(t *testing.T) {
	old := dbtest.MustBox(t)
	oldKey := make([]byte, pii.KeySize)
	copy(oldKey, "dbtest key, never used in prod") // dbtest.MustBox's
	newKey := bytes.Repeat([]byte{7}, pii.KeySize)
	onlyNew, _ := pii.New(newKey)
	rotating, _ := pii.New(newKey, oldKey)
	if rotating.Fingerprints()[1] != old.Fingerprint() {
		t.Fatal("the test's old key is not dbtest's")
	}
	src := mustSide(t, db.SQLite, old)
	before, _ := mustBackup(t, src, old)
	during := filepath.Join(t.TempDir(), "during")
	if _, err := backup.Backup(t.Context(), during, backup.Source{DB: src.DB, Storage: src.Storage, KeyFingerprints: rotating.Fingerprints()}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir string
		box       *pii.Box
		refusal   string // "" when the restore is taken
	}{
		{"made before, the new key only", before, onlyNew, "CONTEST_PREVIOUS_SECRET_KEY"},
		{"made before, the new key and the old as previous", before, rotating, ""},
		{"made during, the new key only", during, onlyNew, "轮换"},
		{"made during, both keys", during, rotating, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backup.Restore(t.Context(), tc.dir, target(mustEmptySide(t, db.SQLite), tc.box))
			if tc.refusal == "" && err != nil || tc.refusal != "" && (!errors.Is(err, backup.ErrKeyMismatch) || !strings.Contains(backup.Error(err), tc.refusal)) {
				t.Fatalf("restore = %v, want refusal %q", err, tc.refusal)
			}
		})
	}
}

// A backup folder someone tampered with cannot make a restore read another file of the server
// (its key, say) into the bucket through a symbolic link, even one whose bytes match.
func TestRestore_RefusesASymbolicLinkInTheBackup(t *testing.T) {
	box := dbtest.MustBox(t)
	src := mustSide(t, db.SQLite, box)
	data := storagetest.RandomBytes(t, 2048)
	storagetest.MustPut(t, src.Storage, "videos/x.mp4", data, "video/mp4")
	dir, _ := mustBackup(t, src, box)
	elsewhere := filepath.Join(t.TempDir(), "secret.key")
	if err := os.WriteFile(elsewhere, data, 0o600); err != nil { // the same bytes: the checksum alone would pass
		t.Fatal(err)
	}
	path := filepath.Join(dir, "objects", "videos", "x.mp4")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, path); err != nil {
		t.Fatal(err)
	}
	dst := mustEmptySide(t, db.SQLite)
	if _, err := backup.Restore(t.Context(), dir, target(dst, box)); err == nil || !strings.Contains(backup.Error(err), "x.mp4") {
		t.Fatalf("restore through a symbolic link = %v, want it refused", err)
	}
	n := 0
	dst.Storage.List(t.Context(), func(contest.ObjectInfo) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d files were written through a tampered backup", n)
	}
}

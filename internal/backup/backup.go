package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// DefaultWorkers is how many objects are copied at once.
const DefaultWorkers = 4

// Dumper is the database a backup copies (*db.DB).
type Dumper interface {
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	SchemaVersion(ctx context.Context) (int64, error)
	// Dump writes a consistent copy of the database to path, which does not exist yet.
	Dump(ctx context.Context, path string) error
	// ReferencedKeys are the storage keys the database names.
	ReferencedKeys(ctx context.Context) ([]string, error)
}

// Storage is the storage a backup reads and a restore writes.
type Storage interface {
	contest.Storage
	contest.ObjectLister
}

// Source is what a backup copies.
type Source struct {
	DB      Dumper
	Storage Storage
	// StorageKind is "localfs" or "s3", for the manifest.
	StorageKind string
	// KeyFingerprints name the keys the personal numbers are sealed with (pii.Box's
	// Fingerprints): the current key's first, then those of a rotation's previous keys.
	KeyFingerprints []string
	AppVersion      string
	// Workers objects are copied at once; 0 means DefaultWorkers.
	Workers int
	Log     *slog.Logger
	// Now is the clock for the manifest's time; nil means time.Now.
	Now func() time.Time
}

// Backup copies the database, then every object, into dir, which must not exist or be empty,
// and writes the manifest last. Objects are streamed, a few at once, and hashed as they are
// written. A file the database names but the storage lacks is logged and listed in the
// manifest's Missing; it does not fail the backup (the copy is what there is).
func Backup(ctx context.Context, dir string, src Source) (Manifest, error) {
	log := src.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	if err := makeEmptyDir(dir); err != nil {
		return Manifest{}, err
	}
	if len(src.KeyFingerprints) == 0 {
		return Manifest{}, errors.New("backup: no key fingerprint")
	}
	m := Manifest{Format: FormatVersion, CreatedAt: now().UTC(), AppVersion: src.AppVersion, KeyFingerprint: src.KeyFingerprints[0],
		PreviousKeyFingerprints: src.KeyFingerprints[1:], Storage: src.StorageKind, Objects: []Object{}}

	// The database first: every object it names exists by now, unless it was deleted since.
	var err error
	if m.SchemaVersion, err = src.DB.SchemaVersion(ctx); err != nil {
		return m, err
	}
	m.Database = Database{Dialect: src.DB.Dialect(), File: "database.sqlite"}
	if m.Database.Dialect != "sqlite" {
		m.Database.File = "database.pgdump"
	}
	dbPath := filepath.Join(dir, m.Database.File)
	started := time.Now()
	if err := src.DB.Dump(ctx, dbPath); err != nil {
		return m, err
	}
	if m.Database.Size, m.Database.SHA256, err = hashFile(dbPath); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	log.Info("backup: database copied", "dialect", m.Database.Dialect, "bytes", m.Database.Size, "took", time.Since(started).Round(time.Millisecond))
	referenced, err := src.DB.ReferencedKeys(ctx)
	if err != nil {
		return m, err
	}

	// Then the objects.
	started = time.Now()
	var listed []contest.ObjectInfo
	if err := src.Storage.List(ctx, func(o contest.ObjectInfo) error {
		if !localKey(o.Key) {
			return fmt.Errorf("backup: the key %q cannot be kept in a folder", o.Key)
		}
		listed = append(listed, o)
		return nil
	}); err != nil {
		return m, err
	}
	objects := make([]*Object, len(listed))
	err = parallel(ctx, len(listed), cmpOr(src.Workers, DefaultWorkers), func(ctx context.Context, i int) error {
		o, err := copyObject(ctx, src.Storage, dir, listed[i])
		if contest.ErrorCode(err) == contest.ENotFound {
			log.Info("backup: a file was deleted while it was being copied", "key", listed[i].Key)
			return nil
		}
		objects[i] = o
		return err
	})
	if err != nil {
		return m, err
	}
	have := map[string]bool{}
	for _, o := range objects {
		if o != nil {
			m.Objects = append(m.Objects, *o)
			have[o.Key] = true
		}
	}
	for _, key := range referenced {
		if !have[key] {
			m.Missing = append(m.Missing, key)
			log.Warn("backup: the database names a file the storage does not have", "key", key)
		}
	}
	log.Info("backup: files copied", "files", len(m.Objects), "bytes", m.Bytes()-m.Database.Size, "took", time.Since(started).Round(time.Millisecond))
	// Every file and folder durable before the manifest says the backup is whole.
	started = time.Now()
	if err := syncTree(dir); err != nil {
		return m, err
	}
	log.Info("backup: written to disk", "took", time.Since(started).Round(time.Millisecond))
	return m, writeManifest(dir, m)
}

// copyObject streams one object into the backup, hashing it on the way.
func copyObject(ctx context.Context, s contest.Storage, dir string, info contest.ObjectInfo) (*Object, error) {
	r, err := s.Get(ctx, info.Key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	path := objectPath(dir, info.Key)
	if err := os.MkdirAll(filepath.Dir(path), dirPerm); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		startWriteback(f) // made durable by syncTree at the end
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return nil, fmt.Errorf("backup: copy %q: %w", info.Key, err)
	}
	return &Object{Key: info.Key, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: info.ContentType}, nil
}

// makeEmptyDir creates dir (0700), or accepts it when it exists and is empty.
func makeEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) > 0 {
		return invalid(fmt.Sprintf("%s 不是空文件夹：请指定一个新的备份文件夹 / %s is not empty: choose a new folder for the backup", dir, dir), nil)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Chmod(dir, dirPerm); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// cmpOr returns n, or def when n is not positive.
func cmpOr(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

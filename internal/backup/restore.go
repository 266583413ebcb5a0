package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// Loader loads a database copy into an empty database (*db.Loader).
type Loader interface {
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	// Empty reports whether the database holds no tables.
	Empty(ctx context.Context) (bool, error)
	// Load loads the copy at path; it refuses a database that is not empty.
	Load(ctx context.Context, path string) error
}

// Target is where a restore writes.
type Target struct {
	DB      Loader
	Storage Storage
	// KeyFingerprints name the configured keys (pii.Box's Fingerprints); every key the backup
	// names must be among them.
	KeyFingerprints []string
	// LatestSchema is the newest schema version this program knows (db.LatestVersion); a
	// backup of a newer schema is refused.
	LatestSchema int64
	// Workers objects are written at once; 0 means DefaultWorkers.
	Workers int
	Log     *slog.Logger
}

// ErrKeyMismatch is the refusal of a backup made under another master key.
var ErrKeyMismatch = errors.New("backup: another master key")

// Restore checks the backup in dir and writes it into the target's empty database and empty
// storage. Nothing is written until every check has passed: the key's fingerprint, the
// database's dialect and schema, the size and SHA-256 of every file, and that the database and
// the storage are empty. Each object is sent at its size, and the storage's listing is compared
// with the manifest at the end.
func Restore(ctx context.Context, dir string, t Target) (Manifest, error) {
	log := t.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return m, err
	}
	if err := checkKeys(m, t.KeyFingerprints); err != nil {
		return m, err
	}
	if d := t.DB.Dialect(); d != m.Database.Dialect {
		return m, invalid(fmt.Sprintf("备份的数据库是 %s，配置的数据库是 %s / the backup holds a %s database, the configured one is %s", m.Database.Dialect, d, m.Database.Dialect, d), nil)
	}
	if m.SchemaVersion > t.LatestSchema {
		return m, invalid(fmt.Sprintf("备份的数据库结构（版本 %d）比此程序（版本 %d）新：请用更新的程序恢复 / the backup's schema (version %d) is newer than this program's (%d): restore with a newer program",
			m.SchemaVersion, t.LatestSchema, m.SchemaVersion, t.LatestSchema), nil)
	}
	started := time.Now()
	if err := Verify(ctx, dir, m, cmpOr(t.Workers, DefaultWorkers)); err != nil {
		return m, err
	}
	log.Info("restore: every file of the backup checked", "files", len(m.Objects)+1, "bytes", m.Bytes(), "took", time.Since(started).Round(time.Millisecond))
	if err := mustBeEmpty(ctx, t); err != nil {
		return m, err
	}

	// The files first, the database last: the database is what makes the restored service
	// look complete (pg_restore in one transaction, the SQLite file moved into place), so a
	// restore cut short never looks done. Run again, it is refused (the storage is no longer
	// empty): empty it, and the database, then restore again.
	started = time.Now()
	err = parallel(ctx, len(m.Objects), cmpOr(t.Workers, DefaultWorkers), func(ctx context.Context, i int) error {
		return putObject(ctx, t.Storage, dir, m.Objects[i])
	})
	if err == nil {
		err = checkStored(ctx, t.Storage, m.Objects)
	}
	if err != nil {
		return m, unfinished(err)
	}
	log.Info("restore: files written", "files", len(m.Objects), "took", time.Since(started).Round(time.Millisecond))
	started = time.Now()
	if err := t.DB.Load(ctx, filepath.Join(dir, m.Database.File)); err != nil {
		return m, unfinished(err)
	}
	log.Info("restore: database loaded", "dialect", m.Database.Dialect, "took", time.Since(started).Round(time.Millisecond))
	return m, nil
}

// Verify checks the size and SHA-256 of the database copy and of every object in the backup,
// and reports every file missing or changed.
func Verify(ctx context.Context, dir string, m Manifest, workers int) error {
	type file struct {
		rel, path, sha string
		size           int64
	}
	files := []file{{m.Database.File, filepath.Join(dir, m.Database.File), m.Database.SHA256, m.Database.Size}}
	for _, o := range m.Objects {
		files = append(files, file{ObjectsDir + "/" + o.Key, objectPath(dir, o.Key), o.SHA256, o.Size})
	}
	problems := make([]string, len(files))
	err := parallel(ctx, len(files), workers, func(ctx context.Context, i int) error {
		f := files[i]
		size, sum, err := hashFile(f.path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			problems[i] = f.rel + "：缺失 / missing"
		case err != nil:
			return fmt.Errorf("backup: read %s: %w", f.rel, err)
		case size != f.size:
			problems[i] = fmt.Sprintf("%s：大小 %d，应为 %d / size %d, want %d", f.rel, size, f.size, size, f.size)
		case sum != f.sha:
			problems[i] = f.rel + "：SHA-256 不符，文件已损坏 / SHA-256 differs: the file is damaged"
		}
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	var bad []string
	for _, p := range problems {
		if p != "" {
			bad = append(bad, p)
		}
	}
	if len(bad) > 0 {
		shown := bad[:min(len(bad), 20)]
		more := ""
		if len(bad) > len(shown) {
			more = fmt.Sprintf("\n……另有 %d 个 / and %d more", len(bad)-len(shown), len(bad)-len(shown))
		}
		return invalid(fmt.Sprintf("备份中有 %d 个文件缺失或损坏，未写入任何数据 / %d files of the backup are missing or damaged; nothing was written:\n%s%s",
			len(bad), len(bad), strings.Join(shown, "\n"), more), nil)
	}
	return nil
}

// mustBeEmpty refuses a target whose database or storage holds anything.
func mustBeEmpty(ctx context.Context, t Target) error {
	empty, err := t.DB.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return &contest.Error{Code: contest.EConflict, Message: "目标数据库不是空的，恢复只写入空数据库 / the target database is not empty: restore writes into an empty database only"}
	}
	errFound := errors.New("found")
	var first string
	err = t.Storage.List(ctx, func(o contest.ObjectInfo) error { first = o.Key; return errFound })
	if errors.Is(err, errFound) {
		return &contest.Error{Code: contest.EConflict, Message: fmt.Sprintf("目标存储不是空的（有 %s 等文件），恢复只写入空的存储桶或文件夹 / the target storage is not empty (it has %s): restore writes into an empty bucket or folder only", first, first)}
	}
	return err
}

// putObject sends one object from the backup, of exactly its size (the bytes Verify checked).
func putObject(ctx context.Context, s contest.Storage, dir string, o Object) error {
	f, err := openRegular(objectPath(dir, o.Key))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := s.Put(ctx, o.Key, f, o.Size, o.ContentType); err != nil {
		return fmt.Errorf("restore %q: %w", o.Key, err)
	}
	return nil
}

// checkStored compares the storage's listing with the manifest: every object, at its size.
func checkStored(ctx context.Context, s Storage, objs []Object) error {
	stored := map[string]int64{}
	if err := s.List(ctx, func(o contest.ObjectInfo) error { stored[o.Key] = o.Size; return nil }); err != nil {
		return err
	}
	for _, o := range objs {
		if size, ok := stored[o.Key]; !ok || size != o.Size {
			return fmt.Errorf("restore: %q is stored with %d bytes, want %d", o.Key, size, o.Size)
		}
	}
	return nil
}

// checkKeys refuses a restore under keys that would not open what the backup holds: its key
// must be configured, as the current key or as the previous one of a rotation (the operator
// then runs contest reseal), and so must the previous key of a rotation under way when the
// backup was made.
func checkKeys(m Manifest, configured []string) error {
	if !slices.Contains(configured, m.KeyFingerprint) {
		return &contest.Error{Code: contest.EInvalid, Err: ErrKeyMismatch,
			Message: "配置的密钥与备份时的密钥不同，恢复后身份证号将无法解密：请配置备份时使用的 CONTEST_SECRET_KEY（内置模式下为数据文件夹中的 secret.key；" +
				"若此后已轮换密钥，可将其作为 CONTEST_PREVIOUS_SECRET_KEY） / the configured key is not the key the backup was made with, so the ID numbers would not decrypt: " +
				"configure the backup's CONTEST_SECRET_KEY (on the embedded default, DATA_DIR/secret.key; after a key rotation, as CONTEST_PREVIOUS_SECRET_KEY)"}
	}
	for _, fp := range m.PreviousKeyFingerprints {
		if !slices.Contains(configured, fp) {
			return &contest.Error{Code: contest.EInvalid, Err: ErrKeyMismatch,
				Message: "备份时正在轮换密钥，部分身份证号仍由旧密钥加密：请同时将备份时的旧密钥配置为 CONTEST_PREVIOUS_SECRET_KEY / " +
					"the backup was made during a key rotation and some ID numbers are still sealed under the old key: also configure that key as CONTEST_PREVIOUS_SECRET_KEY"}
		}
	}
	return nil
}

// unfinished says a restore stopped half-way, and what to do.
func unfinished(err error) error {
	return fmt.Errorf("恢复未完成：请清空目标数据库和存储后重新恢复 / the restore did not finish: empty the target database and storage, then restore again: %w", err)
}

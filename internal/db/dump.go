package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jskx/contest/internal/contest"
)

// Dumps for backups (package backup): Dump writes a consistent copy of a live database, and a
// Loader loads it into an empty one. SQLite copies itself (VACUUM INTO); PostgreSQL is dumped
// and restored with its own tools, pg_dump and pg_restore, in their custom format.

// LatestVersion returns the newest schema version this program's migrations reach.
func LatestVersion() int64 {
	var latest int64
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	for _, name := range names {
		n, _, _ := strings.Cut(filepath.Base(name), "_")
		if v, err := strconv.ParseInt(n, 10, 64); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

// SchemaVersion returns the version the database's schema is at (the last migration applied).
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: schema version: %w", err)
	}
	return v, nil
}

// Dump writes a consistent copy of the whole database, as of one moment, to path (which must
// not exist), while the service goes on: SQLite's VACUUM INTO, or pg_dump's custom format. The
// file is readable by its owner only.
func (db *DB) Dump(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("db: dump: %s exists already", path)
	}
	if db.dialect == SQLite {
		if err := db.gorm.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
			return fmt.Errorf("db: dump: %w", err)
		}
		return os.Chmod(path, 0o600)
	}
	dbname, env, err := pgConnection(db.url)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("db: dump: %w", err)
	}
	f.Close()
	return pgTool(ctx, env, "pg_dump", "--format=custom", "--no-password", "--file="+path, "--dbname="+dbname)
}

// ReferencedKeys returns the storage keys of the files the database says are there: the
// videos uploaded and the consent scans. (Posters, web copies and packages are made again
// from them.)
func (db *DB) ReferencedKeys(ctx context.Context) ([]string, error) {
	var keys []string
	err := db.gorm.WithContext(ctx).Raw(`SELECT video_key FROM submissions WHERE video_key <> '' AND video_uploaded_at IS NOT NULL
		UNION SELECT scan_key FROM submissions WHERE scan_key <> '' ORDER BY 1`).Scan(&keys).Error
	if err != nil {
		return nil, fmt.Errorf("db: referenced files: %w", err)
	}
	return keys, nil
}

// Loader loads a dump made by Dump into an empty database: the restore side of a backup. It
// opens its own connections, briefly, for each step.
type Loader struct {
	url, dataDir string
	log          *slog.Logger
}

// NewLoader returns a loader for the database url names (as for Open).
func NewLoader(url, dataDir string, log *slog.Logger) *Loader {
	return &Loader{url: url, dataDir: dataDir, log: log}
}

// URL returns the URL or path of the database the loader writes.
func (l *Loader) URL() string { return l.url }

// Dialect returns SQLite or Postgres.
func (l *Loader) Dialect() string {
	if isPostgresURL(l.url) {
		return Postgres
	}
	return SQLite
}

// Empty reports whether the database holds no tables. A SQLite file that does not exist yet
// is empty.
func (l *Loader) Empty(ctx context.Context) (bool, error) {
	if l.Dialect() == SQLite {
		path, _ := sqlitePath(l.url, l.dataDir)
		if st, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) || err == nil && st.Size() == 0 {
			return true, nil
		}
	}
	d, err := Open(ctx, l.url, l.dataDir, nil, l.log)
	if err != nil {
		return false, err
	}
	defer d.Close()
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
	if d.dialect == Postgres {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
	}
	var n int64
	if err := d.gorm.WithContext(ctx).Raw(q).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("db: count tables: %w", err)
	}
	return n == 0, nil
}

// Load loads the dump at path into the database, which must be empty (an EConflict error
// otherwise). SQLite: the copy becomes the database file. PostgreSQL: pg_restore in one
// transaction, without the original owner and grants, so a failure leaves the database empty.
func (l *Loader) Load(ctx context.Context, path string) error {
	empty, err := l.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return &contest.Error{Code: contest.EConflict, Message: "目标数据库不是空的，恢复只写入空数据库 / the target database is not empty: restore writes into an empty database only"}
	}
	if l.Dialect() == Postgres {
		dbname, env, err := pgConnection(l.url)
		if err != nil {
			return err
		}
		return pgTool(ctx, env, "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password", "--dbname="+dbname, path)
	}
	dst, _ := sqlitePath(l.url, l.dataDir)
	for _, side := range []string{"-wal", "-shm", "-journal"} { // an empty database's, if any
		if err := os.Remove(dst + side); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("db: load: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return fmt.Errorf("db: load: %w", err)
	}
	return copyFileSynced(path, dst)
}

// copyFileSynced copies src to dst (mode 0600) through a temporary file renamed into place.
func copyFileSynced(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("db: load: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".restore-*")
	if err != nil {
		return fmt.Errorf("db: load: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("db: load: %w", err)
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("db: load: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("db: load: %w", err)
	}
	return nil
}

// pgConnection splits a postgres:// URL into the URL without its password, for the tools'
// --dbname, and the environment that carries the password (PGPASSWORD), so the password is in
// neither the process list nor an error message.
func pgConnection(raw string) (dbname string, env []string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, errors.New("db: the PostgreSQL URL cannot be read") // the URL may hold a password: not shown
	}
	env = os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	return u.String(), env, nil
}

// pgTool runs a PostgreSQL client tool; its error carries what the tool wrote to stderr.
func pgTool(ctx context.Context, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("db: %s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

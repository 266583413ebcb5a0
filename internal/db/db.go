// Package db keeps the contest's data in a relational database through GORM: SQLite (pure Go,
// no cgo) for the embedded default and PostgreSQL in production. It owns the schema
// (versioned migrations), translates database errors into domain codes, and seals personal
// numbers before they are written.
//
// DB is the connection: it opens, migrates and checks the schema, and runs the job queue. The
// domain's stores are small types by area over it, one per group of files:
//
//	Accounts     user.go                       accounts and sessions
//	Contests     contest.go                    the contests and their settings
//	Submissions  submission.go, check.go,      works, participants, video checks, 形式审查
//	             formal.go
//	Uploads      upload.go                     resumable video uploads
//	AuditLog     audit.go                      the audit log
//	Reviews      review.go                     assignments, reviews, conflicts, awards
//	Publication  publication.go, objection.go  公示, results, certificates, objections,
//	                                           recommendations
//	ExportJobs   export.go                     export jobs
//
// DB.Stores returns them together as the domain's contest.Stores.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/pii"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is the connection to the database, shared by the stores (see Stores): it opens the
// database, migrates it and runs the background jobs.
type DB struct {
	url     string
	gorm    *gorm.DB
	box     *pii.Box
	dialect string

	checkAttempts int         // attempts a queued video check gets
	emailDelivery atomic.Bool // notifications are e-mailed too (SetEmailDelivery)
	insertOnce    sync.Once
	inserter      *river.Client[*sql.Tx]
	insertErr     error

	// smsKinds are the kinds sent by SMS too (SetSMSDelivery); nil: none.
	smsKinds atomic.Pointer[map[contest.NotificationKind]bool]
}

// Open connects to url: a postgres:// or postgresql:// URL for PostgreSQL, otherwise a SQLite
// file path ("" means contest.db in dataDir). It does not migrate; see Migrate.
func Open(ctx context.Context, url, dataDir string, box *pii.Box, log *slog.Logger) (*DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC() },
		Logger:         logger.New(slogWriter{log}, logger.Config{SlowThreshold: time.Second, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true, ParameterizedQueries: true}),
	}
	var (
		g       *gorm.DB
		err     error
		dialect string
	)
	if isPostgresURL(url) {
		dialect = Postgres
		g, err = gorm.Open(postgres.Open(url), cfg)
	} else {
		dialect = SQLite
		// Settings after a "?" (e.g. _pragma=busy_timeout(2000)) come after the defaults and win.
		path, settings := sqlitePath(url, dataDir)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, err
		}
		if err := privateFile(path); err != nil {
			return nil, err
		}
		// A write waits up to busy_timeout for another connection's lock, then is 503 unavailable.
		// cache_size: up to 64 MiB of pages (taken as the file grows) instead of SQLite's 2 MiB,
		// so lookups in a contest of 10 000 works stay in memory, as PostgreSQL's buffers keep
		// them (docs/benchmarks.md, issue 14).
		dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)"
		if settings != "" {
			dsn += "&" + settings
		}
		g, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// One writer at a time is SQLite's nature; one connection avoids "database is locked".
		sqlDB.SetMaxOpenConns(1)
	} else {
		// As many kept idle as may be open: database/sql keeps 2 by default, and closed every
		// connection beyond them as soon as it was returned — the next query then waited for a
		// new PostgreSQL backend (docs/benchmarks.md, e-mail at the deadline).
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("db: ping %s: %w", dialect, err)
	}
	return &DB{url: url, gorm: g, box: box, dialect: dialect, checkAttempts: DefaultJobSettings().MaxAttempts}, nil
}

// isPostgresURL reports whether url names a PostgreSQL database (otherwise it is a SQLite path).
func isPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// sqlitePath returns the SQLite file a url names ("" is contest.db in dataDir) and the
// settings after its "?".
func sqlitePath(url, dataDir string) (path, settings string) {
	path, settings, _ = strings.Cut(strings.TrimPrefix(url, "sqlite://"), "?")
	if path == "" {
		path = filepath.Join(dataDir, "contest.db")
	}
	return path, settings
}

// URL returns the URL or path the database was opened with.
func (db *DB) URL() string { return db.url }

// Dialect returns SQLite or Postgres.
func (db *DB) Dialect() string { return db.dialect }

// Ping reports whether the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close closes the connections.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// translate turns GORM errors into domain errors; what is the reader's fault is a domain code,
// a database that does not answer now is EUnavailable (503 with Retry-After, see unavailable),
// the rest is internal.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return &contest.Error{Code: contest.ENotFound, Message: what + "不存在", Err: err}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &contest.Error{Code: contest.EConflict, Message: what + "已存在", Err: err}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && (pg.Code == "22021" || pg.Code == "22P05") {
		// Text PostgreSQL cannot store (a NUL byte, an invalid byte sequence): the input's fault.
		return &contest.Error{Code: contest.EInvalid, Message: "提交的内容包含无效字符，请检查后重试", Err: err}
	}
	var e *contest.Error
	if errors.As(err, &e) {
		return err
	}
	if u := unavailable(err); u != nil {
		u.Err = fmt.Errorf("db: %s: %w", what, err)
		return u
	}
	return contest.Internal(fmt.Errorf("db: %s: %w", what, err))
}

// SQLite's primary result codes that mean the database cannot be used now.
const (
	sqliteIOErr     = 10 // SQLITE_IOERR
	sqliteBusy      = 5  // SQLITE_BUSY: locked by another connection past the busy timeout
	sqliteLocked    = 6  // SQLITE_LOCKED
	sqliteFull      = 13 // SQLITE_FULL: the disk is full
	sqliteCantOpen  = 14 // SQLITE_CANTOPEN
	sqliteProtocol  = 15 // SQLITE_PROTOCOL: a lock protocol error (another process)
	sqliteReadOnly  = 8  // SQLITE_READONLY (a read-only file system, a replaced file)
	sqlitePrimaryOf = 0xff
)

// pgUnavailable are PostgreSQL's error codes, besides classes 08 (connection exception) and
// 53 (insufficient resources: too many connections, disk full, out of memory), that mean the
// server cannot serve the request now.
var pgUnavailable = map[string]bool{
	"57P01": true, // admin_shutdown
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now: starting up
	"57014": true, // query_canceled: a statement timeout
	"55P03": true, // lock_not_available: a lock timeout
	"58030": true, // io_error
}

// diskFull is the error for a write the database's disk has no room for.
func diskFull(err error) *contest.Error {
	return contest.Unavailable("服务器存储空间已满，暂时无法保存，请稍后重试", contest.RetryStorageFull, err)
}

// unavailable tells an outage from a bug: a database that refuses or loses connections, does
// not answer in time, is locked by another connection past its busy timeout, is shutting down,
// or whose disk is full. It returns nil for anything else. A request cancelled by its client
// is not an outage: the error handler tells that case by the request's context.
func unavailable(err error) *contest.Error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return diskFull(err)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "53100":
			return diskFull(err)
		case strings.HasPrefix(pg.Code, "08"), strings.HasPrefix(pg.Code, "53"), pgUnavailable[pg.Code]:
			return contest.DatabaseUnavailable(err)
		}
		return nil // the server answered: whatever it said is not an outage
	}
	var sq interface{ Code() int }
	if errors.As(err, &sq) {
		switch sq.Code() & sqlitePrimaryOf {
		case sqliteFull:
			return diskFull(err)
		case sqliteBusy, sqliteLocked, sqliteIOErr, sqliteCantOpen, sqliteProtocol, sqliteReadOnly:
			return contest.DatabaseUnavailable(err)
		}
		return nil
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr), pgconn.Timeout(err),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return contest.DatabaseUnavailable(err)
	}
	return nil
}

// slogWriter sends GORM's warnings (slow queries, errors) to the service log. GORM is set to
// parameterized queries so values, including personal data, never reach the log.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Printf(format string, args ...any) {
	w.log.Warn("db", "msg", fmt.Sprintf(format, args...))
}

// privateFile makes sure the database file exists readable by its owner only, whatever the
// folder's mode and the umask: it holds every account and the sealed personal numbers. SQLite
// gives its -wal and -shm files the database file's mode.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("db: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("db: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return fmt.Errorf("db: %s is readable by others and cannot be made private: %w", path, err)
		}
	}
	return nil
}

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
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

	checkAttempts int // attempts a queued video check gets
	insertOnce    sync.Once
	inserter      *river.Client[*sql.Tx]
	insertErr     error
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
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		dialect = Postgres
		g, err = gorm.Open(postgres.Open(url), cfg)
	} else {
		dialect = SQLite
		path := strings.TrimPrefix(url, "sqlite://")
		if path == "" {
			path = filepath.Join(dataDir, "contest.db")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, err
		}
		if err := privateFile(path); err != nil {
			return nil, err
		}
		dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
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
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("db: ping %s: %w", dialect, err)
	}
	return &DB{url: url, gorm: g, box: box, dialect: dialect, checkAttempts: DefaultJobSettings().MaxAttempts}, nil
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
	return contest.Internal(fmt.Errorf("db: %s: %w", what, err))
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

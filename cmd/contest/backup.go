package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/jskx/contest/internal/backup"
	"github.com/jskx/contest/internal/db"
)

// backupCmd copies the database and every stored file into a new folder (internal/backup),
// while the service goes on.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out string
	cfg, _, err := loadConfig("backup", args, getenv, func(fs *flag.FlagSet) {
		fs.SetOutput(stderr)
		fs.StringVar(&out, "out", "", "new (or empty) folder to write the backup into (required)")
	})
	if err != nil {
		return usageError{err}
	}
	if out == "" {
		return usageError{errors.New("-out is required: the folder to write the backup into")}
	}
	cfg.Migrate = false // a backup reads; the schema must be this program's
	log := newLogger(cfg, stderr)
	a, err := openData(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	storage, ok := a.storage.(backup.Storage)
	if !ok {
		return errors.New("the storage cannot list its files")
	}
	m, err := backup.Backup(ctx, out, backup.Source{DB: a.db, Storage: storage, StorageKind: storageKind(cfg),
		KeyFingerprints: a.box.Fingerprints(), AppVersion: appVersion(), Log: log})
	if err != nil {
		return errors.New(backup.Error(err))
	}
	fmt.Fprintf(stdout, "备份完成 / backup written: %s (%s database, schema %d, %d files, %d bytes)\n", out, m.Database.Dialect, m.SchemaVersion, len(m.Objects), m.Bytes())
	if len(m.Missing) > 0 {
		fmt.Fprintf(stdout, "注意 / note: %d files named by the database were not in the storage (see the log and manifest.json's \"missing\")\n", len(m.Missing))
	}
	fmt.Fprintln(stdout, "密钥不在备份中：请另行保管 CONTEST_SECRET_KEY（或 secret.key） / the key is not in the backup: keep CONTEST_SECRET_KEY (or secret.key) separately")
	return nil
}

// restoreCmd writes a backup into the configured database and storage, which must be empty,
// under the same master key.
func restoreCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var from string
	cfg, _, err := loadConfig("restore", args, getenv, func(fs *flag.FlagSet) {
		fs.SetOutput(stderr)
		fs.StringVar(&from, "from", "", "folder of the backup to restore (required)")
	})
	if err != nil {
		return usageError{err}
	}
	if from == "" {
		return usageError{errors.New("-from is required: the folder of the backup")}
	}
	log := newLogger(cfg, stderr)
	if cfg.SecretKey == "" {
		// The embedded default would make a new key; the backup's needs its own.
		path := filepath.Join(cfg.DataDir, "secret.key")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s 不存在：请先放入备份时服务器的 secret.key，或设置 CONTEST_SECRET_KEY / %s does not exist: put the backed-up server's secret.key there first, or set CONTEST_SECRET_KEY", path, path)
		}
	}
	box, err := personalBox(cfg)
	if err != nil {
		return usageError{err}
	}
	st, err := openStorage(ctx, cfg)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	storage, ok := st.(backup.Storage)
	if !ok {
		return errors.New("the storage cannot list its files")
	}
	m, err := backup.Restore(ctx, from, backup.Target{DB: db.NewLoader(cfg.DatabaseURL, cfg.DataDir, log), Storage: storage,
		KeyFingerprints: box.Fingerprints(), LatestSchema: db.LatestVersion(), Log: log})
	if err != nil {
		return errors.New(backup.Error(err))
	}
	// The restored database opens as serve opens it: migrated to this program's schema (when
	// CONTEST_MIGRATE is on), or checked.
	a, err := openData(ctx, cfg, log)
	if err != nil {
		return fmt.Errorf("the restored database: %w", err)
	}
	defer a.close()
	fmt.Fprintf(stdout, "恢复完成 / restored: %s database (schema %d), %d files, %d bytes, backup of %s\n",
		m.Database.Dialect, m.SchemaVersion, len(m.Objects), m.Bytes(), m.CreatedAt.Format("2006-01-02 15:04 MST"))
	return nil
}

// storageKind names the configured storage for the backup's manifest.
func storageKind(cfg config) string {
	if cfg.S3Endpoint == "" {
		return "localfs"
	}
	return "s3"
}

// appVersion is the program's version as the build recorded it (module version or commit).
func appVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return info.Main.Version
}

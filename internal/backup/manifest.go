// Package backup copies the service's data — the database and every stored file — into a
// folder, and restores such a folder into an empty database and an empty storage.
//
// A backup is a folder:
//
//	manifest.json            what the backup holds, with every file's size and SHA-256
//	database.sqlite          the SQLite database (VACUUM INTO), or
//	database.pgdump          PostgreSQL's dump (pg_dump --format=custom)
//	objects/<key>            every stored object, under its storage key
//
// The database is copied first, then the objects: an object added after the copy is a
// harmless extra, and an object the database names but the storage lacks is reported. The
// personal numbers stay sealed: the backup holds the master key's fingerprint, never the key,
// and a restore under another key is refused. See docs/design/backup.md.
package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// FormatVersion is the version of the backup's layout and manifest this package writes and
// reads.
const FormatVersion = 1

// Names inside a backup folder.
const (
	ManifestFile = "manifest.json"
	ObjectsDir   = "objects"
)

// Manifest describes a backup: written last, so a folder without it is an unfinished backup.
type Manifest struct {
	Format     int       `json:"format"`
	CreatedAt  time.Time `json:"created_at"`
	AppVersion string    `json:"app_version,omitempty"`
	// SchemaVersion is the database's migration version when it was copied.
	SchemaVersion int64 `json:"schema_version"`
	// KeyFingerprint names the master key the personal numbers are sealed with (pii.Box's
	// Fingerprint); the key itself is never in a backup.
	KeyFingerprint string `json:"key_fingerprint"`
	// PreviousKeyFingerprints name the previous keys of a rotation under way when the backup
	// was made: some values may still be sealed under them.
	PreviousKeyFingerprints []string `json:"previous_key_fingerprints,omitempty"`
	Database                Database `json:"database"`
	// Storage is the kind of storage the objects came from: "localfs" or "s3".
	Storage string   `json:"storage"`
	Objects []Object `json:"objects"`
	// Missing are files the database names that the storage did not have (see Backup).
	Missing []string `json:"missing,omitempty"`
}

// Database is the database's copy in a backup.
type Database struct {
	Dialect string `json:"dialect"` // sqlite or postgres
	File    string `json:"file"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
}

// Object is one stored file in a backup, at objects/<Key>.
type Object struct {
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type,omitempty"`
}

// Bytes returns the size of the database copy and all objects together.
func (m Manifest) Bytes() int64 {
	n := m.Database.Size
	for _, o := range m.Objects {
		n += o.Size
	}
	return n
}

// ReadManifest reads the manifest of the backup in dir.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return m, invalid(fmt.Sprintf("%s 中没有 %s：不是备份，或备份没有完成 / no %s in %s: not a backup, or an unfinished one", dir, ManifestFile, ManifestFile, dir), err)
	}
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, invalid(fmt.Sprintf("%s 已损坏，无法读取 / %s is damaged", ManifestFile, ManifestFile), err)
	}
	if m.Format < 1 || m.Format > FormatVersion {
		return m, invalid(fmt.Sprintf("备份格式 %d 不受此版本支持 / backup format %d is not supported by this version", m.Format, m.Format), nil)
	}
	if m.Database.Dialect == "" || !filepath.IsLocal(m.Database.File) {
		return m, invalid(fmt.Sprintf("%s 没有有效的数据库文件 / %s names no valid database file", ManifestFile, ManifestFile), nil)
	}
	for _, o := range m.Objects {
		if !localKey(o.Key) {
			return m, invalid(fmt.Sprintf("%s 中的文件路径 %q 无效 / invalid key %q in %s", ManifestFile, o.Key, o.Key, ManifestFile), nil)
		}
	}
	return m, nil
}

// writeManifest writes m into dir through a temporary file, so the manifest is whole or absent.
func writeManifest(dir string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".manifest.tmp")
	if err := writeFileSynced(tmp, b); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestFile)); err != nil {
		return fmt.Errorf("backup: manifest: %w", err)
	}
	return syncDir(dir)
}

// localKey reports whether a storage key can name a file below objects/: a relative path that
// stays inside it.
func localKey(key string) bool {
	return key != "" && filepath.IsLocal(filepath.FromSlash(key)) && filepath.ToSlash(filepath.Clean(filepath.FromSlash(key))) == key
}

// invalid is a backup that cannot be used: the operator's to fix, not a bug.
func invalid(msg string, err error) error {
	return &contest.Error{Code: contest.EInvalid, Message: msg, Err: err}
}

// Error returns the message of a backup error for the operator: the Chinese and English
// message of a refusal, or the error's text.
func Error(err error) string {
	var e *contest.Error
	if errors.As(err, &e) && e.Message != "" {
		if e.Err != nil && e.Code == contest.EInternal {
			return e.Message + ": " + e.Err.Error()
		}
		return e.Message
	}
	return err.Error()
}

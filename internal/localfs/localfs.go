// Package localfs stores files in a folder on the local disk. It implements contest.Storage for
// the embedded, single-machine set-up; production uses an S3-compatible bucket (package s3).
//
// A key maps to a file below the root: "consent/ab/cd.pdf" is <root>/consent/ab/cd.pdf. Writes go
// to a hidden temporary file beside the target, are synced and then renamed into place, so an
// object is either absent or complete.
package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// Permissions of the folders the store creates. Files get 0600 from os.CreateTemp.
const dirPerm = 0o750

// tempPattern names the temporary files of Put and Ping; keys never start with a dot.
const tempPattern = ".tmp-*"

// Store keeps objects as files below a root folder.
type Store struct {
	root string
}

var _ contest.Storage = (*Store)(nil)

// New returns a store rooted at root, creating the folder (and its parents) if needed.
func New(root string) (*Store, error) {
	if root == "" {
		return nil, errors.New("localfs: empty root")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("localfs: root %q: %w", root, err)
	}
	if err := os.MkdirAll(abs, dirPerm); err != nil {
		return nil, fmt.Errorf("localfs: create root: %w", err)
	}
	return &Store{root: abs}, nil
}

// Root returns the absolute folder the store keeps its files in.
func (s *Store) Root() string { return s.root }

// Path returns the file that holds (or would hold) the object under key, for tools such as
// ffprobe that need a file name. The error has code EInvalid for a malformed key.
func (s *Store) Path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// Put stores size bytes from r under key, replacing any object there. A negative size means
// unknown: r is read to its end. When r ends before size bytes, nothing is stored and any
// previous object under key is kept.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (err error) {
	defer outage(&err)
	path, err := s.Path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("localfs: put %q: %w", key, err)
	}
	f, err := s.createTemp(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("localfs: put %q: %w", key, err)
	}
	pending := &pendingFile{File: f}
	defer pending.discard()

	src := &ctxReader{ctx: ctx, r: r}
	if size >= 0 {
		n, err := io.CopyN(f, src, size)
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("localfs: put %q: got %d of %d bytes: %w", key, n, size, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return fmt.Errorf("localfs: put %q: %w", key, err)
		}
	} else if _, err := io.Copy(f, src); err != nil {
		return fmt.Errorf("localfs: put %q: %w", key, err)
	}
	if err := pending.commit(path); err != nil {
		return fmt.Errorf("localfs: put %q: %w", key, err)
	}
	// Make the rename itself durable. The object is already in place, so a failure here is
	// reported but leaves a complete object.
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("localfs: put %q: sync folder: %w", key, err)
	}
	return nil
}

// createTemp makes the folder dir and a temporary file in it. A concurrent Delete may remove
// the folder between the two steps once it is empty, so the pair is retried a few times.
func (s *Store) createTemp(dir string) (*os.File, error) {
	var err error
	for range 3 {
		if err = os.MkdirAll(dir, dirPerm); err != nil {
			return nil, err
		}
		var f *os.File
		f, err = os.CreateTemp(dir, tempPattern)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, err
}

// Get opens the object under key. The error has code ENotFound when there is none and EInvalid
// for a malformed key.
func (s *Store) Get(ctx context.Context, key string) (_ io.ReadCloser, err error) {
	defer outage(&err)
	path, err := s.Path(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("localfs: get %q: %w", key, err)
	}
	f, err := os.Open(path)
	if err != nil {
		if missing(err) {
			return nil, notFound(key, err)
		}
		return nil, fmt.Errorf("localfs: get %q: %w", key, err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("localfs: get %q: %w", key, err)
	}
	if !info.Mode().IsRegular() {
		// A folder made for longer keys ("a" when "a/b" exists) is not an object.
		_ = f.Close()
		return nil, notFound(key, fmt.Errorf("%s is not a regular file", path))
	}
	return f, nil
}

// Delete removes the object under key and then any folders left empty by it; deleting a
// missing object is not an error.
func (s *Store) Delete(ctx context.Context, key string) (err error) {
	defer outage(&err)
	path, err := s.Path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("localfs: delete %q: %w", key, err)
	}
	info, err := os.Lstat(path)
	if err != nil {
		if missing(err) {
			return nil
		}
		return fmt.Errorf("localfs: delete %q: %w", key, err)
	}
	if info.IsDir() {
		return nil // not an object, only the folder of longer keys
	}
	if err := os.Remove(path); err != nil && !missing(err) {
		return fmt.Errorf("localfs: delete %q: %w", key, err)
	}
	s.pruneDirs(filepath.Dir(path))
	return nil
}

// pruneDirs removes dir and its parents, up to but not including the root, while they are
// empty. It stops at the first folder that is not empty or cannot be removed.
func (s *Store) pruneDirs(dir string) {
	for dir != s.root && len(dir) > len(s.root) {
		if err := os.Remove(dir); err != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// Ping reports whether the root is a folder the store can write to.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("localfs: ping: %w", err)
	}
	info, err := os.Stat(s.root)
	if err != nil {
		return fmt.Errorf("localfs: ping: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("localfs: ping: %s is not a folder", s.root)
	}
	f, err := os.CreateTemp(s.root, tempPattern)
	if err != nil {
		return fmt.Errorf("localfs: ping: not writable: %w", err)
	}
	name := f.Name()
	cerr := f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("localfs: ping: %w", err)
	}
	if cerr != nil {
		return fmt.Errorf("localfs: ping: %w", cerr)
	}
	return nil
}

// missing reports whether err means the path does not exist, including the case where a
// parent on the path is a file rather than a folder.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func notFound(key string, err error) error {
	return &contest.Error{
		Code:    contest.ENotFound,
		Message: "文件不存在", // the file does not exist
		Err:     fmt.Errorf("localfs: %q: %w", key, err),
	}
}

// syncDir flushes a folder's entries to disk. Some systems cannot sync a folder; that is not
// an error worth failing a write for, so only real I/O errors are reported.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}

// ctxReader stops a long copy once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

var _ contest.MediaReader = (*Store)(nil)

// MediaInput returns the file holding the object under key, for ffprobe and ffmpeg. The error
// has code ENotFound when there is no object.
func (s *Store) MediaInput(ctx context.Context, key string, _ time.Duration) (string, error) {
	f, err := s.Get(ctx, key)
	if err != nil {
		return "", err
	}
	f.Close()
	return s.Path(key)
}

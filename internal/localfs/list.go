package localfs

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/jskx/contest/internal/contest"
)

var _ contest.ObjectLister = (*Store)(nil)

// List calls fn for every object below the root, in key order. The store's own hidden files
// (temporary files, uploads in progress under .uploads) are not objects and are skipped.
func (s *Store) List(ctx context.Context, fn func(contest.ObjectInfo) error) error {
	err := filepath.WalkDir(s.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if path == s.root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(s.root, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if keyProblem(key) != "" {
			return nil // not a file the store wrote
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(contest.ObjectInfo{Key: key, Size: info.Size()})
	})
	if err != nil {
		return fmt.Errorf("localfs: list: %w", err)
	}
	return nil
}

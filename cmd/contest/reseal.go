package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jskx/contest/internal/contest"
)

// reseal is the second step of a key rotation (docs/operations.md): with CONTEST_SECRET_KEY the
// new key and CONTEST_PREVIOUS_SECRET_KEY the old one — on every replica, which keep serving —
// it seals every personal value and every scanned 授权书 again under the new key. After it the
// old key can be removed from the configuration. Running it twice is harmless.
func reseal(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("reseal", args, getenv)
	if err != nil {
		return usageError{err}
	}
	if cfg.PreviousSecretKey == "" {
		return usageError{errors.New("CONTEST_PREVIOUS_SECRET_KEY (or _FILE) is required: the key being replaced; CONTEST_SECRET_KEY is the new one")}
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr), contest.Options{})
	if err != nil {
		return err
	}
	defer a.close()
	n, err := a.db.ResealPersonalData(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sealed again under the new key: %d works, %d participants, %d objections, %d accounts\n",
		n.Submissions, n.Participants, n.Objections, n.Users)
	files, err := a.resealScans(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scanned 授权书 sealed again: %d\n", files)
	fmt.Fprintln(stdout, "done: remove CONTEST_PREVIOUS_SECRET_KEY once the e-mails queued before the rotation are sent (docs/operations.md)")
	return nil
}

// resealScans seals each stored scan's file key again under the current key. A scan replaced
// meanwhile (its key no longer named by its work) is deleted again rather than left behind.
func (a *app) resealScans(ctx context.Context) (int, error) {
	keys, err := a.db.ConsentScanKeys(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		rc, err := a.storage.Get(ctx, k)
		if contest.ErrorCode(err) == contest.ENotFound {
			continue // replaced meanwhile
		} else if err != nil {
			return n, fmt.Errorf("scan %s: %w", k, err)
		}
		stored, err := io.ReadAll(io.LimitReader(rc, 2*contest.MaxScanBytes))
		rc.Close()
		if err != nil {
			return n, fmt.Errorf("scan %s: %w", k, err)
		}
		out, changed, err := a.box.ResealFile(stored)
		if err != nil {
			return n, fmt.Errorf("scan %s: %w", k, err)
		}
		if !changed {
			continue
		}
		if err := a.storage.Put(ctx, k, bytes.NewReader(out), int64(len(out)), "application/octet-stream"); err != nil {
			return n, fmt.Errorf("scan %s: %w", k, err)
		}
		if inUse, err := a.db.ConsentScanInUse(ctx, k); err != nil {
			return n, err
		} else if !inUse {
			_ = a.storage.Delete(ctx, k)
			continue
		}
		n++
	}
	return n, nil
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupRestore_CommandsOnTheEmbeddedDefault backs up a data folder and restores it into
// a new one: the key must be brought along, a second restore is refused, and the organizer
// made before the backup is there after it.
func TestBackupRestore_CommandsOnTheEmbeddedDefault(t *testing.T) {
	ctx := context.Background()
	src, dst, out := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "backup")
	in := func(dir string) func(string) string {
		return func(k string) string { return map[string]string{"CONTEST_DATA_DIR": dir}[k] }
	}
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"organizer", "-email", "o@example.org", "-password", "organizer-pass"}, in(src), &stdout, &stderr); err != nil {
		t.Fatalf("organizer: %v\n%s", err, stderr.String())
	}
	if err := os.WriteFile(filepath.Join(src, "files", "kept.txt"), []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}

	if err := run(ctx, []string{"backup"}, in(src), &stdout, &stderr); exitCode(err) != 2 || !strings.Contains(err.Error(), "-out") {
		t.Fatalf("backup without -out = %v (exit %d)", err, exitCode(err))
	}
	stdout.Reset()
	if err := run(ctx, []string{"backup", "-out", out}, in(src), &stdout, &stderr); err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "1 files") {
		t.Errorf("backup said:\n%s", stdout.String())
	}

	// Without the key, the restore says where it belongs and writes nothing.
	err := run(ctx, []string{"restore", "-from", out}, in(dst), &stdout, &stderr)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "secret.key") {
		t.Fatalf("restore without the key = %v", err)
	}
	key, _ := os.ReadFile(filepath.Join(src, "secret.key"))
	os.WriteFile(filepath.Join(dst, "secret.key"), key, 0o600)
	stdout.Reset()
	if err := run(ctx, []string{"restore", "-from", out}, in(dst), &stdout, &stderr); err != nil {
		t.Fatalf("restore: %v\n%s", err, stderr.String())
	}
	if got, _ := os.ReadFile(filepath.Join(dst, "files", "kept.txt")); string(got) != "kept" {
		t.Fatalf("the restored file holds %q", got)
	}
	// The organizer is in the restored database: making it again is refused.
	if err := run(ctx, []string{"organizer", "-email", "o@example.org", "-password", "x-organizer-pass"}, in(dst), &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("the organizer after the restore: %v", err)
	}
	if err := run(ctx, []string{"restore", "-from", out}, in(dst), &stdout, &stderr); exitCode(err) != 1 || !strings.Contains(err.Error(), "不是空的") {
		t.Fatalf("a second restore = %v", err)
	}
}

package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A port another program holds fails serve and demo at once with a message saying what to do,
// before a first organizer, a password or any data is made.
func TestServe_BusyPortFailsBeforeAnyOrganizerIsCreated(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	addr := held.Addr().String()
	for _, cmd := range []string{"serve", "demo"} {
		t.Run(cmd, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			out := &syncBuffer{}
			env := map[string]string{"CONTEST_DATA_DIR": dir}
			err := run(context.Background(), []string{cmd, "-addr", addr, "-data-dir", dir}, func(k string) string { return env[k] }, out, out)
			if err == nil {
				t.Fatalf("%s on a busy port started:\n%s", cmd, out)
			}
			for _, want := range []string{"端口 " + addr + " 已被占用，请用 -addr", "address already in use"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if exitCode(err) == 0 {
				t.Errorf("exit status 0 for %v", err)
			}
			if strings.Contains(out.String(), "password") || strings.Contains(out.String(), "密码") {
				t.Errorf("%s printed a password before failing:\n%s", cmd, out)
			}
			// No database, so no organizer row; no organizer.txt, no demo accounts.
			if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
				t.Errorf("%s made %s before failing: %v", cmd, dir, entries)
			}
		})
	}
}

package http

import "testing"

func TestHumanSize_ReadsNaturally(t *testing.T) {
	for n, want := range map[int64]string{2 << 30: "2 GB", 3 << 29: "1.5 GB", 20 << 20: "20 MB", 1536 << 10: "1.5 MB", 2048: "2 KB", 512: "512 B"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

package ffmpeg_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// Formats that name other files make the media tools open them: an HLS playlist or a concat
// script uploaded as "video.mp4" would have the server fetch addresses on its own network (in
// S3 mode, from inside the server) or read its local files. No tool may ever follow them.

// canary is a named pipe: whoever opens it for reading unblocks the writer waiting on it, so
// the test knows the tools opened it without giving them anything to read.
type canary struct {
	path   string
	opened atomic.Bool
	done   chan struct{}
}

func newCanary(t *testing.T, dir string) *canary {
	t.Helper()
	c := &canary{path: filepath.Join(dir, "canary.ts"), done: make(chan struct{})}
	if err := syscall.Mkfifo(c.path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	go func() {
		defer close(c.done)
		f, err := os.OpenFile(c.path, os.O_WRONLY, 0) // blocks until a reader opens it
		if err == nil {
			c.opened.Store(true)
			f.Close()
		}
	}()
	return c
}

// wasOpened reports whether anything but the test opened the canary; it releases the writer.
func (c *canary) wasOpened() bool {
	opened := c.opened.Load()
	if f, err := os.OpenFile(c.path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		<-c.done
		f.Close()
		return opened
	}
	<-c.done
	return opened
}

func TestProbe_ReferencesAreNeverFollowed(t *testing.T) {
	ffmpegtest.Require(t)
	var requests atomic.Int64
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.ServeFile(w, r, ffmpegtest.MustVideo(t, ffmpegtest.Video{Format: "mpegts", Ext: ".ts"}))
	}))
	defer listener.Close()
	dir := t.TempDir()

	hostile := map[string]func(canary string) string{
		"HLS playlist": func(canary string) string {
			return fmt.Sprintf("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n%s/a.ts\n#EXTINF:2,\n%s\n#EXT-X-ENDLIST\n",
				listener.URL, canary)
		},
		"HLS playlist with a byte-order mark": func(canary string) string {
			return fmt.Sprintf("\ufeff#EXTM3U\n#EXTINF:2,\n%s/b.ts\n#EXTINF:2,\nfile:%s\n#EXT-X-ENDLIST\n", listener.URL, canary)
		},
		"concat script": func(canary string) string {
			return fmt.Sprintf("ffconcat version 1.0\nfile '%s/c.mp4'\nfile '%s'\n", listener.URL, canary)
		},
	}
	for name, content := range hostile {
		for _, mode := range []string{"local file", "stored object by URL"} {
			t.Run(name+", "+mode, func(t *testing.T) {
				c := newCanary(t, t.TempDir())
				path := filepath.Join(dir, fmt.Sprintf("%d.mp4", time.Now().UnixNano()))
				if err := os.WriteFile(path, []byte(content(c.path)), 0o600); err != nil {
					t.Fatal(err)
				}
				input := path
				if mode != "local file" {
					input = serve(t, path, func(int64) int { return 0 })
				}
				before := requests.Load()
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				f, err := ffmpeg.Probe(ctx, input)
				v, _, jerr := contest.DefaultContest().Rules.JudgeProbe(f, contest.DefaultDurationTolerance, err)
				if got := requests.Load() - before; got != 0 {
					t.Errorf("the listener named in the file received %d requests, want 0", got)
				}
				if c.wasOpened() {
					t.Errorf("the local file named in the file was opened")
				}
				if jerr != nil || !slices.ContainsFunc(v.Reasons, func(r contest.Reason) bool { return r.Code == contest.VNotMP4 }) {
					t.Errorf("verdict %+v (err %v), want not_mp4", v.Reasons, jerr)
				}
				if f.DurationSec != 0 || f.HasVideo {
					t.Errorf("facts %+v: something named in the file was measured", f)
				}
			})
		}
	}
}

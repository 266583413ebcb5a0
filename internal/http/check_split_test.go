package http_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// stuckCopyTools make poster frames and web copies only once released: copies pile up.
type stuckCopyTools struct {
	ffmpeg.Tools
	release chan struct{}
}

func (s *stuckCopyTools) Faststart(ctx context.Context, input, dst string) error {
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Tools.Faststart(ctx, input, dst)
}

// waitVerdict waits until the video's check is accepted or rejected, whether or not its poster
// and web copy are made.
func (c *client) waitVerdict(subID string) checkedSubmission {
	c.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var s checkedSubmission
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+subID, nil).JSON(c.t, &s)
		if st := s.Video.Check.State; st != string(contest.CheckPending) {
			return s
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no verdict on %s after 60 s", subID)
		}
	}
}

// TestVideoCheck_VerdictsNeverWaitBehindCopies: while web copies are stuck (every copy worker
// busy), new uploads still get their verdict; the contestant sees it, plays the original and
// submits the work; the copy is made later.
func TestVideoCheck_VerdictsNeverWaitBehindCopies(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		tools := &stuckCopyTools{release: make(chan struct{})}
		e.Configure(func(o *contest.Options) { o.Media = tools })
		c := e.Client().SignUp("zhang@example.org")
		var subs []submission
		for range 3 { // more than the copy workers (one in the tests)
			s := c.Create(nil)
			c.ConsentAll(s)
			c.Upload(s.ID, fixtureFile(t, "a.mp4", ffmpegtest.Video{Audio: true}))
			subs = append(subs, s)
		}
		for _, s := range subs {
			got := c.waitVerdict(s.ID)
			if got.Video.Check.State != "accepted" || got.Video.Check.Done {
				t.Fatalf("check = %+v; want accepted, its web copy not made yet", got.Video.Check)
			}
		}
		last := subs[len(subs)-1]
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+last.ID, nil))
		if doc.Find("#video-check[data-pending]").Length() != 1 || doc.Find("video.player").Length() != 1 {
			t.Fatalf("page while the copy is made: still polling %d, player %d", doc.Find("#video-check[data-pending]").Length(), doc.Find("video.player").Length())
		}
		played, original := c.Fetch("/api/v1/submissions/"+last.ID+"/video?inline=1"), c.Fetch("/api/v1/submissions/"+last.ID+"/video")
		if !bytes.Equal(played, original) {
			t.Fatalf("before its copy is made the page plays %d bytes, want the original's %d", len(played), len(original))
		}
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+last.ID+"/finalize", nil)

		close(tools.release)
		for _, s := range subs {
			if got := c.WaitCheck(s.ID); !got.Video.Check.Done || got.Video.PosterURL == "" {
				t.Fatalf("after the copies: %+v, poster %q", got.Video.Check, got.Video.PosterURL)
			}
		}
		if bytes.Equal(c.Fetch("/api/v1/submissions/"+last.ID+"/video?inline=1"), original) {
			t.Errorf("the page still plays the original once its copy is made")
		}
	})
}

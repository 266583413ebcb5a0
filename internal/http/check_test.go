package http_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestVideoCheck_EachRuleAfterUpload uploads what phones and editors produce and checks the
// verdict the background job records, as the contestant sees it.
func TestVideoCheck_EachRuleAfterUpload(t *testing.T) {
	ffmpegtest.Require(t)
	text := []byte("这不是视频 this is not a video\n")
	tests := []struct {
		name     string
		file     func(t *testing.T) videoFile
		state    string
		reasons  []string
		message  string // part of the first reason's message
		summary  string
		poster   bool
		metadata string // a title and artist the editor wrote into the file
		warnings []string
	}{
		{name: "1280x720 landscape", file: fixture(ffmpegtest.Video{Audio: true}), state: "accepted",
			summary: "1280×720，2秒，H.264/AAC", poster: true},
		{name: "editor's metadata (names) is not in the copy judges play", file: fixture(ffmpegtest.Video{Title: "张三 省农业科学院"}),
			state: "accepted", summary: "1280×720，2秒，H.264", poster: true, metadata: "张三 省农业科学院"},
		{name: "faststart", file: fixture(ffmpegtest.Video{Faststart: true}), state: "accepted",
			summary: "1280×720，2秒，H.264", poster: true},
		{name: "1080x1920 portrait", file: fixture(ffmpegtest.Video{Width: 1080, Height: 1920}), state: "accepted",
			summary: "1080×1920，2秒，H.264", poster: true},
		{name: "720x1280 stored, rotated, shows 1280x720", file: fixture(ffmpegtest.Video{Width: 720, Height: 1280, Rotate: 90}),
			state: "accepted", summary: "1280×720，2秒，H.264", poster: true},
		{name: "960x540 rotated shows 540x960", file: fixture(ffmpegtest.Video{Width: 960, Height: 540, Rotate: 90}),
			state: "rejected", reasons: []string{"low_resolution"}, message: "分辨率为 540×960", poster: true},
		{name: "QuickTime named .mp4", file: fixture(ffmpegtest.Video{Format: "mov"}), state: "rejected",
			reasons: []string{"not_mp4"}, message: "请导出为MP4格式", poster: true},
		// No tool reads a file without an ftyp box: told by its first bytes, with no poster.
		{name: "Matroska named .mp4", file: fixture(ffmpegtest.Video{Format: "matroska"}), state: "rejected",
			reasons: []string{"not_mp4"}, message: "MKV"},
		{name: "small QuickTime breaks two rules", file: fixture(ffmpegtest.Video{Format: "mov", Width: 640, Height: 360}),
			state: "rejected", reasons: []string{"not_mp4", "low_resolution"}, poster: true},
		{name: "audio only", file: fixture(ffmpegtest.Video{Codec: "none", Format: "ipod"}), state: "rejected",
			reasons: []string{"no_video"}, message: "没有视频画面"},
		{name: "truncated upload", file: fixture(ffmpegtest.Video{Duration: 4, Truncate: 0.5}), state: "rejected",
			reasons: []string{"unreadable"}, message: "无法读取"},
		{name: "text named .mp4", file: func(t *testing.T) videoFile { return bytesFile("notes.mp4", text) }, state: "rejected",
			reasons: []string{"not_mp4"}},
		{name: "180 s", file: fixture(ffmpegtest.Video{Duration: 180}), state: "accepted",
			summary: "1280×720，3分0秒，H.264", poster: true},
		{name: "181 s", file: fixture(ffmpegtest.Video{Duration: 181}), state: "rejected",
			reasons: []string{"too_long"}, message: "视频时长 3分1秒，超过3分钟限制", poster: true},
	}
	forEachBackend(t, func(t *testing.T, e *env) {
		e.Configure(func(o *contest.Options) { o.MaxWorks = len(tests) }) // one account, one work per rule
		c := e.Client().SignUp("zhang@example.org")
		ids := make([]string, len(tests))
		for i, tt := range tests { // upload all, then wait: the checks run side by side
			ids[i] = c.Create(nil).ID
			c.Upload(ids[i], tt.file(t))
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := c.WaitCheck(ids[i])
				got := s.Video.Check
				if got.State != tt.state {
					t.Fatalf("state %q (%+v), want %q", got.State, got, tt.state)
				}
				if diff := cmp.Diff(tt.reasons, codes(got.Reasons)); diff != "" {
					t.Errorf("reasons (-want +got):\n%s", diff)
				}
				if tt.message != "" && !strings.Contains(got.Reasons[0].Message, tt.message) {
					t.Errorf("message %q, want it to contain %q", got.Reasons[0].Message, tt.message)
				}
				if got.Summary != tt.summary && tt.summary != "" {
					t.Errorf("summary %q, want %q", got.Summary, tt.summary)
				}
				if got.Facts == nil || got.Facts.Size == 0 || got.Advice == "" {
					t.Errorf("facts %+v advice %q, want both", got.Facts, got.Advice)
				}
				if (s.Video.PosterURL != "") != tt.poster {
					t.Errorf("poster URL %q, want a poster: %v", s.Video.PosterURL, tt.poster)
				}
				if tt.poster {
					if r := c.Do("GET", s.Video.PosterURL, nil); r.Status != http.StatusOK || !isJPEG(r.Body) {
						t.Errorf("poster = %d, %d bytes, JPEG %v", r.Status, len(r.Body), isJPEG(r.Body))
					}
				}
				if tt.state == "accepted" {
					played := c.Fetch("/api/v1/submissions/" + ids[i] + "/video?inline=1")
					boxes := topLevelBoxes(played)
					if i, j := slices.Index(boxes, "moov"), slices.Index(boxes, "mdat"); i < 0 || i > j {
						t.Errorf("video played in the page has boxes %v, want moov before mdat", boxes)
					}
					original := c.Fetch("/api/v1/submissions/" + ids[i] + "/video")
					if bytes.Equal(played, original) || !s.Video.Check.Done {
						t.Errorf("the page plays the original, not a copy for playback")
					}
					if tt.metadata != "" && (!bytes.Contains(original, []byte(tt.metadata)) || bytes.Contains(played, []byte(tt.metadata))) {
						t.Errorf("metadata %q: in the original %v, in the copy %v", tt.metadata,
							bytes.Contains(original, []byte(tt.metadata)), bytes.Contains(played, []byte(tt.metadata)))
					}
					copyPath := filepath.Join(t.TempDir(), "copy.mp4")
					if err := os.WriteFile(copyPath, played, 0o600); err != nil {
						t.Fatal(err)
					}
					f, err := ffmpeg.Probe(context.Background(), copyPath)
					if err != nil || f.DisplayWidth != got.Facts.DisplayWidth || f.DisplayHeight != got.Facts.DisplayHeight || !f.Faststart {
						t.Errorf("copy measures %dx%d faststart %v (%v), want %dx%d as the original", f.DisplayWidth, f.DisplayHeight,
							f.Faststart, err, got.Facts.DisplayWidth, got.Facts.DisplayHeight)
					}
				}
			})
		}
	})
}

func fixture(v ffmpegtest.Video) func(t *testing.T) videoFile {
	return func(t *testing.T) videoFile { return fixtureFile(t, "作品.mp4", v) }
}

func codes(rs []contest.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func isJPEG(b []byte) bool { return len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF }

// topLevelBoxes names the top-level boxes of an ISO base media file, in order.
func topLevelBoxes(b []byte) []string {
	var out []string
	for off := 0; off+8 <= len(b); {
		size := int(binary.BigEndian.Uint32(b[off:]))
		if size == 1 && off+16 <= len(b) {
			size = int(binary.BigEndian.Uint64(b[off+8:]))
		}
		out = append(out, string(b[off+4:off+8]))
		if size < 8 {
			break
		}
		off += size
	}
	return out
}

func TestVideoCheck_RejectedVideoIsReplacedThenTheWorkIsSubmitted(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.ConsentAll(s)
		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov"}))
		if got := c.WaitCheck(s.ID); got.Video.Check.State != "rejected" || got.VideoState != "未通过" {
			t.Fatalf("QuickTime check = %+v state %q", got.Video.Check, got.VideoState)
		}
		if r := c.Do("POST", "/api/v1/submissions/"+s.ID+"/finalize", nil); r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["video"] != "video_rejected" {
			t.Fatalf("finalize with a rejected video = %d %s, want 422 video_rejected", r.Status, r.Body)
		}
		// The page says why, what to do, and offers the upload again.
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+s.ID, nil))
		if got := doc.Find(`#video-check .reasons li[data-code="not_mp4"]`).Text(); !strings.Contains(got, "请导出为MP4格式") {
			t.Errorf("page reason %q", got)
		}
		if doc.Find("#video-check .badge").Text() != "未通过" || doc.Find(".uploader").Length() != 1 || doc.Find("#finalize").Length() != 0 {
			t.Errorf("page: badge %q, uploader %d, finalize %d", doc.Find("#video-check .badge").Text(),
				doc.Find(".uploader").Length(), doc.Find("#finalize").Length())
		}

		c.Upload(s.ID, fixtureFile(t, "重新导出.mp4", ffmpegtest.Video{Audio: true}))
		if got := c.WaitCheck(s.ID); got.Video.Check.State != "accepted" || got.Video.Name != "重新导出.mp4" {
			t.Fatalf("re-upload check = %+v", got.Video)
		}
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		doc = mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+s.ID, nil))
		if doc.Find("#video-check .badge").Text() != "已通过" || doc.Find("video.player").Length() != 1 {
			t.Errorf("accepted page: badge %q, players %d", doc.Find("#video-check .badge").Text(), doc.Find("video.player").Length())
		}

		// A new video on a submitted work must pass its check before it counts: until then the
		// accepted video stays the work's, and the work stays submitted (replace_test.go).
		done := c.Upload(s.ID, fixtureFile(t, "第三版.mp4", ffmpegtest.Video{Audio: true, Faststart: true}))
		if done.Status != "submitted" || done.Video.Name != "重新导出.mp4" {
			t.Errorf("complete answered %+v for a submitted work given a new video, want it submitted with its accepted video", done)
		}
		if got := c.WaitCandidate(s.ID); got.Status != "submitted" || got.Video.Name != "第三版.mp4" {
			t.Fatalf("after the new video passed: %+v", got)
		}
	})
}

// flakyTools fail the first n probes (all when n < 0), then measure for real.
type flakyTools struct {
	ffmpeg.Tools
	n     atomic.Int64
	calls atomic.Int64
}

func (f *flakyTools) Probe(ctx context.Context, input string) (contest.VideoFacts, error) {
	if f.calls.Add(1); f.n.Add(-1) >= 0 {
		return contest.VideoFacts{}, errors.New("reading stored file: storage answered 503 Service Unavailable")
	}
	return f.Tools.Probe(ctx, input)
}

func TestVideoCheck_FailuresAreRetriedThenShownAsFailed(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		flaky := &flakyTools{}
		e.Configure(func(o *contest.Options) { o.Media = flaky })
		c := e.Client().SignUp("zhang@example.org")
		org := e.Organizer()

		// Two failures, then success on the third and last attempt.
		flaky.n.Store(2)
		s := c.Create(nil)
		c.Upload(s.ID, fixtureFile(t, "a.mp4", ffmpegtest.Video{}))
		if got := c.WaitCheck(s.ID); got.Video.Check.State != "accepted" || got.Video.Check.Attempts != 3 || flaky.calls.Load() != 3 {
			t.Fatalf("after two failures: %+v, %d probes; want accepted on attempt 3", got.Video.Check, flaky.calls.Load())
		}

		// Failing every time ends in a visible error state.
		flaky.n.Store(1 << 30)
		s = c.Create(nil)
		c.Upload(s.ID, fixtureFile(t, "b.mp4", ffmpegtest.Video{}))
		got := c.WaitCheck(s.ID)
		if got.Video.Check.State != "failed" || got.VideoState != "检查出错" || got.Video.Check.Error != "" {
			t.Fatalf("contestant sees %+v (%q); want failed without the technical error", got.Video.Check, got.VideoState)
		}
		var seen checkedSubmission
		org.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &seen)
		if !strings.Contains(seen.Video.Check.Error, "503") || seen.Video.Check.Attempts != testJobSettings.MaxAttempts {
			t.Fatalf("organizer sees %+v; want the error after %d attempts", seen.Video.Check, testJobSettings.MaxAttempts)
		}
		doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions?check=failed", nil))
		if n := doc.Find("#submissions tbody tr").Length(); n != 1 || !strings.Contains(doc.Find("#submissions").Text(), "检查出错") {
			t.Fatalf("organizer list filtered on failed has %d rows", n)
		}

		// The organizer's page says why, and offers to run the check again.
		doc = mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions/"+s.ID, nil))
		if got := doc.Find("#video").Text(); !strings.Contains(got, "检查出错") || !strings.Contains(got, "503") || doc.Find("#recheck").Length() != 1 {
			t.Fatalf("organizer's page: %q, recheck buttons %d", got, doc.Find("#recheck").Length())
		}

		// Once storage is back, the organizer runs the check again.
		flaky.n.Store(0)
		if r := c.Do("POST", "/api/v1/admin/submissions/"+s.ID+"/video/check", nil); r.Status != http.StatusForbidden {
			t.Fatalf("contestant recheck = %d, want 403", r.Status)
		}
		org.Must(http.StatusAccepted, "POST", "/api/v1/admin/submissions/"+s.ID+"/video/check", nil)
		if got := c.WaitCheck(s.ID); got.Video.Check.State != "accepted" {
			t.Fatalf("after recheck: %+v", got.Video.Check)
		}
		// The page's button does the same, and the page then shows what was measured.
		org.Must(http.StatusSeeOther, "POST", "/admin/submissions/"+s.ID+"/recheck", url.Values{})
		c.WaitCheck(s.ID)
		doc = mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions/"+s.ID, nil))
		if got := doc.Find("#video table.facts").Text(); !strings.Contains(got, "1280×720") || !strings.Contains(got, "h264") || !strings.Contains(got, "isom") {
			t.Errorf("facts on the organizer's page: %q", got)
		}
		if got := doc.Find("#video .badge").Text(); got != "已通过" {
			t.Errorf("badge %q after the page's recheck", got)
		}
	})
}

func TestVideoCheck_OrganizerListFiltersByVerdict(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		files := map[string]ffmpegtest.Video{
			"good":  {},
			"mov":   {Format: "mov"},
			"long":  {Duration: 181},
			"small": {Format: "mov", Width: 640, Height: 360},
		}
		for name, v := range files {
			in := validInput()
			in["registration"].(map[string]any)["title"] = name
			s := c.Create(in)
			c.Upload(s.ID, fixtureFile(t, name+".mp4", v))
			c.WaitCheck(s.ID)
		}
		c.Create(nil) // no video
		org := e.Organizer()
		titles := func(query string) []string {
			var list struct {
				Items []struct{ Registration struct{ Title string } }
			}
			org.Must(http.StatusOK, "GET", "/api/v1/admin/submissions?"+query, nil).JSON(t, &list)
			var out []string
			for _, it := range list.Items {
				out = append(out, it.Registration.Title)
			}
			slices.Sort(out)
			return out
		}
		for query, want := range map[string][]string{
			"check=accepted":                 {"good"},
			"check=rejected":                 {"long", "mov", "small"},
			"check=none":                     {validInput()["registration"].(map[string]any)["title"].(string)},
			"reason=not_mp4":                 {"mov", "small"},
			"reason=low_resolution":          {"small"},
			"reason=too_long":                {"long"},
			"check=rejected&reason=too_long": {"long"},
		} {
			if diff := cmp.Diff(want, titles(query)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", query, diff)
			}
		}
		// The page shows the facts and every reason, and keeps the filter in its form.
		doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions?reason=not_mp4", nil))
		if n := doc.Find(`#submissions .reason[data-code="not_mp4"]`).Length(); n != 2 {
			t.Errorf("page lists %d not_mp4 reasons, want 2", n)
		}
		if v, _ := doc.Find(`select[name=reason] option[selected]`).Attr("value"); v != "not_mp4" {
			t.Errorf("reason filter shows %q selected", v)
		}
		if !strings.Contains(doc.Find("#submissions").Text(), "640×360") {
			t.Error("page lacks the measured resolution 640×360")
		}
	})
}

// TestVideoCheck_ReplicasNeverRunTheSameCheckTwice runs a second replica's workers on the same
// database: every video is probed once, by one of them.
func TestVideoCheck_ReplicasNeverRunTheSameCheckTwice(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		counter := &countingTools{seen: map[string]int{}}
		e.Configure(func(o *contest.Options) { o.Media, o.MaxWorks = counter, 12 })
		second, err := e.DB.StartJobs(context.Background(), testJobSettings, db.Work{Check: e.Svc.Media.CheckVideo, Copy: e.Svc.Media.CopyVideo, Export: e.Svc.Reports.RunExport}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { second.Stop(context.Background()) })
		c := e.Client().SignUp("zhang@example.org")
		var ids []string
		for range 12 {
			s := c.Create(nil)
			c.Upload(s.ID, fixtureFile(t, "a.mp4", ffmpegtest.Video{Faststart: true}))
			ids = append(ids, s.ID)
		}
		for _, id := range ids {
			if got := c.WaitCheck(id); got.Video.Check.State != "accepted" || got.Video.Check.Attempts != 1 {
				t.Errorf("check of %s = %+v", id, got.Video.Check)
			}
		}
		counter.mu.Lock()
		defer counter.mu.Unlock()
		if len(counter.seen) != len(ids) {
			t.Errorf("%d videos probed, want %d", len(counter.seen), len(ids))
		}
		for in, n := range counter.seen {
			if n != 1 {
				t.Errorf("%s probed %d times", in, n)
			}
		}
	})
}

type countingTools struct {
	ffmpeg.Tools
	mu   sync.Mutex
	seen map[string]int
}

func (c *countingTools) Probe(ctx context.Context, input string) (contest.VideoFacts, error) {
	key := input
	if i := strings.Index(key, "?"); i > 0 {
		key = key[:i] // presigned URLs differ in their signature
	}
	c.mu.Lock()
	c.seen[key]++
	c.mu.Unlock()
	return c.Tools.Probe(ctx, input)
}

// Fetch GETs path, following a redirect to storage, and returns the body.
func (c *client) Fetch(path string) []byte {
	c.t.Helper()
	res := c.follow(path)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

func bytesFile(name string, b []byte) videoFile {
	return videoFile{Name: name, LastModified: 1652580000000, ReaderAt: bytes.NewReader(b), Size: int64(len(b)), hashes: &sync.Map{}}
}

// TestVideoCheck_LostChecksAreQueuedAgainOnce covers checks whose job was lost (and videos
// uploaded before checks existed, which the migration leaves checking): the housekeeper
// queues them again, once.
func TestVideoCheck_LostChecksAreQueuedAgainOnce(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		counter := &countingTools{seen: map[string]int{}}
		e.Configure(func(o *contest.Options) { o.Media = counter })
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.UploadAccepted(s.ID)
		stored, err := e.Stores.SubmissionByID(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.stopJobs() // the lost job: a check recorded as checking with nothing queued
		e.Media = counter
		if err := e.Stores.SaveVideoCheck(ctx, s.ID, stored.Video.Key, contest.VideoCheck{State: contest.CheckPending}); err != nil {
			t.Fatal(err)
		}
		// Hours later the housekeeper finds it; its next rounds leave the queued check alone.
		if n, err := e.DB.RequeueChecks(ctx, time.Now().Add(time.Hour), 100); err != nil || n != 1 {
			t.Fatalf("requeue = %d, %v; want 1", n, err)
		}
		for range 2 {
			if n, err := e.DB.RequeueChecks(ctx, time.Now().Add(-time.Minute), 100); err != nil || n != 0 {
				t.Fatalf("requeue again = %d, %v; want 0", n, err)
			}
		}
		e.Restart()
		if got := c.WaitCheck(s.ID); got.Video.Check.State != "accepted" {
			t.Fatalf("requeued check = %+v", got.Video.Check)
		}
		counter.mu.Lock()
		defer counter.mu.Unlock()
		for in, n := range counter.seen {
			if n != 2 { // the first check, and one requeued check
				t.Errorf("%s probed %d times, want 2", in, n)
			}
		}
	})
}

// posterlessTools cannot make poster frames, and fail every probe after the first.
type posterlessTools struct {
	ffmpeg.Tools
	probes atomic.Int64
}

func (p *posterlessTools) Poster(context.Context, string, float64) ([]byte, error) {
	return nil, errors.New("ffmpeg: poster: Killed")
}

func (p *posterlessTools) Probe(ctx context.Context, input string) (contest.VideoFacts, error) {
	if p.probes.Add(1) > 1 {
		return contest.VideoFacts{}, errors.New("reading stored file: storage answered 503 Service Unavailable")
	}
	return p.Tools.Probe(ctx, input)
}

// TestVideoCheck_VerdictStandsWhenItsPosterCannotBeMade: the verdict is recorded first, by a job
// that only measures; the poster is a later job whose failed attempts neither measure again nor
// take the verdict back.
func TestVideoCheck_VerdictStandsWhenItsPosterCannotBeMade(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		tools := &posterlessTools{}
		e.Configure(func(o *contest.Options) { o.Media = tools })
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.ConsentAll(s)
		c.Upload(s.ID, fixtureFile(t, "a.mp4", ffmpegtest.Video{Audio: true}))
		got := c.WaitCheck(s.ID)
		if got.Video.Check.State != "accepted" || !got.Video.Check.Done || got.Video.PosterURL != "" {
			t.Fatalf("check = %+v, poster %q; want accepted, done, no poster", got.Video.Check, got.Video.PosterURL)
		}
		if n := tools.probes.Load(); n != 1 {
			t.Errorf("%d probes, want 1: the poster's attempts do not measure the video again", n)
		}
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		c.Fetch("/api/v1/submissions/" + s.ID + "/video?inline=1") // plays the original
	})
}

// TestVideoCheck_APlaylistUploadedAsVideoFetchesNothing uploads an HLS playlist named .mp4
// whose segments point at a listener on the server's own network: in S3 mode the media tools
// read the stored object by URL from inside the server, where such a playlist would make them
// fetch every address it lists. The check rejects it as not MP4 and nothing is fetched.
func TestVideoCheck_APlaylistUploadedAsVideoFetchesNothing(t *testing.T) {
	ffmpegtest.Require(t)
	var requests atomic.Int64
	segment := ffmpegtest.MustVideo(t, ffmpegtest.Video{Format: "mpegts", Ext: ".ts"})
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.ServeFile(w, r, segment)
	}))
	defer listener.Close()
	playlist := fmt.Sprintf("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n%s/internal.ts\n#EXTINF:2,\n%s\n#EXT-X-ENDLIST\n",
		listener.URL, segment)
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.Upload(s.ID, bytesFile("作品.mp4", []byte(playlist)))
		got := c.WaitCheck(s.ID)
		check := got.Video.Check
		if check.State != "rejected" || len(check.Reasons) == 0 || check.Reasons[0].Code != contest.VNotMP4 {
			t.Errorf("check %s %+v, want rejected as not_mp4", check.State, check.Reasons)
		}
		if !strings.Contains(check.Reasons[0].Message, "HLS播放列表") {
			t.Errorf("message %q does not say what the file is", check.Reasons[0].Message)
		}
		if n := requests.Load(); n != 0 {
			t.Errorf("the address in the playlist received %d requests, want 0", n)
		}
		if f := check.Facts; f != nil && (f.DurationSec != 0 || f.HasVideo) {
			t.Errorf("facts %+v: the listed segment was measured", f)
		}
	})
}

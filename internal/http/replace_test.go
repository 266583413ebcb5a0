package http_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// gatedTools hold every probe while held, as a slow check does, so a test sees what the pages
// show while a video is checked.
type gatedTools struct {
	ffmpeg.Tools
	mu   sync.Mutex
	gate chan struct{}
}

func (g *gatedTools) Hold() { g.mu.Lock(); g.gate = make(chan struct{}); g.mu.Unlock() }

func (g *gatedTools) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gate != nil {
		close(g.gate)
		g.gate = nil
	}
}

func (g *gatedTools) Probe(ctx context.Context, input string) (contest.VideoFacts, error) {
	g.mu.Lock()
	ch := g.gate
	g.mu.Unlock()
	if ch != nil {
		select {
		case <-ch:
		case <-ctx.Done():
			return contest.VideoFacts{}, ctx.Err()
		}
	}
	return g.Tools.Probe(ctx, input)
}

// candidateSubmission is the submission JSON with its video and candidate video.
type candidateSubmission struct {
	Status         string
	VideoState     string `json:"video_state"`
	Video          *candidateVideo
	VideoCandidate *candidateVideo `json:"video_candidate"`
}

type candidateVideo struct {
	Name  string
	Check struct {
		State   string
		Reasons []contest.Reason
		Done    bool
	}
}

// Submission returns the submission's JSON as its owner sees it.
func (c *client) candidateView(subID string) candidateSubmission {
	c.t.Helper()
	var s candidateSubmission
	c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+subID, nil).JSON(c.t, &s)
	return s
}

// WaitCandidate polls the submission until it has no candidate video checking (it replaced
// the video, or was refused, or could not be checked) and the video's check has finished.
func (c *client) WaitCandidate(subID string) candidateSubmission {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := c.candidateView(subID)
		settled := s.VideoCandidate == nil || s.VideoCandidate.Check.State != string(contest.CheckPending)
		if settled && s.Video != nil && (s.Video.Check.Done || s.Video.Check.State == string(contest.CheckFailed)) {
			return s
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("candidate of %s still checking after 60 s: %+v; log:\n%s", subID, s, c.e.LogLines("level=ERROR", "level=WARN"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// acceptedAndSubmitted makes a submitted work whose video (作品.mp4) passed its check.
func acceptedAndSubmitted(t *testing.T, e *env) (*client, submission, contest.Submission) {
	t.Helper()
	c := e.Client().SignUp("zhang@example.org")
	s := c.Create(nil)
	c.ConsentAll(s)
	c.UploadAccepted(s.ID)
	c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
	stored, err := e.Stores.SubmissionByID(context.Background(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c, s, stored
}

// storedObject reports whether storage still holds key.
func storedObject(e *env, key string) bool {
	rc, err := e.Storage.Get(context.Background(), key)
	if err != nil {
		return false
	}
	rc.Close()
	return true
}

func TestReplaceVideo_AcceptedVideoStaysUntilTheNewOnePasses(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		g := &gatedTools{}
		e.Configure(func(o *contest.Options) { o.Media = g })
		c, s, before := acceptedAndSubmitted(t, e)
		oldSum, _ := c.VideoSHA256(s.ID)
		org := e.Organizer()
		counts := func() map[contest.Status]int64 {
			page, err := e.Stores.ListSubmissions(context.Background(), contest.SubmissionFilter{ContestID: e.Contest.ID, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return page.ByStatus
		}
		countsBefore := counts()
		formal := func(decision string) int {
			return org.Do("PUT", "/api/v1/admin/submissions/"+s.ID+"/formal-review", map[string]string{"decision": decision}).Status
		}
		if st := formal("passed"); st != http.StatusOK {
			t.Fatalf("formal review of the accepted video: %d", st)
		}

		g.Hold()
		done := c.Upload(s.ID, fixtureFile(t, "新版.mp4", ffmpegtest.Video{Audio: true, Faststart: true}))
		if done.Status != "submitted" || done.Video == nil || done.Video.Name != "作品.mp4" {
			t.Fatalf("completing the new upload answered %+v, want the submitted work with 作品.mp4", done)
		}
		// While it is checked, everyone still sees the accepted video, and the owner both.
		got := c.candidateView(s.ID)
		if got.Status != "submitted" || got.Video.Name != "作品.mp4" || got.Video.Check.State != "accepted" ||
			got.VideoCandidate == nil || got.VideoCandidate.Name != "新版.mp4" || got.VideoCandidate.Check.State != "checking" ||
			!strings.Contains(got.VideoState, "新视频检查中") {
			t.Fatalf("while the new video is checked: %+v", got)
		}
		if sum, _ := org.VideoSHA256(s.ID); sum != oldSum {
			t.Errorf("the organizer's download is not the accepted video while the new one is checked")
		}
		if after := counts(); after[contest.StatusSubmitted] != countsBefore[contest.StatusSubmitted] || after[contest.StatusDraft] != countsBefore[contest.StatusDraft] {
			t.Errorf("counts per status %v while the new video is checked, were %v", after, countsBefore)
		}
		// The organizers do not pass a work whose new video is still being checked.
		if st := formal("passed"); st != http.StatusConflict {
			t.Errorf("formal pass while the new video is checked: %d, want 409", st)
		}
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+s.ID, nil))
		if cur := doc.Find(".current-video").Text(); !strings.Contains(cur, "当前参评视频") || !strings.Contains(cur, "作品.mp4") {
			t.Errorf("current video on the page: %q", cur)
		}
		if cand := doc.Find("#video-candidate").Text(); !strings.Contains(cand, "新上传的视频（检查中…）") || !strings.Contains(cand, "新版.mp4") {
			t.Errorf("candidate on the page: %q", cand)
		}

		// It passes: it is the video now, the old file is gone, and the work is still submitted.
		g.Release()
		got = c.WaitCandidate(s.ID)
		if got.VideoCandidate != nil || got.Video.Name != "新版.mp4" || got.Video.Check.State != "accepted" || got.Status != "submitted" {
			t.Fatalf("after the new video passed: %+v", got)
		}
		if storedObject(e, before.Video.Key) {
			t.Errorf("the replaced video %s is still stored", before.Video.Key)
		}
		// The pass at 形式审查 was the old video's: the new one waits for its own.
		if after, _ := e.Stores.SubmissionByID(context.Background(), s.ID); after.Formal != nil {
			t.Errorf("formal review after the replacement: %+v, want none (the new video is reviewed anew)", after.Formal)
		}
		var log struct {
			Items []struct {
				ActorName string `json:"actor_name"`
				Action    string
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit?entity=formal_review&entity_id="+s.ID, nil).JSON(t, &log)
		if len(log.Items) == 0 || log.Items[0].Action != "withdrawn" || log.Items[0].ActorName != "系统" {
			t.Errorf("the audit log does not record the pass withdrawn with the replacement: %+v", log.Items)
		}
		if sum, _ := org.VideoSHA256(s.ID); sum == oldSum {
			t.Errorf("the organizer still downloads the replaced video")
		}
		notes, err := e.Stores.ListNotifications(context.Background(), before.OwnerID, 20, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n := notes.Items[0]; n.Kind != contest.NoteVideoAccepted || !strings.Contains(n.Body, "已替换原先的参赛视频") {
			t.Errorf("newest notification %s: %q", n.Kind, n.Body)
		}
		doc = mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+s.ID, nil))
		if doc.Find("#video-candidate").Length() != 0 || !strings.Contains(doc.Find(".current-video").Text(), "新版.mp4") {
			t.Errorf("page after the replacement: %q", doc.Find("#video").Text())
		}
	})
}

func TestReplaceVideo_RefusedNewVideoLeavesTheAcceptedOne(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		c, s, before := acceptedAndSubmitted(t, e)
		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov"}))
		got := c.WaitCandidate(s.ID)
		if got.Status != "submitted" || got.Video.Name != "作品.mp4" || got.Video.Check.State != "accepted" ||
			got.VideoCandidate == nil || got.VideoCandidate.Check.State != "rejected" || codes(got.VideoCandidate.Check.Reasons)[0] != contest.VNotMP4 {
			t.Fatalf("after the new video was refused: %+v", got)
		}
		stored, err := e.Stores.SubmissionByID(context.Background(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if storedObject(e, stored.Candidate.Key) {
			t.Errorf("the refused video %s is still stored", stored.Candidate.Key)
		}
		if !storedObject(e, before.Video.Key) {
			t.Errorf("the accepted video %s was deleted", before.Video.Key)
		}
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+s.ID, nil))
		cand := doc.Find("#video-candidate").Text()
		if !strings.Contains(cand, "未通过检查") || !strings.Contains(cand, "参评的仍是上面通过检查的视频“作品.mp4”") ||
			doc.Find(`#video-candidate .reasons li[data-code="not_mp4"]`).Length() != 1 {
			t.Errorf("the page about the refused video: %q", cand)
		}
		if doc.Find("video.player").Length() != 1 {
			t.Errorf("the accepted video's player is gone")
		}
		adm := mustDoc(t, e.Organizer().Must(http.StatusOK, "GET", "/admin/submissions/"+s.ID, nil))
		if txt := adm.Find("#video-candidate").Text(); !strings.Contains(txt, "从剪映导出.mp4") || !strings.Contains(txt, "未通过") ||
			adm.Find(`#video-candidate .reasons li[data-code="not_mp4"]`).Length() != 1 {
			t.Errorf("the organizer's box about the refused video: %q", txt)
		}
		if b := strings.TrimSpace(adm.Find("#recheck").Text()); b != "重新检查" {
			t.Errorf("recheck button with a refused new video: %q", b)
		}
		notes, err := e.Stores.ListNotifications(context.Background(), before.OwnerID, 20, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n := notes.Items[0]; n.Kind != contest.NoteCandidateRejected || !strings.Contains(n.Body, "“作品.mp4”仍是参赛视频") ||
			!strings.Contains(n.Body, "MP4") {
			t.Errorf("newest notification %s: %q", n.Kind, n.Body)
		}

		// A good one afterwards replaces the video, and the refusal goes.
		c.Upload(s.ID, fixtureFile(t, "重新导出.mp4", ffmpegtest.Video{Audio: true, Faststart: true}))
		if got := c.WaitCandidate(s.ID); got.VideoCandidate != nil || got.Video.Name != "重新导出.mp4" || got.Status != "submitted" {
			t.Fatalf("after a good new video: %+v", got)
		}
	})
}

func TestReplaceVideo_NewVideoThatCannotBeCheckedKeepsBothFiles(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		flaky := &flakyTools{}
		e.Configure(func(o *contest.Options) { o.Media = flaky })
		c, s, before := acceptedAndSubmitted(t, e)
		flaky.n.Store(1 << 30)
		c.Upload(s.ID, fixtureFile(t, "新版.mp4", ffmpegtest.Video{Audio: true}))
		got := c.WaitCandidate(s.ID)
		if got.Video.Name != "作品.mp4" || got.Video.Check.State != "accepted" || got.VideoCandidate == nil ||
			got.VideoCandidate.Check.State != "failed" || got.Status != "submitted" {
			t.Fatalf("after the check of the new video failed: %+v", got)
		}
		stored, err := e.Stores.SubmissionByID(context.Background(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !storedObject(e, before.Video.Key) || !storedObject(e, stored.Candidate.Key) {
			t.Fatalf("a file was lost: accepted %v, new %v", storedObject(e, before.Video.Key), storedObject(e, stored.Candidate.Key))
		}
		doc := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+s.ID, nil))
		if cand := doc.Find("#video-candidate").Text(); !strings.Contains(cand, "两个文件都已保留") {
			t.Errorf("the page about the unchecked video: %q", cand)
		}

		// The organizer sees the new video waiting, why it could not be checked, and what the
		// recheck will check.
		org := e.Organizer()
		if got := org.candidateView(s.ID); got.VideoState != "已通过，新视频无法检查" {
			t.Errorf("video state for the organizer: %q", got.VideoState)
		}
		adm := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions/"+s.ID, nil))
		box := adm.Find("#video-candidate")
		if txt := box.Text(); !strings.Contains(txt, "新上传的视频（待替换）") || !strings.Contains(txt, "新版.mp4") ||
			!strings.Contains(txt, "检查出错") || !strings.Contains(txt, "检查出错原因") || !strings.Contains(txt, "两个文件都已保留") {
			t.Errorf("the organizer's box about the unchecked video: %q", txt)
		}
		if b := strings.TrimSpace(adm.Find("#recheck").Text()); b != "重新检查新视频" {
			t.Errorf("recheck button: %q", b)
		}

		// The organizer runs the check again once the tools are back: the new video is checked.
		flaky.n.Store(0)
		e.Organizer().Must(http.StatusAccepted, "POST", "/api/v1/admin/submissions/"+s.ID+"/video/check", nil)
		if got := c.WaitCandidate(s.ID); got.VideoCandidate != nil || got.Video.Name != "新版.mp4" {
			t.Fatalf("after the recheck: %+v, video %+v", got, got.Video)
		}
		if storedObject(e, before.Video.Key) {
			t.Errorf("the replaced video is still stored")
		}
	})
}

func TestReplaceVideo_TheNewerOfTwoNewVideosWins(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		g := &gatedTools{}
		e.Configure(func(o *contest.Options) { o.Media = g })
		c, s, before := acceptedAndSubmitted(t, e)
		g.Hold()
		c.Upload(s.ID, fixtureFile(t, "第二版.mp4", ffmpegtest.Video{Audio: true}))
		second, err := e.Stores.SubmissionByID(context.Background(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		c.Upload(s.ID, fixtureFile(t, "第三版.mp4", ffmpegtest.Video{Audio: true, Faststart: true}))
		if got := c.candidateView(s.ID); got.Video.Name != "作品.mp4" || got.VideoCandidate.Name != "第三版.mp4" {
			t.Fatalf("with two new videos: %+v", got)
		}
		g.Release()
		got := c.WaitCandidate(s.ID)
		if got.VideoCandidate != nil || got.Video.Name != "第三版.mp4" {
			t.Fatalf("after both checks: %+v", got)
		}
		for _, key := range []string{before.Video.Key, second.Candidate.Key} {
			if storedObject(e, key) {
				t.Errorf("%s is still stored", key)
			}
		}
	})
}

func TestReplaceVideo_VideoNotYetAcceptedIsReplacedAtOnce(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.Upload(s.ID, fixtureFile(t, "从剪映导出.mp4", ffmpegtest.Video{Format: "mov"}))
		c.WaitCheck(s.ID)
		done := c.Upload(s.ID, fixtureFile(t, "重新导出.mp4", ffmpegtest.Video{Audio: true}))
		if done.Video == nil || done.Video.Name != "重新导出.mp4" {
			t.Fatalf("a refused video was not replaced at once: %+v", done)
		}
		if got := c.candidateView(s.ID); got.VideoCandidate != nil {
			t.Fatalf("a refused video's replacement became a candidate: %+v", got)
		}
	})
}

package http_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/tesseract"
	"github.com/jskx/contest/internal/tesseract/tesseracttest"
)

// scanView is the part of the API's scan the tests read.
type scanView struct {
	State     string
	ScannedAt *time.Time `json:"scanned_at"`
	Error     string
	Findings  *struct {
		Leaks []struct {
			Kind, Region, Read, Matched string
			At                          float64
			Frame                       int
		}
		Duplicates []struct {
			SubmissionID string `json:"submission_id"`
			SameOwner    bool   `json:"same_owner"`
			Share        float64
		}
		Subtitles struct{ Present bool }
		Sound     struct {
			HasAudio bool    `json:"has_audio"`
			Loudness float64 `json:"loudness_lufs"`
		}
	}
	Review     []contest.Reason `json:"review_warnings"`
	National   []contest.Reason `json:"national_warnings"`
	Contestant []contest.Reason `json:"contestant_advice"`
	Frames     map[string]string
	Cleared    *struct{ Note string }
}

// waitScan polls the organizer's view of a work's scan until it has finished (or failed).
func waitScan(t *testing.T, org *client, id string) scanView {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		var s scanView
		r := org.Do("GET", "/api/v1/admin/submissions/"+id+"/scan", nil)
		if r.Status == http.StatusOK {
			r.JSON(t, &s)
			if s.State == string(contest.ScanFailed) {
				t.Fatalf("scan of %s failed: %s", id, s.Error)
			}
			if s.State == string(contest.ScanDone) {
				return s
			}
		} else if r.Status != http.StatusNotFound {
			t.Fatalf("GET scan = %d: %s", r.Status, r.Body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scan of %s has not finished after 120 s (%+v); log:\n%s", id, s, org.e.LogLines("video_scan", "level=ERROR"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func reasonCodes(rs []contest.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

// waitScanAfter waits for a scan newer than before.
func waitScanAfter(t *testing.T, org *client, id string, before scanView) scanView {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		s := waitScan(t, org, id)
		if s.ScannedAt != nil && (before.ScannedAt == nil || s.ScannedAt.After(*before.ScannedAt)) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new scan of %s after 120 s", id)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A contestant's video shows its maker's name in a caption and the unit in a corner: after the
// verdict the scan finds both, with their time and frame, for organizers only; judges cannot
// reach it. Another account enters a cropped re-encode of the same video: both works are
// flagged as duplicates, but a different video over the same kind of pattern is not. Subtitles
// and loudness are told to the contestant with what to do. The organizer clears the findings
// (with why, audited), and can scan again.
func TestContentScan_NamesUnitsDuplicatesAndTheNationalRules(t *testing.T) {
	ffmpegtest.Require(t)
	tesseracttest.Require(t)
	credits := ffmpegtest.Video{Width: 1280, Height: 720, Duration: 24, Rate: 10, Pattern: "testsrc2", Audio: true, Volume: -25,
		Texts: []ffmpegtest.Text{
			{Text: "主创：欧阳明哲", Size: 44, Y: "h-120", From: 12, To: 16},
			{Text: "江苏省农业科学院", Size: 36, X: "40", Y: "24"},
		}}
	subtitled := ffmpegtest.Video{Width: 1280, Height: 720, Duration: 24, Rate: 10, Pattern: "mandelbrot", Audio: true}
	for i, line := range []string{"稻田里的清晨，露水还挂在叶尖", "我们每天记录每一株秧苗的长势", "病虫害的防治要看准时机",
		"数据告诉我们哪块田需要补肥", "科技让农民种地更省心", "这是我们团队三年的坚持", "希望更多人了解农业科研", "谢谢大家观看"} {
		subtitled.Texts = append(subtitled.Texts, ffmpegtest.Text{Text: line, Size: 40, Y: "h-90", From: float64(i) * 3, To: float64(i)*3 + 2.9})
	}
	forEachBackend(t, func(t *testing.T, e *env) {
		e.Configure(func(o *contest.Options) { o.Content, o.OCR = ffmpeg.Tools{}, &tesseract.Reader{} })
		org := e.Organizer()
		maker := e.Client().SignUp("ouyang@example.org")
		in := validInput()
		reg := in["registration"].(map[string]any)
		reg["lead_name"], reg["contact_name"], reg["employer"] = "欧阳明哲", "欧阳明哲", "江苏省农业科学院"
		in["participants"].([]map[string]any)[0]["name"] = "欧阳明哲"
		first := maker.Create(in).ID
		maker.Upload(first, fixtureFile(t, "作品.mp4", credits))
		if s := maker.WaitCheck(first); s.Video.Check.State != string(contest.CheckAccepted) {
			t.Fatalf("check %+v, want accepted", s.Video.Check)
		}

		scan := waitScan(t, org, first)
		var name, unit bool
		for _, l := range scan.Findings.Leaks {
			switch {
			case l.Kind == "name" && l.Matched == "欧阳明哲":
				name = true
				if l.At < 11.5 || l.At > 16 || l.Region != contest.RegionBottom {
					t.Errorf("the name was found at %.1f s in %s; the caption is at the bottom from 12 s to 16 s", l.At, l.Region)
				}
				if r := org.Do("GET", scan.Frames[strconv.Itoa(l.Frame)], nil); r.Status != http.StatusOK || !isJPEG(r.Body) {
					t.Errorf("the frame of the name: %d, JPEG %v", r.Status, isJPEG(r.Body))
				}
			case l.Kind == "employer" && l.Matched == "江苏省农业科学院":
				unit = true
			}
		}
		if !name || !unit {
			t.Fatalf("leaks %+v: name found %v, unit found %v", scan.Findings.Leaks, name, unit)
		}
		if got := reasonCodes(scan.Contestant); !slices.Equal(got, []string{contest.WNoSubtitles, contest.WTooQuiet}) {
			t.Errorf("the contestant is told %v; want no subtitles and too quiet (%.1f LUFS)", got, scan.Findings.Sound.Loudness)
		}
		for _, r := range scan.Contestant {
			if strings.Contains(r.Message, "欧阳明哲") || strings.Contains(r.Message, "农业科学院") {
				t.Errorf("the contestant's advice names what was found: %s", r.Message)
			}
		}
		_, _, page := maker.page("/submissions/" + first)
		if !strings.Contains(page, `id="content-advice"`) || !strings.Contains(page, "未检测到中文字幕") || strings.Contains(page, "画面内容扫描") {
			t.Errorf("the contestant's page does not give the subtitle and sound advice alone")
		}
		st, _, page := org.page("/admin/submissions/" + first)
		if st != http.StatusOK {
			t.Fatalf("the organizer's page: %d %s", st, org.e.LogLines("level=ERROR"))
		}
		if !strings.Contains(page, `id="scan-leaks"`) || !strings.Contains(page, "姓名“欧阳明哲”") || !strings.Contains(page, "scan-pending") {
			t.Errorf("the organizer's page does not show the names found")
		}
		judge, _, _ := e.InviteJudge(org, "judge@example.org", "评委甲", "南京大学")
		if r := judge.Do("GET", "/api/v1/admin/submissions/"+first+"/scan", nil); r.Status != http.StatusForbidden {
			t.Errorf("a judge reading the scan: %d, want 403", r.Status)
		}

		// A cropped re-encode of the same video, by another account; and a different video.
		copied := e.Client().SignUp("copier@example.org")
		second := copied.Create(nil).ID
		src := ffmpegtest.MustVideo(t, credits)
		data, err := os.ReadFile(ffmpegtest.Derive(t, src, "crop=iw*0.92:ih*0.92,scale=1280:720", 30))
		if err != nil {
			t.Fatal(err)
		}
		copied.Upload(second, bytesFile("作品.mp4", data))
		copied.WaitCheck(second)
		third := maker.Create(nil).ID
		maker.Upload(third, fixtureFile(t, "字幕版.mp4", subtitled))
		maker.WaitCheck(third)

		dup := waitScan(t, org, second)
		if len(dup.Findings.Duplicates) != 1 || dup.Findings.Duplicates[0].SubmissionID != first || dup.Findings.Duplicates[0].SameOwner {
			t.Errorf("the copy's duplicates %+v; want the first work, of another account", dup.Findings.Duplicates)
		}
		if len(dup.Findings.Leaks) != 0 {
			t.Errorf("the copy's registration names nobody on screen, yet leaks %+v", dup.Findings.Leaks)
		}
		other := waitScan(t, org, third)
		if len(other.Findings.Duplicates) != 0 {
			t.Errorf("a different video is a duplicate of %+v", other.Findings.Duplicates)
		}
		if !other.Findings.Subtitles.Present || len(other.Contestant) != 0 {
			t.Errorf("the subtitled video at normal loudness: subtitles %v, advice %v", other.Findings.Subtitles.Present, reasonCodes(other.Contestant))
		}
		scan = waitScan(t, org, first)
		if len(scan.Findings.Duplicates) != 1 || scan.Findings.Duplicates[0].SubmissionID != second {
			t.Errorf("the first work's duplicates %+v; want the copy", scan.Findings.Duplicates)
		}
		_, _, list := org.page("/admin/submissions?reason=" + contest.WScanPending)
		if !strings.Contains(list, first) || !strings.Contains(list, second) || strings.Contains(list, third) {
			t.Errorf("the list's 画面提示待处理 does not hold exactly the two flagged works")
		}

		// Clearing needs a reason; it is audited; a new scan starts over.
		if r := org.Do("PUT", "/api/v1/admin/submissions/"+first+"/scan/clearance", map[string]any{"cleared": true}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("clearing without a note: %d, want 422", r.Status)
		}
		if st, _, _ := org.postForm("/admin/submissions/"+first+"/scan/clearance", url.Values{"cleared": {"1"}, "note": {"片尾署名已由作者确认删除"}}); st != http.StatusSeeOther {
			t.Errorf("clearing through the page: %d", st)
		}
		if s := waitScan(t, org, first); s.Cleared == nil || s.Cleared.Note != "片尾署名已由作者确认删除" {
			t.Errorf("cleared %+v", s.Cleared)
		}
		if r := org.Do("PUT", "/api/v1/admin/submissions/"+first+"/scan/clearance",
			map[string]any{"cleared": true, "note": "看过", "scanned_at": "2000-01-01T00:00:00Z"}); r.Status != http.StatusConflict {
			t.Errorf("clearing a scan other than the one looked at: %d, want 409", r.Status)
		}
		if audit := org.Fetch("/api/v1/admin/audit?entity=video_scan"); !strings.Contains(string(audit), `"clear"`) {
			t.Errorf("the clearance is not in the audit log: %s", audit)
		}
		e.Clock.Set(inWindow.Add(time.Hour)) // the new scan's time is the server's clock
		var again scanView
		org.Must(http.StatusAccepted, "POST", "/api/v1/admin/submissions/"+first+"/scan", nil).JSON(t, &again)
		if again.State != string(contest.ScanQueued) || again.Findings == nil {
			t.Errorf("a new scan: %s, findings kept %v; want queued with the earlier findings shown", again.State, again.Findings != nil)
		}
		if s := waitScanAfter(t, org, first, again); s.Cleared == nil || len(s.Findings.Leaks) == 0 {
			t.Errorf("after a new scan finding the same: cleared %+v, leaks %d; want the findings and their clearance kept", s.Cleared, len(s.Findings.Leaks))
		}

		// A draft deleted by its owner takes the frame pictures that show its makers' names.
		stored, err := e.Stores.SubmissionByID(context.Background(), first)
		if err != nil {
			t.Fatal(err)
		}
		frame := contest.ScanFrameKey(stored.Video.Key, 1)
		if rc, err := e.Storage.Get(context.Background(), frame); err != nil {
			t.Fatalf("the first frame picture before the deletion: %v", err)
		} else {
			rc.Close()
		}
		maker.Must(http.StatusNoContent, "DELETE", "/api/v1/submissions/"+first, nil)
		if _, err := e.Storage.Get(context.Background(), frame); contest.ErrorCode(err) != contest.ENotFound {
			t.Errorf("the frame picture after the work was deleted: %v, want gone", err)
		}
	})
}

// blockingScan is a decoder that holds every scan until released, as a long video would.
type blockingScan struct {
	started chan struct{}
	release chan struct{}
}

func (b blockingScan) Sample(ctx context.Context, _ string, _ contest.ScanPlan, _ contest.FrameSink) (contest.SoundPicture, error) {
	select {
	case b.started <- struct{}{}:
	default:
	}
	select {
	case <-b.release:
		return contest.SoundPicture{Frames: 1}, nil
	case <-ctx.Done():
		return contest.SoundPicture{}, ctx.Err()
	}
}

// A scan in progress never holds back a verdict: the next upload is judged while the first
// video is still being scanned, and the scan ends later on its own.
func TestContentScan_NeverDelaysAVerdict(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		slow := blockingScan{started: make(chan struct{}, 1), release: make(chan struct{})}
		e.Configure(func(o *contest.Options) { o.Content = slow })
		c := e.Client().SignUp("zhang@example.org")
		first := c.Create(nil).ID
		c.UploadAccepted(first)
		select {
		case <-slow.started:
		case <-time.After(30 * time.Second):
			t.Fatal("the first video's scan did not start")
		}
		second := c.Create(nil).ID
		c.UploadAccepted(second) // fails if its verdict waited behind the scan
		close(slow.release)
		org := e.Organizer()
		if s := waitScan(t, org, first); s.Findings == nil || s.Findings.Sound.HasAudio {
			t.Errorf("the first scan after its release: %+v", s)
		}
		if s := waitScan(t, org, second); s.State != string(contest.ScanDone) {
			t.Errorf("the second scan: %s", s.State)
		}
	})
}

// The publication desk shows, beside 推荐至全国, each awarded work's national pre-check.
func TestContentScan_NationalPreCheckBesideTheRecommendation(t *testing.T) {
	ffmpegtest.Require(t)
	tesseracttest.Require(t)
	e := MustEnv(t, backends[0])
	e.Configure(func(o *contest.Options) { o.Content, o.OCR = ffmpeg.Tools{}, &tesseract.Reader{} })
	org := e.Organizer()
	_, ids := e.ConfirmAwards(org, workOf("稻田", "省农科院", "南京"), workOf("芯片", "东南大学", "南京"), workOf("大桥", "省交通院", "南京"))
	for _, id := range ids {
		waitScan(t, org, id)
	}
	_, _, page := org.page("/admin/publication")
	if n := strings.Count(page, `<li data-code="`+contest.WNoSubtitles+`"`); n != len(ids) {
		t.Errorf("the national pre-check names missing subtitles for %d awarded works, want %d", n, len(ids))
	}
}

// The batch pass at 形式审查 leaves a work whose scan has not finished, or found a name, to its
// own page, saying why; the others pass.
func TestContentScan_TheBatchPassWaitsForTheScan(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, backends[0])
	slow := blockingScan{started: make(chan struct{}, 1), release: make(chan struct{})}
	e.Configure(func(o *contest.Options) { o.Content = slow })
	_, waiting := e.SubmitWork("a@example.org", nil)
	org := e.Organizer()
	_, _, page := org.postForm("/admin/submissions/formal-review", url.Values{"id": {waiting}})
	if !strings.Contains(page, "画面内容扫描尚未完成") {
		t.Errorf("a work still being scanned was passed in a batch, or the reason is missing")
	}
	var sub struct {
		Formal *struct{ Decision string } `json:"formal_review"`
	}
	org.Must(http.StatusOK, "GET", "/api/v1/submissions/"+waiting, nil).JSON(t, &sub)
	if sub.Formal != nil {
		t.Errorf("the work being scanned has a formal review: %+v", sub.Formal)
	}
	close(slow.release)
	waitScan(t, org, waiting)
	org.postForm("/admin/submissions/formal-review", url.Values{"id": {waiting}})
	org.Must(http.StatusOK, "GET", "/api/v1/submissions/"+waiting, nil).JSON(t, &sub)
	if sub.Formal == nil || sub.Formal.Decision != "passed" {
		t.Errorf("once scanned (nothing found) the batch pass passes it: %+v", sub.Formal)
	}
}

package http_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// threeParts is a size of three 5 MiB parts, the last one short.
const threeParts = 2*contest.MinPartSize + 123_457

// cutReader gives n bytes of r, then fails as a dropped connection does.
type cutReader struct {
	r io.Reader
	n int64
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("connection lost")
	}
	p = p[:min(int64(len(p)), c.n)]
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

func partsDone(u uploadInfo) []int {
	var ns []int
	for _, p := range u.PartsDone {
		ns = append(ns, p.N)
	}
	return ns
}

func TestUploadResumesAfterDroppedConnection(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		f := randomFile("实验室 的一天.mp4", threeParts)

		u := c.StartUpload(s.ID, f)
		if u.PartCount != 3 || u.PartSize != contest.MinPartSize || len(u.PartsDone) != 0 {
			t.Fatalf("plan = %+v, want 3 parts of 5 MiB, none done", u)
		}
		c.SendParts(u, f, 1)
		// Part 2 breaks off halfway.
		targets, _ := c.Targets(u, f, 2)
		if status, _ := c.Send(targets[0], &cutReader{r: io.NewSectionReader(f, u.PartSize, u.PartSize), n: u.PartSize / 2}, u.PartSize); status == http.StatusOK {
			t.Fatal("a part cut off halfway was accepted")
		}

		// The page is reloaded and the same file picked again: the upload resumes after part 1.
		again := c.StartUpload(s.ID, f)
		if again.ID != u.ID || !slices.Equal(partsDone(again), []int{1}) {
			t.Fatalf("resumed upload %s with parts %v, want %s with [1]", again.ID, partsDone(again), u.ID)
		}
		c.SendParts(again, f, 2, 3)
		var got submissionWithVideo
		r := c.Complete(again, f)
		if r.Status != http.StatusOK {
			t.Fatalf("complete = %d %s", r.Status, r.Body)
		}
		r.JSON(t, &got)
		if got.Video == nil || got.Video.Size != f.Size || got.Video.Name != f.Name || (got.VideoState != "检查中" && got.VideoState != "未通过") {
			t.Fatalf("video after upload = %+v, state %q", got.Video, got.VideoState)
		}
		if sum, n := c.VideoSHA256(s.ID); sum != f.SHA256(t) || n != f.Size {
			t.Fatalf("stored video sha256 %s (%d bytes), uploaded %s (%d bytes)", sum, n, f.SHA256(t), f.Size)
		}
		// A finished upload leaves nothing to resume.
		if r := c.Do("GET", "/api/v1/submissions/"+s.ID+"/video/upload", nil); r.Status != http.StatusNotFound {
			t.Fatalf("open upload after completion = %d %s, want 404", r.Status, r.Body)
		}
		// A retried completion (the answer was lost) gets the same answer.
		if r := c.Complete(again, f); r.Status != http.StatusOK {
			t.Fatalf("second complete = %d %s", r.Status, r.Body)
		}
	})
}

func TestUploadResumesAfterServerRestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		f := randomFile("video.MP4", threeParts)
		u := c.StartUpload(s.ID, f)
		c.SendParts(u, f, 3, 1) // out of order, as parallel sends finish

		e.Restart()

		var open uploadInfo
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID+"/video/upload", nil).JSON(t, &open)
		if open.ID != u.ID || !slices.Equal(partsDone(open), []int{1, 3}) {
			t.Fatalf("after restart: upload %s parts %v, want %s with [1 3]", open.ID, partsDone(open), u.ID)
		}
		again := c.StartUpload(s.ID, f)
		if again.ID != u.ID {
			t.Fatalf("restart: a new upload %s was opened instead of resuming %s", again.ID, u.ID)
		}
		c.SendParts(again, f, 2)
		if r := c.Complete(again, f); r.Status != http.StatusOK {
			t.Fatalf("complete = %d %s", r.Status, r.Body)
		}
		if sum, _ := c.VideoSHA256(s.ID); sum != f.SHA256(t) {
			t.Fatalf("stored video sha256 %s, uploaded %s", sum, f.SHA256(t))
		}
	})
}

func TestUploadRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		start := func(name string, size int64) response {
			return c.Do("POST", "/api/v1/submissions/"+s.ID+"/video/uploads",
				map[string]any{"name": name, "size": size, "type": "", "last_modified": 1})
		}
		for _, tc := range []struct {
			name string
			size int64
			code string
		}{
			{"clip.mov", 1 << 20, contest.CodeUploadType},
			{"clip.mp4", 0, contest.CodeUploadEmpty},
			{"clip.mp4", e.Contest.Rules.MaxSizeBytes + 1, contest.CodeUploadTooLarge},
		} {
			r := start(tc.name, tc.size)
			if r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["upload"] != tc.code {
				t.Errorf("start %s of %d bytes = %d %s, want 422 %s", tc.name, tc.size, r.Status, r.Body, tc.code)
			}
		}

		f := randomFile("clip.mp4", threeParts)
		u := c.StartUpload(s.ID, f)
		c.SendParts(u, f, 1)

		// Part numbers outside the plan.
		for _, n := range []int{0, 4} {
			if _, r := c.Targets(u, f, n); r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["upload"] != contest.CodePartOutOfRange {
				t.Errorf("targets for part %d = %d %s, want part_out_of_range", n, r.Status, r.Body)
			}
		}
		// A damaged part: bytes other than those the checksum was given for. Storage refuses it.
		targets, _ := c.Targets(u, f, 2)
		bad := f.Part(u, 2)
		bad[100] ^= 1
		if status, body := c.Send(targets[0], bytesReader(bad), int64(len(bad))); status < 400 || status >= 500 {
			t.Errorf("damaged part = %d %s, want 4xx", status, body)
		}
		// A part of the wrong length (part 3's target with one byte more) is refused too.
		targets, _ = c.Targets(u, f, 3)
		long := append(f.Part(u, 3), 0)
		if status, body := c.Send(targets[0], bytesReader(long), int64(len(long))); status < 400 || status >= 500 {
			t.Errorf("part one byte too long = %d %s, want 4xx", status, body)
		}
		var open uploadInfo
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID+"/video/upload", nil).JSON(t, &open)
		if !slices.Equal(partsDone(open), []int{1}) {
			t.Fatalf("parts stored after refusals = %v, want [1]", partsDone(open))
		}

		// Completing with parts missing, then with a checksum of other bytes.
		if r := c.Complete(u, f); r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["upload"] != contest.CodeUploadIncomplete {
			t.Errorf("complete with parts missing = %d %s, want upload_incomplete", r.Status, r.Body)
		}
		c.SendParts(u, f, 2, 3)
		other := randomFile("clip.mp4", threeParts)
		if r := c.Complete(u, other); r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["upload"] != contest.CodeChecksumMismatch {
			t.Errorf("complete with a wrong checksum = %d %s, want checksum_mismatch", r.Status, r.Body)
		}

		// Another contestant cannot see, feed, complete or cancel this upload.
		o := e.Client().SignUp("li@example.org")
		if _, r := o.Targets(u, f, 1); r.Status != http.StatusNotFound {
			t.Errorf("another user's part targets = %d %s, want 404", r.Status, r.Body)
		}
		if r := o.Complete(u, f); r.Status != http.StatusNotFound {
			t.Errorf("another user's complete = %d %s, want 404", r.Status, r.Body)
		}
		if r := o.Do("DELETE", "/api/v1/uploads/"+u.ID, nil); r.Status != http.StatusNotFound {
			t.Errorf("another user's abort = %d %s, want 404", r.Status, r.Body)
		}
		if r := o.Do("POST", "/api/v1/submissions/"+s.ID+"/video/uploads", map[string]any{"name": "x.mp4", "size": 10}); r.Status != http.StatusNotFound {
			t.Errorf("upload to another user's submission = %d %s, want 404", r.Status, r.Body)
		}
		if targets[0].URL[0] == '/' { // our own part route (local folder)
			o.csrf = c.csrf // even with a valid token
			if status, body := o.Send(targets[0], bytesReader(f.Part(u, 3)), int64(len(f.Part(u, 3)))); status != http.StatusForbidden && status != http.StatusNotFound {
				t.Errorf("another user's part = %d %s, want 404", status, body)
			}
		}

		// After all that, the owner's upload completes byte for byte.
		if r := c.Complete(u, f); r.Status != http.StatusOK {
			t.Fatalf("complete = %d %s", r.Status, r.Body)
		}
		if sum, _ := c.VideoSHA256(s.ID); sum != f.SHA256(t) {
			t.Fatalf("stored video sha256 %s, uploaded %s", sum, f.SHA256(t))
		}
	})
}

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func TestUploadDeadlineAndGrace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.ConsentAll(s)
		closes := e.Contest.CollectionCloses()

		// Opened a minute before the close, the upload may go on during the grace.
		e.Clock.Set(closes.Add(-time.Minute))
		f := paddedVideo(t, "clip.mp4", threeParts)
		u := c.StartUpload(s.ID, f)
		c.SendParts(u, f, 1)

		e.Clock.Set(closes.Add(10 * time.Minute))
		if r := c.Do("POST", "/api/v1/submissions/"+s.ID+"/video/uploads",
			map[string]any{"name": "new.mp4", "size": 1000, "last_modified": 5}); r.Status != http.StatusForbidden || r.ErrorCode() != contest.EDeadline ||
			!strings.Contains(r.ErrorMessage(), "截止后不能再开始上传") || strings.Contains(r.ErrorMessage(), "现已超过") {
			t.Fatalf("new upload after the close = %d %s, want 403 deadline_passed saying it cannot start after the close", r.Status, r.Body)
		}
		// The page is reloaded in the grace: picking the same file resumes it.
		if again := c.StartUpload(s.ID, f); again.ID != u.ID || !slices.Equal(partsDone(again), []int{1}) {
			t.Fatalf("resume in the grace: upload %s parts %v, want %s with [1]", again.ID, partsDone(again), u.ID)
		}
		targets, r := c.Targets(u, f, 2)
		if r.Status != http.StatusOK {
			t.Fatalf("part targets in the grace = %d %s", r.Status, r.Body)
		}
		if status, body := c.Send(targets[0], bytesReader(f.Part(u, 2)), u.PartSize); status != http.StatusOK {
			t.Fatalf("part in the grace = %d %s", status, body)
		}

		// Past the grace, the rest is refused and what was sent stays.
		e.Clock.Set(closes.Add(31 * time.Minute))
		if r := c.Do("POST", "/api/v1/submissions/"+s.ID+"/video/uploads", map[string]any{
			"name": f.Name, "size": f.Size, "last_modified": f.LastModified}); r.Status != http.StatusForbidden || r.ErrorCode() != contest.EDeadline ||
			!strings.Contains(r.ErrorMessage(), "截止前开始的上传可在截止后30分钟内完成，现已超过") {
			t.Fatalf("resume after the grace = %d %s, want deadline_passed saying the grace is over", r.Status, r.Body)
		}
		if _, r := c.Targets(u, f, 3); r.Status != http.StatusForbidden || r.ErrorCode() != contest.EDeadline {
			t.Fatalf("part targets after the grace = %d %s, want deadline_passed", r.Status, r.Body)
		}
		if r := c.Complete(u, f); r.Status != http.StatusForbidden || r.ErrorCode() != contest.EDeadline {
			t.Fatalf("complete after the grace = %d %s, want deadline_passed", r.Status, r.Body)
		}

		// Back in the grace (a second run of the same story): the upload completes and the work
		// can be submitted, although the window has closed.
		e.Clock.Set(closes.Add(20 * time.Minute))
		c.SendParts(u, f, 3)
		if r := c.Complete(u, f); r.Status != http.StatusOK {
			t.Fatalf("complete in the grace = %d %s", r.Status, r.Body)
		}
		if got := c.WaitCheck(s.ID); got.Video.Check.State != "accepted" {
			t.Fatalf("check of the video finished in the grace = %+v", got.Video.Check)
		}
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		// Editing the form stays closed.
		if r := c.Do("PUT", "/api/v1/submissions/"+s.ID, validInput()); r.ErrorCode() != contest.EDeadline {
			t.Fatalf("edit in the grace = %d %s, want deadline_passed", r.Status, r.Body)
		}
	})
}

func TestReplaceVideoRemovesOldObject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		first := randomFile("first.mp4", contest.MinPartSize+10)
		c.Upload(s.ID, first)
		stored, err := e.Stores.SubmissionByID(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		oldKey := stored.Video.Key

		// A replacement in progress leaves the first video in place until it completes.
		second := randomFile("second.mp4", 2*contest.MinPartSize-7)
		u := c.StartUpload(s.ID, second)
		var mid submissionWithVideo
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &mid)
		if mid.Video == nil || mid.Video.Name != "first.mp4" || mid.Uploading == nil || mid.VideoState != "已上传，正在替换" {
			t.Fatalf("during replacement: video %+v uploading %+v state %q", mid.Video, mid.Uploading, mid.VideoState)
		}
		c.SendParts(u, second, 1, 2)
		if r := c.Complete(u, second); r.Status != http.StatusOK {
			t.Fatalf("complete = %d %s", r.Status, r.Body)
		}
		if sum, _ := c.VideoSHA256(s.ID); sum != second.SHA256(t) {
			t.Fatal("the replacement is not the video served")
		}
		if _, err := e.Storage.Get(ctx, oldKey); contest.ErrorCode(err) != contest.ENotFound {
			t.Fatalf("old video object after replacement: err %v, want not found", err)
		}
	})
}

func TestAbandonedUploadsAreSwept(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		f := randomFile("clip.mp4", threeParts)
		u := c.StartUpload(s.ID, f)
		c.SendParts(u, f, 1)

		e.Clock.Set(inWindow.Add(23 * time.Hour))
		if n, err := e.Svc.Media.SweepUploads(ctx); err != nil || n != 0 {
			t.Fatalf("sweep before a day passed = %d, %v; want 0", n, err)
		}
		e.Clock.Set(inWindow.Add(25 * time.Hour))
		if n, err := e.Svc.Media.SweepUploads(ctx); err != nil || n != 1 {
			t.Fatalf("sweep after a day = %d, %v; want 1", n, err)
		}
		if r := c.Do("GET", "/api/v1/submissions/"+s.ID+"/video/upload", nil); r.Status != http.StatusNotFound {
			t.Fatalf("swept upload still open: %d %s", r.Status, r.Body)
		}
		row, err := e.Stores.UploadByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Storage.(contest.MultipartStorage).ListParts(ctx, row.Key, row.StorageID); contest.ErrorCode(err) != contest.ENotFound {
			t.Fatalf("storage still holds the swept upload: %v", err)
		}
		if _, r := c.Targets(u, f, 2); r.FieldCodes()["upload"] != contest.CodeUploadClosed {
			t.Fatalf("part targets of a swept upload = %d %s, want upload_closed", r.Status, r.Body)
		}
	})
}

func TestFinalizeNeedsVideo(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.ConsentAll(s)
		r := c.Do("POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		if r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["video"] != "video_missing" {
			t.Fatalf("finalize without a video = %d %s, want 422 video_missing", r.Status, r.Body)
		}
		c.UploadAccepted(s.ID)
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)

		// The organizer's list shows the video's state and size.
		var list struct {
			Items []struct {
				VideoState string `json:"video_state"`
				Video      *struct{ Size int64 }
			}
		}
		e.Organizer().Must(http.StatusOK, "GET", "/api/v1/admin/submissions", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].VideoState != "已通过" || list.Items[0].Video == nil || list.Items[0].Video.Size == 0 {
			t.Fatalf("organizer list = %+v", list.Items)
		}
	})
}

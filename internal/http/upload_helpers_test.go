package http_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// videoFile is a file a contestant picks: a name, a size, a last-modified time and the bytes.
type videoFile struct {
	Name         string
	LastModified int64
	io.ReaderAt
	Size   int64
	hashes *sync.Map // part number → SHA-256, as the browser keeps them
}

// randomFile returns a file of n random bytes.
func randomFile(name string, n int) videoFile {
	b := make([]byte, n)
	rand.Read(b)
	return videoFile{Name: name, LastModified: 1652580000000, ReaderAt: bytes.NewReader(b), Size: int64(n), hashes: &sync.Map{}}
}

// patternFile returns a large file without holding it in memory: 1 MiB random blocks, each
// stamped with its index so no two are alike.
func patternFile(name string, size int64) videoFile {
	blk := make([]byte, 1<<20)
	rand.Read(blk)
	return videoFile{Name: name, LastModified: 1652580000000, ReaderAt: patternReader{blk}, Size: size, hashes: &sync.Map{}}
}

type patternReader struct{ blk []byte }

func (p patternReader) ReadAt(b []byte, off int64) (int, error) {
	n := 0
	for n < len(b) {
		pos := off + int64(n)
		i, o := pos/int64(len(p.blk)), pos%int64(len(p.blk))
		var stamp [8]byte
		binary.BigEndian.PutUint64(stamp[:], uint64(i))
		k := 0
		if o < 8 {
			k = copy(b[n:], stamp[o:])
		} else {
			k = copy(b[n:], p.blk[o:])
		}
		n += k
	}
	return n, nil
}

// SHA256 returns the hex SHA-256 of the whole file, as sha256sum prints it.
func (f videoFile) SHA256(t testing.TB) string {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, f.Size)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Part returns part n (1-based) of an upload's plan.
func (f videoFile) Part(u uploadInfo, n int) []byte {
	off := int64(n-1) * u.PartSize
	size := min(u.PartSize, f.Size-off)
	b := make([]byte, size)
	f.ReadAt(b, off)
	return b
}

// PartSHA256 returns the SHA-256 of part n, computed once.
func (f videoFile) PartSHA256(u uploadInfo, n int) string {
	key := [2]int64{u.PartSize, int64(n)}
	if h, ok := f.hashes.Load(key); ok {
		return h.(string)
	}
	h := sha256b64(f.Part(u, n))
	f.hashes.Store(key, h)
	return h
}

func sha256b64(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// Composite returns the checksum the browser sends at completion.
func (f videoFile) Composite(t testing.TB, u uploadInfo) string {
	parts := make([]contest.PartInfo, u.PartCount)
	for i := range parts {
		parts[i] = contest.PartInfo{N: i + 1, SHA256: f.PartSHA256(u, i+1)}
	}
	c, err := contest.CompositeChecksum(parts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type uploadInfo struct {
	ID        string
	FileName  string `json:"file_name"`
	Size      int64
	PartSize  int64 `json:"part_size"`
	PartCount int   `json:"part_count"`
	State     string
	PartsDone []struct {
		N      int
		Size   int64
		SHA256 string
	} `json:"parts_done"`
}

type partTarget struct {
	N       int
	Method  string
	URL     string
	Headers map[string]string
}

// StartUpload asks for an upload of f and fails unless the status is 200 (resumed) or 201.
func (c *client) StartUpload(subID string, f videoFile) uploadInfo {
	c.t.Helper()
	r := c.Do("POST", "/api/v1/submissions/"+subID+"/video/uploads", map[string]any{
		"name": f.Name, "size": f.Size, "type": "video/mp4", "last_modified": f.LastModified})
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		c.t.Fatalf("start upload = %d: %s", r.Status, r.Body)
	}
	var u uploadInfo
	r.JSON(c.t, &u)
	return u
}

// Targets asks where to send parts ns of f.
func (c *client) Targets(u uploadInfo, f videoFile, ns ...int) ([]partTarget, response) {
	c.t.Helper()
	var req []map[string]any
	for _, n := range ns {
		sum := sha256b64(nil)
		if n >= 1 && n <= u.PartCount {
			sum = f.PartSHA256(u, n)
		}
		req = append(req, map[string]any{"n": n, "sha256": sum})
	}
	r := c.Do("POST", "/api/v1/uploads/"+u.ID+"/parts", map[string]any{"parts": req})
	var out struct{ Parts []partTarget }
	if r.Status == http.StatusOK {
		r.JSON(c.t, &out)
	}
	return out.Parts, r
}

// Send sends body to a part target as a browser does: the target's headers, and the CSRF
// token when the target is our own server. It returns the status and body.
func (c *client) Send(pt partTarget, body io.Reader, length int64) (int, string) {
	c.t.Helper()
	url := pt.URL
	if strings.HasPrefix(url, "/") {
		url = c.e.Server.URL + url
	}
	req, err := http.NewRequest(pt.Method, url, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.ContentLength = length
	for k, v := range pt.Headers {
		req.Header.Set(k, v)
	}
	if strings.HasPrefix(url, c.e.Server.URL) {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	raw := readValidated(c.t, res) // storage's answers (S3) are not the API's and are skipped
	return res.StatusCode, string(raw)
}

// SendParts sends parts ns of f, four at a time, and fails on any refusal.
func (c *client) SendParts(u uploadInfo, f videoFile, ns ...int) {
	c.t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, len(ns))
	sem := make(chan struct{}, 4)
	for i := 0; i < len(ns); i += 20 {
		targets, r := c.Targets(u, f, ns[i:min(i+20, len(ns))]...)
		if r.Status != http.StatusOK {
			c.t.Fatalf("part targets = %d: %s", r.Status, r.Body)
		}
		for _, pt := range targets {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				off := int64(pt.N-1) * u.PartSize
				size := min(u.PartSize, f.Size-off)
				if status, body := c.Send(pt, io.NewSectionReader(f, off, size), size); status != http.StatusOK {
					errs <- fmt.Sprintf("part %d: %d %s", pt.N, status, body)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		c.t.Fatal(e)
	}
}

// Complete completes an upload with f's composite checksum.
func (c *client) Complete(u uploadInfo, f videoFile) response {
	c.t.Helper()
	return c.Do("POST", "/api/v1/uploads/"+u.ID+"/complete", map[string]string{"checksum": f.Composite(c.t, u)})
}

// Upload sends the whole file and completes; it returns the submission.
func (c *client) Upload(subID string, f videoFile) submissionWithVideo {
	c.t.Helper()
	u := c.StartUpload(subID, f)
	done := map[int]bool{}
	for _, p := range u.PartsDone {
		done[p.N] = true
	}
	var ns []int
	for n := 1; n <= u.PartCount; n++ {
		if !done[n] {
			ns = append(ns, n)
		}
	}
	c.SendParts(u, f, ns...)
	r := c.Complete(u, f)
	if r.Status != http.StatusOK {
		c.t.Fatalf("complete = %d: %s", r.Status, r.Body)
	}
	var s submissionWithVideo
	r.JSON(c.t, &s)
	return s
}

// submissionWithVideo is the submission JSON's video side.
type submissionWithVideo struct {
	ID         string
	Status     string
	VideoState string `json:"video_state"`
	Video      *struct {
		Name     string
		Size     int64
		Checksum string
	}
	Uploading *struct {
		ID       string
		FileName string `json:"file_name"`
	}
}

// VideoSHA256 downloads the submission's video (following storage's redirect) and returns its
// hex SHA-256 and size.
func (c *client) VideoSHA256(subID string) (string, int64) {
	c.t.Helper()
	res := c.follow("/api/v1/submissions/" + subID + "/video")
	defer res.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if cl := res.Header.Get("Content-Length"); cl != "" && cl != strconv.FormatInt(n, 10) {
		c.t.Fatalf("Content-Length %s, got %d bytes", cl, n)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// follow GETs path, following a redirect to storage as a browser does, and fails the test
// unless the answer is 200.
func (c *client) follow(path string) *http.Response {
	c.t.Helper()
	res, err := c.http.Get(c.e.Server.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	readValidated(c.t, res)
	if res.StatusCode == http.StatusFound {
		res.Body.Close()
		if res, err = http.Get(res.Header.Get("Location")); err != nil {
			c.t.Fatal(err)
		}
	}
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		c.t.Fatalf("GET %s = %d: %s", path, res.StatusCode, b)
	}
	return res
}

// fixtureFile returns a video made by ffmpeg to v (see ffmpegtest), as the browser would pick it.
func fixtureFile(t testing.TB, name string, v ffmpegtest.Video) videoFile {
	t.Helper()
	b, err := os.ReadFile(ffmpegtest.MustVideo(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return videoFile{Name: name, LastModified: 1652580000000, ReaderAt: bytes.NewReader(b), Size: int64(len(b)), hashes: &sync.Map{}}
}

// checkedSubmission is the submission JSON with its video's check.
type checkedSubmission struct {
	ID         string
	Status     string
	VideoState string `json:"video_state"`
	Video      *struct {
		Name      string
		PosterURL string `json:"poster_url"`
		Check     struct {
			State    string
			Label    string
			Advice   string
			Summary  string
			Reasons  []contest.Reason
			Warnings []contest.Reason
			Facts    *contest.VideoFacts
			Attempts int
			Error    string
			Done     bool
		}
	}
}

// WaitCheck polls the submission until its video's check has finished (verdict, poster and web
// copy) or failed, and returns it.
func (c *client) WaitCheck(subID string) checkedSubmission {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var s checkedSubmission
		r := c.Do("GET", "/api/v1/submissions/"+subID, nil)
		if r.Status != http.StatusOK {
			c.t.Fatalf("GET submission = %d: %s", r.Status, r.Body)
		}
		r.JSON(c.t, &s)
		if s.Video == nil {
			c.t.Fatalf("submission %s has no video", subID)
		}
		if st := s.Video.Check.State; st == string(contest.CheckFailed) || st != string(contest.CheckPending) && s.Video.Check.Done {
			return s
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("video of %s still checking after 60 s (attempts %d, error %q); service log:\n%s",
				subID, s.Video.Check.Attempts, s.Video.Check.Error, c.e.LogLines("level=ERROR", "level=WARN", "producer", "executor", "ompleter"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// UploadAccepted uploads a small valid video (1280x720, 2 s, H.264/AAC) and waits until its
// check accepts it, as a contestant does before submitting.
func (c *client) UploadAccepted(subID string) checkedSubmission {
	c.t.Helper()
	c.Upload(subID, fixtureFile(c.t, "作品.mp4", ffmpegtest.Video{Audio: true}))
	s := c.WaitCheck(subID)
	if s.Video.Check.State != string(contest.CheckAccepted) {
		c.t.Fatalf("check = %+v, want accepted", s.Video.Check)
	}
	return s
}

// paddedVideo returns a valid video of exactly size bytes: a small ffmpeg fixture followed by
// a top-level "free" box of random bytes, which players and probes skip. It lets upload tests
// send several parts of a video that passes its check.
func paddedVideo(t testing.TB, name string, size int) videoFile {
	t.Helper()
	b, err := os.ReadFile(ffmpegtest.MustVideo(t, ffmpegtest.Video{Audio: true}))
	if err != nil {
		t.Fatal(err)
	}
	pad := size - len(b)
	if pad < 8 {
		t.Fatalf("padded video of %d bytes is smaller than the fixture", size)
	}
	free := make([]byte, pad)
	rand.Read(free[8:])
	binary.BigEndian.PutUint32(free, uint32(pad))
	copy(free[4:], "free")
	b = append(b, free...)
	return videoFile{Name: name, LastModified: 1652580000000, ReaderAt: bytes.NewReader(b), Size: int64(len(b)), hashes: &sync.Map{}}
}

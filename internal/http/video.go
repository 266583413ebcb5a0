package http

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// videos handles video uploads, the video and its poster, and the check.
type videos struct{ *Server }

func (s videos) routes(r router) {
	r.my.GET("/submissions/:id/video", s.downloadVideo)
	r.my.GET("/submissions/:id/poster", s.poster)
	r.admin.POST("/submissions/:id/recheck", s.pageRecheck)
	r.user.POST("/submissions/:id/video/uploads", s.apiStartUpload)
	r.user.GET("/submissions/:id/video/upload", s.apiCurrentUpload)
	r.user.GET("/submissions/:id/video", s.downloadVideo)
	r.user.GET("/submissions/:id/poster", s.poster)
	r.user.POST("/uploads/:uid/parts", s.apiPartTargets)
	r.user.POST("/uploads/:uid/complete", s.apiCompleteUpload)
	r.user.DELETE("/uploads/:uid", s.apiAbortUpload)
	r.user.PUT("/parts/:sid/:n", s.putPart)
	r.org.POST("/submissions/:id/video/check", s.apiRecheck)
}

// checkJSON is the media check of a video. Error, the technical cause of a failed check, is
// for organizers only.
type checkJSON struct {
	State     string              `json:"state"`
	Label     string              `json:"label"`
	Advice    string              `json:"advice"`
	Summary   string              `json:"summary,omitempty"`
	Reasons   []contest.Reason    `json:"reasons"`
	Warnings  []contest.Reason    `json:"warnings"`
	Facts     *contest.VideoFacts `json:"facts,omitempty"`
	Done      bool                `json:"done"`
	Attempts  int                 `json:"attempts"`
	CheckedAt *time.Time          `json:"checked_at,omitempty"`
	Error     string              `json:"error,omitempty"`
}

func toCheckJSON(c contest.VideoCheck, organizer bool) checkJSON {
	out := checkJSON{State: string(c.State), Label: c.State.Label(), Advice: c.Advice(), Summary: c.Facts.Summary(),
		Reasons: nonNil(c.Reasons), Warnings: nonNil(c.Warnings), Attempts: c.Attempts, CheckedAt: c.CheckedAt, Done: c.Done}
	if c.State == contest.CheckAccepted || c.State == contest.CheckRejected {
		f := c.Facts
		f.CompatibleBrands = nonNil(f.CompatibleBrands)
		out.Facts = &f
	}
	if organizer {
		out.Error = c.Error
	}
	return out
}

// posterURL names the poster of the submission's current video; the upload time in the query
// makes a new video's poster a new URL, so browsers may cache each for long.
func posterURL(subID string, v contest.Video) string {
	return fmt.Sprintf("/api/v1/submissions/%s/poster?v=%d", subID, v.UploadedAt.Unix())
}

// poster sends the poster frame of a submission's video to its owner or an organizer.
func (s videos) poster(c echo.Context) error {
	u, _ := currentUser(c)
	return sendPoster(c)(s.svc.Media.Poster(c.Request().Context(), u, c.Param("id")))
}

// sendPoster answers with a poster frame opened by the service, or its error. The URL names the
// video's version, so the browser may keep it.
func sendPoster(c echo.Context) func(io.ReadCloser, error) error {
	return func(rc io.ReadCloser, err error) error {
		if err != nil {
			return err
		}
		defer rc.Close()
		c.Response().Header().Set("Cache-Control", "private, max-age=86400")
		return c.Stream(http.StatusOK, "image/jpeg", io.LimitReader(rc, 8<<20))
	}
}

// apiRecheck queues the media check of a submission's video again (organizers).
func (s videos) apiRecheck(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.svc.Media.RecheckVideo(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toSubmissionJSON(sub.Masked(), "", true))
}

// pageRecheck is the organizer's 重新检查 button.
func (s videos) pageRecheck(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Media.RecheckVideo(c.Request().Context(), u, c.Param("id")); err != nil {
		return err
	}
	return seeOther(c, "/admin/submissions/"+c.Param("id")+"#video")
}

// PartURL names the route that takes part n of a local-folder upload; the storage puts it in
// the part targets it hands out, as S3 puts its presigned URLs.
func PartURL(storageID string, n int) string {
	return "/api/v1/parts/" + storageID + "/" + strconv.Itoa(n)
}

type partJSON struct {
	N      int    `json:"n"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

type uploadJSON struct {
	ID           string     `json:"id"`
	SubmissionID string     `json:"submission_id"`
	FileName     string     `json:"file_name"`
	Size         int64      `json:"size"`
	PartSize     int64      `json:"part_size"`
	PartCount    int        `json:"part_count"`
	LastModified int64      `json:"last_modified"`
	State        string     `json:"state"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	PartsDone    []partJSON `json:"parts_done"`
}

func toUploadJSON(st contest.UploadStatus) uploadJSON {
	u := st.Upload
	out := uploadJSON{
		ID: u.ID, SubmissionID: u.SubmissionID, FileName: u.FileName, Size: u.Size, PartSize: u.PartSize,
		PartCount: u.PartCount, LastModified: u.FileModified, State: string(u.State), CreatedAt: u.CreatedAt,
		ExpiresAt: u.ExpiresAt, PartsDone: []partJSON{},
	}
	for _, p := range st.Parts {
		out.PartsDone = append(out.PartsDone, partJSON{N: p.N, Size: p.Size, SHA256: p.SHA256})
	}
	return out
}

type videoJSON struct {
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Checksum    string    `json:"checksum"`
	UploadedAt  time.Time `json:"uploaded_at"`
	Check       checkJSON `json:"check"`
	PosterURL   string    `json:"poster_url,omitempty"`
}

func toVideoJSON(subID string, v *contest.Video, organizer bool) *videoJSON {
	if v == nil {
		return nil
	}
	out := &videoJSON{Name: v.Name, ContentType: v.ContentType, Size: v.Size, Checksum: v.Checksum,
		UploadedAt: v.UploadedAt, Check: toCheckJSON(v.Check, organizer)}
	if v.Check.Poster {
		out.PosterURL = posterURL(subID, *v)
	}
	return out
}

func (s videos) apiStartUpload(c echo.Context) error {
	var in struct {
		Name         string `json:"name"`
		Size         int64  `json:"size"`
		Type         string `json:"type"`
		LastModified int64  `json:"last_modified"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	st, err := s.svc.Media.StartUpload(c.Request().Context(), u, c.Param("id"),
		contest.UploadInput{Name: in.Name, Size: in.Size, ContentType: in.Type, LastModified: in.LastModified})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if len(st.Parts) > 0 {
		status = http.StatusOK // resumed
	}
	return c.JSON(status, toUploadJSON(st))
}

func (s videos) apiCurrentUpload(c echo.Context) error {
	u, _ := currentUser(c)
	st, err := s.svc.Media.CurrentUpload(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUploadJSON(st))
}

type partTargetJSON struct {
	N         int               `json:"n"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expires_at"`
}

func (s videos) apiPartTargets(c echo.Context) error {
	var in struct {
		Parts []partJSON `json:"parts"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	parts := make([]contest.PartInfo, len(in.Parts))
	for i, p := range in.Parts {
		parts[i] = contest.PartInfo{N: p.N, SHA256: p.SHA256}
	}
	u, _ := currentUser(c)
	targets, err := s.svc.Media.PartTargets(c.Request().Context(), u, c.Param("uid"), parts)
	if err != nil {
		return err
	}
	out := struct {
		Parts []partTargetJSON `json:"parts"`
	}{Parts: make([]partTargetJSON, len(targets))}
	for i, t := range targets {
		// Content-Length is the browser's to set; it is in the signature all the same.
		h := map[string]string{}
		for k, v := range t.Headers {
			if k != "Content-Length" {
				h[k] = v
			}
		}
		out.Parts[i] = partTargetJSON{N: t.N, Method: t.Method, URL: t.URL, Headers: h, ExpiresAt: t.ExpiresAt}
	}
	return c.JSON(http.StatusOK, out)
}

// putPart takes one part of a local-folder upload. The body streams to disk; the declared
// length must be the planned one and the bytes must match the checksum header.
func (s videos) putPart(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		return contest.UploadError(contest.CodePartOutOfRange, err)
	}
	req := c.Request()
	if req.ContentLength < 0 {
		return contest.UploadError(contest.CodePartSize, errors.New("no Content-Length"))
	}
	// A stalled phone must not hold the handler for ever: a part has this long to arrive.
	_ = http.NewResponseController(c.Response().Writer).SetReadDeadline(time.Now().Add(10 * time.Minute))
	u, _ := currentUser(c)
	err = s.svc.Media.WritePart(req.Context(), u, c.Param("sid"), n, req.ContentLength, req.Header.Get("x-amz-checksum-sha256"), s.metrics.countPart(req.Body))
	if err != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, 1<<20)) // let the client read the answer
		return err
	}
	return c.NoContent(http.StatusOK)
}

func (s videos) apiCompleteUpload(c echo.Context) error {
	var in struct {
		Checksum string `json:"checksum"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	sub, err := s.svc.Media.CompleteUpload(c.Request().Context(), u, c.Param("uid"), in.Checksum)
	if err != nil {
		return err
	}
	if sub.Video != nil {
		s.metrics.completed(sub.Video.Size)
	}
	return c.JSON(http.StatusOK, toSubmissionJSON(sub, s.contestURL(c), false))
}

func (s videos) apiAbortUpload(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Media.AbortUpload(c.Request().Context(), u, c.Param("uid")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// downloadVideo sends the video to its owner or an organizer: a redirect to storage when it
// signs links (S3), else the file with range requests. ?inline=1 plays it in the page.
func (s videos) downloadVideo(c echo.Context) error {
	u, _ := currentUser(c)
	v, err := s.svc.Media.VideoOf(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return s.serveVideo(c, v)
}

package http

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

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

func (s *Server) apiStartUpload(c echo.Context) error {
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

func (s *Server) apiCurrentUpload(c echo.Context) error {
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

func (s *Server) apiPartTargets(c echo.Context) error {
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
func (s *Server) putPart(c echo.Context) error {
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
	err = s.svc.Media.WritePart(req.Context(), u, c.Param("sid"), n, req.ContentLength, req.Header.Get("x-amz-checksum-sha256"), req.Body)
	if err != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, 1<<20)) // let the client read the answer
		return err
	}
	return c.NoContent(http.StatusOK)
}

func (s *Server) apiCompleteUpload(c echo.Context) error {
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
	return c.JSON(http.StatusOK, toSubmissionJSON(sub, s.baseURL(c), false))
}

func (s *Server) apiAbortUpload(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Media.AbortUpload(c.Request().Context(), u, c.Param("uid")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// downloadVideo sends the video to its owner or an organizer: a redirect to storage when it
// signs links (S3), else the file with range requests. ?inline=1 plays it in the page.
func (s *Server) downloadVideo(c echo.Context) error {
	u, _ := currentUser(c)
	v, err := s.svc.Media.VideoOf(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return s.serveVideo(c, v)
}

// serveVideo sends a stored video: with ?inline=1 to play in the page (its web copy when there
// is one), otherwise as a download under v.Name. S3 storage answers through a redirect to a
// presigned URL, which serves range requests itself.
func (s *Server) serveVideo(c echo.Context, v contest.Video) error {
	ctx := c.Request().Context()
	kind := "attachment"
	if c.QueryParam("inline") != "" {
		kind = "inline"
	}
	disposition := mime.FormatMediaType(kind, map[string]string{"filename": v.Name})
	if kind == "inline" && v.Check.WebCopy {
		v.Key = contest.WebCopyKey(v.Key) // the same video with its index first, for players
	}
	link, err := s.svc.Media.VideoURL(ctx, v, disposition)
	if err != nil {
		return err
	}
	if link != "" {
		return c.Redirect(http.StatusFound, link)
	}
	rc, err := s.svc.Media.OpenVideo(ctx, v)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := c.Response().Header()
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Type", v.ContentType)
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(c.Response(), c.Request(), "", v.UploadedAt, rs)
		return nil
	}
	h.Set("Content-Length", strconv.FormatInt(v.Size, 10))
	return c.Stream(http.StatusOK, v.ContentType, rc)
}

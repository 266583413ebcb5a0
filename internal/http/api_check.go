package http

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

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

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// posterURL names the poster of the submission's current video; the upload time in the query
// makes a new video's poster a new URL, so browsers may cache each for long.
func posterURL(subID string, v contest.Video) string {
	return fmt.Sprintf("/api/v1/submissions/%s/poster?v=%d", subID, v.UploadedAt.Unix())
}

// poster sends the poster frame of a submission's video to its owner or an organizer.
func (s *Server) poster(c echo.Context) error {
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
func (s *Server) apiRecheck(c echo.Context) error {
	u, _ := currentUser(c)
	sub, err := s.svc.Media.RecheckVideo(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toSubmissionJSON(sub.Masked(), "", true))
}

// pageRecheck is the organizer's 重新检查 button.
func (s *Server) pageRecheck(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Media.RecheckVideo(c.Request().Context(), u, c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/submissions/"+c.Param("id")+"#video")
}

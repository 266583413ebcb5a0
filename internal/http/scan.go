package http

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// scans shows the content scan of a work's video to organizers: what it found on screen and
// in other works, and the national rules' pre-check; re-run and clearance.
type scans struct{ *Server }

func (s scans) routes(r router) {
	r.admin.POST("/submissions/:id/rescan", s.pageRescan)
	r.admin.POST("/submissions/:id/scan/clearance", s.pageClear)
	r.org.GET("/submissions/:id/scan", s.apiScan)
	r.org.POST("/submissions/:id/scan", s.apiRescan)
	r.org.PUT("/submissions/:id/scan/clearance", s.apiClear)
	r.org.GET("/submissions/:id/scan/frames/:n", s.frame)
}

// scanJSON is a video's content scan for organizers.
type scanJSON struct {
	State      string                `json:"state"`
	Label      string                `json:"label"`
	ScannedAt  *time.Time            `json:"scanned_at,omitempty"`
	Attempts   int                   `json:"attempts"`
	Error      string                `json:"error,omitempty"`
	Findings   *contest.ScanFindings `json:"findings,omitempty"`
	Review     []contest.Reason      `json:"review_warnings"`
	National   []contest.Reason      `json:"national_warnings"`
	Contestant []contest.Reason      `json:"contestant_advice"`
	Frames     map[string]string     `json:"frames,omitempty"` // frame number → picture URL
	Cleared    *scanClearanceJSON    `json:"cleared,omitempty"`
}

type scanClearanceJSON struct {
	At   time.Time `json:"at"`
	Note string    `json:"note"`
}

func toScanJSON(subID string, sc contest.VideoScan) scanJSON {
	out := scanJSON{State: string(sc.State), Label: sc.State.Label(), ScannedAt: sc.ScannedAt,
		Attempts: sc.Attempts, Error: sc.Error, Review: []contest.Reason{}, National: []contest.Reason{}, Contestant: []contest.Reason{}}
	if sc.ScannedAt != nil {
		f := sc.Findings
		out.Findings = &f
		out.Review = nonNil(f.ReviewWarnings())
		out.National = nonNil(f.NationalWarnings())
		out.Contestant = nonNil(f.ContestantAdvice())
		for _, h := range f.Leaks {
			if h.Frame > 0 {
				if out.Frames == nil {
					out.Frames = map[string]string{}
				}
				out.Frames[strconv.Itoa(h.Frame)] = scanFrameURL(subID, h.Frame, sc.ScannedAt)
			}
		}
	}
	if c := sc.Cleared; c != nil {
		out.Cleared = &scanClearanceJSON{At: c.At, Note: c.Note}
	}
	return out
}

// scanFrameURL names a frame picture of one scan: a new scan is a new URL, so it may be kept.
func scanFrameURL(subID string, n int, at *time.Time) string {
	v := int64(0)
	if at != nil {
		v = at.Unix()
	}
	return fmt.Sprintf("/api/v1/admin/submissions/%s/scan/frames/%d?v=%d", subID, n, v)
}

// ScannedStamp is the scan's time for the clearance form (RFC 3339), "" before one.
func (j scanJSON) ScannedStamp() string {
	if j.ScannedAt == nil {
		return ""
	}
	return j.ScannedAt.Format(time.RFC3339Nano)
}

// FrameURL is the address of a leak's frame picture, "" when none was stored.
func (j scanJSON) FrameURL(n int) string { return j.Frames[strconv.Itoa(n)] }

// Pending says the findings wait for the organizer: names, units or duplicates not cleared.
func (j scanJSON) Pending() bool {
	return j.Findings != nil && j.Findings.Flagged() && j.Cleared == nil
}

func (s scans) apiScan(c echo.Context) error {
	u, _ := currentUser(c)
	sc, err := s.svc.Media.Scan(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toScanJSON(c.Param("id"), sc))
}

func (s scans) apiRescan(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	if err := s.svc.Media.RescanVideo(ctx, u, c.Param("id")); err != nil {
		return err
	}
	sc, err := s.svc.Media.Scan(ctx, u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toScanJSON(c.Param("id"), sc))
}

// scanClearJSON is the organizer's clearance of a scan's findings.
type scanClearJSON struct {
	Cleared bool   `json:"cleared"`
	Note    string `json:"note"`
	// ScannedAt is the scan's time as read: a newer scan is not cleared unseen (409).
	ScannedAt *time.Time `json:"scanned_at"`
}

func (s scans) apiClear(c echo.Context) error {
	var in scanClearJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	sc, err := s.svc.Media.ClearScan(c.Request().Context(), u, c.Param("id"), in.Cleared, in.Note, in.ScannedAt)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toScanJSON(c.Param("id"), sc))
}

func (s scans) pageRescan(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Media.RescanVideo(c.Request().Context(), u, c.Param("id")); err != nil {
		return err
	}
	return seeOther(c, "/admin/submissions/"+c.Param("id")+"#scan")
}

func (s scans) pageClear(c echo.Context) error {
	form, err := formParams(c) // a broken form is 400
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	clear := form.Get("cleared") != "0"
	var seen *time.Time
	if t, err := time.Parse(time.RFC3339Nano, form.Get("scanned_at")); err == nil {
		seen = &t
	}
	if _, err := s.svc.Media.ClearScan(c.Request().Context(), u, c.Param("id"), clear, form.Get("note"), seen); err != nil {
		return err
	}
	return seeOther(c, "/admin/submissions/"+c.Param("id")+"#scan")
}

// frame sends the picture of a frame where a name or unit was read.
func (s scans) frame(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return contest.Errorf(contest.ENotFound, "没有这一帧的画面")
	}
	u, _ := currentUser(c)
	return sendPoster(c)(s.svc.Media.ScanFrame(c.Request().Context(), u, c.Param("id"), n))
}

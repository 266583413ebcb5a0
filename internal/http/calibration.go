package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// calibration handles the calibration works (校准作品) on the organizers' judging desk.
type calibration struct{ *Server }

func (s calibration) routes(r router) {
	r.admin.POST("/judging/calibration", s.pageSetCalibration)
	r.org.PUT("/judging/calibration", s.apiSetCalibration)
}

// calibrationJSON is the contest's calibration works, by id, in the organizer's order.
type calibrationJSON struct {
	WorkIDs []string `json:"work_ids"`
}

func (s calibration) apiSetCalibration(c echo.Context) error {
	var in calibrationJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	ct, err := s.svc.Judging.SetCalibration(c.Request().Context(), u, in.WorkIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, calibrationJSON{WorkIDs: nonNil(ct.Judging.Calibration)})
}

func (s calibration) pageSetCalibration(c echo.Context) error {
	form, err := formParams(c) // a broken form is 400
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.SetCalibration(c.Request().Context(), u, form["work_id"]); err != nil {
		return err
	}
	return seeOther(c, "/admin/judging#calibration")
}

// calibrationWorkJSON is a calibration work in the organizer's ranking, with each judge's
// total (submitted reviews only).
type calibrationWorkJSON struct {
	ID     string             `json:"id"`
	Title  string             `json:"title"`
	Totals map[string]float64 `json:"totals"` // judge id → weighted total
	Mean   float64            `json:"mean"`
}

func toCalibrationJSON(ws []contest.CalibrationWork) []calibrationWorkJSON {
	out := make([]calibrationWorkJSON, len(ws))
	for i, w := range ws {
		out[i] = calibrationWorkJSON{ID: w.WorkID, Title: w.Title, Totals: map[string]float64{}, Mean: w.Mean}
		for _, sc := range w.Scores {
			if sc.Submitted {
				out[i].Totals[sc.JudgeID] = sc.Total
			}
		}
	}
	return out
}

// calibrationDesk is the judging desk's calibration section: the works to choose from, the
// choice as it stands (one per select, "" for none) and whether it is still open.
type calibrationDesk struct {
	Choices []contest.WorkChoice
	Slots   [contest.MaxCalibration]string
	Open    bool
}

// calibrationDeskOf reads the calibration section of the judging desk.
func (s rankings) calibrationDeskOf(c echo.Context) (calibrationDesk, error) {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	choices, open, err := s.svc.Judging.CalibrationChoices(ctx, u)
	if err != nil {
		return calibrationDesk{}, err
	}
	ct, err := s.svc.Contests.CurrentContest(ctx)
	d := calibrationDesk{Choices: choices, Open: open}
	copy(d.Slots[:], ct.Judging.Calibration)
	return d, err
}

package http

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

var tierByName = map[string]contest.Tier{"first": contest.TierFirst, "second": contest.TierSecond, "third": contest.TierThird, "none": contest.TierNone}

// awardJSON is a ranked work with its proposed and final award.
type awardJSON struct {
	rankingJSON
	Final      string `json:"final"`
	FinalLabel string `json:"final_label"`
	Reason     string `json:"reason,omitempty"`
}

// awardsJSON is the award table: the ranked works with their final awards, and whether and
// when judging was closed and the awards confirmed.
type awardsJSON struct {
	Items       []awardJSON `json:"items"`
	ClosedAt    *time.Time  `json:"closed_at,omitempty"`    // absent while judging is open
	ConfirmedAt *time.Time  `json:"confirmed_at,omitempty"` // absent while the awards can change
	Version     int         `json:"version"`
}

func toAwardsJSON(t contest.AwardTable) awardsJSON {
	items := make([]awardJSON, len(t.Awards))
	base := toRankingJSON(t.RankingTable).Items
	for i, r := range t.Awards {
		items[i] = awardJSON{rankingJSON: base[i], Final: tierNames[r.Final], FinalLabel: r.Final.Label(), Reason: r.Reason}
	}
	return awardsJSON{Items: items, ClosedAt: t.ClosedAt, ConfirmedAt: t.ConfirmedAt, Version: t.Version}
}

func (s *Server) apiAwards(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.Awards(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAwardsJSON(t))
}

func (s *Server) apiSetAward(c echo.Context) error {
	var in struct {
		Tier   string `json:"tier"`
		Reason string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	tier, ok := tierByName[in.Tier]
	if !ok {
		return (contest.Fields{"tier": {Code: "tier_unknown", Message: "请选择一等奖、二等奖、三等奖或不获奖"}}).Err()
	}
	u, _ := currentUser(c)
	t, err := s.svc.Judging.SetAward(c.Request().Context(), u, c.Param("id"), tier, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAwardsJSON(t))
}

func (s *Server) apiConfirmAwards(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.ConfirmAwards(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAwardsJSON(t))
}

func (s *Server) apiReopenAwards(c echo.Context) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	t, err := s.svc.Judging.ReopenAwards(c.Request().Context(), u, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAwardsJSON(t))
}

// Pages: the same actions from the judging desk.

func (s *Server) pageSetAward(c echo.Context) error {
	u, _ := currentUser(c)
	tier, ok := tierByName[c.FormValue("tier")]
	if !ok {
		tier = contest.Tier(-1) // refused by the service with a field error
	}
	if _, err := s.svc.Judging.SetAward(c.Request().Context(), u, c.Param("id"), tier, c.FormValue("reason")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/judging#ranking")
}

func (s *Server) pageConfirmAwards(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.ConfirmAwards(c.Request().Context(), u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/judging")
}

func (s *Server) pageReopenAwards(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.ReopenAwards(c.Request().Context(), u, c.FormValue("reason")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/judging")
}

package http

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// rounds handles the judging rounds: advancing a closed round's shortlist to the next round,
// and reading the rounds advanced before.
type rounds struct{ *Server }

func (s rounds) routes(r router) {
	r.admin.POST("/judging/advance", s.pageAdvance)
	r.admin.GET("/judging/rounds/:n", s.pageRound)
	r.org.POST("/judging/advance", s.apiAdvance)
	r.org.GET("/judging/rounds", s.apiRounds)
	r.org.GET("/judging/rounds/:n", s.apiRound)
}

// roundJSON is a judging round: an advanced one with its figures, or the current one.
type roundJSON struct {
	Number         int        `json:"number"`
	Name           string     `json:"name"`
	Current        bool       `json:"current"`
	ReviewsPerWork int        `json:"reviews_per_work"`
	Judges         []string   `json:"judges"` // empty: every judge of the contest
	Shortlist      string     `json:"shortlist,omitempty"`
	Works          int        `json:"works,omitempty"`
	Advanced       int        `json:"advanced,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	AdvancedAt     *time.Time `json:"advanced_at,omitempty"`
}

func toRoundJSON(r contest.RoundRecord) roundJSON {
	return roundJSON{Number: r.Number, Name: r.Name, ReviewsPerWork: r.ReviewsPerWork, Judges: nonNil(r.Judges),
		Shortlist: r.Shortlist.String(), Works: r.Works(), Advanced: r.Advanced, ClosedAt: &r.ClosedAt, AdvancedAt: &r.AdvancedAt}
}

// roundsJSON lists the advanced rounds, then the current one.
func roundsJSON(j contest.JudgingSettings) []roundJSON {
	out := make([]roundJSON, 0, len(j.Rounds)+1)
	for _, r := range j.Rounds {
		out = append(out, toRoundJSON(r))
	}
	return append(out, roundJSON{Number: j.CurrentRound(), Name: j.RoundLabel(), Current: true,
		ReviewsPerWork: j.ReviewsPerWork, Judges: nonNil(j.RoundJudges), ClosedAt: j.ClosedAt})
}

func (s rounds) apiRounds(c echo.Context) error {
	u, _ := currentUser(c)
	_, ct, err := s.svc.Judging.Rounds(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": roundsJSON(ct.Judging)})
}

// roundRankingJSON is an advanced round with its ranking and the works that went on to the
// next round.
type roundRankingJSON struct {
	Round    roundJSON     `json:"round"`
	Items    []rankingJSON `json:"items"`
	Advanced []string      `json:"advanced"`
}

func (s rounds) apiRound(c echo.Context) error {
	v, err := s.round(c)
	if err != nil {
		return err
	}
	out := roundRankingJSON{Round: toRoundJSON(v.RoundRecord), Items: []rankingJSON{}, Advanced: []string{}}
	for _, l := range toRankingJSON(v.Ranking).Items {
		l.Proposed, l.Label = tierNames[contest.TierNone], "" // no award comes from an earlier round
		out.Items = append(out.Items, l)
		if v.Finalists[l.ID] {
			out.Advanced = append(out.Advanced, l.ID)
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s rounds) round(c echo.Context) (contest.RoundView, error) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		return contest.RoundView{}, contest.Errorf(contest.ENotFound, "该轮评审不存在或尚未结束")
	}
	u, _ := currentUser(c)
	return s.svc.Judging.Round(c.Request().Context(), u, n)
}

// advanceJSON is the advance form: the shortlist as typed ("20" or "30%"), the next round's
// name, judges (none: every judge) and judges per work (0: every judge reviews every work).
type advanceJSON struct {
	Shortlist      string   `json:"shortlist"`
	Name           string   `json:"name"`
	Judges         []string `json:"judges"`
	ReviewsPerWork int      `json:"reviews_per_work"`
}

func (in advanceJSON) toDomain() (contest.Advance, error) {
	q, err := parseQuota(in.Shortlist)
	if err != nil {
		return contest.Advance{}, (contest.Fields{"shortlist": {Code: "shortlist_number", Message: "入围名额请填写数量（如 20）或百分比（如 30%）"}}).Err()
	}
	return contest.Advance{Shortlist: q, Name: in.Name, Judges: in.Judges, ReviewsPerWork: in.ReviewsPerWork}, nil
}

func (s rounds) apiAdvance(c echo.Context) error {
	var in advanceJSON
	if err := bind(c, &in); err != nil {
		return err
	}
	a, err := in.toDomain()
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	ct, err := s.svc.Judging.AdvanceRound(c.Request().Context(), u, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": roundsJSON(ct.Judging)})
}

func (s rounds) pageAdvance(c echo.Context) error {
	form, err := formParams(c) // a broken form is 400
	if err != nil {
		return err
	}
	in := advanceJSON{Shortlist: c.FormValue("shortlist"), Name: strings.TrimSpace(c.FormValue("name"))}
	if c.FormValue("every_judge") == "" {
		in.ReviewsPerWork, _ = strconv.Atoi(c.FormValue("reviews_per_work"))
		if in.ReviewsPerWork == 0 {
			in.ReviewsPerWork = -1 // refused as out of range, not taken for "every judge"
		}
	}
	if c.FormValue("all_judges") == "" {
		in.Judges = form["judge"]
		if len(in.Judges) == 0 {
			in.Judges = []string{""} // refused: the organizer chose none
		}
	}
	a, err := in.toDomain()
	if err == nil {
		u, _ := currentUser(c)
		if _, err = s.svc.Judging.AdvanceRound(c.Request().Context(), u, a); err == nil {
			return seeOther(c, "/admin/judging?advanced=1")
		}
	}
	if code := contest.ErrorCode(err); code != contest.EInvalid && code != contest.EConflict {
		return err
	}
	shown := advanceForm{Shortlist: in.Shortlist, Name: in.Name, ReviewsPerWork: c.FormValue("reviews_per_work"),
		EveryJudge: c.FormValue("every_judge") != "", AllJudges: c.FormValue("all_judges") != "", Picked: map[string]bool{}}
	for _, id := range form["judge"] {
		shown.Picked[id] = true
	}
	return rankings{s.Server}.showJudgingError(c, err, shown)
}

// roundPage is an advanced round's ranking, read-only, with its judges' agreement.
type roundPage struct {
	contest.RoundView
	Agreement contest.JudgingReport
}

func (s rounds) pageRound(c echo.Context) error {
	v, err := s.round(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	agreement, err := s.svc.Judging.RoundAgreement(c.Request().Context(), u, v)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_round", view{Title: v.Name + "排名", Wide: true, Data: roundPage{v, agreement}})
}

package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// pairwise handles the pairwise check at the award cuts (成对比较复核): the organizer starts it
// and reads its results; judges compare their pairs, blind.
type pairwise struct{ *Server }

func (s pairwise) routes(r router) {
	r.admin.POST("/judging/pairwise", s.pageStartPairwise)
	r.org.GET("/pairwise", s.apiPairwise)
	r.org.POST("/pairwise/start", s.apiStartPairwise)
	r.my.GET("/judge/pairs/:id", s.pageJudgePair)
	r.my.POST("/judge/pairs/:id", s.pageComparePair)
	r.judge.GET("/pairs", s.apiJudgePairs)
	r.judge.PUT("/pairs/:id", s.apiComparePair)
	r.judge.GET("/pairs/:id/video/:side", s.pairVideo)
}

// pairwiseSettingsJSON is the pairwise check's part of the judging settings.
type pairwiseSettingsJSON struct {
	Enabled       bool `json:"enabled"`
	PerSide       int  `json:"per_side"`
	JudgesPerPair int  `json:"judges_per_pair"`
}

func toPairwiseSettingsJSON(p contest.PairwiseSettings) pairwiseSettingsJSON {
	return pairwiseSettingsJSON{Enabled: p.On, PerSide: p.PerSide, JudgesPerPair: p.JudgesPerPair}
}

func (p pairwiseSettingsJSON) toDomain() contest.PairwiseSettings {
	return contest.PairwiseSettings{On: p.Enabled, PerSide: p.PerSide, JudgesPerPair: p.JudgesPerPair}
}

// pairwiseFromForm reads the settings form's pairwise fields.
func pairwiseFromForm(c echo.Context) contest.PairwiseSettings {
	per, _ := strconv.Atoi(c.FormValue("pairwise_per_side"))
	judges, _ := strconv.Atoi(c.FormValue("pairwise_judges"))
	return contest.PairwiseSettings{On: c.FormValue("pairwise") != "", PerSide: per, JudgesPerPair: judges}
}

// pairwiseFormDefaults are what the settings form offers while the check is off.
func pairwiseFormDefaults(p contest.PairwiseSettings) contest.PairwiseSettings {
	if p.PerSide == 0 {
		p.PerSide = 2
	}
	if p.JudgesPerPair == 0 {
		p.JudgesPerPair = 3
	}
	return p
}

// pairWorkJSON is a work of a pair in the organizer's results.
type pairWorkJSON struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Rank     int     `json:"rank"`
	Score    float64 `json:"score"`
	Proposed string  `json:"proposed"`
	Strength float64 `json:"strength"` // the Bradley–Terry strength; 1 for a work not yet compared
}

// pairResultJSON is one pair at a cut with what the comparisons say.
type pairResultJSON struct {
	Category  string       `json:"category"`
	Cut       string       `json:"cut"` // the upper work's proposed tier: first, second or third
	Upper     pairWorkJSON `json:"upper"`
	Lower     pairWorkJSON `json:"lower"`
	Judges    int          `json:"judges"`
	UpperWins int          `json:"upper_wins"`
	LowerWins int          `json:"lower_wins"`
	PLower    float64      `json:"p_lower_better"`
	Disagree  bool         `json:"disagree"`
}

// pairwiseJSON is the pairwise check as it stands.
type pairwiseJSON struct {
	Settings      pairwiseSettingsJSON `json:"settings"`
	Started       bool                 `json:"started"`
	Comparisons   int                  `json:"comparisons"`
	Decided       int                  `json:"decided"`
	Short         int                  `json:"short"`
	Disagreements int                  `json:"disagreements"`
	Pairs         []pairResultJSON     `json:"pairs"`
}

func toPairwiseJSON(r contest.PairwiseReport) pairwiseJSON {
	work := func(row contest.RankingRow) pairWorkJSON {
		g, ok := r.Fit.Strength[row.WorkID]
		if !ok {
			g = 1
		}
		return pairWorkJSON{ID: row.WorkID, Title: row.Title, Rank: row.Rank, Score: row.Score, Proposed: tierNames[row.Proposed], Strength: g}
	}
	out := pairwiseJSON{Settings: toPairwiseSettingsJSON(r.Settings), Started: r.Started, Comparisons: r.Comparisons,
		Decided: r.Decided, Short: r.Short, Disagreements: r.Disagreements(), Pairs: make([]pairResultJSON, len(r.Pairs))}
	for i, p := range r.Pairs {
		out.Pairs[i] = pairResultJSON{Category: p.Group, Cut: tierNames[p.Cut], Upper: work(p.Upper), Lower: work(p.Lower),
			Judges: p.Judges, UpperWins: p.UpperWins, LowerWins: p.LowerWins, PLower: p.PLower, Disagree: p.Disagree}
	}
	return out
}

func (s pairwise) apiPairwise(c echo.Context) error {
	u, _ := currentUser(c)
	r, err := s.svc.Judging.PairwiseResults(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPairwiseJSON(r))
}

func (s pairwise) apiStartPairwise(c echo.Context) error {
	u, _ := currentUser(c)
	r, err := s.svc.Judging.StartPairwise(c.Request().Context(), u, uint64(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPairwiseJSON(r))
}

func (s pairwise) pageStartPairwise(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.StartPairwise(c.Request().Context(), u, uint64(time.Now().UnixNano())); err != nil {
		return err
	}
	return seeOther(c, "/admin/judging#pairwise")
}

// pairSideJSON is one side of a judge's pair: only what a blind review shows.
type pairSideJSON struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	VideoURL    string `json:"video_url,omitempty"`
}

// pairTaskJSON is a pair a judge compares, with their choice ("a", "b" or "").
type pairTaskJSON struct {
	ID        string       `json:"id"`
	A         pairSideJSON `json:"a"`
	B         pairSideJSON `json:"b"`
	Choice    string       `json:"choice"`
	Reason    string       `json:"reason"`
	DecidedAt *time.Time   `json:"decided_at,omitempty"`
}

func toPairTaskJSON(t contest.PairTask) pairTaskJSON {
	side := func(w contest.JudgeTask, name string) pairSideJSON {
		out := pairSideJSON{Title: w.Title, Description: w.Description}
		if w.Video != nil {
			out.VideoURL = "/api/v1/judge/pairs/" + t.ID + "/video/" + name + "?inline=1"
		}
		return out
	}
	return pairTaskJSON{ID: t.ID, A: side(t.A, "a"), B: side(t.B, "b"), Choice: t.Choice, Reason: t.Reason, DecidedAt: t.DecidedAt}
}

// judgePairsJSON is a judge's pairs and how many are done.
type judgePairsJSON struct {
	Items []pairTaskJSON `json:"items"`
	Done  int            `json:"done"`
	Total int            `json:"total"`
}

func (s pairwise) apiJudgePairs(c echo.Context) error {
	u, _ := currentUser(c)
	tasks, err := s.svc.Judging.JudgePairs(c.Request().Context(), u)
	if err != nil {
		return err
	}
	out := judgePairsJSON{Items: make([]pairTaskJSON, len(tasks)), Total: len(tasks)}
	for i, t := range tasks {
		out.Items[i] = toPairTaskJSON(t)
		if t.Done() {
			out.Done++
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s pairwise) apiComparePair(c echo.Context) error {
	var in struct {
		Choice string `json:"choice"`
		Reason string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	t, err := s.svc.Judging.ComparePair(c.Request().Context(), u, c.Param("id"), in.Choice, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPairTaskJSON(t))
}

func (s pairwise) pairVideo(c echo.Context) error {
	u, _ := currentUser(c)
	v, err := s.svc.Judging.PairVideo(c.Request().Context(), u, c.Param("id"), c.Param("side"))
	if err != nil {
		return err
	}
	if !v.Check.WebCopy {
		return contest.Errorf(contest.ENotFound, "视频正在处理，请稍后再试")
	}
	// As in blind review: only the copy for playback, whose metadata is gone.
	w := *v
	w.Key, w.Check.WebCopy = contest.WebCopyKey(w.Key), false
	return s.serveVideo(c, w)
}

// judgePairPage is the compare page: both works side by side (stacked on a phone) and the
// choice.
type judgePairPage struct {
	Task   contest.PairTask
	Sides  []pairSideView
	Choice string
	Reason string
	Done   int // pairs compared
	Total  int
	Next   string // the next pair still to compare
}

func (s pairwise) pageJudgePair(c echo.Context) error {
	d, err := s.pairPage(c)
	if err != nil {
		return err
	}
	d.Choice, d.Reason = d.Task.Choice, d.Task.Reason
	return s.render(c, http.StatusOK, "judge_pair", view{Title: "成对比较", Data: d, Wide: true})
}

// pairPage reads the judge's pair of the URL with their progress.
func (s pairwise) pairPage(c echo.Context) (judgePairPage, error) {
	u, _ := currentUser(c)
	tasks, err := s.svc.Judging.JudgePairs(c.Request().Context(), u)
	if err != nil {
		return judgePairPage{}, err
	}
	d := judgePairPage{Total: len(tasks)}
	found := false
	for _, t := range tasks {
		switch {
		case t.ID == c.Param("id"):
			d.Task, found = t, true
		case !t.Done() && d.Next == "":
			d.Next = t.ID
		}
		if t.Done() {
			d.Done++
		}
	}
	if !found {
		return d, contest.Errorf(contest.ENotFound, "比较任务不存在")
	}
	d.Sides = []pairSideView{{Side: "a", Label: "A", Work: d.Task.A, PairID: d.Task.ID, API: apiRoot(c)},
		{Side: "b", Label: "B", Work: d.Task.B, PairID: d.Task.ID, API: apiRoot(c)}}
	return d, nil
}

// pairSideView is one work of the compare page, with what its video's address needs.
type pairSideView struct {
	Side, Label string // "a" and "A"
	Work        contest.JudgeTask
	PairID      string
	API         string // the API's root for this contest
}

// pageComparePair saves the choice and goes on to the next pair still to compare, or home.
func (s pairwise) pageComparePair(c echo.Context) error {
	u, _ := currentUser(c)
	choice, reason := c.FormValue("choice"), c.FormValue("reason")
	_, err := s.svc.Judging.ComparePair(c.Request().Context(), u, c.Param("id"), choice, reason)
	if code := contest.ErrorCode(err); code == contest.EInvalid || code == contest.EConflict {
		d, perr := s.pairPage(c)
		if perr != nil {
			return perr
		}
		d.Choice, d.Reason = choice, reason
		status := map[string]int{contest.EInvalid: http.StatusUnprocessableEntity, contest.EConflict: http.StatusConflict}[code]
		v := view{Title: "成对比较", Data: d, Wide: true, Errors: contest.ErrorFields(err), ErrorMsg: contest.ErrorMessage(err)}
		return s.render(c, status, "judge_pair", v)
	} else if err != nil {
		return err
	}
	d, err := s.pairPage(c)
	if err == nil && d.Next != "" {
		return seeOther(c, "/judge/pairs/"+d.Next)
	}
	return seeOther(c, "/judge#pairs")
}

// judgePairs are the judge's pairs for their home page; nil for anyone else.
func (s *Server) judgePairs(c echo.Context) ([]contest.PairTask, error) {
	u, _ := currentUser(c)
	if !u.IsJudge() {
		return nil, nil
	}
	return s.svc.Judging.JudgePairs(c.Request().Context(), u)
}

// pairwiseDesk is the pairwise check beside the desk's ranking t; nil for a contest that does
// not have it on and never started it.
func (s *Server) pairwiseDesk(c echo.Context, t contest.RankingTable) (*contest.PairwiseReport, error) {
	u, _ := currentUser(c)
	r, err := s.svc.Judging.PairwiseBeside(c.Request().Context(), u, t)
	if err != nil || (!r.Settings.On && !r.Started) {
		return nil, err
	}
	return &r, nil
}

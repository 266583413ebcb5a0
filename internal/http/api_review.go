package http

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// taskJSON is a work in a judge's queue. It carries only what a blind review shows: no name,
// employer, number, contact or file name of anyone on the work.
type taskJSON struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	VideoURL    string         `json:"video_url,omitempty"`
	PosterURL   string         `json:"poster_url,omitempty"`
	Scores      contest.Scores `json:"scores"`
	Comment     string         `json:"comment"`
	SavedAt     *time.Time     `json:"saved_at,omitempty"`
	SubmittedAt *time.Time     `json:"submitted_at,omitempty"`
}

func toTaskJSON(t contest.JudgeTask) taskJSON {
	out := taskJSON{ID: t.SubmissionID, Title: t.Title, Description: t.Description, Scores: t.Scores,
		Comment: t.Comment, SavedAt: t.SavedAt, SubmittedAt: t.SubmittedAt}
	if out.Scores == nil {
		out.Scores = contest.Scores{}
	}
	if t.Video != nil {
		out.VideoURL = "/api/v1/judge/works/" + t.SubmissionID + "/video?inline=1"
		if t.Video.Check.Poster {
			out.PosterURL = fmt.Sprintf("/api/v1/judge/works/%s/poster?v=%d", t.SubmissionID, t.Video.UploadedAt.Unix())
		}
	}
	return out
}

func (s *Server) apiJudgeQueue(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	tasks, err := s.svc.Judging.JudgeQueue(ctx, u)
	if err != nil {
		return err
	}
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	items, done := make([]taskJSON, len(tasks)), 0
	for i, t := range tasks {
		items[i] = toTaskJSON(t)
		if t.Done() {
			done++
		}
	}
	return c.JSON(http.StatusOK, judgeQueueJSON{Items: items, Done: done, Total: len(tasks), Rubric: ct.Judging.Rubric})
}

// judgeQueueJSON is a judge's works, how many are done, and the rubric they are scored by.
type judgeQueueJSON struct {
	Items  []taskJSON     `json:"items"`
	Done   int            `json:"done"`
	Total  int            `json:"total"`
	Rubric contest.Rubric `json:"rubric"`
}

func (s *Server) apiJudgeTask(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.JudgeTask(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(t))
}

func (s *Server) apiScoreWork(c echo.Context) error {
	var in struct {
		Scores  contest.Scores `json:"scores"`
		Comment string         `json:"comment"`
		Submit  bool           `json:"submit"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	r, err := s.svc.Judging.ScoreWork(c.Request().Context(), u, c.Param("id"), in.Scores, in.Comment, in.Submit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(r.Task))
}

func (s *Server) judgeVideo(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.JudgeTask(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	if t.Video == nil || !t.Video.Check.WebCopy {
		return contest.Errorf(contest.ENotFound, "视频正在处理，请稍后再试")
	}
	// Judges get only the copy for playback: its metadata (titles, artist, location) is gone.
	v := *t.Video
	v.Key, v.Check.WebCopy = contest.WebCopyKey(v.Key), false
	return s.serveVideo(c, v)
}

func (s *Server) judgePoster(c echo.Context) error {
	u, _ := currentUser(c)
	return sendPoster(c)(s.svc.Judging.JudgePoster(c.Request().Context(), u, c.Param("id")))
}

func (s *Server) apiRunAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	p, err := s.svc.Judging.RunAssignment(c.Request().Context(), u, uint64(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanJSON(p))
}

// planJSON is an assignment plan's size: assignments, works per judge, works short of judges.
type planJSON struct {
	Assignments int            `json:"assignments"`
	Loads       map[string]int `json:"loads"`
	Short       []shortJSON    `json:"short"`
}

// shortJSON is a work that got fewer judges than wanted, and how many it got.
type shortJSON struct {
	SubmissionID string `json:"submission_id"`
	Judges       int    `json:"judges"`
}

func toPlanJSON(p contest.Plan) planJSON {
	short := make([]shortJSON, 0, len(p.Short))
	for id, n := range p.Short {
		short = append(short, shortJSON{SubmissionID: id, Judges: n})
	}
	return planJSON{Assignments: len(p.Assignments), Loads: p.Load, Short: short}
}

// rankingJSON is a line of the organizer's ranking table.
type rankingJSON struct {
	ID       string             `json:"id"`
	Title    string             `json:"title"`
	Rank     int                `json:"rank"`
	Raw      float64            `json:"raw"`
	Adjusted float64            `json:"adjusted"`
	Totals   map[string]float64 `json:"totals"`
	Reviews  int                `json:"reviews"`
	Assigned int                `json:"assigned"`
	Missing  []string           `json:"missing"`
	Short    bool               `json:"short"`
	Spread   float64            `json:"spread"`
	Disputed bool               `json:"disputed"`
	Proposed string             `json:"proposed"` // first, second, third or none
	Label    string             `json:"proposed_label"`
}

var tierNames = map[contest.Tier]string{contest.TierFirst: "first", contest.TierSecond: "second", contest.TierThird: "third", contest.TierNone: "none"}

// rankingTableJSON is the organizer's ranking: its lines, the tiers over their quota through
// ties (by how many works), and when judging was closed.
type rankingTableJSON struct {
	Items     []rankingJSON  `json:"items"`
	OverQuota map[string]int `json:"over_quota"`
	ClosedAt  *time.Time     `json:"closed_at,omitempty"` // absent while judging is open
}

func toRankingJSON(t contest.RankingTable) rankingTableJSON {
	items := make([]rankingJSON, len(t.Rows))
	for i, r := range t.Rows {
		items[i] = rankingJSON{ID: r.WorkID, Title: r.Title, Rank: r.Rank, Raw: r.Raw, Adjusted: r.Adjusted, Totals: r.Totals,
			Reviews: r.Reviews, Assigned: r.Assigned, Missing: nonNil(r.Missing), Short: r.Short, Spread: r.Spread,
			Disputed: r.Disputed, Proposed: tierNames[r.Proposed], Label: r.Proposed.Label()}
	}
	over := map[string]int{}
	for tier, n := range t.Over {
		over[tierNames[tier]] = n
	}
	return rankingTableJSON{Items: items, OverQuota: over, ClosedAt: t.ClosedAt}
}

func (s *Server) apiRanking(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.Ranking(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRankingJSON(t))
}

func (s *Server) apiCloseJudging(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.CloseJudging(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRankingJSON(t))
}

func (s *Server) apiDeclareConflict(c echo.Context) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	if err := s.svc.Judging.DeclareConflict(c.Request().Context(), u, c.Param("id"), in.Reason); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiPreviewAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	p, err := s.svc.Judging.PreviewAssignment(c.Request().Context(), u, uint64(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanJSON(p))
}

func (s *Server) apiMoveAssignment(c echo.Context) error {
	var in struct {
		SubmissionID string `json:"submission_id"`
		From         string `json:"from"`
		To           string `json:"to"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	if err := s.svc.Judging.MoveAssignment(c.Request().Context(), u, in.SubmissionID, in.From, in.To); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

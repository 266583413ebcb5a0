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
	return c.JSON(http.StatusOK, map[string]any{"items": items, "done": done, "total": len(tasks), "rubric": ct.Judging.Rubric})
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
	return c.JSON(http.StatusOK, planJSON(p))
}

// planJSON is an assignment plan's size: assignments, works per judge, works short of judges.
func planJSON(p contest.Plan) map[string]any {
	short := make([]map[string]any, 0, len(p.Short))
	for id, n := range p.Short {
		short = append(short, map[string]any{"submission_id": id, "judges": n})
	}
	return map[string]any{"assignments": len(p.Assignments), "loads": p.Load, "short": short}
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

func toRankingJSON(t contest.RankingTable) map[string]any {
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
	return map[string]any{"items": items, "over_quota": over, "closed_at": t.ClosedAt}
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
	return c.JSON(http.StatusOK, planJSON(p))
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

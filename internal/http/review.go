package http

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// reviews handles a judge's queue and blind review.
type reviews struct{ *Server }

func (s reviews) routes(r router) {
	r.my.GET("/judge", s.pageJudgeHome)
	r.my.GET("/judge/works/:id", s.pageJudgeWork)
	r.my.POST("/judge/works/:id", s.pageScoreWork)
	r.my.POST("/judge/works/:id/conflict", s.pageDeclareConflict)
	r.judge.GET("/works", s.apiJudgeQueue)
	r.judge.GET("/works/:id", s.apiJudgeTask)
	r.judge.PUT("/works/:id/review", s.apiScoreWork)
	r.judge.GET("/works/:id/video", s.judgeVideo)
	r.judge.GET("/works/:id/poster", s.judgePoster)
	r.judge.POST("/works/:id/conflict", s.apiDeclareConflict)
}

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
	// Calibration marks a calibration work (校准作品): every judge scores it, it is not ranked.
	Calibration bool `json:"calibration"`
}

func toTaskJSON(t contest.JudgeTask) taskJSON {
	out := taskJSON{ID: t.SubmissionID, Title: t.Title, Description: t.Description, Scores: t.Scores,
		Comment: t.Comment, SavedAt: t.SavedAt, SubmittedAt: t.SubmittedAt, Calibration: t.Calibration}
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

func (s reviews) apiJudgeQueue(c echo.Context) error {
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

func (s reviews) apiJudgeTask(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.JudgeTask(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(t))
}

func (s reviews) apiScoreWork(c echo.Context) error {
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

func (s reviews) judgeVideo(c echo.Context) error {
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

func (s reviews) judgePoster(c echo.Context) error {
	u, _ := currentUser(c)
	return sendPoster(c)(s.svc.Judging.JudgePoster(c.Request().Context(), u, c.Param("id")))
}

func (s reviews) apiDeclareConflict(c echo.Context) error {
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

// judgeQueuePage is a judge's list of works with progress.
type judgeQueuePage struct {
	Tasks []contest.JudgeTask
	Done  int
	Next  string // the first unscored work
	// Others are the other contests the judge judges, each with its own queue.
	Others []contest.Contest
	// Pairs are the judge's pairs to compare (成对比较复核), on the home page only.
	Pairs []contest.PairTask
}

func (s reviews) judgeQueue(c echo.Context) (judgeQueuePage, error) {
	u, _ := currentUser(c)
	tasks, err := s.svc.Judging.JudgeQueue(c.Request().Context(), u)
	d := judgeQueuePage{Tasks: tasks}
	for _, t := range tasks {
		if t.Done() {
			d.Done++
		} else if d.Next == "" {
			d.Next = t.SubmissionID
		}
	}
	return d, err
}

// pageJudgeHome is a judge's home, the queue. An organizer is sent to the judging desk; a
// contestant is told the page is for judges.
func (s reviews) pageJudgeHome(c echo.Context) error {
	u, _ := currentUser(c)
	switch {
	case u.IsOrganizer():
		return seeOther(c, "/admin/judging")
	case u.Role != contest.RoleJudge:
		return contest.Errorf(contest.EForbidden, "评审任务页仅供评委使用；您的作品请在“我的作品”中查看")
	}
	return s.pageJudgeQueue(c)
}

func (s reviews) pageJudgeQueue(c echo.Context) error {
	u, _ := currentUser(c)
	mine, err := s.svc.Contests.MemberContests(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	if u.OutsideContest && len(mine) > 0 { // not a judge of this contest: to the queue of one they judge
		return c.Redirect(http.StatusSeeOther, mine[0].Path()+"/judge")
	}
	d, err := s.judgeQueue(c)
	if err != nil {
		return err
	}
	if d.Pairs, err = s.judgePairs(c); err != nil {
		return err
	}
	here := requestContest(c)
	for _, ct := range mine {
		if ct.ID != here.ID {
			d.Others = append(d.Others, ct)
		}
	}
	return s.render(c, http.StatusOK, "judge_home", view{Title: "评审", Data: d})
}

// judgeWorkPage is the review page of one work: the video, the title and description, and the
// scoring form with the contest's rubric.
type judgeWorkPage struct {
	Task     contest.JudgeTask
	Rubric   contest.Rubric
	Scores   map[string]string // as entered, to show again after an error
	Comment  string
	Progress judgeQueuePage
	Open     bool // the review window is open and judging not closed
	Closed   bool // the organizer closed judging
}

func (s reviews) pageJudgeWork(c echo.Context) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.JudgeTask(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	d := judgeWorkPage{Task: t, Scores: map[string]string{}, Comment: t.Comment}
	for k, v := range t.Scores {
		d.Scores[k] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return s.showJudgeWork(c, http.StatusOK, d, nil)
}

func (s reviews) showJudgeWork(c echo.Context, status int, d judgeWorkPage, err error) error {
	ct, cerr := s.svc.Contests.CurrentContest(c.Request().Context())
	if cerr != nil {
		return cerr
	}
	d.Rubric = ct.Judging.Rubric
	d.Closed = ct.Judging.ClosedAt != nil
	d.Open = ct.ScoringOpen(s.svc.Now())
	var qerr error
	if d.Progress, qerr = s.judgeQueue(c); qerr != nil {
		return qerr
	}
	v := view{Title: d.Task.Title, Data: d, Contest: ct, Wide: true} // room for the scores beside the video
	if err != nil {
		v.Errors, v.ErrorMsg = contest.ErrorFields(err), contest.ErrorMessage(err)
	}
	return s.render(c, status, "judge_work", v)
}

// pageScoreWork saves the form: 保存草稿 keeps the judge on the work, 提交评分 goes on to the next
// unscored work. Saving reads the judge's queue and the contest once; only a form sent back
// with errors reads them again to draw the page.
func (s reviews) pageScoreWork(c echo.Context) error {
	u, _ := currentUser(c)
	id := c.Param("id")
	form, err := formParams(c)
	if err != nil {
		return err
	}
	d := judgeWorkPage{Scores: map[string]string{}, Comment: form.Get("comment")}
	scores := contest.Scores{}
	var notNumbers []string
	for k := range form {
		key, ok := strings.CutPrefix(k, "score_")
		if !ok {
			continue
		}
		raw := form.Get(k)
		d.Scores[key] = raw
		if raw == "" {
			continue
		}
		v, perr := strconv.ParseFloat(raw, 64)
		if perr != nil {
			notNumbers = append(notNumbers, key)
			continue
		}
		scores[key] = v
	}
	if len(notNumbers) > 0 {
		return s.refuseScoreForm(c, d, notNumbers)
	}
	submit := form.Get("action") == "submit"
	r, err := s.svc.Judging.ScoreWork(c.Request().Context(), u, id, scores, d.Comment, submit)
	if old := unknownCriteria(err); len(old) > 0 {
		// A page drawn before the organizers changed the rubric: its old criteria are dropped,
		// as the form always read only the rubric's own.
		for _, k := range old {
			delete(scores, k)
			delete(d.Scores, k)
		}
		r, err = s.svc.Judging.ScoreWork(c.Request().Context(), u, id, scores, d.Comment, submit)
	}
	switch code := contest.ErrorCode(err); {
	case code == contest.EInvalid || code == contest.EDeadline:
		t, terr := s.svc.Judging.JudgeTask(c.Request().Context(), u, id)
		if terr != nil {
			return terr
		}
		d.Task = t
		status := map[string]int{contest.EInvalid: http.StatusUnprocessableEntity, contest.EDeadline: http.StatusForbidden}[code]
		return s.showJudgeWork(c, status, d, err)
	case err != nil:
		return err
	}
	switch {
	case !submit:
		return seeOther(c, "/judge/works/"+id+"?saved=1")
	case r.Next != "":
		return seeOther(c, "/judge/works/"+r.Next)
	}
	return seeOther(c, "/judge")
}

// unknownCriteria returns the criteria a refused review named that the rubric does not have.
func unknownCriteria(err error) []string {
	var keys []string
	for field, fe := range contest.ErrorFields(err) {
		if key, ok := strings.CutPrefix(field, "scores."); ok && fe.Code == "score_unknown" {
			keys = append(keys, key)
		}
	}
	return keys
}

// refuseScoreForm shows the work again with the scores that are not numbers marked.
func (s reviews) refuseScoreForm(c echo.Context, d judgeWorkPage, notNumbers []string) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.JudgeTask(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	d.Task = t
	var bad contest.Fields
	for _, cr := range ct.Judging.Rubric {
		if slices.Contains(notNumbers, cr.Key) {
			bad.Add("scores."+cr.Key, "score_number", "“"+cr.Name+"”请填写数字")
		}
	}
	if len(bad) == 0 { // only keys the rubric does not have
		bad.Add("scores", "score_unknown", "没有这个评分项")
	}
	return s.showJudgeWork(c, http.StatusUnprocessableEntity, d, bad.Err())
}

// pageDeclareConflict is the judge's 申请回避 button.
func (s reviews) pageDeclareConflict(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Judging.DeclareConflict(c.Request().Context(), u, c.Param("id"), c.FormValue("reason")); err != nil {
		return err
	}
	return seeOther(c, "/judge")
}

package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// judgeQueuePage is a judge's list of works with progress.
type judgeQueuePage struct {
	Tasks []contest.JudgeTask
	Done  int
	Next  string // the first unscored work
}

func (s *Server) judgeQueue(c echo.Context) (judgeQueuePage, error) {
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

func (s *Server) pageJudgeQueue(c echo.Context) error {
	d, err := s.judgeQueue(c)
	if err != nil {
		return err
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

func (s *Server) pageJudgeWork(c echo.Context) error {
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

func (s *Server) showJudgeWork(c echo.Context, status int, d judgeWorkPage, err error) error {
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
	v := view{Title: d.Task.Title, Data: d, Contest: ct}
	if err != nil {
		v.Errors, v.ErrorMsg = contest.ErrorFields(err), contest.ErrorMessage(err)
	}
	return s.render(c, status, "judge_work", v)
}

// pageScoreWork saves the form: 保存草稿 keeps the judge on the work, 提交评分 goes on to the next
// unscored work. Saving reads the judge's queue and the contest once; only a form sent back
// with errors reads them again to draw the page.
func (s *Server) pageScoreWork(c echo.Context) error {
	u, _ := currentUser(c)
	id := c.Param("id")
	form, err := c.FormParams()
	if err != nil {
		return contest.Errorf(contest.EBadRequest, "表单格式有误")
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
	if code := contest.ErrorCode(err); code == contest.EInvalid || code == contest.EDeadline {
		if d.Task, err = s.svc.Judging.JudgeTask(c.Request().Context(), u, id); err != nil {
			return err
		}
		status := map[string]int{contest.EInvalid: http.StatusUnprocessableEntity, contest.EDeadline: http.StatusForbidden}[code]
		return s.showJudgeWork(c, status, d, err)
	} else if err != nil {
		return err
	}
	switch {
	case !submit:
		return c.Redirect(http.StatusSeeOther, "/judge/works/"+id+"?saved=1")
	case r.Next != "":
		return c.Redirect(http.StatusSeeOther, "/judge/works/"+r.Next)
	}
	return c.Redirect(http.StatusSeeOther, "/my")
}

// refuseScoreForm shows the work again with the scores that are not numbers marked.
func (s *Server) refuseScoreForm(c echo.Context, d judgeWorkPage, notNumbers []string) error {
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

// judgingPage is the organizer's judging desk: the assignment and the ranking.
type judgingPage struct {
	Ranking  contest.AwardTable
	Assigned int // assignments made by the last run, when just run
	Short    int
	Ran      bool
	Closing  bool // just closed: list the works with fewer reviews
}

func (s *Server) pageJudging(c echo.Context) error {
	return s.showJudging(c, judgingPage{})
}

func (s *Server) showJudging(c echo.Context, d judgingPage) error {
	u, _ := currentUser(c)
	t, err := s.svc.Judging.Awards(c.Request().Context(), u)
	if err != nil {
		return err
	}
	d.Ranking = t
	return s.render(c, http.StatusOK, "admin_judging", view{Title: "评审与排名", Wide: true, Data: d})
}

func (s *Server) pageRunAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	p, err := s.svc.Judging.RunAssignment(c.Request().Context(), u, uint64(s.svc.Now().UnixNano()))
	if err != nil {
		return err
	}
	return s.showJudging(c, judgingPage{Assigned: len(p.Assignments), Short: len(p.Short), Ran: true})
}

// pageDeclareConflict is the judge's 申请回避 button.
func (s *Server) pageDeclareConflict(c echo.Context) error {
	u, _ := currentUser(c)
	if err := s.svc.Judging.DeclareConflict(c.Request().Context(), u, c.Param("id"), c.FormValue("reason")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/my")
}

func (s *Server) pageCloseJudging(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Judging.CloseJudging(c.Request().Context(), u); err != nil {
		return err
	}
	return s.showJudging(c, judgingPage{Closing: true})
}

// assignmentsPage lists each work's judges, with a form to move an unstarted review, and the
// preview of a new run.
type assignmentsPage struct {
	Works   []contest.WorkAssignment
	Judges  map[string]contest.User
	Preview *contest.Plan
}

func (s *Server) pageAssignments(c echo.Context) error {
	return s.showAssignments(c, nil)
}

func (s *Server) showAssignments(c echo.Context, preview *contest.Plan) error {
	u, _ := currentUser(c)
	works, judges, err := s.svc.Judging.AssignmentTable(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_assignments", view{Title: "评审分配", Wide: true,
		Data: assignmentsPage{Works: works, Judges: judges, Preview: preview}})
}

func (s *Server) pagePreviewAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	p, err := s.svc.Judging.PreviewAssignment(c.Request().Context(), u, uint64(s.svc.Now().UnixNano()))
	if err != nil {
		return err
	}
	return s.showAssignments(c, &p)
}

func (s *Server) pageMoveAssignment(c echo.Context) error {
	u, _ := currentUser(c)
	err := s.svc.Judging.MoveAssignment(c.Request().Context(), u, c.FormValue("submission_id"), c.FormValue("from"), c.FormValue("to"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/judging/assignments#"+c.FormValue("submission_id"))
}

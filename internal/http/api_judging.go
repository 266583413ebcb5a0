package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// judgeJSON is a judge's account as organizers see it.
type judgeJSON struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Employer  string    `json:"employer"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

func toJudgeJSON(u contest.User) judgeJSON {
	return judgeJSON{ID: u.ID, Email: u.Email, Name: u.Name, Employer: u.Employer, Active: !u.Disabled, CreatedAt: u.CreatedAt}
}

// formalJSON is the formal review of a work; the reason is for the contestant too.
type formalJSON struct {
	Decision  string    `json:"decision"`
	Label     string    `json:"label"`
	Reason    string    `json:"reason"`
	DecidedAt time.Time `json:"decided_at"`
}

func toFormalJSON(fr *contest.FormalReview) *formalJSON {
	if fr == nil {
		return nil
	}
	return &formalJSON{Decision: string(fr.Decision), Label: fr.Decision.Label(), Reason: fr.Reason, DecidedAt: fr.At}
}

func (s *Server) apiInviteJudge(c echo.Context) error {
	var in struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Employer string `json:"employer"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	j, password, err := s.svc.Judging.InviteJudge(c.Request().Context(), u, contest.JudgeInput{Email: in.Email, Name: in.Name, Employer: in.Employer})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, invitedJudgeJSON{Judge: toJudgeJSON(j), Password: password})
}

// invitedJudgeJSON is a new judge with their one-time password, shown only this once.
type invitedJudgeJSON struct {
	Judge    judgeJSON `json:"judge"`
	Password string    `json:"password"`
}

func (s *Server) apiJudges(c echo.Context) error {
	u, _ := currentUser(c)
	judges, err := s.svc.Judging.Judges(c.Request().Context(), u)
	if err != nil {
		return err
	}
	items := make([]judgeJSON, len(judges))
	for i, j := range judges {
		items[i] = toJudgeJSON(j)
	}
	return c.JSON(http.StatusOK, judgeListJSON{Items: items})
}

// judgeListJSON is every judge, active or not.
type judgeListJSON struct {
	Items []judgeJSON `json:"items"`
}

// apiSetJudgeActive is POST …/judges/:id/activate and …/deactivate.
func (s *Server) apiSetJudgeActive(active bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, _ := currentUser(c)
		j, err := s.svc.Judging.SetJudgeDisabled(c.Request().Context(), u, c.Param("id"), !active)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toJudgeJSON(j))
	}
}

func (s *Server) apiFormalReview(c echo.Context) error {
	var in struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	sub, err := s.svc.Judging.DecideFormal(c.Request().Context(), u, c.Param("id"), contest.FormalDecision(in.Decision), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSubmissionJSON(sub.Masked(), "", true))
}

// auditJSON is one entry of the audit log; before and after are the JSON recorded.
type auditJSON struct {
	At        time.Time `json:"at"`
	ActorID   string    `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	Entity    string    `json:"entity"`
	EntityID  string    `json:"entity_id"`
	Action    string    `json:"action"`
	Before    string    `json:"before"`
	After     string    `json:"after"`
}

func (s *Server) apiAudit(c echo.Context) error {
	u, _ := currentUser(c)
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	offset, _ := strconv.Atoi(c.QueryParam("offset"))
	entries, total, err := s.svc.Reports.Audit(c.Request().Context(), u, limit, offset)
	if err != nil {
		return err
	}
	items := make([]auditJSON, len(entries))
	for i, a := range entries {
		items[i] = auditJSON{At: a.At, ActorID: a.ActorID, ActorName: a.ActorName, Entity: a.Entity, EntityID: a.EntityID,
			Action: a.Action, Before: a.Before, After: a.After}
	}
	return c.JSON(http.StatusOK, auditPageJSON{Items: items, Total: total})
}

// auditPageJSON is a page of the audit log and how many entries the log has.
type auditPageJSON struct {
	Items []auditJSON `json:"items"`
	Total int64       `json:"total"`
}

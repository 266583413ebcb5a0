package contest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// JudgeInput is what an organizer enters to invite a judge (评委).
type JudgeInput struct {
	Email    string
	Name     string
	Employer string // 工作单位: a judge never reviews a work of someone from the same employer
}

// Validate normalizes and checks the input.
func (in *JudgeInput) Validate() error {
	var f Fields
	email, fe := ValidateEmail(in.Email)
	if fe != nil {
		f.Add("email", fe.Code, fe.Message)
	}
	in.Email = strings.ToLower(email)
	if in.Name, fe = ValidateText(in.Name, true, 50); fe != nil {
		f.Add("name", fe.Code, fe.Message)
	}
	if in.Employer, fe = ValidateText(in.Employer, true, 100); fe != nil {
		f.Add("employer", fe.Code, fe.Message)
	}
	return f.Err()
}

// InviteJudge creates a judge's account and returns it with a one-time password for the
// organizer to hand over (no email server is needed); the judge changes it after signing in.
func (s *Service) InviteJudge(ctx context.Context, actor User, in JudgeInput) (User, string, error) {
	if err := requireOrganizer(actor); err != nil {
		return User{}, "", err
	}
	if err := in.Validate(); err != nil {
		return User{}, "", err
	}
	password := oneTimePassword()
	u, err := s.createUser(ctx, SignUpInput{Email: in.Email, Password: password, Name: in.Name}, RoleJudge, in.Employer)
	if err != nil {
		return User{}, "", err
	}
	if err := s.audit(ctx, actor, "judge", u.ID, "invite", nil, judgeAudit(u)); err != nil {
		return User{}, "", err
	}
	return u, password, nil
}

// Judges lists the judges' accounts, active and deactivated.
func (s *Service) Judges(ctx context.Context, actor User) ([]User, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	return s.users.UsersByRole(ctx, RoleJudge)
}

// SetJudgeDisabled deactivates a judge (signed out everywhere, cannot sign in) or activates
// them again.
func (s *Service) SetJudgeDisabled(ctx context.Context, actor User, id string, disabled bool) (User, error) {
	if err := requireOrganizer(actor); err != nil {
		return User{}, err
	}
	u, err := s.users.UserByID(ctx, id)
	if err != nil {
		return User{}, err
	}
	if u.Role != RoleJudge {
		return User{}, Errorf(ENotFound, "评委不存在")
	}
	if u.Disabled == disabled {
		return u, nil
	}
	before := judgeAudit(u)
	u.Disabled = disabled
	if err := s.users.UpdateUser(ctx, &u); err != nil {
		return User{}, err
	}
	if disabled {
		if err := s.sessions.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return User{}, err
		}
		if err := s.reassignFrom(ctx, actor, u.ID); err != nil {
			return User{}, err
		}
	}
	action := map[bool]string{true: "deactivate", false: "activate"}[disabled]
	if err := s.audit(ctx, actor, "judge", u.ID, action, before, judgeAudit(u)); err != nil {
		return User{}, err
	}
	return u, nil
}

func judgeAudit(u User) map[string]any {
	return map[string]any{"email": u.Email, "name": u.Name, "employer": u.Employer, "disabled": u.Disabled}
}

// oneTimePassword is 12 characters an organizer can read out or send.
func oneTimePassword() string {
	return strings.NewReplacer("-", "x", "_", "y").Replace(randomToken()[:12])
}

// AuditEntry is one change to judging data: who, when, what, before and after (JSON).
type AuditEntry struct {
	ID        string
	ActorID   string
	ActorName string
	At        time.Time
	Entity    string // judge, formal_review, assignment, review, award
	EntityID  string
	Action    string
	Before    string
	After     string
}

// AuditStore keeps the audit log.
type AuditStore interface {
	AddAudit(ctx context.Context, a AuditEntry) error
	// ListAudit returns the newest entries first.
	ListAudit(ctx context.Context, limit, offset int) ([]AuditEntry, int64, error)
}

// newAudit makes an entry; before and after are encoded as JSON (nil: empty).
func (s *Service) newAudit(actor User, entity, id, action string, before, after any) AuditEntry {
	enc := func(v any) string {
		if v == nil {
			return ""
		}
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	}
	return AuditEntry{ID: newOrderedID(), ActorID: actor.ID, ActorName: actor.Name, At: s.Now(), Entity: entity, EntityID: id,
		Action: action, Before: enc(before), After: enc(after)}
}

// newOrderedID is a UUIDv7: IDs made later sort later, so entries recorded in the same
// instant (or under a test's frozen clock) keep their order.
func newOrderedID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return NewID()
	}
	return id.String()
}

// audit records a change made just before. An entry that cannot be written is returned as an
// error, so the change is never silently missing from the log.
func (s *Service) audit(ctx context.Context, actor User, entity, id, action string, before, after any) error {
	if err := s.auditLog.AddAudit(ctx, s.newAudit(actor, entity, id, action, before, after)); err != nil {
		return Internal(fmt.Errorf("audit %s %s: %w", entity, action, err))
	}
	return nil
}

// Audit returns a page of the audit log, newest first. Organizers only.
func (s *Service) Audit(ctx context.Context, actor User, limit, offset int) ([]AuditEntry, int64, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.auditLog.ListAudit(ctx, limit, max(offset, 0))
}

package contest

import (
	"context"
	"strings"
)

// JudgeInput is what an organizer enters to invite a judge (评委).
type JudgeInput struct {
	Email    string
	Name     string
	Employer string // 工作单位: a judge never reviews a work of someone from the same employer
	// ByEmail mails the judge a link to set their own password instead of giving the
	// organizer a one-time password to hand over; it needs e-mail configured.
	ByEmail bool
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

// InviteJudge makes someone a judge of the current contest. A judge of another contest (the
// same e-mail) joins this one's pool with the account they have: nothing is mailed and no
// password returned. Otherwise it creates a judge's account. By e-mail, the judge is mailed a link to set their
// own password (good for 7 days) and no password is returned; otherwise it returns a one-time
// password for the organizer to hand over (no email server is needed), which the judge
// changes after signing in.
func (s *JudgingService) InviteJudge(ctx context.Context, actor User, in JudgeInput) (User, string, error) {
	if err := requireOrganizer(actor); err != nil {
		return User{}, "", err
	}
	if err := in.Validate(); err != nil {
		return User{}, "", err
	}
	if in.ByEmail && !s.accounts.MailConfigured() {
		return User{}, "", errNoMail
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return User{}, "", err
	}
	if err := c.CheckWritable(); err != nil {
		return User{}, "", err
	}
	if u, err := s.users.UserByEmail(ctx, in.Email); err == nil && u.Role == RoleJudge {
		if member, err := s.users.IsMember(ctx, c.ID, u.ID); err != nil {
			return User{}, "", err
		} else if member {
			return User{}, "", errEmailTaken()
		}
		if !actor.IsSiteAdmin() { // another contest's judge: the site administrators' to share
			return User{}, "", (Fields{"email": {Code: "judge_elsewhere",
				Message: "该邮箱已是其他活动的评委账号；如需请其同时担任本活动评委，请联系站点管理员添加"}}).Err()
		}
		a := s.newAudit(actor, "judge", u.ID, "join", nil, map[string]any{"contest": c.Name, "email": u.Email})
		return u, "", s.users.AddMember(ctx, c.ID, u, s.Now(), &a)
	}
	password := oneTimePassword() // by e-mail, a password nobody is told: the link sets theirs
	u, err := s.registration.createUser(ctx, SignUpInput{Email: in.Email, Password: password, Name: in.Name}, RoleJudge, in.Employer, true)
	if err != nil {
		return User{}, "", err
	}
	if err := s.users.AddMember(ctx, c.ID, u, s.Now(), nil); err != nil {
		return User{}, "", err
	}
	after := judgeAudit(u)
	after["by_email"] = in.ByEmail
	if err := s.audit(ctx, actor, "judge", u.ID, "invite", nil, after); err != nil {
		return User{}, "", err
	}
	if in.ByEmail {
		return u, "", s.accounts.inviteJudge(ctx, u)
	}
	return u, password, nil
}

// ResendInvitation mails a judge who has not yet chosen a password a new invitation link; the
// earlier links stop working once it is sent.
func (s *JudgingService) ResendInvitation(ctx context.Context, actor User, id string) (User, error) {
	u, err := s.judgeFor(ctx, actor, id)
	if err != nil {
		return User{}, err
	}
	if u.Disabled {
		return User{}, Errorf(EConflict, "该评委已停用，请先重新启用")
	}
	if !u.MustChangePassword {
		return User{}, Errorf(EConflict, "该评委已设置自己的密码；如忘记密码，可在登录页使用“忘记密码”")
	}
	if err := s.accounts.inviteJudge(ctx, u); err != nil {
		return User{}, err
	}
	return u, s.audit(ctx, actor, "judge", u.ID, "resend_invitation", nil, map[string]any{"email": u.Email})
}

// judgeFor returns the judge's account with id for an organizer; any other account is not found.
func (s *JudgingService) judgeFor(ctx context.Context, actor User, id string) (User, error) {
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
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return User{}, err
	}
	if member, err := s.users.IsMember(ctx, c.ID, u.ID); err != nil {
		return User{}, err
	} else if !member {
		return User{}, Errorf(ENotFound, "评委不存在")
	}
	return u, nil
}

// Judges lists the judges' accounts, active and deactivated.
func (s *JudgingService) Judges(ctx context.Context, actor User) ([]User, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	return s.users.ContestUsers(ctx, c.ID, RoleJudge)
}

// SetJudgeDisabled deactivates a judge (signed out everywhere, cannot sign in) or activates
// them again.
func (s *JudgingService) SetJudgeDisabled(ctx context.Context, actor User, id string, disabled bool) (User, error) {
	u, err := s.judgeFor(ctx, actor, id)
	if err != nil {
		return User{}, err
	}
	if !actor.IsSiteAdmin() { // the account is the site's: another contest's pool would lose them too
		if ids, err := s.users.MemberContests(ctx, u.ID); err != nil {
			return User{}, err
		} else if len(ids) > 1 {
			return User{}, Errorf(EForbidden, "该评委同时担任其他活动的评委，停用或启用账号请联系站点管理员")
		}
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

// oneTimePassword is a password an organizer can read out or send (see NewPassword).
func oneTimePassword() string { return NewPassword() }

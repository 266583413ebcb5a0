package contest

import (
	"context"
	"unicode/utf8"
)

func checkNewPassword(password string) error {
	var f Fields
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLen:
		f.Add("new_password", "password_short", "新密码至少8位")
	case len(password) > 72:
		f.Add("new_password", "too_long", "新密码过长，请使用较短的密码")
	}
	return f.Err()
}

// ChangePassword sets a new password after checking the current one, and signs the account out
// of every other browser (the session with token stays).
func (s *RegistrationService) ChangePassword(ctx context.Context, actor User, token, current, next string) error {
	u, err := s.users.UserByID(ctx, actor.ID)
	if err != nil {
		return err
	}
	if ok, err := s.passwords.matches(ctx, []byte(u.PasswordHash), current); err != nil {
		return err
	} else if !ok {
		return (Fields{"current_password": {Code: "wrong_password", Message: "当前密码不正确"}}).Err()
	}
	if err := checkNewPassword(next); err != nil {
		return err
	}
	if u.MustChangePassword && next == current {
		return (Fields{"new_password": {Code: "same_password", Message: "请设置一个与临时密码不同的新密码"}}).Err()
	}
	return s.setPassword(ctx, u, next, hashToken(token), false)
}

// ResetPassword gives a contestant or a judge (whose invitation expired) a temporary password, shown once to the organizer who hands
// it over (there is no email server), and signs the contestant out everywhere. The password
// expires after TemporaryPasswordTTL and lets the contestant do nothing but choose their own,
// so the organizer never knows the password the account is used with; the reset is audited.
func (s *RegistrationService) ResetPassword(ctx context.Context, actor User, email string) (string, error) {
	if err := requireOrganizer(actor); err != nil {
		return "", err
	}
	u, err := s.users.UserByEmail(ctx, normalizeEmail(email))
	if ErrorCode(err) == ENotFound {
		return "", (Fields{"email": {Code: "no_account", Message: "没有使用该邮箱的账号"}}).Err()
	} else if err != nil {
		return "", err
	}
	if u.Role == RoleOrganizer {
		return "", Errorf(EForbidden, "只能重置参赛者和评委账号的密码；组织者请使用命令行 contest organizer")
	}
	if ok, err := s.takesPart(ctx, actor, u); err != nil {
		return "", err
	} else if !ok { // said as for an unknown address: another contest's people are not shown
		return "", (Fields{"email": {Code: "no_account", Message: "没有使用该邮箱的账号"}}).Err()
	}
	password := oneTimePassword()
	if err := s.setPassword(ctx, u, password, "", true); err != nil {
		return "", err
	}
	return password, s.audit(ctx, actor, "user", u.ID, "reset_password", nil,
		map[string]any{"email": u.Email, "role": string(u.Role), "expires_at": s.Now().Add(TemporaryPasswordTTL)})
}

// takesPart reports whether u takes part in the contest the actor organizes here and in no
// other: a contestant whose works are all in it, a judge of it alone. Whoever also takes part
// elsewhere is the site administrators' to reset, or a contest's organizer could take over
// an account another contest relies on. A site administrator's reach is the whole site.
func (s *RegistrationService) takesPart(ctx context.Context, actor, u User) (bool, error) {
	if actor.IsSiteAdmin() {
		return true, nil
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return false, err
	}
	if u.Role == RoleJudge {
		ids, err := s.users.MemberContests(ctx, u.ID)
		return len(ids) == 1 && ids[0] == c.ID, err
	}
	here, err := s.submissions.CountSubmissions(ctx, SubmissionFilter{ContestID: c.ID, OwnerID: u.ID})
	if err != nil || here == 0 {
		return false, err
	}
	all, err := s.submissions.CountSubmissions(ctx, SubmissionFilter{OwnerID: u.ID})
	return all == here, err
}

// PasswordIs reports whether password is still the password of the account with email; false
// for an unknown account. It lets the operator's tools forget a password they printed once
// its owner has chosen another.
func (s *RegistrationService) PasswordIs(ctx context.Context, email, password string) (bool, error) {
	u, err := s.users.UserByEmail(ctx, normalizeEmail(email))
	if ErrorCode(err) == ENotFound {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return s.passwords.matches(ctx, []byte(u.PasswordHash), password)
}

// setPassword sets the account's password, temporary or its own, retires the links mailed to
// it, and signs it out of every session but keepSession.
func (s *RegistrationService) setPassword(ctx context.Context, u User, password, keepSession string, temporary bool) error {
	hash, err := s.passwords.hash(ctx, password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	u.MustChangePassword, u.PasswordExpiresAt = false, nil
	if temporary {
		u.setTemporaryPassword(s.Now())
	}
	if err := s.users.UpdateUser(ctx, &u); err != nil {
		return err
	}
	// Links mailed before (a pending change of address, a reset) no longer work: whoever
	// started them may be who the password was changed against.
	if err := s.accounts.tokens.RetireAccountTokens(ctx, u.ID, s.Now()); err != nil {
		return err
	}
	return s.sessions.DeleteUserSessions(ctx, u.ID, keepSession)
}

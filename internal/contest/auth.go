package contest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// errBadLogin is the one answer to a wrong email or a wrong password, so an attacker cannot tell
// which accounts exist.
var errBadLogin = Errorf(EUnauthorized, "邮箱或密码错误")

// SignUp creates a contestant account and signs it in. The account and the session its sign-up
// opens are stored in one transaction (the password is hashed before it), so a client that
// gives up waiting never leaves an account it cannot use. Signing up again with the email and
// the password of an existing account signs in to it, as the first answer would have (the
// client that gave up presses the button again); another password is refused as a taken email.
func (s *RegistrationService) SignUp(ctx context.Context, in SignUpInput) (Session, User, error) {
	if err := in.Validate(); err != nil {
		return Session{}, User{}, err
	}
	if _, err := s.users.UserByEmail(ctx, in.Email); err == nil {
		return s.signUpAgain(ctx, in)
	} else if ErrorCode(err) != ENotFound {
		return Session{}, User{}, err
	}
	u, err := s.newUser(ctx, in, RoleContestant, "", false)
	if err != nil {
		return Session{}, User{}, err
	}
	u.Mobile, u.MobileMasked = in.Mobile, MaskMobile(in.Mobile)
	sess := s.newSession(u.ID)
	if err := s.users.CreateAccount(ctx, &u, &sess); ErrorCode(err) == EConflict {
		return s.signUpAgain(ctx, in) // the same sign-up, sent twice at once
	} else if err != nil {
		return Session{}, User{}, err
	}
	s.accounts.welcome(ctx, u)
	return sess, u, nil
}

// signUpAgain answers a sign-up for an existing account: a sign-in with its password, counted
// against the account like any (so sign-up cannot be used to guess passwords faster).
func (s *RegistrationService) signUpAgain(ctx context.Context, in SignUpInput) (Session, User, error) {
	sess, u, err := s.SignIn(ctx, in.Email, in.Password)
	if err == errBadLogin {
		return Session{}, User{}, errEmailTaken()
	}
	return sess, u, err
}

func errEmailTaken() error {
	var f Fields
	f.Add("email", "email_taken", "该邮箱已注册，请直接登录")
	return f.Err()
}

// newUser makes an account with the password hashed (not stored yet).
func (s *RegistrationService) newUser(ctx context.Context, in SignUpInput, role Role, employer string, temporary bool) (User, error) {
	hash, err := s.passwords.hash(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	// An organizer made here (the first one, `contest organizer`) administers the site; one a
	// site administrator adds to a contest is made a member instead (AddContestOrganizer).
	u := User{ID: NewID(), Email: in.Email, Name: in.Name, Role: role, Employer: employer, PasswordHash: hash, CreatedAt: s.Now(),
		SiteAdmin: role == RoleOrganizer}
	if temporary {
		u.setTemporaryPassword(s.Now())
	}
	return u, nil
}

// createUser stores an account without a session (an organizer's, a judge's).
func (s *RegistrationService) createUser(ctx context.Context, in SignUpInput, role Role, employer string, temporary bool) (User, error) {
	u, err := s.newUser(ctx, in, role, employer, temporary)
	if err != nil {
		return User{}, err
	}
	if err := s.users.CreateUser(ctx, &u); ErrorCode(err) == EConflict {
		return User{}, errEmailTaken()
	} else if err != nil {
		return User{}, err
	}
	return u, nil
}

// EnsureOrganizer creates an organizer account with the email and password unless an account
// with that email exists. It reports whether it created one.
func (s *RegistrationService) EnsureOrganizer(ctx context.Context, email, password, name string) (bool, error) {
	in := SignUpInput{Email: email, Password: password, Name: name}
	if in.Name == "" {
		in.Name = "组织者"
	}
	if err := in.Validate(); err != nil {
		return false, err
	}
	if _, err := s.users.UserByEmail(ctx, in.Email); err == nil {
		return false, nil
	} else if ErrorCode(err) != ENotFound {
		return false, err
	}
	_, err := s.createUser(ctx, in, RoleOrganizer, "", false)
	if ErrorFields(err)["email"].Code == "email_taken" { // another replica created it first
		return false, nil
	}
	return err == nil, err
}

// CountOrganizers returns how many organizer accounts exist.
func (s *RegistrationService) CountOrganizers(ctx context.Context) (int64, error) {
	return s.users.CountUsers(ctx, RoleOrganizer)
}

// SignIn checks the credentials and opens a session; the returned Session.Token goes into the
// cookie and is not stored.
func (s *RegistrationService) SignIn(ctx context.Context, email, password string) (Session, User, error) {
	email = normalizeEmail(email)
	if len(email) > 254 { // no address is longer: refused before any work
		return Session{}, User{}, errBadLogin
	}
	if d := s.guard.attempt(email, s.Now()); d > 0 {
		return Session{}, User{}, errSignInBackoff(d)
	}
	u, err := s.users.UserByEmail(ctx, email)
	hash := []byte(u.PasswordHash)
	if ErrorCode(err) == ENotFound {
		hash = nil // spend the same time as a real check, on the dummy hash
	} else if err != nil {
		s.guard.refund(email)
		return Session{}, User{}, err
	}
	ok, err := s.passwordMatches(ctx, hash, password)
	if err != nil { // not checked: the attempt does not count
		s.guard.refund(email)
		return Session{}, User{}, err
	}
	if !ok {
		return Session{}, User{}, errBadLogin
	}
	s.guard.succeed(email)
	if u.Disabled {
		return Session{}, User{}, Errorf(EForbidden, "该账号已停用，请联系组织者")
	}
	if u.PasswordExpiresAt != nil && !s.Now().Before(*u.PasswordExpiresAt) {
		return Session{}, User{}, errTemporaryExpired
	}
	sess := s.newSession(u.ID)
	if err := s.sessions.CreateSession(ctx, &sess); err != nil {
		return Session{}, User{}, err
	}
	return sess, u, nil
}

// newSession opens a session for the account (not stored yet); its Token goes to the client.
func (s *RegistrationService) newSession(userID string) Session {
	now := s.Now()
	token := randomToken()
	return Session{Token: token, TokenHash: hashToken(token), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL)}
}

// Authenticate returns the user of a live session token.
func (s *RegistrationService) Authenticate(ctx context.Context, token string) (User, error) {
	if token == "" {
		return User{}, Errorf(EUnauthorized, "请先登录")
	}
	sess, err := s.sessions.SessionByTokenHash(ctx, hashToken(token))
	if ErrorCode(err) == ENotFound || (err == nil && !s.Now().Before(sess.ExpiresAt)) {
		return User{}, Errorf(EUnauthorized, "登录已过期，请重新登录")
	} else if err != nil {
		return User{}, err
	}
	u, err := s.users.UserByID(ctx, sess.UserID)
	if err != nil {
		return User{}, err
	}
	if u.Disabled {
		return User{}, Errorf(EUnauthorized, "该账号已停用")
	}
	if u.MustChangePassword && u.PasswordExpiresAt != nil && !s.Now().Before(*u.PasswordExpiresAt) {
		return User{}, errTemporaryExpired // a session opened with it ends with it
	}
	return u, nil
}

// SignOut ends the session of token.
func (s *RegistrationService) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.sessions.DeleteSession(ctx, hashToken(token))
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// requireOrganizer returns EForbidden unless u is an active organizer.
func requireOrganizer(u User) error {
	if !u.IsOrganizer() {
		return Errorf(EForbidden, "只有组织者可以进行此操作")
	}
	return nil
}

// passwordMatches reports whether password is the one hash was made from; a nil hash (no such
// account) is compared against a dummy at the same cost, so that an unknown account takes as long.
// Both wait in the same line for a worker.
func (s *RegistrationService) passwordMatches(ctx context.Context, hash []byte, password string) (bool, error) {
	if hash != nil {
		return s.passwords.matches(ctx, hash, password)
	}
	return false, s.passwords.run(ctx, func() {
		s.dummyOnce.Do(func() { s.dummy, _ = bcrypt.GenerateFromPassword([]byte("not a password"), s.passwords.cost) })
		_ = bcrypt.CompareHashAndPassword(s.dummy, []byte(password))
	})
}

// normalizeEmail is how an email typed at sign-in or search matches the stored one.
func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(Normalize(email))) }

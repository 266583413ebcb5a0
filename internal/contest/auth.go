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

// SignUp creates a contestant account.
func (s *RegistrationService) SignUp(ctx context.Context, in SignUpInput) (User, error) {
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	return s.createUser(ctx, in, RoleContestant, "", false)
}

func (s *RegistrationService) createUser(ctx context.Context, in SignUpInput, role Role, employer string, temporary bool) (User, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.bcryptCost)
	if err != nil {
		return User{}, Internal(err)
	}
	u := User{ID: NewID(), Email: in.Email, Name: in.Name, Role: role, Employer: employer, PasswordHash: string(hash), CreatedAt: s.Now()}
	if temporary {
		u.setTemporaryPassword(s.Now())
	}
	if err := s.users.CreateUser(ctx, &u); err != nil {
		if ErrorCode(err) == EConflict {
			var f Fields
			f.Add("email", "email_taken", "该邮箱已注册，请直接登录")
			return User{}, f.Err()
		}
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
	if ErrorCode(err) == ENotFound {
		// Spend the same time as a real check.
		_ = bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
		return Session{}, User{}, errBadLogin
	} else if err != nil {
		return Session{}, User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return Session{}, User{}, errBadLogin
	}
	s.guard.succeed(email)
	if u.Disabled {
		return Session{}, User{}, Errorf(EForbidden, "该账号已停用，请联系组织者")
	}
	now := s.Now()
	if u.PasswordExpiresAt != nil && !now.Before(*u.PasswordExpiresAt) {
		return Session{}, User{}, errTemporaryExpired
	}
	token := randomToken()
	sess := Session{Token: token, TokenHash: hashToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL)}
	if err := s.sessions.CreateSession(ctx, &sess); err != nil {
		return Session{}, User{}, err
	}
	return sess, u, nil
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

// dummyHash is a hash at the service's cost, compared against when no account matches.
func (s *RegistrationService) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		s.dummy, _ = bcrypt.GenerateFromPassword([]byte("not a password"), s.bcryptCost)
	})
	return s.dummy
}

// normalizeEmail is how an email typed at sign-in or search matches the stored one.
func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(Normalize(email))) }

package contest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Self-service accounts (docs/design/notifications.md, "Self-service accounts"): links mailed
// to a person to reset a forgotten password, accept a judge's invitation, verify an address,
// or confirm a new one. A request only queues a job (AccountMailArgs) in one transaction; the
// job makes the link's token when it runs and mails it, so no token that works is ever stored:
// the database keeps its sha256 only. Each link is single-use and expires (TokenPurpose.TTL);
// a newer link of the same purpose for the same account replaces the older ones.

// TokenPurpose is what a mailed link does.
type TokenPurpose string

// The purposes of mailed links, and the notice to an old address (no link).
const (
	TokenReset  TokenPurpose = "reset"  // set a new password (忘记密码)
	TokenInvite TokenPurpose = "invite" // a judge sets their first password
	TokenVerify TokenPurpose = "verify" // the account's address is verified
	TokenEmail  TokenPurpose = "email"  // the account's address becomes NewEmail
	// NoticeEmailChange tells the old address that the account's address is being changed.
	NoticeEmailChange TokenPurpose = "email_notice"
)

// TTL is how long a link of the purpose works.
func (p TokenPurpose) TTL() time.Duration {
	switch p {
	case TokenReset:
		return time.Hour
	case TokenInvite:
		return 7 * 24 * time.Hour
	case TokenVerify:
		return 72 * time.Hour
	}
	return 24 * time.Hour
}

// AccountToken is a mailed link as stored: the hash of its token, never the token.
type AccountToken struct {
	Hash      string
	UserID    string
	Purpose   TokenPurpose
	NewEmail  string // TokenEmail: the address being confirmed; the others: the address mailed, which must still be the account's
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// AccountMailArgs is the job that mails one account link (or the notice of a change of
// address). A reset names the address typed (the account may not exist: the job then sends
// nothing); the others name the account. The store seals the addresses in the queued job.
type AccountMailArgs struct {
	Purpose  TokenPurpose `json:"purpose"`
	UserID   string       `json:"user_id,omitempty"`
	Email    string       `json:"email,omitempty"`
	NewEmail string       `json:"new_email,omitempty"`
}

// Kind is the job's stable name.
func (AccountMailArgs) Kind() string { return "account_mail" }

// AccountStore keeps the mailed links' tokens and queues their mails.
type AccountStore interface {
	// QueueAccountMail inserts the jobs that send the mails, in one transaction.
	QueueAccountMail(ctx context.Context, mails ...AccountMailArgs) error
	// CreateAccountToken stores t and marks the account's unused tokens of the same purpose
	// used at t.CreatedAt, in one transaction: only the newest link works.
	CreateAccountToken(ctx context.Context, t AccountToken) error
	// AccountTokenByHash returns a token; ENotFound if there is none.
	AccountTokenByHash(ctx context.Context, hash string) (AccountToken, error)
	// RedeemAccountToken, in one transaction, marks the token used at the time if it is
	// unused and not expired then and the account's address is still the one the link was
	// mailed to (otherwise ENotFound and nothing changes), and saves only what the token's
	// purpose changes: a reset or invitation u's password hash and temporary-password state
	// (and the address verified, if it was not); a change of address the token's NewEmail,
	// verified at the time; a verification the address verified at the time, unless it was
	// already. A reset, an invitation or a change of address also retires every other unused
	// token of the account. With endSessions every session of the account is deleted. A taken
	// email is EConflict.
	RedeemAccountToken(ctx context.Context, hash string, at time.Time, u User, endSessions bool) error
	// RetireAccountTokens marks every unused token of the account used at the time: its
	// password was set, and no link mailed before works any more.
	RetireAccountTokens(ctx context.Context, userID string, at time.Time) error
}

// AccountService mails the self-service links and carries them out.
type AccountService struct {
	*core
	users      UserStore
	sessions   SessionStore
	tokens     AccountStore
	passwords  *passwordPool
	sessionTTL time.Duration
	mailer     Mailer // nil: no mailed links (the organizers' resets and one-time passwords remain)
	baseURL    string
	limits     mailLimit
}

// errNoMail refuses what needs mail where none is configured.
var errNoMail = Errorf(EForbidden, "本站未配置邮件发送，无法通过邮件完成此操作；请联系活动组织者")

// errBadLink is the one answer to a link that is unknown, used, expired or of another purpose.
var errBadLink = Errorf(ENotFound, "链接无效或已过期，请重新获取")

// MailConfigured reports whether links can be mailed.
func (s *AccountService) MailConfigured() bool { return s.mailer != nil }

// ForgotPassword queues a password-reset mail to email, from the client at clientIP. The
// answer is the same whether or not an account has the address (only a malformed address or a
// rate limit is told), and so is the work: one job is queued either way, and the job finds
// the account. Limited per address and per client address.
func (s *AccountService) ForgotPassword(ctx context.Context, email, clientIP string) error {
	if s.mailer == nil {
		return errNoMail
	}
	addr, fe := ValidateEmail(email)
	if fe != nil {
		return (Fields{"email": *fe}).Err()
	}
	addr = normalizeEmail(addr)
	now := s.Now()
	if d := s.limits.allow("reset-ip:"+clientIP, resetsPerClient, now); d > 0 {
		return errMailLimit(d)
	}
	if d := s.limits.allow("reset:"+addr, resetsPerAddress, now); d > 0 {
		return errMailLimit(d)
	}
	return s.tokens.QueueAccountMail(ctx, AccountMailArgs{Purpose: TokenReset, Email: addr})
}

// LinkAccount is what a link is for, shown before it is used.
type LinkAccount struct {
	Purpose  TokenPurpose
	Name     string
	Email    string // the account's address, or the new address of a change
	Role     Role
	NewEmail string
}

// CheckLink tells what a link's token is for, if it still works and is of one of purposes.
func (s *AccountService) CheckLink(ctx context.Context, token string, purposes ...TokenPurpose) (LinkAccount, error) {
	t, u, err := s.liveToken(ctx, token, purposes)
	if err != nil {
		return LinkAccount{}, err
	}
	email := u.Email
	if t.Purpose == TokenEmail {
		email = t.NewEmail
	}
	return LinkAccount{Purpose: t.Purpose, Name: u.Name, Email: email, Role: u.Role, NewEmail: t.NewEmail}, nil
}

// liveToken returns the token and its account if it works now for one of purposes.
func (s *AccountService) liveToken(ctx context.Context, token string, purposes []TokenPurpose) (AccountToken, User, error) {
	if token == "" || len(token) > 100 {
		return AccountToken{}, User{}, errBadLink
	}
	t, err := s.tokens.AccountTokenByHash(ctx, hashToken(token))
	if ErrorCode(err) == ENotFound {
		return AccountToken{}, User{}, errBadLink
	} else if err != nil {
		return AccountToken{}, User{}, err
	}
	ok := false
	for _, p := range purposes {
		ok = ok || t.Purpose == p
	}
	if !ok || t.UsedAt != nil || !s.Now().Before(t.ExpiresAt) {
		return AccountToken{}, User{}, errBadLink
	}
	u, err := s.users.UserByID(ctx, t.UserID)
	if ErrorCode(err) == ENotFound {
		return AccountToken{}, User{}, errBadLink
	} else if err != nil {
		return AccountToken{}, User{}, err
	}
	if t.Purpose != TokenEmail && t.NewEmail != "" && t.NewEmail != u.Email {
		return AccountToken{}, User{}, errBadLink // the address changed since the link was mailed
	}
	if u.Disabled {
		return AccountToken{}, User{}, Errorf(EForbidden, "该账号已停用，请联系组织者")
	}
	return t, u, nil
}

// SetPasswordByLink sets the password of the account a reset or invitation link is for, once:
// the link is used up, every session of the account ends (a stolen one too), the address
// counts as verified (the link reached it), and a new session is opened for this browser.
func (s *AccountService) SetPasswordByLink(ctx context.Context, token, password string) (Session, User, error) {
	t, u, err := s.liveToken(ctx, token, []TokenPurpose{TokenReset, TokenInvite})
	if err != nil {
		return Session{}, User{}, err
	}
	if err := checkNewPassword(password); err != nil {
		return Session{}, User{}, err
	}
	hash, err := s.passwords.hash(ctx, password)
	if err != nil {
		return Session{}, User{}, err
	}
	now := s.Now()
	u.PasswordHash, u.MustChangePassword, u.PasswordExpiresAt = hash, false, nil
	if u.EmailVerifiedAt == nil {
		u.EmailVerifiedAt = &now
	}
	if err := s.tokens.RedeemAccountToken(ctx, t.Hash, now, u, true); ErrorCode(err) == ENotFound {
		return Session{}, User{}, errBadLink // used by a click a moment before
	} else if err != nil {
		return Session{}, User{}, err
	}
	sess := Session{Token: randomToken(), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL)}
	sess.TokenHash = hashToken(sess.Token)
	if err := s.sessions.CreateSession(ctx, &sess); err != nil {
		return Session{}, User{}, err
	}
	return sess, u, nil
}

// ConfirmEmail carries out a verification or change-of-address link, once: the account's
// address is verified, or becomes the new one (verified). A new address taken meanwhile by
// another account is refused.
func (s *AccountService) ConfirmEmail(ctx context.Context, token string) (User, error) {
	t, u, err := s.liveToken(ctx, token, []TokenPurpose{TokenVerify, TokenEmail})
	if err != nil {
		return User{}, err
	}
	now := s.Now()
	if t.Purpose == TokenEmail {
		u.Email = t.NewEmail
	}
	if t.Purpose == TokenEmail || u.EmailVerifiedAt == nil {
		u.EmailVerifiedAt = &now
	}
	err = s.tokens.RedeemAccountToken(ctx, t.Hash, now, u, false)
	switch ErrorCode(err) {
	case "":
		return u, nil
	case ENotFound:
		return User{}, errBadLink
	case EConflict:
		return User{}, errAddressTaken()
	}
	return User{}, err
}

func errAddressTaken() error {
	return (Fields{"new_email": {Code: "email_taken", Message: "该邮箱已被其他账号使用"}}).Err()
}

// RequestVerification mails the account a link to verify its address; limited per account.
func (s *AccountService) RequestVerification(ctx context.Context, u User) error {
	if s.mailer == nil {
		return errNoMail
	}
	if u.EmailVerifiedAt != nil {
		return Errorf(EConflict, "您的邮箱已验证")
	}
	if d := s.limits.allow("account:"+u.ID, mailsPerAccount, s.Now()); d > 0 {
		return errMailLimit(d)
	}
	return s.tokens.QueueAccountMail(ctx, AccountMailArgs{Purpose: TokenVerify, UserID: u.ID})
}

// welcome mails a new contestant the link to verify their address when the contest requires
// it (otherwise the banner only offers it). The account is made already: a failure here is
// left to the banner's 发送验证邮件.
func (s *AccountService) welcome(ctx context.Context, u User) {
	if s.mailer == nil {
		return
	}
	if c, err := s.contests.CurrentContest(ctx); err == nil && c.RequireEmailVerification {
		_ = s.tokens.QueueAccountMail(ctx, AccountMailArgs{Purpose: TokenVerify, UserID: u.ID})
	}
}

// ChangeEmail asks to change the account's address to newEmail after checking the current
// password: a link is mailed to the new address (the address changes only when it is opened)
// and a notice to the old one. Limited per account.
func (s *AccountService) ChangeEmail(ctx context.Context, u User, current, newEmail string) error {
	if s.mailer == nil {
		return errNoMail
	}
	addr, fe := ValidateEmail(newEmail)
	if fe != nil {
		return (Fields{"new_email": *fe}).Err()
	}
	addr = normalizeEmail(addr)
	if addr == u.Email {
		return (Fields{"new_email": {Code: "same_email", Message: "新邮箱与当前邮箱相同"}}).Err()
	}
	if ok, err := s.passwords.matches(ctx, []byte(u.PasswordHash), current); err != nil {
		return err
	} else if !ok {
		return (Fields{"current_password": {Code: "wrong_password", Message: "当前密码不正确"}}).Err()
	}
	if _, err := s.users.UserByEmail(ctx, addr); err == nil {
		return errAddressTaken()
	} else if ErrorCode(err) != ENotFound {
		return err
	}
	if d := s.limits.allow("account:"+u.ID, mailsPerAccount, s.Now()); d > 0 {
		return errMailLimit(d)
	}
	return s.tokens.QueueAccountMail(ctx,
		AccountMailArgs{Purpose: TokenEmail, UserID: u.ID, NewEmail: addr},
		AccountMailArgs{Purpose: NoticeEmailChange, UserID: u.ID, NewEmail: addr})
}

// inviteJudge mails a new judge the link to set their password.
func (s *AccountService) inviteJudge(ctx context.Context, u User) error {
	if s.mailer == nil {
		return errNoMail
	}
	return s.tokens.QueueAccountMail(ctx, AccountMailArgs{Purpose: TokenInvite, UserID: u.ID})
}

// SendAccountMail runs one attempt of the job that mails an account link: it finds the
// account, makes the link's token (a retried attempt makes a new one, which replaces the
// last), and sends. A reset for an address no account has sends nothing. The error returned
// (for River's log) never holds an address.
func (s *AccountService) SendAccountMail(ctx context.Context, a AccountMailArgs, attempt int, final bool) error {
	if s.mailer == nil {
		return errors.New("e-mail is not configured")
	}
	var u User
	var err error
	if a.Purpose == TokenReset {
		u, err = s.users.UserByEmail(ctx, a.Email)
	} else {
		u, err = s.users.UserByID(ctx, a.UserID)
	}
	if ErrorCode(err) == ENotFound {
		return nil // no such account (a reset's address), or deleted since
	} else if err != nil {
		return err
	}
	if u.Disabled || (a.Purpose == TokenVerify && u.EmailVerifiedAt != nil) {
		return nil
	}
	now := s.Now()
	m := Mail{MessageID: "account-" + NewID(), ToName: u.Name, ToAddress: u.Email}
	if a.Purpose == NoticeEmailChange {
		m = emailChangeNotice(m, a.NewEmail)
	} else {
		token := randomToken()
		t := AccountToken{Hash: hashToken(token), UserID: u.ID, Purpose: a.Purpose, NewEmail: a.NewEmail,
			ExpiresAt: now.Add(a.Purpose.TTL()), CreatedAt: now}
		if a.Purpose != TokenEmail {
			t.NewEmail = u.Email // the address mailed: the link stops working if the account's changes
		}
		if a.Purpose == TokenEmail {
			m.ToAddress = a.NewEmail
		}
		if err := s.tokens.CreateAccountToken(ctx, t); err != nil {
			return err
		}
		m = accountLinkMail(m, a.Purpose, s.link(a.Purpose, token), t.ExpiresAt)
	}
	if err := s.mailer.Send(ctx, m); err != nil {
		masked := maskAddresses(err.Error(), u.Email, a.Email, a.NewEmail)
		if errors.Is(err, ErrMailRefused) {
			return fmt.Errorf("%s (%w)", masked, ErrMailRefused) // not retried: a retry would mail a new link to the same refusal
		}
		return errors.New(masked)
	}
	return nil
}

// link is the page a link of the purpose opens, with its token.
func (s *AccountService) link(p TokenPurpose, token string) string {
	path := "/password/reset/"
	if p == TokenVerify || p == TokenEmail {
		path = "/email/verify/"
	}
	return strings.TrimRight(s.baseURL, "/") + path + token
}

// maskAddresses masks each address in text.
func maskAddresses(text string, addrs ...string) string {
	for _, a := range addrs {
		if a != "" {
			text = strings.ReplaceAll(text, a, MaskEmail(a))
		}
	}
	return text
}

// checkVerified refuses a contestant whose address must be verified first.
func (c Contest) checkVerified(u User) error {
	if c.RequireEmailVerification && u.Role == RoleContestant && u.EmailVerifiedAt == nil {
		return Errorf(EEmailUnverified, "请先验证您的邮箱再提交作品：点击验证邮件中的链接，或在页面顶部“发送验证邮件”")
	}
	return nil
}

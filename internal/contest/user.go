package contest

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what an account may do.
type Role string

// The roles.
const (
	RoleContestant Role = "contestant"
	RoleOrganizer  Role = "organizer"
	RoleJudge      Role = "judge"
)

// Label returns the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case RoleOrganizer:
		return "组织者"
	case RoleJudge:
		return "评委"
	}
	return "参赛者"
}

// User is an account.
type User struct {
	ID           string
	Email        string
	Name         string
	Role         Role
	Employer     string // 工作单位, for judges' conflicts of interest
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	// MustChangePassword is set while the password is one someone else chose (an organizer's
	// reset, a judge's invitation): the account can do nothing but choose its own.
	MustChangePassword bool
	// PasswordExpiresAt is when such a temporary password stops working; nil for the
	// account's own password.
	PasswordExpiresAt *time.Time
	// Mobile is the number given at sign-up, for the store to seal; accounts read back carry
	// only MobileMasked ("138****8000"; "" without a number).
	Mobile       string
	MobileMasked string
	// RemindersOff is set when the person turned reminders off (the unsubscribe link or the
	// account page): they are not e-mailed, and still listed in the message centre.
	RemindersOff bool
	// EmailVerifiedAt is when the owner of Email showed it is theirs by opening a link mailed
	// to it (a verification, a password reset, a judge's invitation); nil until then.
	EmailVerifiedAt *time.Time
	// SiteAdmin (站点管理员): an organizer who creates contests and runs every one of them. Other
	// organizers run the contests they are members of; judges judge those they are members of.
	SiteAdmin bool
	// OutsideContest is set, for a request about one contest, on a judge or an organizer who is
	// not a member of it (and not a site administrator): there they may do nothing a judge or an
	// organizer may. Zero outside requests (jobs, tests of one contest).
	OutsideContest bool
}

// TemporaryPasswordTTL is how long a password someone else chose works: long enough to hand
// it over, short enough that a forgotten one does not stay a way in.
const TemporaryPasswordTTL = 72 * time.Hour

// errTemporaryExpired refuses a temporary password past its time.
var errTemporaryExpired = Errorf(EUnauthorized, "临时密码已过期，请联系组织方重新设置")

// ErrPasswordChangeRequired refuses everything but choosing a password to an account signed in
// with a temporary one.
var ErrPasswordChangeRequired = Errorf(EPasswordChange, "请先设置您自己的密码")

// setTemporaryPassword marks the password just set as chosen by someone else.
func (u *User) setTemporaryPassword(now time.Time) {
	expires := now.Add(TemporaryPasswordTTL)
	u.MustChangePassword, u.PasswordExpiresAt = true, &expires
}

// IsOrganizer reports whether u runs the contest the request is about.
func (u User) IsOrganizer() bool { return u.Role == RoleOrganizer && !u.Disabled && !u.OutsideContest }

// IsJudge reports whether u judges the contest the request is about.
func (u User) IsJudge() bool { return u.Role == RoleJudge && !u.Disabled && !u.OutsideContest }

// IsSiteAdmin reports whether u may create contests and run all of them.
func (u User) IsSiteAdmin() bool { return u.Role == RoleOrganizer && u.SiteAdmin && !u.Disabled }

// Session is a signed-in browser or API client. Token is only known right after sign-in; the
// store keeps its hash.
type Session struct {
	Token     string
	TokenHash string
	UserID    string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// MinPasswordLen is the shortest password accepted at sign-up.
const MinPasswordLen = 8

// SignUpInput is what a contestant enters to create an account.
type SignUpInput struct {
	Email    string
	Password string
	Name     string
	Mobile   string // optional: for notifications by SMS
}

// Validate normalizes and checks the input.
func (in *SignUpInput) Validate() error {
	var f Fields
	email, fe := ValidateEmail(in.Email)
	if fe != nil {
		f.Add("email", fe.Code, fe.Message)
	}
	in.Email = strings.ToLower(email)
	name, fe := ValidateText(in.Name, true, 50)
	if fe != nil {
		f.Add("name", fe.Code, fe.Message)
	}
	in.Name = name
	if mobile, fe := validateOptionalMobile(in.Mobile); fe != nil {
		f.Add("mobile", fe.Code, fe.Message)
	} else {
		in.Mobile = mobile
	}
	switch n := utf8.RuneCountInString(in.Password); {
	case n < MinPasswordLen:
		f.Add("password", "password_short", "密码至少8位")
	case n > 128:
		f.Add("password", "too_long", "密码不能超过128位")
	case len(in.Password) > 72:
		// bcrypt reads 72 bytes; refuse rather than silently ignore the rest.
		f.Add("password", "too_long", "密码过长，请使用较短的密码")
	}
	return f.Err()
}

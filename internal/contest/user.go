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
}

// IsOrganizer reports whether u runs the contest.
func (u User) IsOrganizer() bool { return u.Role == RoleOrganizer && !u.Disabled }

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

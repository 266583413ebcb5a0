package db

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// Accounts keeps the accounts and their sign-in sessions.
type Accounts struct{ db *DB }

var (
	_ contest.UserStore    = (*Accounts)(nil)
	_ contest.SessionStore = (*Accounts)(nil)
)

type userRow struct {
	ID                 string
	Email              string
	Name               string
	Role               string
	Employer           string
	PasswordHash       string
	Disabled           bool
	CreatedAt          time.Time
	MustChangePassword bool
	PasswordExpiresAt  *time.Time
	MobileEnc          string // sealed (user_mobile.go)
	MobileMasked       string
	RemindersOff       bool // set by SetRemindersOff only
	EmailVerifiedAt    *time.Time
	SiteAdmin          bool
}

func (userRow) TableName() string { return "users" }

func fromDomainUser(u contest.User) userRow {
	return userRow{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Employer: u.Employer, PasswordHash: u.PasswordHash,
		Disabled: u.Disabled, CreatedAt: u.CreatedAt.UTC(), MustChangePassword: u.MustChangePassword, PasswordExpiresAt: utcPtr(u.PasswordExpiresAt),
		MobileMasked: contest.MaskMobile(u.Mobile), EmailVerifiedAt: utcPtr(u.EmailVerifiedAt), SiteAdmin: u.SiteAdmin}
}

func toDomainUser(r userRow) contest.User {
	return contest.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: contest.Role(r.Role), Employer: r.Employer, PasswordHash: r.PasswordHash,
		Disabled: r.Disabled, CreatedAt: r.CreatedAt, MustChangePassword: r.MustChangePassword, PasswordExpiresAt: r.PasswordExpiresAt,
		MobileMasked: r.MobileMasked, RemindersOff: r.RemindersOff, EmailVerifiedAt: r.EmailVerifiedAt, SiteAdmin: r.SiteAdmin}
}

// CreateUser inserts an account; a taken email is EConflict.
func (ac *Accounts) CreateUser(ctx context.Context, u *contest.User) error {
	row := fromDomainUser(*u)
	if err := ac.sealMobile(&row, u.Mobile); err != nil {
		return err
	}
	return translate(ac.db.gorm.WithContext(ctx).Create(&row).Error, "账号")
}

// CreateAccount inserts an account and its first session in one transaction: a sign-up whose
// client gives up either leaves both or neither. A taken email is EConflict.
func (ac *Accounts) CreateAccount(ctx context.Context, u *contest.User, s *contest.Session) error {
	user, sess := fromDomainUser(*u), fromDomainSession(*s)
	if err := ac.sealMobile(&user, u.Mobile); err != nil {
		return err
	}
	return translate(ac.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&user).Error; err != nil {
			return err
		}
		return tx.Create(&sess).Error
	}), "账号")
}

// UserByID returns an account.
func (ac *Accounts) UserByID(ctx context.Context, id string) (contest.User, error) {
	var row userRow
	err := ac.db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	return toDomainUser(row), translate(err, "账号")
}

// UserByEmail returns the account with a (lower-case) email.
func (ac *Accounts) UserByEmail(ctx context.Context, email string) (contest.User, error) {
	var row userRow
	err := ac.db.gorm.WithContext(ctx).Where("email = ?", email).Take(&row).Error
	return toDomainUser(row), translate(err, "账号")
}

// CountUsers counts the accounts of a role.
func (ac *Accounts) CountUsers(ctx context.Context, role contest.Role) (int64, error) {
	var n int64
	err := ac.db.gorm.WithContext(ctx).Model(&userRow{}).Where("role = ?", string(role)).Count(&n).Error
	return n, translate(err, "账号")
}

// UpdateUser saves an account's name, role, password and state.
func (ac *Accounts) UpdateUser(ctx context.Context, u *contest.User) error {
	row := fromDomainUser(*u)
	res := ac.db.gorm.WithContext(ctx).Model(&userRow{}).Where("id = ?", u.ID).
		Select("name", "role", "employer", "password_hash", "disabled", "must_change_password", "password_expires_at").Updates(&row)
	if res.Error == nil && res.RowsAffected == 0 {
		return contest.Errorf(contest.ENotFound, "账号不存在")
	}
	return translate(res.Error, "账号")
}

// UsersByRole lists the accounts of a role, by name.
func (ac *Accounts) UsersByRole(ctx context.Context, role contest.Role) ([]contest.User, error) {
	var rows []userRow
	if err := ac.db.gorm.WithContext(ctx).Where("role = ?", string(role)).Order("name, email").Find(&rows).Error; err != nil {
		return nil, translate(err, "账号")
	}
	out := make([]contest.User, len(rows))
	for i, r := range rows {
		out[i] = toDomainUser(r)
	}
	return out, nil
}

type sessionRow struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (sessionRow) TableName() string { return "sessions" }

func fromDomainSession(s contest.Session) sessionRow {
	return sessionRow{TokenHash: s.TokenHash, UserID: s.UserID, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC()}
}

// CreateSession stores a session by its token hash.
func (ac *Accounts) CreateSession(ctx context.Context, s *contest.Session) error {
	row := fromDomainSession(*s)
	return translate(ac.db.gorm.WithContext(ctx).Create(&row).Error, "会话")
}

// SessionByTokenHash returns a session.
func (ac *Accounts) SessionByTokenHash(ctx context.Context, hash string) (contest.Session, error) {
	var row sessionRow
	err := ac.db.gorm.WithContext(ctx).Where("token_hash = ?", hash).Take(&row).Error
	return contest.Session{TokenHash: row.TokenHash, UserID: row.UserID, CreatedAt: row.CreatedAt, ExpiresAt: row.ExpiresAt}, translate(err, "会话")
}

// DeleteSession removes a session (sign-out).
func (ac *Accounts) DeleteSession(ctx context.Context, hash string) error {
	return translate(ac.db.gorm.WithContext(ctx).Where("token_hash = ?", hash).Delete(&sessionRow{}).Error, "会话")
}

// DeleteExpiredSessions removes sessions that ended before now.
func (ac *Accounts) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res := ac.db.gorm.WithContext(ctx).Where("expires_at < ?", now.UTC()).Delete(&sessionRow{})
	return res.RowsAffected, translate(res.Error, "会话")
}

// DeleteUserSessions removes every session of a user but the one with keepHash.
func (ac *Accounts) DeleteUserSessions(ctx context.Context, userID, keepHash string) error {
	return translate(ac.db.gorm.WithContext(ctx).Where("user_id = ? AND token_hash <> ?", userID, keepHash).Delete(&sessionRow{}).Error, "会话")
}

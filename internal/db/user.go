package db

import (
	"context"
	"time"

	"github.com/jskx/contest/internal/contest"
)

type userRow struct {
	ID           string
	Email        string
	Name         string
	Role         string
	Employer     string
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func fromDomainUser(u contest.User) userRow {
	return userRow{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Employer: u.Employer, PasswordHash: u.PasswordHash, Disabled: u.Disabled, CreatedAt: u.CreatedAt.UTC()}
}

func toDomainUser(r userRow) contest.User {
	return contest.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: contest.Role(r.Role), Employer: r.Employer, PasswordHash: r.PasswordHash, Disabled: r.Disabled, CreatedAt: r.CreatedAt}
}

// CreateUser inserts an account; a taken email is EConflict.
func (db *DB) CreateUser(ctx context.Context, u *contest.User) error {
	row := fromDomainUser(*u)
	return translate(db.gorm.WithContext(ctx).Create(&row).Error, "账号")
}

// UserByID returns an account.
func (db *DB) UserByID(ctx context.Context, id string) (contest.User, error) {
	var row userRow
	err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	return toDomainUser(row), translate(err, "账号")
}

// UserByEmail returns the account with a (lower-case) email.
func (db *DB) UserByEmail(ctx context.Context, email string) (contest.User, error) {
	var row userRow
	err := db.gorm.WithContext(ctx).Where("email = ?", email).Take(&row).Error
	return toDomainUser(row), translate(err, "账号")
}

// CountUsers counts the accounts of a role.
func (db *DB) CountUsers(ctx context.Context, role contest.Role) (int64, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&userRow{}).Where("role = ?", string(role)).Count(&n).Error
	return n, translate(err, "账号")
}

// UpdateUser saves an account's name, role, password and state.
func (db *DB) UpdateUser(ctx context.Context, u *contest.User) error {
	row := fromDomainUser(*u)
	res := db.gorm.WithContext(ctx).Model(&userRow{}).Where("id = ?", u.ID).
		Select("name", "role", "employer", "password_hash", "disabled").Updates(&row)
	if res.Error == nil && res.RowsAffected == 0 {
		return contest.Errorf(contest.ENotFound, "账号不存在")
	}
	return translate(res.Error, "账号")
}

// UsersByRole lists the accounts of a role, by name.
func (db *DB) UsersByRole(ctx context.Context, role contest.Role) ([]contest.User, error) {
	var rows []userRow
	if err := db.gorm.WithContext(ctx).Where("role = ?", string(role)).Order("name, email").Find(&rows).Error; err != nil {
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

// CreateSession stores a session by its token hash.
func (db *DB) CreateSession(ctx context.Context, s *contest.Session) error {
	row := sessionRow{TokenHash: s.TokenHash, UserID: s.UserID, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC()}
	return translate(db.gorm.WithContext(ctx).Create(&row).Error, "会话")
}

// SessionByTokenHash returns a session.
func (db *DB) SessionByTokenHash(ctx context.Context, hash string) (contest.Session, error) {
	var row sessionRow
	err := db.gorm.WithContext(ctx).Where("token_hash = ?", hash).Take(&row).Error
	return contest.Session{TokenHash: row.TokenHash, UserID: row.UserID, CreatedAt: row.CreatedAt, ExpiresAt: row.ExpiresAt}, translate(err, "会话")
}

// DeleteSession removes a session (sign-out).
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	return translate(db.gorm.WithContext(ctx).Where("token_hash = ?", hash).Delete(&sessionRow{}).Error, "会话")
}

// DeleteExpiredSessions removes sessions that ended before now.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("expires_at < ?", now.UTC()).Delete(&sessionRow{})
	return res.RowsAffected, translate(res.Error, "会话")
}

// DeleteUserSessions removes every session of a user but the one with keepHash.
func (db *DB) DeleteUserSessions(ctx context.Context, userID, keepHash string) error {
	return translate(db.gorm.WithContext(ctx).Where("user_id = ? AND token_hash <> ?", userID, keepHash).Delete(&sessionRow{}).Error, "会话")
}

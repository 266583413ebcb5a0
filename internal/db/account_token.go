package db

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/pii"
)

// AccountTokens keeps the mailed links' token hashes and queues the account mails.
type AccountTokens struct{ db *DB }

var _ contest.AccountStore = (*AccountTokens)(nil)

type accountTokenRow struct {
	Hash      string `gorm:"primaryKey"`
	UserID    string
	Purpose   string
	NewEmail  string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (accountTokenRow) TableName() string { return "account_tokens" }

func (r accountTokenRow) toDomain() contest.AccountToken {
	return contest.AccountToken{Hash: r.Hash, UserID: r.UserID, Purpose: contest.TokenPurpose(r.Purpose), NewEmail: r.NewEmail,
		ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt, CreatedAt: r.CreatedAt}
}

// The fields the account mail jobs' addresses are sealed for.
const (
	fieldAccountMailEmail    = "account_mail.email"
	fieldAccountMailNewEmail = "account_mail.new_email"
)

// openAccountMail opens the addresses QueueAccountMail sealed; a job queued before they were
// sealed carries them plain.
func (db *DB) openAccountMail(a contest.AccountMailArgs) (contest.AccountMailArgs, error) {
	open := func(field, v string) (string, error) {
		out, err := db.box.Open(field, v)
		if err != nil && !errors.Is(err, pii.ErrTampered) {
			return v, nil // not sealed
		}
		return out, err
	}
	var err error
	if a.Email, err = open(fieldAccountMailEmail, a.Email); err != nil {
		return a, err
	}
	a.NewEmail, err = open(fieldAccountMailNewEmail, a.NewEmail)
	return a, err
}

// QueueAccountMail inserts the jobs that send the account mails (queue mail), in one
// transaction.
func (a *AccountTokens) QueueAccountMail(ctx context.Context, mails ...contest.AccountMailArgs) error {
	jobs := make([]river.InsertManyParams, len(mails))
	for i, m := range mails {
		// The addresses are sealed in the job's arguments (river_job.args), which River keeps
		// until its cleaner deletes the job: a reset names any address typed.
		var err error
		if m.Email, err = a.db.box.Seal(fieldAccountMailEmail, m.Email); err != nil {
			return err
		}
		if m.NewEmail, err = a.db.box.Seal(fieldAccountMailNewEmail, m.NewEmail); err != nil {
			return err
		}
		// First in the queue: a person is waiting for this mail.
		jobs[i] = river.InsertManyParams{Args: m, InsertOpts: &river.InsertOpts{Queue: mailQueue, MaxAttempts: a.db.mailAttempts(), Priority: 1}}
	}
	return translate(a.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return a.db.insertManyTx(ctx, tx, jobs)
	}), "邮件")
}

// CreateAccountToken stores t and retires the account's other unused tokens of its purpose.
func (a *AccountTokens) CreateAccountToken(ctx context.Context, t contest.AccountToken) error {
	row := accountTokenRow{Hash: t.Hash, UserID: t.UserID, Purpose: string(t.Purpose), NewEmail: t.NewEmail,
		ExpiresAt: t.ExpiresAt.UTC(), CreatedAt: t.CreatedAt.UTC()}
	return translate(a.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&accountTokenRow{}).Where("user_id = ? AND purpose = ? AND used_at IS NULL", t.UserID, string(t.Purpose)).
			Update("used_at", t.CreatedAt.UTC()).Error
		if err != nil {
			return err
		}
		return tx.Create(&row).Error
	}), "链接")
}

// AccountTokenByHash returns a token by its hash.
func (a *AccountTokens) AccountTokenByHash(ctx context.Context, hash string) (contest.AccountToken, error) {
	var row accountTokenRow
	err := a.db.gorm.WithContext(ctx).Where("hash = ?", hash).Take(&row).Error
	return row.toDomain(), translate(err, "链接")
}

// RedeemAccountToken uses the token up and saves what its purpose changes (a password, an
// address, a verification), retires the account's other unused tokens if the password or the
// address changed, and ends its sessions if asked, all in one transaction. Only the columns
// of the purpose are written, from u or the token, so a change made since u was read (while
// the password was hashed) is not overwritten.
func (a *AccountTokens) RedeemAccountToken(ctx context.Context, hash string, at time.Time, u contest.User, endSessions bool) error {
	at = at.UTC()
	return translate(a.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&accountTokenRow{}).Where("hash = ? AND used_at IS NULL AND expires_at > ?", hash, at).
			Update("used_at", at)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errBadToken
		}
		var t accountTokenRow
		if err := tx.Where("hash = ?", hash).Take(&t).Error; err != nil {
			return err
		}
		user := tx.Model(&userRow{}).Where("id = ?", t.UserID)
		if t.Purpose != string(contest.TokenEmail) && t.NewEmail != "" {
			user = user.Where("email = ?", t.NewEmail) // the address the link was mailed to is still the account's
		}
		verified := gorm.Expr("COALESCE(email_verified_at, ?)", at) // an earlier verification is kept
		var values map[string]any
		switch contest.TokenPurpose(t.Purpose) {
		case contest.TokenReset, contest.TokenInvite:
			row := fromDomainUser(u)
			values = map[string]any{"password_hash": row.PasswordHash, "must_change_password": row.MustChangePassword,
				"password_expires_at": row.PasswordExpiresAt, "email_verified_at": verified}
		case contest.TokenEmail:
			values = map[string]any{"email": t.NewEmail, "email_verified_at": at}
		default: // TokenVerify
			values = map[string]any{"email_verified_at": verified}
		}
		res = user.Updates(values)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errBadToken
		}
		if t.Purpose != string(contest.TokenVerify) {
			if err := retireTokens(tx, t.UserID, at); err != nil {
				return err
			}
		}
		if endSessions {
			return tx.Where("user_id = ?", t.UserID).Delete(&sessionRow{}).Error
		}
		return nil
	}), "账号")
}

var errBadToken = contest.Errorf(contest.ENotFound, "链接无效或已过期")

// RetireAccountTokens marks every unused token of the account used at the time.
func (a *AccountTokens) RetireAccountTokens(ctx context.Context, userID string, at time.Time) error {
	return translate(retireTokens(a.db.gorm.WithContext(ctx), userID, at.UTC()), "链接")
}

func retireTokens(tx *gorm.DB, userID string, at time.Time) error {
	return tx.Model(&accountTokenRow{}).Where("user_id = ? AND used_at IS NULL", userID).Update("used_at", at).Error
}

package db

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
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

// QueueAccountMail inserts the jobs that send the account mails (queue mail), in one
// transaction.
func (a *AccountTokens) QueueAccountMail(ctx context.Context, mails ...contest.AccountMailArgs) error {
	jobs := make([]river.InsertManyParams, len(mails))
	for i, m := range mails {
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

// RedeemAccountToken uses the token up and saves the account's address, verification and
// password, ending its sessions if asked, all in one transaction.
func (a *AccountTokens) RedeemAccountToken(ctx context.Context, hash string, at time.Time, u contest.User, endSessions bool) error {
	row := fromDomainUser(u)
	return translate(a.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&accountTokenRow{}).Where("hash = ? AND used_at IS NULL AND expires_at > ?", hash, at.UTC()).
			Update("used_at", at.UTC())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return contest.Errorf(contest.ENotFound, "链接无效或已过期")
		}
		err := tx.Model(&userRow{}).Where("id = ?", u.ID).
			Select("email", "email_verified_at", "password_hash", "must_change_password", "password_expires_at").Updates(&row).Error
		if err != nil {
			return err
		}
		if endSessions {
			return tx.Where("user_id = ?", u.ID).Delete(&sessionRow{}).Error
		}
		return nil
	}), "账号")
}

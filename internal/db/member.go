package db

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// memberRow is one judge's or organizer's membership of a contest (contest_members, 00021).
type memberRow struct {
	ContestID string
	UserID    string
	Role      string
	CreatedAt time.Time
}

func (memberRow) TableName() string { return "contest_members" }

// AddMember makes the user a member of the contest in their role, with the audit entry; a
// member already is left alone.
func (ac *Accounts) AddMember(ctx context.Context, contestID string, u contest.User, at time.Time, a *contest.AuditEntry) error {
	err := ac.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO contest_members (contest_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (contest_id, user_id) DO NOTHING`, contestID, u.ID, string(u.Role), at.UTC())
		if res.Error != nil || res.RowsAffected == 0 || a == nil {
			return res.Error
		}
		audit := fromDomainAudit(*a)
		return tx.Create(&audit).Error
	})
	return translate(err, "成员")
}

// RemoveMember ends the user's membership of the contest, with the audit entry.
func (ac *Accounts) RemoveMember(ctx context.Context, contestID, userID string, a contest.AuditEntry) error {
	err := ac.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("contest_id = ? AND user_id = ?", contestID, userID).Delete(&memberRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return contest.Errorf(contest.ENotFound, "该账号不是本活动的成员")
		}
		audit := fromDomainAudit(a)
		return tx.Create(&audit).Error
	})
	return translate(err, "成员")
}

// IsMember reports whether the user is a member of the contest: one lookup by primary key.
func (ac *Accounts) IsMember(ctx context.Context, contestID, userID string) (bool, error) {
	var n int64
	err := ac.db.gorm.WithContext(ctx).Model(&memberRow{}).Where("contest_id = ? AND user_id = ?", contestID, userID).Limit(1).Count(&n).Error
	return n > 0, translate(err, "成员")
}

// MemberContests returns the ids of the contests the user is a member of.
func (ac *Accounts) MemberContests(ctx context.Context, userID string) ([]string, error) {
	var ids []string
	err := ac.db.gorm.WithContext(ctx).Model(&memberRow{}).Where("user_id = ?", userID).Order("created_at, contest_id").Pluck("contest_id", &ids).Error
	return ids, translate(err, "成员")
}

// ContestUsers lists the accounts of a role that take part in the contest, by name: its
// members, and for organizers the site administrators too.
func (ac *Accounts) ContestUsers(ctx context.Context, contestID string, role contest.Role) ([]contest.User, error) {
	var rows []userRow
	q := ac.db.gorm.WithContext(ctx).Where("role = ?", string(role))
	member := "EXISTS (SELECT 1 FROM contest_members m WHERE m.contest_id = ? AND m.user_id = users.id)"
	if role == contest.RoleOrganizer {
		q = q.Where("("+member+" OR site_admin = ?)", contestID, true)
	} else {
		q = q.Where(member, contestID)
	}
	if err := q.Order("name, email").Find(&rows).Error; err != nil {
		return nil, translate(err, "账号")
	}
	out := make([]contest.User, len(rows))
	for i, r := range rows {
		out[i] = toDomainUser(r)
	}
	return out, nil
}

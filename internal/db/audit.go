package db

import (
	"context"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// AuditLog keeps the audit log. The other stores write their entries themselves, in the
// transaction of the change they record (fromDomainAudit).
type AuditLog struct{ db *DB }

var _ contest.AuditStore = (*AuditLog)(nil)

type auditRow struct {
	ID         string
	ActorID    string
	ActorName  string
	HappenedAt time.Time
	Entity     string
	EntityID   string
	Action     string
	BeforeJSON string `gorm:"column:before_json"`
	AfterJSON  string `gorm:"column:after_json"`
}

func (auditRow) TableName() string { return "audit_log" }

func fromDomainAudit(a contest.AuditEntry) auditRow {
	return auditRow{ID: a.ID, ActorID: a.ActorID, ActorName: a.ActorName, HappenedAt: a.At.UTC(), Entity: a.Entity,
		EntityID: a.EntityID, Action: a.Action, BeforeJSON: a.Before, AfterJSON: a.After}
}

func (r auditRow) toDomain() contest.AuditEntry {
	return contest.AuditEntry{ID: r.ID, ActorID: r.ActorID, ActorName: r.ActorName, At: r.HappenedAt, Entity: r.Entity,
		EntityID: r.EntityID, Action: r.Action, Before: r.BeforeJSON, After: r.AfterJSON}
}

// AddAudit appends an entry to the audit log.
func (al *AuditLog) AddAudit(ctx context.Context, a contest.AuditEntry) error {
	row := fromDomainAudit(a)
	return translate(al.db.gorm.WithContext(ctx).Create(&row).Error, "审计记录")
}

// ListAudit returns a page of the audit log, newest first, and the number of entries.
func (al *AuditLog) ListAudit(ctx context.Context, limit, offset int) ([]contest.AuditEntry, int64, error) {
	var n int64
	g := al.db.gorm.WithContext(ctx)
	if err := g.Model(&auditRow{}).Count(&n).Error; err != nil {
		return nil, 0, translate(err, "审计记录")
	}
	var rows []auditRow
	if err := g.Order("happened_at DESC, id DESC").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "审计记录")
	}
	out := make([]contest.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, n, nil
}

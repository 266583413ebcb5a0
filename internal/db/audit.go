package db

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

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
	// ContestID is the contest the entry is about: the one of the request's context, set by
	// BeforeCreate for every store's entries ("" for a job's).
	ContestID string
}

func (auditRow) TableName() string { return "audit_log" }

// BeforeCreate files the entry under the contest of the context it is written in.
func (r *auditRow) BeforeCreate(tx *gorm.DB) error {
	if id, ok := contest.ContestScope(tx.Statement.Context); ok && r.ContestID == "" {
		r.ContestID = id
	}
	return nil
}

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

// ListAudit returns a page of the audit log matching f, newest first, and how many entries
// match.
func (al *AuditLog) ListAudit(ctx context.Context, f contest.AuditFilter) ([]contest.AuditEntry, int64, error) {
	var n int64
	g := al.db.gorm.WithContext(ctx)
	if err := auditWhere(auditScope(ctx, g.Model(&auditRow{}), f.Site), f).Count(&n).Error; err != nil {
		return nil, 0, translate(err, "审计记录")
	}
	var rows []auditRow
	if err := auditWhere(auditScope(ctx, g.Model(&auditRow{}), f.Site), f).Order("happened_at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "审计记录")
	}
	out := make([]contest.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, n, nil
}

// auditScope narrows q to the entries of the context's contest and, with site, the site's own.
func auditScope(ctx context.Context, q *gorm.DB, site bool) *gorm.DB {
	id, ok := contest.ContestScope(ctx)
	switch {
	case !ok:
		return q
	case site:
		return q.Where("contest_id IN (?, '')", id)
	}
	return q.Where("contest_id = ?", id)
}

// auditWhere applies an AuditFilter's conditions.
func auditWhere(q *gorm.DB, f contest.AuditFilter) *gorm.DB {
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if s := f.Subject; s != "" {
		like := "%" + escapeLike(strings.ToLower(s)) + "%"
		q = q.Where(`entity_id = ? OR entity_id IN (SELECT id FROM submissions WHERE LOWER(title) LIKE ? ESCAPE '\' OR LOWER(reference) LIKE ? ESCAPE '\')
			OR entity_id IN (SELECT id FROM objections WHERE LOWER(work_title) LIKE ? ESCAPE '\' OR LOWER(reference) LIKE ? ESCAPE '\')
			OR entity_id IN (SELECT id FROM users WHERE LOWER(name) LIKE ? ESCAPE '\')`, s, like, like, like, like, like)
	}
	if !f.From.IsZero() {
		q = q.Where("happened_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("happened_at < ?", f.To.UTC())
	}
	return q
}

// AuditNames names the works, accounts and objections of a page of the audit log: one query
// per kind, over the page's ids only.
func (al *AuditLog) AuditNames(ctx context.Context, ids contest.AuditRefs) (map[string]string, error) {
	out := map[string]string{}
	g := al.db.gorm.WithContext(ctx)
	for _, q := range []struct {
		ids        []string
		table, col string
	}{{ids.Works, "submissions", "title"}, {ids.Users, "users", "name"}, {ids.Objections, "objections", "work_title"}} {
		if len(q.ids) == 0 {
			continue
		}
		var rows []struct{ ID, Name string }
		if err := g.Table(q.table).Select("id, "+q.col+" AS name").Where("id IN ?", q.ids).Scan(&rows).Error; err != nil {
			return nil, translate(err, "审计记录")
		}
		for _, r := range rows {
			out[r.ID] = r.Name
		}
	}
	return out, nil
}

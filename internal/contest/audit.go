package contest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// AuditEntry is one change an organizer, a judge or the system made to personal data, judging
// or results: who, when, what, before and after (JSON).
type AuditEntry struct {
	ID        string
	ActorID   string
	ActorName string
	At        time.Time
	Entity    string // judge, formal_review, assignment, review, award
	EntityID  string
	Action    string
	Before    string
	After     string
}

// AuditStore keeps the audit log.
type AuditStore interface {
	AddAudit(ctx context.Context, a AuditEntry) error
	// ListAudit returns the newest entries first.
	ListAudit(ctx context.Context, limit, offset int) ([]AuditEntry, int64, error)
}

// newAudit makes an entry; before and after are encoded as JSON (nil: empty).
func (s *core) newAudit(actor User, entity, id, action string, before, after any) AuditEntry {
	enc := func(v any) string {
		if v == nil {
			return ""
		}
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	}
	return AuditEntry{ID: newOrderedID(), ActorID: actor.ID, ActorName: actor.Name, At: s.Now(), Entity: entity, EntityID: id,
		Action: action, Before: enc(before), After: enc(after)}
}

// newOrderedID is a UUIDv7: IDs made later sort later, so entries recorded in the same
// instant (or under a test's frozen clock) keep their order.
func newOrderedID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return NewID()
	}
	return id.String()
}

// audit records a change made just before. An entry that cannot be written is returned as an
// error, so the change is never silently missing from the log.
func (s *core) audit(ctx context.Context, actor User, entity, id, action string, before, after any) error {
	if err := s.auditLog.AddAudit(ctx, s.newAudit(actor, entity, id, action, before, after)); err != nil {
		return Internal(fmt.Errorf("audit %s %s: %w", entity, action, err))
	}
	return nil
}

// Audit returns a page of the audit log, newest first. Organizers only.
func (s *ReportService) Audit(ctx context.Context, actor User, limit, offset int) ([]AuditEntry, int64, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.auditLog.ListAudit(ctx, limit, max(offset, 0))
}

package contest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// AuditFilter selects entries of the audit log. Empty fields select everything.
type AuditFilter struct {
	ActorID  string
	Entity   string // the kind of thing changed, e.g. formal_review
	EntityID string // exactly this thing
	// Subject matches part of a work's title or reference number (报名编号), an objection's
	// reference number (异议编号) or a person's name: entries about that work
	// (including objections against it) or that account.
	Subject string
	// From and To bound the time of the change: From <= At < To (zero: open).
	From, To      time.Time
	Limit, Offset int
	// Site adds, in a contest's context, the site's own entries (about no contest: written by
	// a command or a job) to that contest's: the site administrators see them.
	Site bool
}

// AuditStore keeps the audit log.
type AuditStore interface {
	AddAudit(ctx context.Context, a AuditEntry) error
	// ListAudit returns the entries matching f, newest first, and how many match.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error)
	// AuditNames returns the human names of the things the ids refer to, one query per kind:
	// the works' titles, the accounts' names and, for objections, the titles of the works
	// objected to. Unknown ids are left out.
	AuditNames(ctx context.Context, ids AuditRefs) (map[string]string, error)
}

// AuditRefs are the ids, by kind, that a page of the audit log refers to.
type AuditRefs struct {
	Works, Users, Objections []string
}

// Kinds of thing an audit entry's EntityID refers to (AuditEntry.RefKind).
const (
	RefWork      = "work"
	RefUser      = "user"
	RefObjection = "objection"
	RefContest   = "contest"
	RefExport    = "export"
	RefNotice    = "notice"
)

// RefKind says what the entry's EntityID is: a work, an account, an objection, the contest,
// an export job or a notice kind.
func (a AuditEntry) RefKind() string {
	switch a.Entity {
	case "formal_review", "recommendation", "review":
		return RefWork
	case "judge", "user":
		return RefUser
	case "objection":
		return RefObjection
	case "export":
		if a.Action == "start" || (a.Action == "download" && !strings.Contains(a.After, `"sheet"`)) {
			return RefExport
		}
	case "notice_template":
		return RefNotice
	case "award":
		if a.Action == "move" {
			return RefWork
		}
	case "assignment":
		switch a.Action {
		case "move", "conflict":
			return RefWork
		case "reassign":
			return RefUser
		}
	}
	return RefContest
}

// newAudit makes an entry; before and after are encoded as JSON (nil: empty).
// systemActor is who the audit log names for what the service does by itself (a job).
var systemActor = User{Name: "系统"}

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

// Audit returns a page of the audit log matching f, newest first. Organizers only.
func (s *ReportService) Audit(ctx context.Context, actor User, f AuditFilter) ([]AuditEntry, int64, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	f.Offset = max(f.Offset, 0)
	f.Subject = strings.TrimSpace(f.Subject)
	f.Site = actor.IsSiteAdmin()
	return s.auditLog.ListAudit(ctx, f)
}

// AuditListMax is how many items of a list in an entry are shown one by one; a longer list
// (every assignment of a run) is shown as its count.
const AuditListMax = 6

// AuditNames names what the entries refer to — the works' titles, the accounts' names, the
// objected works' titles, also of the works and judges named in the entries' values — by id,
// in one query per kind for the entries given, whatever the log's size. Organizers only.
func (s *ReportService) AuditNames(ctx context.Context, actor User, entries []AuditEntry) (map[string]string, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	var refs AuditRefs
	seen := map[string]bool{}
	add := func(list *[]string, id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			*list = append(*list, id)
		}
	}
	for _, a := range entries {
		switch a.RefKind() {
		case RefWork:
			add(&refs.Works, a.EntityID)
		case RefUser:
			add(&refs.Users, a.EntityID)
		case RefObjection:
			add(&refs.Objections, a.EntityID)
		}
		for _, doc := range []string{a.Before, a.After} {
			var m map[string]any
			if json.Unmarshal([]byte(doc), &m) != nil {
				continue
			}
			if id, ok := m["judge"].(string); ok {
				add(&refs.Users, id)
			}
			if id, ok := m["work"].(string); ok {
				add(&refs.Works, id)
			}
			if awards, ok := m["awards"].(map[string]any); ok {
				for id := range awards {
					add(&refs.Works, id)
				}
			}
			for _, k := range []string{"added", "removed", "reassigned_to"} {
				// Pairs "work:judge", named when few enough to be listed.
				if pairs, ok := m[k].([]any); ok && len(pairs) <= AuditListMax {
					for _, p := range pairs {
						if w, j, ok := strings.Cut(fmt.Sprint(p), ":"); ok {
							add(&refs.Works, w)
							add(&refs.Users, j)
						}
					}
				}
			}
		}
	}
	if len(refs.Works)+len(refs.Users)+len(refs.Objections) == 0 {
		return map[string]string{}, nil
	}
	return s.auditLog.AuditNames(ctx, refs)
}

// AuditActors are the accounts that can appear as actors in the audit log: the organizers,
// then the judges, each by name. Organizers only.
func (s *ReportService) AuditActors(ctx context.Context, actor User) ([]User, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, r := range []Role{RoleOrganizer, RoleJudge} {
		us, err := s.users.ContestUsers(ctx, c.ID, r)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	return out, nil
}

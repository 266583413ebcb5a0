package db

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

const fieldObjectionContact = "objections.contact"

type objectionRow struct {
	ID           string `gorm:"primaryKey"`
	Reference    string
	ContestID    string
	SubmissionID string
	WorkTitle    string
	Version      int
	Name         string
	ContactEnc   string
	FiledBy      string
	Reason       string
	CreatedAt    time.Time
	Status       string
	Decision     string
	DecidedBy    string
	DecidedAt    *time.Time
}

func (objectionRow) TableName() string { return "objections" }

func (pb *Publication) toDomainObjection(r objectionRow) (contest.Objection, error) {
	contact, err := pb.db.box.Open(fieldObjectionContact, r.ContactEnc)
	return contest.Objection{ID: r.ID, Reference: r.Reference, FiledBy: r.FiledBy, ContestID: r.ContestID, WorkID: r.SubmissionID, WorkTitle: r.WorkTitle, Version: r.Version, Name: r.Name,
		Contact: contact, Reason: r.Reason, CreatedAt: r.CreatedAt, Status: contest.ObjectionStatus(r.Status),
		Decision: r.Decision, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt}, err
}

// CreateObjection stores an objection, its contact encrypted, and the notes.
func (pb *Publication) CreateObjection(ctx context.Context, o *contest.Objection, notes []contest.Notification) error {
	enc, err := pb.db.box.Seal(fieldObjectionContact, o.Contact)
	if err != nil {
		return contest.Internal(err)
	}
	row := objectionRow{ID: o.ID, Reference: o.Reference, FiledBy: o.FiledBy, ContestID: o.ContestID, SubmissionID: o.WorkID, WorkTitle: o.WorkTitle, Version: o.Version, Name: o.Name,
		ContactEnc: enc, Reason: o.Reason, CreatedAt: o.CreatedAt.UTC(), Status: string(o.Status)}
	err = pb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return pb.db.insertNotifications(ctx, tx, notes)
	})
	return translate(err, "异议")
}

// Objections returns the contest's objections, newest first.
func (pb *Publication) Objections(ctx context.Context, contestID string) ([]contest.Objection, error) {
	var rows []objectionRow
	if err := pb.db.gorm.WithContext(ctx).Where("contest_id = ?", contestID).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, translate(err, "异议")
	}
	out := make([]contest.Objection, len(rows))
	for i, r := range rows {
		o, err := pb.toDomainObjection(r)
		if err != nil {
			return nil, contest.Internal(err)
		}
		out[i] = o
	}
	return out, nil
}

// ObjectionByID returns one objection.
func (pb *Publication) ObjectionByID(ctx context.Context, id string) (contest.Objection, error) {
	var row objectionRow
	if err := inScope(ctx, pb.db.gorm.WithContext(ctx), "contest_id").Where("id = ?", id).Take(&row).Error; err != nil {
		return contest.Objection{}, translate(err, "异议")
	}
	o, err := pb.toDomainObjection(row)
	if err != nil {
		return contest.Objection{}, contest.Internal(err)
	}
	return o, nil
}

// DecideObjection records the decision of a still open objection with its audit entry and
// the notes.
func (pb *Publication) DecideObjection(ctx context.Context, o contest.Objection, a contest.AuditEntry, notes []contest.Notification) error {
	audit := fromDomainAudit(a)
	err := pb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&objectionRow{}).Where("id = ? AND status = ?", o.ID, string(contest.ObjectionOpen)).
			Updates(map[string]any{"status": string(o.Status), "decision": o.Decision, "decided_by": o.DecidedBy, "decided_at": o.DecidedAt.UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return contest.ErrStale // decided meanwhile
		}
		if err := tx.Create(&audit).Error; err != nil {
			return err
		}
		return pb.db.insertNotifications(ctx, tx, notes)
	})
	return translate(err, "异议")
}

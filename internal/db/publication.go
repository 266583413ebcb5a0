package db

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jskx/contest/internal/contest"
)

// Publication keeps what the contest publishes and what follows it: the 公示 and results,
// certificates, objections (objection.go) and the works recommended onward.
type Publication struct{ db *DB }

var (
	_ contest.PublicationStore    = (*Publication)(nil)
	_ contest.ObjectionStore      = (*Publication)(nil)
	_ contest.RecommendationStore = (*Publication)(nil)
)

type resultRow struct {
	ContestID    string `gorm:"primaryKey"`
	SubmissionID string `gorm:"primaryKey"`
	Tier         int
	Rank         int
	Score        float64
	Title        string
	Names        string // JSON array
	Employer     string
	Category     string // the 组别's name when the list was made
}

func (resultRow) TableName() string { return "results" }

func names(s string) []string {
	var out []string
	_ = json.Unmarshal([]byte(s), &out) // written by this package
	return out
}

// saveContestTx writes a contest's publication in tx if it is still at the revision it was
// read at; otherwise someone changed it meanwhile (a second click on 发布) and nothing is saved.
func saveContestTx(tx *gorm.DB, c contest.Contest) error {
	res := tx.Model(&contestRow{}).Where("id = ? AND publication_revision = ?", c.ID, c.Publication.Revision).
		Updates(map[string]any{"publication": mustJSON(c.Publication), "publication_revision": c.Publication.Revision + 1})
	if res.Error == nil && res.RowsAffected == 0 {
		return errRevision
	}
	return res.Error
}

// SaveAwardsState saves the contest's judging settings with the audit entry if its
// publication is still at the revision read, and moves the revision on.
func (pb *Publication) SaveAwardsState(ctx context.Context, c contest.Contest, a contest.AuditEntry) error {
	audit := fromDomainAudit(a)
	err := pb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&contestRow{}).Where("id = ? AND publication_revision = ?", c.ID, c.Publication.Revision).
			Updates(map[string]any{"judging": mustJSON(c.Judging), "publication_revision": c.Publication.Revision + 1})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errRevision
		}
		return tx.Create(&audit).Error
	})
	return translate(err, "奖项")
}

// errRevision refuses a save based on a publication that changed since it was read.
var errRevision = contest.Errorf(contest.EConflict, "结果发布状态刚被修改（可能是重复提交），请刷新页面后再试")

// SavePublicity saves the contest's publication and, when results is not nil, replaces its
// results, with the audit entry and the notifications, in one transaction.
func (pb *Publication) SavePublicity(ctx context.Context, c contest.Contest, results []contest.Result, a contest.AuditEntry, notes []contest.Notification) error {
	audit := fromDomainAudit(a)
	err := pb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := saveContestTx(tx, c); err != nil {
			return err
		}
		if results != nil {
			if err := tx.Where("contest_id = ?", c.ID).Delete(&resultRow{}).Error; err != nil {
				return err
			}
			rows := make([]resultRow, len(results))
			for i, r := range results {
				rows[i] = resultRow{ContestID: c.ID, SubmissionID: r.WorkID, Tier: int(r.Tier), Rank: r.Rank, Score: r.Score,
					Title: r.Title, Names: mustJSON(r.Names), Employer: r.Employer, Category: r.Category}
			}
			if len(rows) > 0 {
				if err := tx.CreateInBatches(rows, 200).Error; err != nil {
					return err
				}
			}
		}
		if err := tx.Create(&audit).Error; err != nil {
			return err
		}
		return pb.db.insertNotifications(ctx, tx, notes)
	})
	return translate(err, "公示")
}

// Results returns the contest's results in tier and rank order.
func (pb *Publication) Results(ctx context.Context, contestID string) ([]contest.Result, error) {
	var rows []resultRow
	err := pb.db.gorm.WithContext(ctx).Where("contest_id = ?", contestID).Order("tier, rank, submission_id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "获奖名单")
	}
	return toDomainResults(rows), nil
}

// WorkResults returns the results of the given works of a contest, found by primary key.
func (pb *Publication) WorkResults(ctx context.Context, contestID string, workIDs []string) ([]contest.Result, error) {
	var rows []resultRow
	err := pb.db.gorm.WithContext(ctx).Where("contest_id = ? AND submission_id IN ?", contestID, workIDs).
		Order("tier, rank, submission_id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "获奖名单")
	}
	return toDomainResults(rows), nil
}

func toDomainResults(rows []resultRow) []contest.Result {
	out := make([]contest.Result, len(rows))
	for i, r := range rows {
		out[i] = contest.Result{WorkID: r.SubmissionID, Tier: contest.Tier(r.Tier), Rank: r.Rank, Score: r.Score,
			Title: r.Title, Names: names(r.Names), Employer: r.Employer, Category: r.Category}
	}
	return out
}

type certificateRow struct {
	Serial       string `gorm:"primaryKey"`
	ContestID    string
	SubmissionID string
	Version      int
	Tier         int
	Title        string
	Names        string
	Employer     string
	Category     string
	Recipient    string
	Wording      string
	IssuedAt     time.Time
	RevokedAt    *time.Time
}

func (certificateRow) TableName() string { return "certificates" }

func (r certificateRow) toDomain() contest.Certificate {
	return contest.Certificate{Serial: r.Serial, ContestID: r.ContestID, WorkID: r.SubmissionID, Version: r.Version,
		Tier: contest.Tier(r.Tier), Title: r.Title, Names: names(r.Names), Employer: r.Employer, Category: r.Category, Recipient: r.Recipient,
		Wording: r.Wording, IssuedAt: r.IssuedAt, RevokedAt: r.RevokedAt}
}

func toDomainCertificates(rows []certificateRow) []contest.Certificate {
	out := make([]contest.Certificate, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out
}

// SavePublication saves the contest's publication, issues certificates (making an existing
// serial valid again), revokes others and records the audit entry and the notifications, in
// one transaction.
func (pb *Publication) SavePublication(ctx context.Context, c contest.Contest, issue []contest.Certificate, revoke []string, at time.Time, a contest.AuditEntry, notes []contest.Notification) error {
	audit := fromDomainAudit(a)
	err := pb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := saveContestTx(tx, c); err != nil {
			return err
		}
		for i := 0; i < len(revoke); i += 500 {
			batch := revoke[i:min(i+500, len(revoke))]
			if err := tx.Model(&certificateRow{}).Where("serial IN ? AND revoked_at IS NULL", batch).Update("revoked_at", at.UTC()).Error; err != nil {
				return err
			}
		}
		rows := make([]certificateRow, len(issue))
		for i, x := range issue {
			rows[i] = certificateRow{Serial: x.Serial, ContestID: x.ContestID, SubmissionID: x.WorkID, Version: x.Version,
				Tier: int(x.Tier), Title: x.Title, Names: mustJSON(x.Names), Employer: x.Employer, Category: x.Category, Recipient: x.Recipient,
				Wording: x.Wording, IssuedAt: x.IssuedAt.UTC()}
		}
		if len(rows) > 0 {
			upsert := clause.OnConflict{Columns: []clause.Column{{Name: "serial"}}, DoUpdates: clause.Assignments(map[string]any{"revoked_at": nil})}
			if err := tx.Clauses(upsert).CreateInBatches(rows, 200).Error; err != nil {
				return err
			}
		}
		if err := tx.Create(&audit).Error; err != nil {
			return err
		}
		return pb.db.insertNotifications(ctx, tx, notes)
	})
	return translate(err, "证书")
}

// Certificates returns every certificate of the contest, revoked ones too, by serial.
func (pb *Publication) Certificates(ctx context.Context, contestID string) ([]contest.Certificate, error) {
	var rows []certificateRow
	if err := pb.db.gorm.WithContext(ctx).Where("contest_id = ?", contestID).Order("serial").Find(&rows).Error; err != nil {
		return nil, translate(err, "证书")
	}
	return toDomainCertificates(rows), nil
}

// WorkCertificates returns the certificates of the given works, by serial.
func (pb *Publication) WorkCertificates(ctx context.Context, workIDs []string) ([]contest.Certificate, error) {
	var rows []certificateRow
	if err := pb.db.gorm.WithContext(ctx).Where("submission_id IN ?", workIDs).Order("serial").Find(&rows).Error; err != nil {
		return nil, translate(err, "证书")
	}
	return toDomainCertificates(rows), nil
}

// CertificateBySerial returns a certificate.
func (pb *Publication) CertificateBySerial(ctx context.Context, serial string) (contest.Certificate, error) {
	var row certificateRow
	err := pb.db.gorm.WithContext(ctx).Where("serial = ?", serial).Take(&row).Error
	return row.toDomain(), translate(err, "证书")
}

type recommendationRow struct {
	ContestID    string `gorm:"primaryKey"`
	SubmissionID string `gorm:"primaryKey"`
	CreatedBy    string
	CreatedAt    time.Time
}

func (recommendationRow) TableName() string { return "recommendations" }

// SetRecommended marks or unmarks a work as recommended, with the audit entry.
func (pb *Publication) SetRecommended(ctx context.Context, contestID, workID string, on bool, a contest.AuditEntry) error {
	audit := fromDomainAudit(a)
	err := pb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := recommendationRow{ContestID: contestID, SubmissionID: workID, CreatedBy: a.ActorID, CreatedAt: a.At.UTC()}
		var err error
		if on {
			err = tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
		} else {
			err = tx.Where("contest_id = ? AND submission_id = ?", contestID, workID).Delete(&recommendationRow{}).Error
		}
		if err != nil {
			return err
		}
		return tx.Create(&audit).Error
	})
	return translate(err, "推荐")
}

// Recommended returns the recommended works of the contest.
func (pb *Publication) Recommended(ctx context.Context, contestID string) (map[string]bool, error) {
	var ids []string
	err := pb.db.gorm.WithContext(ctx).Model(&recommendationRow{}).Where("contest_id = ?", contestID).Pluck("submission_id", &ids).Error
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, translate(err, "推荐")
}

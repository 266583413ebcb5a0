package db

import (
	"context"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

var _ contest.RetentionStore = (*Publication)(nil)

// ScanKeys returns the storage keys of the contest's scanned 授权书.
func (pb *Publication) ScanKeys(ctx context.Context, contestID string) ([]string, error) {
	var keys []string
	err := pb.db.gorm.WithContext(ctx).Model(&submissionRow{}).Where("contest_id = ? AND scan_key <> ''", contestID).
		Order("id").Pluck("scan_key", &keys).Error
	return keys, translate(err, "作品")
}

// PurgePersonalData clears, in one transaction: the contact data of the contest's
// registration forms (with their search hashes and masked forms) and the scans' records; the
// participants' ID numbers, consent IP addresses and sealed consent links; the objectors'
// names and contacts. It saves c's publication and the audit entry in the same transaction.
// Titles, creators' names, 工作单位, descriptions and the 授权书 records stay.
func (pb *Publication) PurgePersonalData(ctx context.Context, c contest.Contest, audit func(contest.PurgeCounts) contest.AuditEntry) (contest.PurgeCounts, error) {
	var n contest.PurgeCounts
	err := pb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := saveContestTx(tx, c); err != nil {
			return err
		}
		works := tx.Model(&submissionRow{}).Where("contest_id = ?", c.ID).Updates(map[string]any{
			"contact_name": "", "contact_id_enc": "", "contact_id_index": "", "contact_id_masked": "",
			"mobile_enc": "", "mobile_index": "", "mobile_masked": "", "email": "", "wechat": "", "address": "", "postal_code": "",
			"scan_key": "", "scan_name": "", "scan_content_type": "", "scan_size": 0, "version": gorm.Expr("version + 1"),
		})
		if works.Error != nil {
			return works.Error
		}
		parts := tx.Model(&participantRow{}).
			Where("submission_id IN (?)", tx.Model(&submissionRow{}).Select("id").Where("contest_id = ?", c.ID)).
			Updates(map[string]any{"id_enc": "", "id_index": "", "id_masked": "", "consent_ip": "", "consent_token_enc": ""})
		if parts.Error != nil {
			return parts.Error
		}
		objections := tx.Model(&objectionRow{}).Where("contest_id = ?", c.ID).Updates(map[string]any{"name": "", "contact_enc": "", "filed_by": ""})
		if objections.Error != nil {
			return objections.Error
		}
		if err := purgeScanLeaks(tx, c.ID); err != nil {
			return err
		}
		n = contest.PurgeCounts{Works: int(works.RowsAffected), Participants: int(parts.RowsAffected), Objections: int(objections.RowsAffected)}
		a := fromDomainAudit(audit(n))
		return tx.Create(&a).Error
	})
	return n, translate(err, "个人信息")
}

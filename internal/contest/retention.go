package contest

import (
	"context"
	"fmt"
	"time"
)

// Retention of personal data (PIPL 第十九条: kept no longer than the purpose needs). Once the
// results are published, the registration forms' personal data is needed only for a while
// (prizes, the national round, questions); after the retention period an organizer purges it.
// What the public and the winners rely on stays: the results, the awards, the certificates and
// their verification, the works and their videos.
const (
	DefaultRetentionDays = 180  // after publishing
	MinRetentionDays     = 30   // time enough for the national round and prizes
	MaxRetentionDays     = 3650 // ten years
	// PurgeConfirmation is what an organizer types to confirm the purge, which cannot be undone.
	PurgeConfirmation = "清除"
)

// Retention returns the retention period in days after publishing.
func (p Publication) Retention() int {
	if p.RetentionDays == 0 { // saved before the setting existed
		return DefaultRetentionDays
	}
	return p.RetentionDays
}

// PurgeDue returns when the contest's personal data may be purged: the retention period after
// the results were published, at the start of that day in Beijing. ok is false while the
// results are not published.
func (c Contest) PurgeDue() (due time.Time, ok bool) {
	at := c.Publication.PublishedAt
	if at == nil {
		return time.Time{}, false
	}
	d := at.In(Beijing).AddDate(0, 0, c.Publication.Retention())
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, Beijing), true
}

// checkRetention refuses a retention period outside its bounds.
func checkRetention(days int, f *Fields) {
	if days < MinRetentionDays || days > MaxRetentionDays {
		f.Add("retention_days", "retention_days", fmt.Sprintf("个人信息保存期限须为%d–%d天", MinRetentionDays, MaxRetentionDays))
	}
}

// PurgeCounts says what a purge cleared.
type PurgeCounts struct {
	Works        int `json:"works"`        // registration forms: contact person, ID and mobile numbers, e-mail, WeChat, address, postal code
	Participants int `json:"participants"` // ID numbers, consent IP addresses and links
	Scans        int `json:"scans"`        // scanned paper 授权书, deleted from storage
	Objections   int `json:"objections"`   // objectors' names and contacts
}

// RetentionStore purges a contest's personal data.
type RetentionStore interface {
	// ScanKeys returns the storage keys of the contest's scanned 授权书.
	ScanKeys(ctx context.Context, contestID string) ([]string, error)
	// PurgePersonalData clears the personal data of the contest's works, participants and
	// objections, and the names and units the content scans read, saves c's publication (EConflict as SavePublicity) and records the audit entry
	// made from what was cleared, in one transaction.
	PurgePersonalData(ctx context.Context, c Contest, audit func(PurgeCounts) AuditEntry) (PurgeCounts, error)
}

// PurgePersonalData clears the personal data of the contest's registration forms, participants
// and objections, and deletes the scanned 授权书, once the retention period after publishing
// has passed. confirm must be PurgeConfirmation. The names of the works' creators and their
// 工作单位 stay, as the results and certificates show them; so do the 授权书 records (who
// agreed, to which text, when), which the association needs for as long as it shows the works.
// Organizers only; audited. Purging again is harmless.
func (s *PublicationService) PurgePersonalData(ctx context.Context, actor User, confirm string) (PurgeCounts, error) {
	if err := requireOrganizer(actor); err != nil {
		return PurgeCounts{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return PurgeCounts{}, err
	}
	due, published := c.PurgeDue()
	switch now := s.Now(); {
	case !published:
		return PurgeCounts{}, Errorf(EConflict, "结果发布后，个人信息须保存%d天，期满方可清除", c.Publication.Retention())
	case now.Before(due):
		return PurgeCounts{}, Errorf(EConflict, "个人信息保存期限未满：%s起方可清除", due.Format("2006年1月2日"))
	}
	if confirm != PurgeConfirmation {
		return PurgeCounts{}, (Fields{"confirm": {Code: "confirm_required", Message: "清除后无法恢复，请输入“" + PurgeConfirmation + "”确认"}}).Err()
	}
	// The scans go first: if the rest fails, the purge is run again and finds no scan it
	// cannot delete (deleting a deleted object succeeds).
	keys, err := s.retention.ScanKeys(ctx, c.ID)
	if err != nil {
		return PurgeCounts{}, err
	}
	for _, k := range keys {
		if err := s.storage.Delete(ctx, k); err != nil {
			return PurgeCounts{}, &Error{Code: EUnavailable, Message: "存储暂不可用，个人信息未清除，请稍后再试", Err: err}
		}
	}
	// The content scans' frame pictures show names read on screen: they go too, and the
	// purge drops what the scans read from their findings.
	frames, err := s.media.scans.ScanFrameKeys(ctx, c.ID)
	if err != nil {
		return PurgeCounts{}, err
	}
	for _, k := range frames {
		if err := s.storage.Delete(ctx, k); err != nil {
			return PurgeCounts{}, &Error{Code: EUnavailable, Message: "存储暂不可用，个人信息未清除，请稍后再试", Err: err}
		}
	}
	now := s.Now()
	before := map[string]any{"purged_at": c.Publication.PurgedAt}
	c.Publication.PurgedAt = &now
	n, err := s.retention.PurgePersonalData(ctx, c, func(n PurgeCounts) AuditEntry {
		n.Scans = len(keys)
		return s.newAudit(actor, "publication", c.ID, "purge_personal_data", before, n)
	})
	n.Scans = len(keys)
	return n, err
}

package db

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// Submissions keeps the works: the 报名登记表 with its participants (personal numbers
// sealed) and their 授权书, the check of each work's video (check.go) and its formal review
// (formal.go).
type Submissions struct{ db *DB }

var _ contest.SubmissionStore = (*Submissions)(nil)

type submissionRow struct {
	ID              string
	ContestID       string
	OwnerID         string
	Reference       string
	Status          string
	Version         int
	Title           string
	LeadName        string
	Employer        string
	ContactName     string
	ContactIDType   string
	ContactIDEnc    string
	ContactIDIndex  string
	ContactIDMasked string
	MobileEnc       string
	MobileIndex     string
	MobileMasked    string
	Email           string
	WeChat          string `gorm:"column:wechat"`
	Address         string
	PostalCode      string
	Description     string
	Category        string // the key of the work's 组别; "" for none
	ScanKey         string
	ScanName        string
	ScanContentType string
	ScanSize        int64
	// The video columns are written only by FinishUpload, never by UpdateSubmission, so a
	// form saved while an upload completes cannot undo it.
	VideoKey         string
	VideoName        string
	VideoContentType string
	VideoSize        int64
	VideoChecksum    string
	VideoStartedAt   *time.Time
	VideoUploadedAt  *time.Time
	VideoCheckCols   `gorm:"embedded"`
	CreatedAt        time.Time
	UpdatedAt        time.Time
	SubmittedAt      *time.Time
}

func (submissionRow) TableName() string { return "submissions" }

type participantRow struct {
	ID              string
	SubmissionID    string
	Position        int
	Name            string
	IDType          string `gorm:"column:id_type"`
	IDEnc           string `gorm:"column:id_enc"`
	IDIndex         string `gorm:"column:id_index"`
	IDMasked        string `gorm:"column:id_masked"`
	Employer        string
	ConsentToken    string // the token's keyed hash (consentTokenKey)
	ConsentTokenEnc string // the token, sealed
	ConsentName     string
	ConsentTitle    string
	ConsentText     string
	ConsentTextHash string
	ConsentIP       string `gorm:"column:consent_ip"`
	ConsentByOwner  bool
	ConsentAt       *time.Time
}

func (participantRow) TableName() string { return "participants" }

// Field names bind each sealed value to its column.
const (
	fieldContactID = "submissions.contact_id"
	fieldMobile    = "submissions.mobile"
	fieldPartID    = "participants.id"
)

func (sb *Submissions) fromDomainSubmission(s contest.Submission) (submissionRow, []participantRow, error) {
	r := s.Registration
	row := submissionRow{
		ID: s.ID, ContestID: s.ContestID, OwnerID: s.OwnerID, Reference: s.Reference, Status: string(s.Status), Version: s.Version,
		Title: r.Title, LeadName: r.LeadName, Employer: r.Employer, ContactName: r.ContactName,
		ContactIDType: string(r.ContactIDType), ContactIDIndex: sb.db.box.Index(r.ContactIDNumber),
		ContactIDMasked: contest.MaskIDNumber(r.ContactIDNumber),
		MobileIndex:     sb.db.box.Index(r.Mobile), MobileMasked: contest.MaskMobile(r.Mobile),
		Email: r.Email, WeChat: r.WeChat, Address: r.Address, PostalCode: r.PostalCode, Description: r.Description,
		Category: s.Category, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(), SubmittedAt: utcPtr(s.SubmittedAt),
	}
	if s.Scan != nil {
		row.ScanKey, row.ScanName, row.ScanContentType, row.ScanSize = s.Scan.Key, s.Scan.Name, s.Scan.ContentType, s.Scan.Size
	}
	var err error
	if row.ContactIDEnc, err = sb.db.box.Seal(fieldContactID, r.ContactIDNumber); err != nil {
		return row, nil, err
	}
	if row.MobileEnc, err = sb.db.box.Seal(fieldMobile, r.Mobile); err != nil {
		return row, nil, err
	}
	parts := make([]participantRow, len(s.Participants))
	for i, p := range s.Participants {
		pr := participantRow{
			ID: p.ID, SubmissionID: s.ID, Position: i, Name: p.Name, IDType: string(p.IDType),
			IDIndex: sb.db.box.Index(p.IDNumber), IDMasked: contest.MaskIDNumber(p.IDNumber),
			Employer: p.Employer, ConsentToken: sb.db.consentTokenKey(p.ConsentToken),
		}
		if pr.IDEnc, err = sb.db.box.Seal(fieldPartID, p.IDNumber); err != nil {
			return row, nil, err
		}
		if pr.ConsentTokenEnc, err = sb.db.box.Seal(fieldConsentToken, p.ConsentToken); err != nil {
			return row, nil, err
		}
		if c := p.Consent; c != nil {
			at := c.At.UTC()
			pr.ConsentName, pr.ConsentTitle, pr.ConsentText, pr.ConsentTextHash = c.Name, c.Title, c.Text, c.TextHash
			pr.ConsentIP, pr.ConsentByOwner, pr.ConsentAt = c.IP, c.ByOwner, &at
		}
		parts[i] = pr
	}
	return row, parts, nil
}

// toDomainSubmission converts rows; with open it decrypts personal numbers, otherwise only
// their masked forms are set.
func (sb *Submissions) toDomainSubmission(row submissionRow, parts []participantRow, open bool) (contest.Submission, error) {
	s := contest.Submission{
		ID: row.ID, ContestID: row.ContestID, OwnerID: row.OwnerID, Reference: row.Reference, Status: contest.Status(row.Status), Version: row.Version,
		Registration: contest.Registration{
			Title: row.Title, LeadName: row.LeadName, Employer: row.Employer, ContactName: row.ContactName,
			ContactIDType: contest.IDType(row.ContactIDType), Email: row.Email, WeChat: row.WeChat,
			Address: row.Address, PostalCode: row.PostalCode, Description: row.Description,
		},
		ContactIDMasked: row.ContactIDMasked, MobileMasked: row.MobileMasked, Category: row.Category,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt, SubmittedAt: row.SubmittedAt,
	}
	if row.ScanKey != "" {
		s.Scan = &contest.Attachment{Key: row.ScanKey, Name: row.ScanName, ContentType: row.ScanContentType, Size: row.ScanSize}
	}
	if row.VideoKey != "" && row.VideoStartedAt != nil && row.VideoUploadedAt != nil {
		s.Video = &contest.Video{
			Attachment: contest.Attachment{Key: row.VideoKey, Name: row.VideoName, ContentType: row.VideoContentType, Size: row.VideoSize},
			Checksum:   row.VideoChecksum, StartedAt: *row.VideoStartedAt, UploadedAt: *row.VideoUploadedAt,
			Check: row.VideoCheckCols.toDomain(),
		}
	}
	var err error
	if open {
		if s.Registration.ContactIDNumber, err = sb.db.box.Open(fieldContactID, row.ContactIDEnc); err != nil {
			return s, err
		}
		if s.Registration.Mobile, err = sb.db.box.Open(fieldMobile, row.MobileEnc); err != nil {
			return s, err
		}
	}
	s.Participants = make([]contest.Participant, len(parts))
	for i, pr := range parts {
		p := contest.Participant{ID: pr.ID, Name: pr.Name, IDType: contest.IDType(pr.IDType), IDMasked: pr.IDMasked, Employer: pr.Employer}
		if open {
			if p.ConsentToken, err = sb.db.box.Open(fieldConsentToken, pr.ConsentTokenEnc); err != nil {
				return s, err
			}
			if p.IDNumber, err = sb.db.box.Open(fieldPartID, pr.IDEnc); err != nil {
				return s, err
			}
		}
		if pr.ConsentAt != nil {
			p.Consent = &contest.Consent{Name: pr.ConsentName, Title: pr.ConsentTitle, Text: pr.ConsentText,
				TextHash: pr.ConsentTextHash, At: *pr.ConsentAt, IP: pr.ConsentIP, ByOwner: pr.ConsentByOwner}
		}
		s.Participants[i] = p
	}
	return s, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreateSubmission inserts a submission with its participants and the notes (its 回执).
func (sb *Submissions) CreateSubmission(ctx context.Context, s *contest.Submission, notes []contest.Notification) error {
	s.Version = 1
	row, parts, err := sb.fromDomainSubmission(*s)
	if err != nil {
		return contest.Internal(err)
	}
	err = sb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if len(parts) > 0 {
			if err := tx.Create(&parts).Error; err != nil {
				return err
			}
		}
		if err := moveCount(tx, s.ContestID, "", s.Status); err != nil {
			return err
		}
		return sb.db.insertNotifications(ctx, tx, notes)
	})
	return translate(err, "作品")
}

// UpdateSubmission replaces a submission's fields and team. It is refused with EConflict when
// the stored version is not s.Version (someone else wrote meanwhile); on success s.Version grows.
func (sb *Submissions) UpdateSubmission(ctx context.Context, s *contest.Submission) error {
	return sb.SubmitSubmission(ctx, s, nil)
}

// SubmitSubmission saves s as UpdateSubmission does and inserts the notes, in one transaction.
func (sb *Submissions) SubmitSubmission(ctx context.Context, s *contest.Submission, notes []contest.Notification) error {
	row, parts, err := sb.fromDomainSubmission(*s)
	if err != nil {
		return contest.Internal(err)
	}
	row.Version = s.Version + 1
	err = sb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		contestID, was, found, err := storedStatus(tx, s.ID, s.Version)
		if err != nil {
			return err
		}
		stale := contest.Errorf(contest.EConflict, "作品已在别处被修改（例如参与人员刚刚签署了授权书），请刷新页面后重试")
		if !found {
			return stale
		}
		res := tx.Model(&submissionRow{}).Where("id = ? AND version = ?", s.ID, s.Version).
			Select("*").Omit(append([]string{"id", "contest_id", "owner_id", "reference", "created_at"}, videoColumns...)...).Updates(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return stale
		}
		if err := tx.Where("submission_id = ?", s.ID).Delete(&participantRow{}).Error; err != nil {
			return err
		}
		if len(parts) > 0 {
			if err := tx.Create(&parts).Error; err != nil {
				return err
			}
		}
		if err := moveCount(tx, contestID, was, s.Status); err != nil {
			return err
		}
		return sb.db.insertNotifications(ctx, tx, notes)
	})
	if err == nil {
		s.Version = row.Version
	}
	return translate(err, "作品")
}

var videoColumns = append([]string{"video_key", "video_name", "video_content_type", "video_size", "video_checksum",
	"video_started_at", "video_uploaded_at"}, checkColumns...)

// SubmissionByID returns a submission with personal numbers decrypted.
func (sb *Submissions) SubmissionByID(ctx context.Context, id string) (contest.Submission, error) {
	// The candidate is read before the work: a promotion between the two reads then shows as
	// the candidate being the video already (dropped below), never as the candidate gone and
	// the old video still there.
	cands, err := sb.candidates(ctx, []string{id})
	if err != nil {
		return contest.Submission{}, err
	}
	var row submissionRow
	if err := inScope(ctx, sb.db.gorm.WithContext(ctx), "contest_id").Where("id = ?", id).Take(&row).Error; err != nil {
		return contest.Submission{}, translate(err, "作品")
	}
	var parts []participantRow
	if err := sb.db.gorm.WithContext(ctx).Where("submission_id = ?", id).Order("position").Find(&parts).Error; err != nil {
		return contest.Submission{}, translate(err, "作品")
	}
	s, err := sb.toDomainSubmission(row, parts, true)
	if err != nil {
		return s, contest.Internal(err)
	}
	candidate := cands[id]
	if candidate != nil && s.Video != nil && candidate.Key == s.Video.Key {
		candidate = nil
	}
	open, err := sb.openUploads(ctx, []string{id})
	if err != nil {
		return s, err
	}
	s.Uploading = open[id]
	s.Candidate = candidate
	formal, err := sb.formalReviews(ctx, []string{id})
	s.Formal = formal[id]
	return s, err
}

// openUploads returns the open upload of each of the submissions that has one.
func (sb *Submissions) openUploads(ctx context.Context, ids []string) (map[string]*contest.Upload, error) {
	out := map[string]*contest.Upload{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []uploadRow
	err := sb.db.gorm.WithContext(ctx).Where("submission_id IN ? AND state = ?", ids, string(contest.UploadOpen)).
		Order("created_at").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "上传")
	}
	for _, r := range rows {
		u := r.toDomain()
		out[u.SubmissionID] = &u
	}
	return out, nil
}

// ParticipantByConsentToken finds the submission and participant index of a consent link.
func (sb *Submissions) ParticipantByConsentToken(ctx context.Context, token string) (contest.Submission, int, error) {
	var pr participantRow
	if err := sb.db.gorm.WithContext(ctx).Where("consent_token IN ?", sb.db.consentTokenKeys(token)).Take(&pr).Error; err != nil {
		return contest.Submission{}, 0, translate(err, "授权链接")
	}
	s, err := sb.SubmissionByID(ctx, pr.SubmissionID)
	return s, pr.Position, err
}

// SaveConsent records a participant's consent if the submission is still at version, and bumps
// the version. Both updates must touch exactly one row, or nothing is written.
func (sb *Submissions) SaveConsent(ctx context.Context, submissionID string, version int, participantID string, c contest.Consent) error {
	at := c.At.UTC()
	stale := contest.Errorf(contest.EConflict, "报名登记表刚刚被修改，请刷新页面、核对信息后重新签署")
	err := sb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&submissionRow{}).Where("id = ? AND version = ?", submissionID, version).
			Update("version", gorm.Expr("version + 1"))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return stale
		}
		res = tx.Model(&participantRow{}).Where("id = ? AND submission_id = ?", participantID, submissionID).Updates(map[string]any{
			"consent_name": c.Name, "consent_title": c.Title, "consent_text": c.Text, "consent_text_hash": c.TextHash,
			"consent_ip": c.IP, "consent_by_owner": c.ByOwner, "consent_at": &at,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return stale
		}
		return nil
	})
	return translate(err, "参与人员")
}

// DeleteSubmission removes a submission and its participants.
func (sb *Submissions) DeleteSubmission(ctx context.Context, id string) error {
	err := sb.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		contestID, was, found, err := storedStatus(tx, id, 0)
		if err != nil || !found {
			return err
		}
		if err := tx.Where("submission_id = ?", id).Delete(&participantRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("id = ?", id).Delete(&submissionRow{}).Error; err != nil {
			return err
		}
		return moveCount(tx, contestID, was, "")
	})
	return translate(err, "作品")
}

// ListSubmissions returns a page of submissions, newest change first, with masked numbers only.
func (sb *Submissions) ListSubmissions(ctx context.Context, f contest.SubmissionFilter) (contest.SubmissionPage, error) {
	page := contest.SubmissionPage{ByStatus: map[contest.Status]int64{}}
	g := sb.db.gorm.WithContext(ctx)

	var rows []submissionRow
	q := sb.filter(g.Model(&submissionRow{}), f).Order("updated_at DESC, id")
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	if err := q.Find(&rows).Error; err != nil {
		return page, translate(err, "作品")
	}
	if err := sb.countByStatus(g, f, rows, &page); err != nil {
		return page, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	byID, err := participantsOf(g, ids)
	if err != nil {
		return page, err
	}
	open, err := sb.openUploads(ctx, ids)
	if err != nil {
		return page, err
	}
	formal, err := sb.formalReviews(ctx, ids)
	if err != nil {
		return page, err
	}
	cands, err := sb.candidates(ctx, ids)
	if err != nil {
		return page, err
	}
	for _, r := range rows {
		s, err := sb.toDomainSubmission(r, byID[r.ID], false)
		if err != nil {
			return page, contest.Internal(err)
		}
		s.Uploading, s.Formal, s.Candidate = open[r.ID], formal[r.ID], cands[r.ID]
		page.Items = append(page.Items, s)
	}
	return page, nil
}

// countByStatus sets the page's counts per status over f without its status, and the total
// over f. A first page that holds every match (a contestant's own works) gives them without
// another query; the whole contest's come from the counts kept as works change
// (submission_counts); any other filter is counted by one grouped query.
func (sb *Submissions) countByStatus(g *gorm.DB, f contest.SubmissionFilter, rows []submissionRow, page *contest.SubmissionPage) error {
	if f.Status == "" && f.Offset == 0 && (f.Limit <= 0 || len(rows) < f.Limit) {
		for _, r := range rows {
			page.ByStatus[contest.Status(r.Status)]++
		}
		page.Total = int64(len(rows))
		return nil
	}
	if whole := (contest.SubmissionFilter{ContestID: f.ContestID, Status: f.Status, Offset: f.Offset, Limit: f.Limit}); f == whole && f.ContestID != "" {
		// The whole contest: the counts kept as works change.
		counts, err := contestCounts(g, f.ContestID)
		if err != nil {
			return translate(err, "作品")
		}
		page.ByStatus = counts
		for st, n := range counts {
			if f.Status == "" || f.Status == st {
				page.Total += n
			}
		}
		return nil
	}
	var counts []struct {
		Status string
		N      int64
	}
	noStatus := f
	noStatus.Status = ""
	if err := sb.filter(g.Model(&submissionRow{}), noStatus).Select("status, COUNT(*) AS n").Group("status").Scan(&counts).Error; err != nil {
		return translate(err, "作品")
	}
	for _, c := range counts {
		page.ByStatus[contest.Status(c.Status)] = c.N
		if f.Status == "" || string(f.Status) == c.Status {
			page.Total += c.N
		}
	}
	return nil
}

// SubmissionNeighbors returns the works just before and after id in the list f selects, in
// the list's order (newest change first): two indexed lookups, whatever the list's length.
// id need not match f (a decision may have moved it out); "" where there is none.
func (sb *Submissions) SubmissionNeighbors(ctx context.Context, f contest.SubmissionFilter, id string) (prev, next string, err error) {
	g := sb.db.gorm.WithContext(ctx)
	const at = "(SELECT updated_at FROM submissions WHERE id = ?)"
	f.Limit, f.Offset = 0, 0
	for _, side := range []struct {
		where, order string
		out          *string
	}{
		{"updated_at > " + at + " OR (updated_at = " + at + " AND id < ?)", "updated_at ASC, id DESC", &prev},
		{"updated_at < " + at + " OR (updated_at = " + at + " AND id > ?)", "updated_at DESC, id ASC", &next},
	} {
		var ids []string
		if err := sb.filter(g.Model(&submissionRow{}), f).Where(side.where, id, id, id).Order(side.order).Limit(1).Pluck("id", &ids).Error; err != nil {
			return "", "", translate(err, "作品")
		}
		if len(ids) == 1 {
			*side.out = ids[0]
		}
	}
	return prev, next, nil
}

// CountSubmissions counts the submissions matching f in one query.
func (sb *Submissions) CountSubmissions(ctx context.Context, f contest.SubmissionFilter) (int64, error) {
	var n int64
	err := sb.filter(sb.db.gorm.WithContext(ctx).Model(&submissionRow{}), f).Count(&n).Error
	return n, translate(err, "作品")
}

// filter applies a SubmissionFilter's conditions.
func (sb *Submissions) filter(q *gorm.DB, f contest.SubmissionFilter) *gorm.DB {
	if f.ContestID != "" {
		q = q.Where("contest_id = ?", f.ContestID)
	}
	if f.OwnerID != "" {
		q = q.Where("owner_id = ?", f.OwnerID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + escapeLike(strings.ToLower(s)) + "%"
		q = q.Where(`LOWER(title) LIKE ? ESCAPE '\' OR LOWER(lead_name) LIKE ? ESCAPE '\' OR LOWER(employer) LIKE ? ESCAPE '\' OR reference = ?`,
			like, like, like, s)
	}
	if s := strings.TrimSpace(f.Employer); s != "" {
		q = q.Where(`LOWER(employer) LIKE ? ESCAPE '\'`, "%"+escapeLike(strings.ToLower(s))+"%")
	}
	if f.IDKey != "" {
		keys := strings.Split(f.IDKey, ",") // during a key rotation, one per key (SearchKey)
		q = q.Where("contact_id_index IN ? OR id IN (SELECT submission_id FROM participants WHERE id_index IN ?)", keys, keys)
	}
	if f.MobileKey != "" {
		q = q.Where("mobile_index IN ?", strings.Split(f.MobileKey, ","))
	}
	const (
		hasParts   = "EXISTS (SELECT 1 FROM participants p WHERE p.submission_id = submissions.id)"
		hasMissing = "EXISTS (SELECT 1 FROM participants p WHERE p.submission_id = submissions.id AND p.consent_at IS NULL)"
	)
	switch f.Consent {
	case "complete":
		q = q.Where(hasParts + " AND NOT " + hasMissing)
	case "incomplete":
		q = q.Where("NOT " + hasParts + " OR " + hasMissing)
	}
	switch f.Check {
	case "":
	case contest.CheckNone:
		q = q.Where("video_key = ''")
	default:
		q = q.Where("video_check = ?", string(f.Check))
	}
	switch f.Formal {
	case "":
	case contest.FormalPending:
		q = q.Where("id NOT IN (SELECT submission_id FROM formal_reviews)")
	default:
		q = q.Where("id IN (SELECT submission_id FROM formal_reviews WHERE decision = ?)", string(f.Formal))
	}
	if f.Reason == contest.WScanPending {
		q = q.Where("video_check = ? AND EXISTS (SELECT 1 FROM video_scans v WHERE v.video_key = submissions.video_key AND v.flagged AND v.cleared_at IS NULL)",
			string(contest.CheckAccepted))
	} else if f.Reason != "" {
		// The reasons are JSON written by encoding/json: {"code":"…","message":"…"}.
		like := `%"code":"` + escapeLike(f.Reason) + `"%`
		q = q.Where(`video_reasons LIKE ? ESCAPE '\' OR video_warnings LIKE ? ESCAPE '\'`, like, like)
	}
	return q
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SearchKey returns the keyed hash of a normalized personal number, as stored in the *_index
// columns; during a key rotation the hashes under each key, comma-separated (the filters look
// for any).
func (sb *Submissions) SearchKey(value string) string {
	return strings.Join(sb.db.box.Indexes(value), ",")
}

// participantsOf reads the participants of the works ids, in their order, by work.
func participantsOf(g *gorm.DB, ids []string) (map[string][]participantRow, error) {
	byID := map[string][]participantRow{}
	if len(ids) == 0 {
		return byID, nil
	}
	var parts []participantRow
	if err := g.Where("submission_id IN ?", ids).Order("submission_id, position").Find(&parts).Error; err != nil {
		return nil, translate(err, "作品")
	}
	for _, p := range parts {
		byID[p.SubmissionID] = append(byID[p.SubmissionID], p)
	}
	return byID, nil
}

package contest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path"
	"strings"
)

// SubmissionInput is the registration form and team list as a contestant saves them.
// Participants keep their ID when they are edited, so their consent survives unrelated edits.
// Version is the submission's version the edit started from; an update from an older one is
// refused, so a form left open in another tab cannot undo a consent or a participant.
type SubmissionInput struct {
	Registration Registration
	Participants []Participant
	// Category is the key of the chosen 组别 ("" for none yet); nil keeps the work's.
	Category *string
	Version  int
}

// category returns the chosen category, or was when the input leaves it as it is.
func (in SubmissionInput) category(was string) string {
	if in.Category == nil {
		return was
	}
	return *in.Category
}

// CategoryKey is the chosen category's key, "" for none: what the form shows.
func (in SubmissionInput) CategoryKey() string { return in.category("") }

// draftOK are the codes that do not stop a draft from being saved: what is missing may be
// filled in later; what is filled in must be right.
var draftOK = map[string]bool{"required": true, "participants_required": true, "lead_not_listed": true}

// validateDraft normalizes the input and returns the errors that matter for a draft in
// contest c.
func (in *SubmissionInput) validateDraft(c Contest) error {
	var all Fields
	collect := func(err error) {
		for k, v := range ErrorFields(err) {
			all.Add(k, v.Code, v.Message)
		}
	}
	collect(in.Registration.Validate())
	collect(ValidateParticipants(in.Participants, in.Registration.LeadName))
	if in.Category != nil {
		key := strings.TrimSpace(*in.Category)
		in.Category = &key
		collect(c.checkCategory(key))
	}
	var f Fields
	for k, v := range all {
		if !draftOK[v.Code] || k == "title" {
			f.Add(k, v.Code, v.Message)
		}
	}
	return f.Err()
}

// incomplete reports what blocks finalizing in contest c, with the registration's own field
// errors.
func (sub Submission) incomplete(c Contest) error {
	f := sub.MissingIn(c)
	reg := sub.Registration
	for k, v := range ErrorFields(reg.Validate()) {
		f.Add(k, v.Code, v.Message)
	}
	ps := append([]Participant(nil), sub.Participants...)
	for k, v := range ErrorFields(ValidateParticipants(ps, reg.LeadName)) {
		f.Add(k, v.Code, v.Message)
	}
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EIncomplete, Message: "作品尚不能提交，请先完成以下事项", Fields: f}
}

// openContest returns the contest of a submission if works may be edited now.
func (s *core) openContest(ctx context.Context, contestID string) (Contest, error) {
	c, err := s.contests.ContestByID(ctx, contestID)
	if err != nil {
		return Contest{}, err
	}
	return c, c.CheckCollectionOpen(s.Now())
}

// CreateSubmission saves a new draft in the current contest for the actor.
func (s *RegistrationService) CreateSubmission(ctx context.Context, actor User, in SubmissionInput) (Submission, error) {
	if actor.Role != RoleContestant {
		return Submission{}, Errorf(EForbidden, "只有参赛者账号可以报名作品")
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Submission{}, err
	}
	if err := c.CheckCollectionOpen(s.Now()); err != nil {
		return Submission{}, err
	}
	if err := in.validateDraft(c); err != nil {
		return Submission{}, err
	}
	mine, err := s.submissions.CountSubmissions(ctx, SubmissionFilter{ContestID: c.ID, OwnerID: actor.ID})
	if err != nil {
		return Submission{}, err
	}
	if mine >= int64(s.maxWorks) {
		return Submission{}, Errorf(EConflict, "每个账号最多报名%d件作品；如需再报名，请先删除不再提交的草稿", s.maxWorks)
	}
	now := s.Now()
	sub := Submission{
		ID: NewID(), ContestID: c.ID, OwnerID: actor.ID, Status: StatusDraft,
		Registration: in.Registration, Category: in.category(""), CreatedAt: now, UpdatedAt: now,
	}
	sub.Participants = mergeParticipants(nil, in.Participants, false)
	sub.refreshMasks()
	n, err := s.contests.NextNumber(ctx, c.ID, seriesWork)
	if err != nil {
		return Submission{}, err
	}
	sub.Reference = WorkReference(c, n)
	if err := s.submissions.CreateSubmission(ctx, &sub, []Notification{registrationNotification(now, c, sub)}); err != nil {
		return Submission{}, err
	}
	return sub, nil
}

// UpdateSubmission saves an edited form. A participant whose name or document changed, or every
// participant when the title changed, must consent again; a submitted work that becomes
// incomplete goes back to draft.
func (s *RegistrationService) UpdateSubmission(ctx context.Context, actor User, id string, in SubmissionInput) (Submission, error) {
	sub, err := s.ownSubmission(ctx, actor, id)
	if err != nil {
		return Submission{}, err
	}
	c, err := s.openContest(ctx, sub.ContestID)
	if err != nil {
		return Submission{}, err
	}
	if in.Version != sub.Version {
		return Submission{}, Errorf(EConflict, "作品已在别处被修改（例如另一窗口中保存过，或有参与人员刚刚签署了授权书），请刷新页面后重新修改")
	}
	if err := in.validateDraft(c); err != nil {
		return Submission{}, err
	}
	titleChanged := sub.Registration.Title != in.Registration.Title
	sub.Registration, sub.Category = in.Registration, in.category(sub.Category)
	sub.Participants = mergeParticipants(sub.Participants, in.Participants, titleChanged)
	sub.refreshMasks()
	sub.UpdatedAt = s.Now()
	if sub.Status == StatusSubmitted && sub.incomplete(c) != nil {
		sub.Status, sub.SubmittedAt = StatusDraft, nil
	}
	if err := s.submissions.UpdateSubmission(ctx, &sub); err != nil {
		return Submission{}, err
	}
	return sub, nil
}

// mergeParticipants carries consents and links over from old to the edited list.
func mergeParticipants(old, edited []Participant, titleChanged bool) []Participant {
	byID := map[string]Participant{}
	for _, p := range old {
		byID[p.ID] = p
	}
	out := make([]Participant, len(edited))
	for i, p := range edited {
		prev, ok := byID[p.ID]
		if !ok {
			p.ID, p.ConsentToken, p.Consent = NewID(), randomToken(), nil
			out[i] = p
			continue
		}
		delete(byID, p.ID)
		p.ConsentToken, p.Consent = prev.ConsentToken, prev.Consent
		if titleChanged || p.Name != prev.Name || p.IDType != prev.IDType || p.IDNumber != prev.IDNumber {
			p.Consent = nil
		}
		out[i] = p
	}
	return out
}

// Submission returns a submission to its owner (in full) or to an organizer (personal numbers
// masked).
func (s *RegistrationService) Submission(ctx context.Context, actor User, id string) (Submission, error) {
	return s.visibleSubmission(ctx, actor, id)
}

// visibleSubmission loads a submission for its owner, or masked for an organizer; others get
// ENotFound.
func (s *core) visibleSubmission(ctx context.Context, actor User, id string) (Submission, error) {
	sub, err := s.submissions.SubmissionByID(ctx, id)
	if err != nil {
		return Submission{}, err
	}
	switch {
	case sub.OwnerID == actor.ID:
		return sub, nil
	case actor.IsOrganizer():
		return sub.Masked(), nil
	}
	return Submission{}, Errorf(ENotFound, "作品不存在")
}

// ownSubmission loads a submission the actor owns; others get ENotFound, never a hint that it
// exists.
func (s *core) ownSubmission(ctx context.Context, actor User, id string) (Submission, error) {
	sub, err := s.submissions.SubmissionByID(ctx, id)
	if err != nil {
		return Submission{}, err
	}
	if sub.OwnerID != actor.ID {
		return Submission{}, Errorf(ENotFound, "作品不存在")
	}
	return sub, nil
}

// Masked returns a copy without plaintext personal numbers, for anyone but the owner.
func (sub Submission) Masked() Submission {
	sub.Registration.ContactIDNumber = ""
	sub.Registration.Mobile = ""
	ps := make([]Participant, len(sub.Participants))
	for i, p := range sub.Participants {
		p.IDNumber, p.ConsentToken = "", ""
		ps[i] = p
	}
	sub.Participants = ps
	return sub
}

// MySubmissions lists the actor's own submissions in the current contest.
func (s *RegistrationService) MySubmissions(ctx context.Context, actor User) ([]Submission, error) {
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	page, err := s.submissions.ListSubmissions(ctx, SubmissionFilter{ContestID: c.ID, OwnerID: actor.ID, Limit: 200})
	return page.Items, err
}

// AllMySubmissions returns the actor's works in every contest, the latest changed first: one
// query on the owner's index, whatever the number of contests.
func (s *RegistrationService) AllMySubmissions(ctx context.Context, actor User) ([]Submission, error) {
	page, err := s.submissions.ListSubmissions(ctx, SubmissionFilter{OwnerID: actor.ID, Limit: 500})
	return page.Items, err
}

// ListSubmissions is the organizer's filtered list with counts.
func (s *RegistrationService) ListSubmissions(ctx context.Context, actor User, f SubmissionFilter) (SubmissionPage, error) {
	if err := requireOrganizer(actor); err != nil {
		return SubmissionPage{}, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.IDNumber != "" {
		f.IDKey, f.IDNumber = s.SearchKey(SearchIDNumber, f.IDNumber), ""
	}
	if f.Mobile != "" {
		f.MobileKey, f.Mobile = s.SearchKey(SearchMobile, f.Mobile), ""
	}
	return s.submissions.ListSubmissions(ctx, f)
}

// SubmissionNeighbors returns the works before and after id in the organizers' list filtered
// by f, for walking through the list one work at a time. Organizers only.
func (s *RegistrationService) SubmissionNeighbors(ctx context.Context, actor User, f SubmissionFilter, id string) (prev, next string, err error) {
	if err := requireOrganizer(actor); err != nil {
		return "", "", err
	}
	return s.submissions.SubmissionNeighbors(ctx, f, id)
}

// Kinds of personal number an organizer can search by.
const (
	SearchIDNumber = "id_number"
	SearchMobile   = "mobile"
)

// SearchKey normalizes a personal number as it is stored and returns its keyed hash, which a
// filter can carry in place of the number.
func (s *RegistrationService) SearchKey(kind, value string) string {
	value = strings.ToUpper(strings.ReplaceAll(Normalize(value), " ", ""))
	if kind == SearchMobile {
		if v, fe := ValidateMobile(value); fe == nil {
			value = v
		}
	}
	if value == "" {
		return ""
	}
	return s.submissions.SearchKey(value)
}

// Finalize submits the work: only with a complete form, every participant's consent and a
// finished video, and only while collection is open, or within the upload grace after the
// close when the video's upload was opened before it; where the contest requires it, only
// once the owner's address is verified.
func (s *RegistrationService) Finalize(ctx context.Context, actor User, id string) (Submission, error) {
	sub, err := s.ownSubmission(ctx, actor, id)
	if err != nil {
		return Submission{}, err
	}
	c, err := s.contests.ContestByID(ctx, sub.ContestID)
	if err != nil {
		return Submission{}, err
	}
	if err := s.media.finalizeWindow(c, sub); err != nil {
		return Submission{}, err
	}
	if err := c.checkVerified(actor); err != nil {
		return Submission{}, err
	}
	if err := sub.incomplete(c); err != nil {
		return Submission{}, err
	}
	now := s.Now()
	if sub.Status == StatusSubmitted { // submitted already: nothing happens, nobody is told again
		return sub, nil
	}
	sub.Status, sub.SubmittedAt, sub.UpdatedAt = StatusSubmitted, &now, now
	if err := s.submissions.SubmitSubmission(ctx, &sub, []Notification{submittedNotification(now, c, sub)}); err != nil {
		return Submission{}, err
	}
	return sub, nil
}

// DeleteSubmission removes a draft of the actor's while collection is open.
func (s *RegistrationService) DeleteSubmission(ctx context.Context, actor User, id string) error {
	sub, err := s.ownSubmission(ctx, actor, id)
	if err != nil {
		return err
	}
	if _, err := s.openContest(ctx, sub.ContestID); err != nil {
		return err
	}
	if sub.Status != StatusDraft {
		return Errorf(EConflict, "已提交的作品不能删除")
	}
	s.media.dropOpenUpload(ctx, id)
	var frames []string // the content scan's, read before its row goes with the work
	if sub.Video != nil {
		frames = s.media.scanFrameKeys(ctx, sub.Video.Key)
	}
	if err := s.submissions.DeleteSubmission(ctx, id); err != nil {
		return err
	}
	if sub.Scan != nil {
		_ = s.storage.Delete(ctx, sub.Scan.Key) // the row is gone; a stray object is harmless
	}
	s.media.deleteFiles(ctx, frames)
	for _, v := range []*Video{sub.Video, sub.Candidate} {
		if v != nil {
			s.media.deleteVideo(ctx, v.Key)
		}
	}
	return nil
}

// ConsentTarget is what a consent page shows: the work, the participant and the text.
type ConsentTarget struct {
	Submission  Submission
	Participant Participant
	Text        string
	Open        error // nil while consent can be given
}

// ConsentByToken loads what a consent link is for.
func (s *RegistrationService) ConsentByToken(ctx context.Context, token string) (ConsentTarget, error) {
	if token == "" {
		return ConsentTarget{}, Errorf(ENotFound, "授权链接无效")
	}
	sub, i, err := s.submissions.ParticipantByConsentToken(ctx, token)
	if ErrorCode(err) == ENotFound {
		return ConsentTarget{}, Errorf(ENotFound, "授权链接无效或已失效")
	} else if err != nil {
		return ConsentTarget{}, err
	}
	return s.consentTarget(ctx, sub, i)
}

// ConsentAsOwner loads the consent page of participant pid of the actor's submission, for a
// participant signing on the account holder's device.
func (s *RegistrationService) ConsentAsOwner(ctx context.Context, actor User, id, pid string) (ConsentTarget, error) {
	sub, err := s.ownSubmission(ctx, actor, id)
	if err != nil {
		return ConsentTarget{}, err
	}
	for i, p := range sub.Participants {
		if p.ID == pid {
			return s.consentTarget(ctx, sub, i)
		}
	}
	return ConsentTarget{}, Errorf(ENotFound, "参与人员不存在")
}

func (s *RegistrationService) consentTarget(ctx context.Context, sub Submission, i int) (ConsentTarget, error) {
	c, err := s.contests.ContestByID(ctx, sub.ContestID)
	if err != nil {
		return ConsentTarget{}, err
	}
	return ConsentTarget{Submission: sub, Participant: sub.Participants[i],
		Text: c.AuthorizationText, Open: c.CheckCollectionOpen(s.Now())}, nil
}

// GiveConsent records the participant's 作品授权书 after checking name, document number and the
// checkbox. byOwner says it was given on the account holder's device.
func (s *RegistrationService) GiveConsent(ctx context.Context, t ConsentTarget, in ConsentInput, byOwner bool) (Consent, error) {
	if t.Open != nil {
		return Consent{}, t.Open
	}
	p := t.Participant
	if p.IDNumber == "" {
		return Consent{}, Errorf(EInvalid, "报名登记表中尚未填写该参与人员的证件号码")
	}
	if err := p.CheckConsent(in); err != nil {
		return Consent{}, err
	}
	c := Consent{Name: p.Name, Title: t.Submission.Registration.Title, Text: t.Text,
		TextHash: TextHash(t.Text), At: s.Now(), IP: in.IP, ByOwner: byOwner}
	if err := s.submissions.SaveConsent(ctx, t.Submission.ID, t.Submission.Version, p.ID, c); err != nil {
		return Consent{}, err
	}
	return c, nil
}

// MaxScanBytes bounds a scan of the signed paper form (a photo or PDF).
const MaxScanBytes = 20 << 20

var scanTypes = map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

// AttachScan stores a scan of the signed paper 作品授权书 and replaces an earlier one. The new
// file is stored before the record changes and the old one removed only after, so a failure
// loses nothing.
func (s *RegistrationService) AttachScan(ctx context.Context, actor User, id, name, contentType string, size int64, r io.Reader) (Submission, error) {
	sub, err := s.ownSubmission(ctx, actor, id)
	if err != nil {
		return Submission{}, err
	}
	if _, err := s.openContest(ctx, sub.ContestID); err != nil {
		return Submission{}, err
	}
	ext, ok := scanTypes[contentType]
	if !ok {
		return Submission{}, (Fields{"scan": {Code: "scan_type", Message: "请上传PDF、JPG或PNG格式的扫描件"}}).Err()
	}
	if size <= 0 || size > MaxScanBytes {
		return Submission{}, (Fields{"scan": {Code: "scan_size", Message: "扫描件大小应在20MB以内"}}).Err()
	}
	old := sub.Scan
	att := &Attachment{Key: path.Join("scans", sub.ID, NewID()+ext), Name: cleanName(name), ContentType: contentType, Size: size}
	stored, storedSize, storedType := r, size, contentType
	if s.files != nil { // sealed: the scan shows ID numbers
		plain, err := io.ReadAll(io.LimitReader(r, size+1))
		if err != nil {
			return Submission{}, err
		}
		if int64(len(plain)) != size {
			return Submission{}, (Fields{"scan": {Code: "scan_size", Message: "扫描件上传不完整，请重新上传"}}).Err()
		}
		sealed, err := s.files.SealFile(plain)
		if err != nil {
			return Submission{}, Internal(err)
		}
		stored, storedSize, storedType = bytes.NewReader(sealed), int64(len(sealed)), "application/octet-stream"
	}
	if err := s.storage.Put(ctx, att.Key, stored, storedSize, storedType); err != nil {
		return Submission{}, err
	}
	sub.Scan, sub.UpdatedAt = att, s.Now()
	if err := s.submissions.UpdateSubmission(ctx, &sub); err != nil {
		return Submission{}, errors.Join(err, s.storage.Delete(ctx, att.Key))
	}
	if old != nil {
		_ = s.storage.Delete(ctx, old.Key)
	}
	return sub, nil
}

// Scan opens the stored scan for its owner or an organizer.
func (s *RegistrationService) Scan(ctx context.Context, actor User, id string) (Attachment, io.ReadCloser, error) {
	sub, err := s.Submission(ctx, actor, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	if sub.Scan == nil {
		return Attachment{}, nil, Errorf(ENotFound, "尚未上传扫描件")
	}
	rc, err := s.storage.Get(ctx, sub.Scan.Key)
	if err != nil || s.files == nil {
		return *sub.Scan, rc, err
	}
	defer rc.Close()
	stored, err := io.ReadAll(io.LimitReader(rc, 2*MaxScanBytes))
	if err != nil {
		return Attachment{}, nil, err
	}
	plain, err := s.files.OpenFile(stored)
	if err != nil {
		return Attachment{}, nil, Internal(err)
	}
	return *sub.Scan, io.NopCloser(bytes.NewReader(plain)), nil
}

// cleanName keeps a user's file name for display only: base name, at most 200 characters.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// EarlierContact returns the contact part of the 报名登记表 of the contestant's latest work, in
// whichever contest, for a new entry to start from (主创、单位、联系人、证件、手机、邮箱、微信、
// 地址、邮编; never the title or the description). ok is false when there is none.
func (s *RegistrationService) EarlierContact(ctx context.Context, actor User) (r Registration, ok bool, err error) {
	if actor.Role != RoleContestant {
		return Registration{}, false, nil
	}
	page, err := s.submissions.ListSubmissions(ctx, SubmissionFilter{OwnerID: actor.ID, Limit: 1})
	if err != nil || len(page.Items) == 0 {
		return Registration{}, false, err
	}
	full, err := s.submissions.SubmissionByID(InContest(ctx, ""), page.Items[0].ID) // the owner's own, in any contest
	if err != nil {
		return Registration{}, false, err
	}
	e := full.Registration
	return Registration{LeadName: e.LeadName, Employer: e.Employer, ContactName: e.ContactName, ContactIDType: e.ContactIDType,
		ContactIDNumber: e.ContactIDNumber, Mobile: e.Mobile, Email: e.Email, WeChat: e.WeChat, Address: e.Address,
		PostalCode: e.PostalCode}, true, nil
}

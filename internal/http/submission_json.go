package http

import (
	"time"

	"github.com/jskx/contest/internal/contest"
)

// The submission as the API shows it. Domain types never go to clients directly, so a field
// added to the domain is not published by accident. Plaintext personal numbers appear only in
// the owner's own view.

type registrationJSON struct {
	Title           string `json:"title"`
	LeadName        string `json:"lead_name"`
	Employer        string `json:"employer"`
	ContactName     string `json:"contact_name"`
	ContactIDType   string `json:"contact_id_type"`
	ContactIDNumber string `json:"contact_id_number,omitempty"`
	ContactIDMasked string `json:"contact_id_masked,omitempty"`
	Mobile          string `json:"mobile,omitempty"`
	MobileMasked    string `json:"mobile_masked,omitempty"`
	Email           string `json:"email"`
	WeChat          string `json:"wechat"`
	Address         string `json:"address"`
	PostalCode      string `json:"postal_code"`
	Description     string `json:"description"`
}

type consentJSON struct {
	At      time.Time `json:"at"`
	ByOwner bool      `json:"by_owner"`
	IP      string    `json:"ip,omitempty"`
}

type participantJSON struct {
	ID         string       `json:"id,omitempty"`
	Name       string       `json:"name"`
	IDType     string       `json:"id_type"`
	IDNumber   string       `json:"id_number,omitempty"`
	IDMasked   string       `json:"id_masked,omitempty"`
	Employer   string       `json:"employer"`
	ConsentURL string       `json:"consent_url,omitempty"`
	Consent    *consentJSON `json:"consent,omitempty"`
}

type attachmentJSON struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

type submissionJSON struct {
	ID            string                        `json:"id"`
	Reference     string                        `json:"reference"`
	ContestID     string                        `json:"contest_id"`
	Status        string                        `json:"status"`
	Version       int                           `json:"version"`
	Category      string                        `json:"category"`
	StatusLabel   string                        `json:"status_label"`
	Registration  registrationJSON              `json:"registration"`
	Participants  []participantJSON             `json:"participants"`
	ConsentsGiven int                           `json:"consents_given"`
	Scan          *attachmentJSON               `json:"scan,omitempty"`
	Video         *videoJSON                    `json:"video,omitempty"`
	VideoState    string                        `json:"video_state"`
	Uploading     *uploadingJSON                `json:"uploading,omitempty"`
	FormalReview  *formalJSON                   `json:"formal_review,omitempty"`
	Missing       map[string]contest.FieldError `json:"missing"`
	CreatedAt     time.Time                     `json:"created_at"`
	UpdatedAt     time.Time                     `json:"updated_at"`
	SubmittedAt   *time.Time                    `json:"submitted_at,omitempty"`

	// VideoCandidate is a video uploaded to replace the accepted one, while it is checked or
	// after it was refused (Submission.Candidate); Video stays the one entered meanwhile.
	VideoCandidate *videoJSON `json:"video_candidate,omitempty"`
}

// toSubmissionJSON converts a submission. Plaintext numbers appear only if the domain value
// carries them (the owner's own view); consentBase, when set, adds the consent links; showIP,
// for the organizer's view, adds where consents were given from.
func toSubmissionJSON(s contest.Submission, consentBase string, showIP bool) submissionJSON {
	r := s.Registration
	out := submissionJSON{
		ID: s.ID, Reference: s.Reference, ContestID: s.ContestID, Status: string(s.Status), Version: s.Version, Category: s.Category, StatusLabel: s.Status.Label(),
		Registration: registrationJSON{
			Title: r.Title, LeadName: r.LeadName, Employer: r.Employer, ContactName: r.ContactName,
			ContactIDType: string(r.ContactIDType), ContactIDNumber: r.ContactIDNumber, ContactIDMasked: s.ContactIDMasked,
			Mobile: r.Mobile, MobileMasked: s.MobileMasked, Email: r.Email, WeChat: r.WeChat,
			Address: r.Address, PostalCode: r.PostalCode, Description: r.Description,
		},
		Participants: []participantJSON{},
		Missing:      s.Missing(),
		CreatedAt:    s.CreatedAt, UpdatedAt: s.UpdatedAt, SubmittedAt: s.SubmittedAt,
	}
	if out.Missing == nil {
		out.Missing = map[string]contest.FieldError{}
	}
	out.ConsentsGiven, _ = s.ConsentCount()
	for _, p := range s.Participants {
		pj := participantJSON{ID: p.ID, Name: p.Name, IDType: string(p.IDType), IDNumber: p.IDNumber, IDMasked: p.IDMasked, Employer: p.Employer}
		if consentBase != "" && p.ConsentToken != "" {
			pj.ConsentURL = consentBase + "/consent/" + p.ConsentToken
		}
		if c := p.Consent; c != nil {
			pj.Consent = &consentJSON{At: c.At, ByOwner: c.ByOwner}
			if showIP {
				pj.Consent.IP = c.IP
			}
		}
		out.Participants = append(out.Participants, pj)
	}
	if s.Scan != nil {
		out.Scan = &attachmentJSON{Name: s.Scan.Name, ContentType: s.Scan.ContentType, Size: s.Scan.Size}
	}
	out.Video, out.VideoState = toVideoJSON(s.ID, s.Video, showIP), s.VideoState()
	out.VideoCandidate = toVideoJSON(s.ID, s.Candidate, showIP)
	out.FormalReview = toFormalJSON(s.Formal)
	if u := s.Uploading; u != nil {
		out.Uploading = &uploadingJSON{ID: u.ID, FileName: u.FileName, Size: u.Size, CreatedAt: u.CreatedAt}
	}
	return out
}

// uploadingJSON is an upload in progress as lists show it.
type uploadingJSON struct {
	ID        string    `json:"id"`
	FileName  string    `json:"file_name"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// submissionInputJSON is the body of create and update.
type submissionInputJSON struct {
	Registration registrationJSON  `json:"registration"`
	Participants []participantJSON `json:"participants"`
	// Version is the submission's version the edit starts from (required on update).
	Version int `json:"version"`
	// Category is the key of the chosen 组别; absent keeps the work's.
	Category *string `json:"category"`
}

func (j submissionInputJSON) toDomain() contest.SubmissionInput {
	r := j.Registration
	in := contest.SubmissionInput{Registration: contest.Registration{
		Title: r.Title, LeadName: r.LeadName, Employer: r.Employer, ContactName: r.ContactName,
		ContactIDType: contest.ParseIDType(r.ContactIDType), ContactIDNumber: r.ContactIDNumber,
		Mobile: r.Mobile, Email: r.Email, WeChat: r.WeChat, Address: r.Address, PostalCode: r.PostalCode,
		Description: r.Description,
	}, Version: j.Version, Category: j.Category}
	for _, p := range j.Participants {
		in.Participants = append(in.Participants, contest.Participant{ID: p.ID, Name: p.Name,
			IDType: contest.ParseIDType(p.IDType), IDNumber: p.IDNumber, Employer: p.Employer})
	}
	return in
}

package contest

import (
	"context"
	"strings"
	"time"
)

// Publication is how far a contest's results have gone public: the 公示 (public notice, during
// which anyone may object) of the confirmed awards, then the final results with certificates.
// It is stored with the contest.
type Publication struct {
	PublicityDays int // length of the 公示 in days, 5 by default
	// PublicityStart and PublicityEnd bound the running or last 公示; PublicityVersion is the
	// awards version it shows. A new awards version voids it.
	PublicityStart   *time.Time `json:",omitempty"`
	PublicityEnd     *time.Time `json:",omitempty"`
	PublicityVersion int        `json:",omitempty"`
	// PublishedAt is set while the final results are public. WithdrawnAt is set when they were
	// taken back (撤回): nothing is public until they are published again or a new 公示 starts.
	PublishedAt      *time.Time `json:",omitempty"`
	PublishedVersion int        `json:",omitempty"`
	WithdrawnAt      *time.Time `json:",omitempty"`
	Certificate      CertificateTemplate
	// RetentionDays is how long after publishing the personal data is kept (0: the default,
	// DefaultRetentionDays); PurgedAt is when it was purged.
	RetentionDays int        `json:",omitempty"`
	PurgedAt      *time.Time `json:",omitempty"`
	// Revision counts the saves; a save based on an older revision is refused, so two
	// organizers (or a double click) cannot publish twice.
	Revision int `json:"-"`
}

// DefaultPublication is a 5-day 公示 and the default certificate wording.
func DefaultPublication(issuer string) Publication {
	return Publication{PublicityDays: 5, RetentionDays: DefaultRetentionDays, Certificate: DefaultCertificateTemplate(issuer)}
}

// Stage is where the results stand.
type Stage string

// Stages of publishing.
const (
	StageJudging   Stage = "judging"   // awards not confirmed yet
	StageConfirmed Stage = "confirmed" // confirmed; 公示 not started
	StagePublicity Stage = "publicity" // 公示 running: objections are taken
	StageReady     Stage = "ready"     // 公示 over: the results may be published
	StagePublished Stage = "published" // final results public
	StageWithdrawn Stage = "withdrawn" // published, then withdrawn: nothing public; may be published again
)

// Stages returns every stage, in the order results go through them (withdrawn last).
func Stages() []Stage {
	return []Stage{StageJudging, StageConfirmed, StagePublicity, StageReady, StagePublished, StageWithdrawn}
}

// Label returns the stage in Chinese.
func (s Stage) Label() string {
	return map[Stage]string{StageJudging: "评审中", StageConfirmed: "奖项已确认，待公示", StagePublicity: "公示中",
		StageReady: "公示期满，待发布", StagePublished: "已发布", StageWithdrawn: "已撤回，复核中"}[s]
}

// Stage returns where the contest's results stand at now.
func (c Contest) Stage(now time.Time) Stage {
	p, j := c.Publication, c.Judging
	switch {
	case p.PublishedAt != nil:
		return StagePublished
	case j.AwardsConfirmedAt == nil:
		return StageJudging
	case p.PublicityStart == nil || p.PublicityVersion != j.AwardsVersion:
		return StageConfirmed
	case p.WithdrawnAt != nil:
		return StageWithdrawn
	case now.Before(*p.PublicityEnd):
		return StagePublicity
	}
	return StageReady
}

// Result is one winning work as made public: in the 公示 and, once published, in the final
// results. Only the title, the creators' names and the employer are public.
type Result struct {
	WorkID   string
	Tier     Tier
	Rank     int
	Score    float64
	Title    string
	Names    []string // the lead creator first, then the other participants
	Employer string
	// Category is the name of the work's 组别 when the list was made; "" without categories.
	Category string
}

// Creators joins the names for display.
func (r Result) Creators() string { return strings.Join(r.Names, "、") }

// PublicationStore keeps the public results, the certificates and what changes them.
type PublicationStore interface {
	// SavePublicity saves the contest's publication and, when results is not nil, replaces its
	// results, with the audit entry and the notes (one per event and recipient), in one
	// transaction. It returns EConflict, saving nothing, when the stored publication is no
	// longer at c.Publication.Revision.
	SavePublicity(ctx context.Context, c Contest, results []Result, a AuditEntry, notes []Notification) error
	// SaveAwardsState saves the contest's judging settings (the awards confirmed or reopened)
	// with the audit entry, under the same revision check as SavePublicity, which it moves on:
	// confirming or reopening the awards and publishing them cannot cross.
	SaveAwardsState(ctx context.Context, c Contest, a AuditEntry) error
	// Results returns the contest's results in rank order.
	Results(ctx context.Context, contestID string) ([]Result, error)
	// WorkResults returns the results of the given works of the contest (those that have one),
	// reading no other work's.
	WorkResults(ctx context.Context, contestID string, workIDs []string) ([]Result, error)
	// SavePublication saves the contest's publication (EConflict as SavePublicity), issues the
	// certificates in issue (one whose serial exists is made valid again), revokes (at at) those
	// whose serials are in revoke, and records the audit entry and inserts the notes (one per
	// event and recipient), in one transaction.
	SavePublication(ctx context.Context, c Contest, issue []Certificate, revoke []string, at time.Time, a AuditEntry, notes []Notification) error
	// Certificates returns every certificate of the contest, revoked ones too.
	Certificates(ctx context.Context, contestID string) ([]Certificate, error)
	// WorkCertificates returns the certificates of the given works, revoked ones too.
	WorkCertificates(ctx context.Context, workIDs []string) ([]Certificate, error)
	// CertificateBySerial returns a certificate; ENotFound when there is none.
	CertificateBySerial(ctx context.Context, serial string) (Certificate, error)
}

// creators lists a work's people by name: the lead first, then the other participants.
func creators(w Submission) []string {
	names := []string{w.Registration.LeadName}
	for _, p := range w.Participants {
		if p.Name != "" && p.Name != w.Registration.LeadName {
			names = append(names, p.Name)
		}
	}
	return names
}

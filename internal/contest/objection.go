package contest

import (
	"context"
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// ObjectionStatus is where an objection stands.
type ObjectionStatus string

// Objection statuses.
const (
	ObjectionOpen      ObjectionStatus = "open"      // filed, not yet decided
	ObjectionUpheld    ObjectionStatus = "upheld"    // 异议成立: the organizers act on it
	ObjectionDismissed ObjectionStatus = "dismissed" // 异议不成立
)

// Label returns the status in Chinese.
func (s ObjectionStatus) Label() string {
	return map[ObjectionStatus]string{ObjectionOpen: "待处理", ObjectionUpheld: "异议成立", ObjectionDismissed: "异议不成立"}[s]
}

// Objection is an 异议 filed by anyone against a work in the 公示. The contact is personal
// data: encrypted at rest, masked in lists.
type Objection struct {
	ID        string
	Reference string // 异议编号 (ObjectionReference), shown to whoever filed it
	ContestID string
	WorkID    string
	WorkTitle string
	Version   int    // the awards version in the 公示 it was filed against
	Name      string // who objects
	Contact   string // their mobile or email
	FiledBy   string // the filer's user id when signed in, else ""
	Reason    string
	CreatedAt time.Time
	Status    ObjectionStatus
	Decision  string // the organizers' answer
	DecidedBy string
	DecidedAt *time.Time
}

// ContactMasked is the contact for lists: 138****8000, z***@example.org.
func (o Objection) ContactMasked() string {
	if strings.Contains(o.Contact, "@") {
		return MaskEmail(o.Contact)
	}
	return MaskMobile(o.Contact)
}

// ObjectionStore keeps objections.
type ObjectionStore interface {
	// CreateObjection stores o and the notes in one transaction.
	CreateObjection(ctx context.Context, o *Objection, notes []Notification) error
	// Objections returns the contest's objections, newest first, contacts decrypted.
	Objections(ctx context.Context, contestID string) ([]Objection, error)
	ObjectionByID(ctx context.Context, id string) (Objection, error)
	// DecideObjection records the decision of an open objection with its audit entry and the
	// notes, in one transaction; ErrStale when it was decided meanwhile.
	DecideObjection(ctx context.Context, o Objection, a AuditEntry, notes []Notification) error
}

// ObjectionInput is an objection as filed on the public results page.
type ObjectionInput struct {
	WorkID  string
	Name    string
	Contact string
	Reason  string
	// FiledBy is the signed-in filer's user id ("" when not signed in): they are told the
	// decision in their messages.
	FiledBy string
}

var mobileRe = regexp.MustCompile(`^1[3-9]\d{9}$`)

// FileObjection records an objection against a work in the running 公示. No sign-in needed.
func (s *PublicationService) FileObjection(ctx context.Context, in ObjectionInput) (Objection, error) {
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Objection{}, err
	}
	if c.Stage(s.Now()) != StagePublicity {
		return Objection{}, Errorf(EConflict, "当前不在公示期内，不能提出异议")
	}
	results, err := s.publication.Results(ctx, c.ID)
	if err != nil {
		return Objection{}, err
	}
	var f Fields
	o := Objection{ID: newOrderedID(), ContestID: c.ID, WorkID: in.WorkID, Version: c.Publication.PublicityVersion,
		Status: ObjectionOpen, CreatedAt: s.Now(), FiledBy: in.FiledBy}
	for _, r := range results {
		if r.WorkID == in.WorkID {
			o.WorkTitle = r.Title
		}
	}
	if o.WorkTitle == "" {
		f.Add("work_id", "work_unknown", "请选择公示名单中的作品")
	}
	var fe *FieldError
	if o.Name, fe = ValidateText(in.Name, true, 40); fe != nil {
		f.Add("name", "required", "请填写您的姓名（至多40个字）")
	}
	o.Contact = strings.TrimSpace(in.Contact)
	if !mobileRe.MatchString(o.Contact) {
		if addr, err := mail.ParseAddress(o.Contact); err == nil && addr.Name == "" {
			o.Contact = strings.ToLower(addr.Address)
		} else {
			f.Add("contact", "contact", "请填写手机号码或电子邮箱，以便我们回复")
		}
	}
	if o.Reason, fe = ValidateText(in.Reason, true, 1000); fe != nil || len([]rune(o.Reason)) < 10 {
		f.Add("reason", "reason", "请写明异议理由（10–1000个字），并尽量附上可核实的依据")
	}
	if err := f.Err(); err != nil {
		return Objection{}, err
	}
	earlier, err := s.objections.Objections(ctx, c.ID)
	if err != nil {
		return Objection{}, err
	}
	for _, e := range earlier {
		if e.WorkID == o.WorkID && e.Contact == o.Contact && e.Status == ObjectionOpen {
			return Objection{}, Errorf(EConflict, "您对该作品的异议已提交，正在处理中，请勿重复提交")
		}
	}
	n, err := s.contests.NextNumber(ctx, c.ID, seriesObjection)
	if err != nil {
		return Objection{}, err
	}
	o.Reference = ObjectionReference(c, n)
	if err := s.objections.CreateObjection(ctx, &o, objectionReceivedNotifications(o.CreatedAt, c, o)); err != nil {
		return Objection{}, err
	}
	return o, nil
}

// Objections returns the contest's objections. Organizers only.
func (s *PublicationService) Objections(ctx context.Context, actor User) ([]Objection, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	return s.objections.Objections(ctx, c.ID)
}

// errObjectionDecided refuses a second decision on an objection.
var errObjectionDecided = Errorf(EConflict, "该异议已处理")

// DecideObjection settles an open objection, upheld or dismissed, with the answer; the
// decision goes to the audit log. An upheld objection is acted on by opening a new version of
// the awards, which ends the 公示. Organizers only.
func (s *PublicationService) DecideObjection(ctx context.Context, actor User, id string, upheld bool, decision string) (Objection, error) {
	if err := requireOrganizer(actor); err != nil {
		return Objection{}, err
	}
	o, err := s.objections.ObjectionByID(ctx, id)
	if err != nil {
		return Objection{}, err
	}
	if o.Status != ObjectionOpen {
		return Objection{}, errObjectionDecided
	}
	d, fe := ValidateText(decision, true, 1000)
	if fe != nil {
		return Objection{}, (Fields{"decision": {Code: "decision_required", Message: "请填写处理意见"}}).Err()
	}
	c, err := s.contests.ContestByID(ctx, o.ContestID)
	if err != nil {
		return Objection{}, err
	}
	work, err := s.submissions.SubmissionByID(ctx, o.WorkID)
	if err != nil {
		return Objection{}, err
	}
	now := s.Now()
	o.Status, o.Decision, o.DecidedBy, o.DecidedAt = ObjectionDismissed, d, actor.ID, &now
	if upheld {
		o.Status = ObjectionUpheld
	}
	a := s.newAudit(actor, "objection", o.ID, "decide",
		map[string]any{"work": o.WorkID, "title": o.WorkTitle, "reason": o.Reason, "status": string(ObjectionOpen)},
		map[string]any{"status": string(o.Status), "decision": d})
	notes := objectionDecidedNotifications(now, c, o, work.OwnerID)
	if err := s.objections.DecideObjection(ctx, o, a, notes); errors.Is(err, ErrStale) {
		return Objection{}, errObjectionDecided // by another organizer, a moment ago
	} else if err != nil {
		return Objection{}, err
	}
	return o, nil
}

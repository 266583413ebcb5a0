package contest

import (
	"fmt"
	"time"
)

// Status is where a submission stands in the contestant's path.
type Status string

// Submission statuses.
const (
	StatusDraft     Status = "draft"     // saved, may be incomplete
	StatusSubmitted Status = "submitted" // final: forms complete and every participant consented
)

// Label returns the status in Chinese.
func (s Status) Label() string {
	switch s {
	case StatusSubmitted:
		return "已提交"
	case StatusDraft:
		return "草稿"
	}
	return string(s)
}

// Statuses lists the statuses in display order.
func Statuses() []Status { return []Status{StatusDraft, StatusSubmitted} }

// MaxParticipants bounds the team size of one work.
const MaxParticipants = 20

// Registration is the 报名登记表 (附件4) of one work.
type Registration struct {
	Title           string // 作品名称
	LeadName        string // 主创姓名
	Employer        string // 工作单位
	ContactName     string // 联系人姓名
	ContactIDType   IDType // 证件类型
	ContactIDNumber string // 身份证号 (of the contact person); personal, encrypted at rest
	Mobile          string // 手机; personal, encrypted at rest
	Email           string // 电子邮箱
	WeChat          string // 微信号
	Address         string // 通信地址
	PostalCode      string // 邮政编码
	Description     string // 作品创意说明
}

// Submission is one work entered in a contest: its registration form, its team and their
// consents. Personal numbers are plaintext here only when loaded for their owner; list views
// carry only the masked forms.
type Submission struct {
	ID        string
	ContestID string
	OwnerID   string
	// Reference is the work's reference number (报名编号, WorkReference), assigned at creation.
	Reference    string
	Registration Registration
	Participants []Participant
	// Category is the key of the work's 组别 (Contest.Categories); "" while none is chosen.
	Category string
	Status   Status
	// Version grows with every write; an update based on an older version is refused, so a
	// consent given meanwhile is never overwritten.
	Version int
	Scan    *Attachment // optional scan of the signed paper 作品授权书
	Video   *Video      // the finished video upload, nil until one completes
	// Candidate is a video uploaded to replace one that passed its check. The accepted video
	// stays the work's video while the candidate is checked; a candidate that passes replaces
	// it, one that is refused stays here (its file deleted) to say why, until the next upload.
	Candidate *Video
	// Uploading is an upload in progress (a first video, or a replacement), if any.
	Uploading *Upload
	// Formal is the organizers' formal review, once decided.
	Formal *FormalReview

	ContactIDMasked string
	MobileMasked    string

	CreatedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt *time.Time
}

// AttachVideo makes v the work's video. A submitted work goes back to draft: the new video
// must pass its check before the work counts as submitted again. It reports whether the
// status changed.
func (s *Submission) AttachVideo(v Video) (reopened bool) {
	s.Video, s.Candidate, s.Uploading = &v, nil, nil
	if s.Status != StatusSubmitted {
		return false
	}
	s.Status, s.SubmittedAt = StatusDraft, nil
	return true
}

// KeepsVideo reports whether a new video must pass its check before it replaces the work's
// video: when that video passed its own. A video still checking, refused or not checkable is
// replaced at once.
func (s Submission) KeepsVideo() bool {
	return s.Video != nil && s.Video.Check.State == CheckAccepted
}

// ProposeVideo makes v the work's candidate video (see Candidate); the work's video and status
// stay as they are. A candidate before it is replaced.
func (s *Submission) ProposeVideo(v Video) {
	s.Candidate, s.Uploading = &v, nil
}

// videoByKey returns the work's video or candidate stored under key, or nil (replaced).
func (s *Submission) videoByKey(key string) *Video {
	switch {
	case s.Video != nil && s.Video.Key == key:
		return s.Video
	case s.Candidate != nil && s.Candidate.Key == key:
		return s.Candidate
	}
	return nil
}

// CandidateUnchecked reports whether a candidate video waits without a verdict (checking, or its
// check failed): an organizer's recheck checks it rather than the work's video.
func (s Submission) CandidateUnchecked() bool {
	return s.Candidate != nil && !s.Candidate.Check.hasVerdict()
}

// CandidateChecking reports whether a candidate video is waiting for (or retrying) its check.
func (s Submission) CandidateChecking() bool {
	return s.Candidate != nil && s.Candidate.Check.State == CheckPending
}

// VideoState says in Chinese where the submission's video stands, for lists.
func (s Submission) VideoState() string {
	switch {
	case s.Video != nil && s.Uploading != nil:
		return "已上传，正在替换"
	case s.CandidateChecking():
		return s.Video.Check.State.Label() + "，新视频检查中"
	case s.Video != nil && s.Candidate != nil && s.Candidate.Check.State == CheckFailed:
		return s.Video.Check.State.Label() + "，新视频无法检查"
	case s.Video != nil:
		return s.Video.Check.State.Label()
	case s.Uploading != nil:
		return "上传中"
	}
	return "未上传"
}

// Attachment is a file kept in Storage; Key is ours, Name is what the person called it.
type Attachment struct {
	Key         string
	Name        string
	ContentType string
	Size        int64
}

// refreshMasks sets the masked forms of the personal numbers from their plaintext.
func (s *Submission) refreshMasks() {
	s.ContactIDMasked = MaskIDNumber(s.Registration.ContactIDNumber)
	s.MobileMasked = MaskMobile(s.Registration.Mobile)
	for i := range s.Participants {
		s.Participants[i].IDMasked = MaskIDNumber(s.Participants[i].IDNumber)
	}
}

// EmployerOf returns a participant's 工作单位: their own, or the work's when they left it empty.
// Conflict-of-interest checks in judging compare these.
func (s Submission) EmployerOf(p Participant) string {
	if p.Employer != "" {
		return p.Employer
	}
	return s.Registration.Employer
}

// ConsentCount returns how many participants have consented, and how many there are.
func (s Submission) ConsentCount() (given, total int) {
	for _, p := range s.Participants {
		if p.Consent != nil {
			given++
		}
	}
	return given, len(s.Participants)
}

// Missing lists what keeps the submission from being final, per field, in Chinese. An empty
// result means it may be submitted.
func (s Submission) Missing() Fields {
	var f Fields
	reg := s.Registration
	fields := ErrorFields(reg.Validate())
	// Views other than the owner's carry personal numbers only masked; a stored number passed
	// validation when it was saved.
	if reg.ContactIDNumber == "" && s.ContactIDMasked != "" {
		delete(fields, "contact_id_number")
	}
	if reg.Mobile == "" && s.MobileMasked != "" {
		delete(fields, "mobile")
	}
	if len(fields) > 0 {
		f.Add("registration", "registration_incomplete", "报名登记表尚未填写完整")
	}
	if len(s.Participants) == 0 {
		f.Add("participants", "participants_required", "请至少填写一位参与人员")
	}
	switch {
	case s.Video == nil:
		f.Add("video", "video_missing", "尚未上传参赛视频")
	case s.Video.Check.State == CheckPending:
		f.Add("video", "video_checking", "参赛视频正在检查，通过后才能提交")
	case s.Video.Check.State == CheckRejected:
		f.Add("video", "video_rejected", "参赛视频未通过检查，请按提示重新上传")
	case s.Video.Check.State == CheckFailed:
		f.Add("video", "video_check_failed", "参赛视频检查出错，请稍后再试或联系组织方")
	}
	for i, p := range s.Participants {
		if p.Consent == nil {
			f.Add(fmt.Sprintf("participants.%d.consent", i), "consent_missing",
				fmt.Sprintf("参与人员“%s”尚未签署作品授权书", p.Name))
		}
	}
	return f
}

// SubmissionFilter selects submissions in the organizer's list.
type SubmissionFilter struct {
	ContestID string
	OwnerID   string
	Status    Status
	Query     string // matches title, lead creator or employer, or is the reference number
	Employer  string
	IDNumber  string // exact match, of the contact or any participant; turned into IDKey
	Mobile    string // exact match; turned into MobileKey
	// IDKey and MobileKey are the keyed hashes searched for. They, not the numbers, may travel
	// in URLs (see Service.SearchKey), so full numbers never reach access logs or history.
	IDKey     string
	MobileKey string
	Consent   string // "complete" or "incomplete"; "" for both
	// Check selects by the video's media check: a CheckState, or CheckNone for no video yet.
	Check CheckState
	// Reason selects videos whose check gave this code, as a reason or a warning.
	Reason string
	// Formal selects by the formal review's decision.
	Formal FormalDecision
	// Category selects the works of one 组别, by its key.
	Category string
	Offset   int
	Limit    int
}

// SubmissionPage is a page of a filtered list, with counts over the whole filter.
type SubmissionPage struct {
	Items    []Submission
	Total    int64
	ByStatus map[Status]int64
}

package contest

import (
	"context"
	"time"
)

// UserStore keeps accounts.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error // EConflict when the email is taken
	// CreateAccount stores an account and its first session together, or neither; EConflict
	// when the email is taken.
	CreateAccount(ctx context.Context, u *User, s *Session) error
	UserByID(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	CountUsers(ctx context.Context, role Role) (int64, error)
	UpdateUser(ctx context.Context, u *User) error
	// UsersByRole lists the accounts of a role, by name.
	UsersByRole(ctx context.Context, role Role) ([]User, error)
	// AddMember makes u a member of the contest in u's role, with the audit entry if given
	// (written only when u was not a member yet).
	AddMember(ctx context.Context, contestID string, u User, at time.Time, a *AuditEntry) error
	// RemoveMember ends a membership, with its audit entry; ENotFound when there is none.
	RemoveMember(ctx context.Context, contestID, userID string, a AuditEntry) error
	IsMember(ctx context.Context, contestID, userID string) (bool, error)
	// MemberContests returns the ids of the contests the user is a member of.
	MemberContests(ctx context.Context, userID string) ([]string, error)
	// ContestUsers lists the accounts of a role taking part in the contest, by name: its
	// members, and for organizers the site administrators too.
	ContestUsers(ctx context.Context, contestID string, role Role) ([]User, error)
}

// SessionStore keeps signed-in sessions by the hash of their token.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	SessionByTokenHash(ctx context.Context, hash string) (Session, error)
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions signs a user out everywhere except the session with keepHash.
	DeleteUserSessions(ctx context.Context, userID, keepHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}

// ContestStore keeps contests.
type ContestStore interface {
	CreateContest(ctx context.Context, c *Contest) error
	ContestByID(ctx context.Context, id string) (Contest, error)
	// CurrentContest returns the contest ctx is about (InContest) or, about none, the default.
	CurrentContest(ctx context.Context) (Contest, error)
	// DefaultContest returns the contest the unprefixed routes stand for: the one marked
	// default, else the most recently created.
	DefaultContest(ctx context.Context) (Contest, error)
	// ContestBySlug returns the contest of a URL's /c/{slug}/; ENotFound when there is none.
	ContestBySlug(ctx context.Context, slug string) (Contest, error)
	// AllContests returns every contest, the newest collection first.
	AllContests(ctx context.Context) ([]Contest, error)
	// OpenContestsOr returns the contests ids and those not archived whose collection window
	// holds now, newest collection first: what a contestant's 我的作品 may show, read without
	// the other contests. It may return a few more (a second's margin); the caller decides.
	OpenContestsOr(ctx context.Context, now time.Time, ids []string) ([]Contest, error)
	// SetDefaultContest makes one contest the default, and no other, with the audit entry.
	SetDefaultContest(ctx context.Context, id string, a AuditEntry) error
	// SetArchived archives the contest at at, or reopens it (nil), with the audit entry.
	SetArchived(ctx context.Context, id string, at *time.Time, a AuditEntry) error
	// UpdateContest saves the settings an organizer edits on the contest page; never the
	// judging settings or the publication, which have their own saves.
	UpdateContest(ctx context.Context, c *Contest) error
	// SaveJudging saves the contest's judging settings only, with the notes (one per event
	// and recipient) in the same transaction.
	SaveJudging(ctx context.Context, c Contest, notes ...Notification) error
	// SaveNotices saves the contest's texts of the notifications only.
	SaveNotices(ctx context.Context, c Contest) error
	// NextNumber returns the next number, from 1, of the contest's series (works,
	// objections); each number is returned once, even to callers at the same moment.
	NextNumber(ctx context.Context, contestID, series string) (int64, error)
}

// SubmissionStore keeps submissions with their participants and consents. Implementations
// encrypt personal numbers at rest and search them through a keyed hash.
type SubmissionStore interface {
	// CreateSubmission inserts s and the notes (its 回执) in one transaction.
	CreateSubmission(ctx context.Context, s *Submission, notes []Notification) error
	// UpdateSubmission replaces the registration, participants and status of s.
	UpdateSubmission(ctx context.Context, s *Submission) error
	// SubmitSubmission saves s as UpdateSubmission does and inserts the notes (one per event
	// and recipient), in one transaction.
	SubmitSubmission(ctx context.Context, s *Submission, notes []Notification) error
	// SubmissionByID returns the full submission, personal numbers decrypted.
	SubmissionByID(ctx context.Context, id string) (Submission, error)
	// ParticipantByConsentToken finds the submission and participant a consent link is for.
	ParticipantByConsentToken(ctx context.Context, token string) (Submission, int, error)
	// SaveConsent records a consent if the submission is still at version: the participant the
	// person checked their name and number against is the one that is stored. Otherwise it
	// returns EConflict and changes nothing.
	SaveConsent(ctx context.Context, submissionID string, version int, participantID string, c Consent) error
	// ListSubmissions returns a page of submissions matching f, personal numbers only masked,
	// and the counts per status of all submissions matching f.
	ListSubmissions(ctx context.Context, f SubmissionFilter) (SubmissionPage, error)
	// SubmissionNeighbors returns the ids just before and after id in the list f selects (its
	// order, not its page), "" where there is none; id itself need not match f.
	SubmissionNeighbors(ctx context.Context, f SubmissionFilter, id string) (prev, next string, err error)
	// CountSubmissions counts the submissions matching f, reading none of them.
	CountSubmissions(ctx context.Context, f SubmissionFilter) (int64, error)
	DeleteSubmission(ctx context.Context, id string) error
	// SaveVideoCheck records the check of the submission's video, or of its candidate video,
	// whichever is still the one under videoKey; otherwise it changes nothing and returns nil
	// (the video was replaced).
	SaveVideoCheck(ctx context.Context, submissionID, videoKey string, c VideoCheck) error
	// SaveVideoVerdict records the verdict as SaveVideoCheck does and, if the video is still
	// videoKey, inserts what follows it (the notes, one per event and recipient: a note already
	// there is left alone; the job that makes its poster and web copy; the content scan,
	// marked queued), in one transaction.
	SaveVideoVerdict(ctx context.Context, submissionID, videoKey string, c VideoCheck, follow VerdictFollowUp) error
	// SaveVideoCopies records c's poster, web copy and done flags if the video is still
	// videoKey and its recorded verdict is still c's (checked at the same time).
	SaveVideoCopies(ctx context.Context, submissionID, videoKey string, c VideoCheck) error
	// RequestVideoCheck sets the check of the submission's video or candidate (whichever is
	// still videoKey) back to checking and queues it, in one transaction.
	RequestVideoCheck(ctx context.Context, submissionID, videoKey string) error
	// PromoteCandidate makes the submission's candidate video (if still c's key, and its video
	// still oldKey) its video, with the verdict c, in one transaction with what follows it
	// (as SaveVideoVerdict). The status stays; a pass at
	// 形式审查 is withdrawn, the new video being reviewed anew, with the audit entry withdrawn
	// (if given and there was a pass). It returns ErrStale and changes nothing when either was
	// replaced meanwhile.
	PromoteCandidate(ctx context.Context, submissionID, oldKey string, candidate Video, follow VerdictFollowUp, withdrawn *AuditEntry) error
	// SaveFormalReview records the formal review of a submission, its audit entry and the notes
	// (one per event and recipient), in one transaction.
	SaveFormalReview(ctx context.Context, submissionID string, fr FormalReview, a AuditEntry, notes []Notification) error
	// SearchKey returns the keyed hash under which a normalized personal number is stored
	// (during a key rotation, the hashes under each key, comma-separated).
	SearchKey(value string) string
}

package contest

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"runtime"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The use cases are split by the contest's stages, one service type each, with the stores it
// needs (docs/design/architecture.md draws them):
//
//	ContestService      the contest's settings
//	RegistrationService accounts, the 报名登记表, participants and their 授权书
//	MediaService        video uploads and checks
//	JudgingService      judges, formal review, assignment, reviews, ranking, awards
//	PublicationService  the 公示, objections, results, certificates, the showcase
//	ReportService       exports, packages, statistics, the audit log
//	MessageService      the message centre (站内消息): each person's notifications
//
// A later stage may call an earlier one (judging reads accounts, publication reads awards),
// never the reverse. Each enforces roles, ownership and deadlines; the stores only keep data.

// Services are the contest's use cases, one per stage, wired over the same stores.
type Services struct {
	Contests     *ContestService
	Registration *RegistrationService
	Media        *MediaService
	Judging      *JudgingService
	Publication  *PublicationService
	Reports      *ReportService
	Messages     *MessageService
	// Accounts mails the self-service links (password reset, invitation, verification).
	Accounts *AccountService
	// Now is the server clock the services judge deadlines by.
	Now func() time.Time

	storage Storage
}

// Stores is everything the services keep data in.
type Stores interface {
	UserStore
	SessionStore
	ContestStore
	SubmissionStore
	UploadStore
	AuditStore
	ReviewStore
	RoundStore
	AwardStore
	PublicationStore
	ObjectionStore
	RecommendationStore
	ExportStore
	RetentionStore
	NotificationStore
	DeliveryStore
	SMSDeliveryStore
	MobileStore
	ReminderStore
	AccountStore
	PairStore
	ScanStore
}

// Options are the services' settings and the tools they use; the zero value of each field
// takes its default.
type Options struct {
	// Now is the server clock (time.Now); tests replace it. Deadlines are never judged by a
	// client's clock.
	Now func() time.Time
	// BcryptCost is the password hashing cost (12); tests lower it.
	BcryptCost int
	// HashWorkers is how many password hashes run at once (runtime.GOMAXPROCS(0)): a hash is
	// all CPU, so more at once only makes each slower and starves the rest of the site. The
	// others wait in line.
	HashWorkers int
	// HashWait is how long a hash waits in line (10 s) before its sign-up, sign-in or password
	// change is answered 503 unavailable with a Retry-After; a line that long is refused at
	// once.
	HashWait time.Duration
	// ObserveHashWait, when set, is called with each hash's wait for a worker (for metrics);
	// not for a hash refused at once.
	ObserveHashWait func(wait time.Duration)
	// SessionTTL is how long a sign-in lasts (14 days).
	SessionTTL time.Duration
	// Uploads are the video upload settings; zero means DefaultUploadSettings.
	Uploads UploadSettings
	// Media measures and converts videos; nil when ffmpeg is not installed (checks then fail
	// visibly and can be run again once it is).
	Media MediaTools
	// Content decodes videos for the content scan and OCR reads their text; either nil
	// leaves that part out (the scan says so).
	Content ContentTools
	OCR     TextReader
	// Check tunes the media check; zero means the default duration tolerance and the
	// system's temporary folder.
	Check CheckSettings
	// Certificates draws certificates; nil when no CJK font is installed (downloads then say so).
	Certificates CertificateRenderer
	// Spreadsheets writes workbooks (for the national package).
	Spreadsheets SpreadsheetWriter
	// BaseURL is the site's public address, printed in certificates' QR codes.
	BaseURL string
	// MaxWorks is how many works one account may enter in a contest (DefaultMaxWorks).
	MaxWorks int
	// Files seals files that hold personal data before they are stored; nil stores them as
	// they are (only where no key is configured).
	Files FileSealer
	// Mailer sends the notifications by e-mail; nil sends none (site messages only). The
	// database adapter must be told as well, so that it queues the deliveries.
	Mailer Mailer
	// SMS sends the important notifications by SMS too; a nil Sender sends none. The database
	// adapter must be told as well (DB.SetSMSDelivery), so that it queues the deliveries.
	SMS SMSSettings
}

// FileSealer encrypts the files that hold personal data (scans of the signed 作品授权书 show
// ID numbers) before they are stored.
type FileSealer interface {
	SealFile(plain []byte) ([]byte, error)
	// OpenFile decrypts a sealed file; a file stored before sealing is returned as it is.
	OpenFile(stored []byte) ([]byte, error)
}

// DefaultMaxWorks is how many works one account may enter in a contest by default: a team
// rarely enters more, and each work may hold a large upload.
const DefaultMaxWorks = 5

// DefaultHashWait is how long a password hash waits in line for a worker: past it the client is
// told to come back (the sign-up page and the API's clients retry after Retry-After).
const DefaultHashWait = 10 * time.Second

// withDefaults fills the options left zero.
func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Uploads == (UploadSettings{}) {
		o.Uploads = DefaultUploadSettings()
	}
	if o.Check == (CheckSettings{}) {
		o.Check = CheckSettings{DurationTolerance: DefaultDurationTolerance}
	}
	o.BcryptCost = cmp.Or(o.BcryptCost, 12)
	o.HashWorkers = cmp.Or(o.HashWorkers, runtime.GOMAXPROCS(0))
	o.HashWait = cmp.Or(o.HashWait, DefaultHashWait)
	o.SessionTTL = cmp.Or(o.SessionTTL, 14*24*time.Hour)
	o.MaxWorks = cmp.Or(o.MaxWorks, DefaultMaxWorks)
	o.SMS.ParamMax = cmp.Or(o.SMS.ParamMax, DefaultSMSParamMax)
	return o
}

// New wires the services over the stores and the file storage. It is the one place where
// they are built: `contest serve`, `contest migrate` and the tests all call it.
func New(db Stores, storage Storage, opts Options) *Services {
	opts = opts.withDefaults()
	c := &core{Now: opts.Now, contests: db, submissions: db, auditLog: db, storage: storage}
	media := &MediaService{core: c, uploads: db, settings: opts.Uploads, tools: opts.Media, check: opts.Check,
		scans: db, content: opts.Content, ocr: opts.OCR}
	passwords := newPasswordPool(opts.BcryptCost, opts.HashWorkers, opts.HashWait, opts.ObserveHashWait)
	accounts := &AccountService{core: c, users: db, sessions: db, tokens: db, passwords: passwords,
		sessionTTL: opts.SessionTTL, mailer: opts.Mailer, baseURL: opts.BaseURL}
	reg := &RegistrationService{core: c, users: db, sessions: db, mobiles: db, media: media, accounts: accounts,
		passwords: passwords, sessionTTL: opts.SessionTTL, maxWorks: opts.MaxWorks, files: opts.Files}
	judging := &JudgingService{core: c, users: db, sessions: db, reviews: db, rounds: db, awards: db, publication: db, pairs: db,
		registration: reg, accounts: accounts, media: media}
	pub := &PublicationService{core: c, publication: db, objections: db, recommendations: db, retention: db,
		judging: judging, media: media, certificates: opts.Certificates, baseURL: opts.BaseURL}
	reports := &ReportService{core: c, users: db, exports: db, publication: db, objections: db, recommendations: db,
		judging: judging, pub: pub, spreadsheets: opts.Spreadsheets, tempDir: opts.Check.TempDir}
	return &Services{Contests: &ContestService{core: c, mail: opts.Mailer != nil, users: db, registration: reg}, Registration: reg, Accounts: accounts, Media: media, Judging: judging,
		Publication: pub, Reports: reports, Messages: &MessageService{core: c, notes: db, deliveries: db, users: db, reminders: db, mailer: opts.Mailer,
			baseURL: opts.BaseURL, sms: opts.SMS, smsStore: db}, Now: opts.Now, storage: storage}
}

// BrowserOriginer is implemented by storages that browsers reach directly (S3 with presigned
// URLs): the scheme and host they use, which the pages' Content-Security-Policy must allow.
type BrowserOriginer interface {
	BrowserOrigin() string
}

// StorageOrigin is the origin browsers send video parts to and play videos from when it is not
// the site itself; "" when storage goes through the site.
func (s *Services) StorageOrigin() string {
	if o, ok := s.storage.(BrowserOriginer); ok {
		return o.BrowserOrigin()
	}
	return ""
}

// Ping reports whether storage is reachable (the database is checked by its adapter).
func (s *Services) Ping(ctx context.Context) error { return s.storage.Ping(ctx) }

// core is what every stage shares: the server clock, the contests, the works, the audit log
// and the file storage.
type core struct {
	// Now is the server clock.
	Now         func() time.Time
	contests    ContestStore
	submissions SubmissionStore
	auditLog    AuditStore
	storage     Storage
}

// ContestService reads and changes the contest's settings.
type ContestService struct {
	*core
	mail         bool // e-mail is configured: verification can be required
	users        UserStore
	registration *RegistrationService // the accounts of contests' organizers
}

// RegistrationService carries out accounts, the 报名登记表, the team and their 授权书.
type RegistrationService struct {
	*core
	users      UserStore
	sessions   SessionStore
	media      *MediaService   // a deleted work's video, the upload grace at finalizing
	accounts   *AccountService // a new account's verification mail
	passwords  *passwordPool   // every password hash and comparison goes through it
	sessionTTL time.Duration
	maxWorks   int
	files      FileSealer
	mobiles    MobileStore

	dummyOnce sync.Once
	dummy     []byte
	guard     signInGuard
}

// MediaService receives videos (resumable uploads) and checks them in the background.
type MediaService struct {
	*core
	uploads  UploadStore
	settings UploadSettings
	tools    MediaTools
	check    CheckSettings
	scans    ScanStore
	content  ContentTools // the content scan's decoding; nil without ffmpeg
	ocr      TextReader   // its text reading; nil without Tesseract
}

// JudgingService runs judging: judges, formal review, assignment, reviews, ranking and awards.
type JudgingService struct {
	*core
	users        UserStore
	sessions     SessionStore
	reviews      ReviewStore
	rounds       RoundStore // the rounds advanced before the current one
	awards       AwardStore
	pairs        PairStore        // the pairwise check at the award cuts
	publication  PublicationStore // a published result freezes the awards
	registration *RegistrationService
	accounts     *AccountService // judges' invitations by mail
	media        *MediaService
	reports      reportCache // the judging desk's statistics, while the reviews stay as they are
}

// PublicationService takes the confirmed awards to the public: the 公示 and its objections,
// the results, certificates and the showcase.
type PublicationService struct {
	*core
	publication     PublicationStore
	objections      ObjectionStore
	recommendations RecommendationStore // the works recommended to the national contest
	retention       RetentionStore
	judging         *JudgingService
	media           *MediaService
	certificates    CertificateRenderer
	baseURL         string
}

// ReportService builds what leaves the system for organizers: exports, packages, statistics
// and the audit log.
type ReportService struct {
	*core
	users           UserStore
	exports         ExportStore
	publication     PublicationStore
	objections      ObjectionStore
	recommendations RecommendationStore
	judging         *JudgingService
	pub             *PublicationService
	spreadsheets    SpreadsheetWriter
	tempDir         string // where packages are built before they are stored
}

// NewID returns a new random identifier for a stored record.
func NewID() string { return uuid.NewString() }

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

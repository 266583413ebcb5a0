package contest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Service carries out the contest's use cases. It enforces roles, ownership, deadlines and the
// registration rules; the stores only keep data.
type Service struct {
	users       UserStore
	sessions    SessionStore
	contests    ContestStore
	submissions SubmissionStore
	uploads     UploadStore
	auditLog    AuditStore
	reviews     ReviewStore
	awards      AwardStore
	publication PublicationStore
	objections  ObjectionStore
	// recommendations are the works recommended to the national contest.
	recommendations RecommendationStore
	exports         ExportStore
	storage         Storage

	// Now is the server clock; tests replace it. Deadlines are never judged by a client's clock.
	Now func() time.Time
	// BcryptCost is the password hashing cost; tests lower it.
	BcryptCost int
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration
	// Uploads are the video upload settings.
	Uploads UploadSettings
	// Media measures and converts videos; nil when ffmpeg is not installed (checks then fail
	// visibly and can be run again once it is).
	Media MediaTools
	// Check tunes the media check.
	Check CheckSettings
	// Certificates draws certificates; nil when no CJK font is installed (downloads then say so).
	Certificates CertificateRenderer
	// Spreadsheets writes workbooks (for the national package).
	Spreadsheets SpreadsheetWriter
	// BaseURL is the site's public address, printed in certificates' QR codes.
	BaseURL string

	dummyOnce sync.Once
	dummy     []byte
}

// Stores is everything the service keeps data in.
type Stores interface {
	UserStore
	SessionStore
	ContestStore
	SubmissionStore
	UploadStore
	AuditStore
	ReviewStore
	AwardStore
	PublicationStore
	ObjectionStore
	RecommendationStore
	ExportStore
}

// NewService returns a service over the stores and the file storage.
func NewService(db Stores, storage Storage) *Service {
	return &Service{
		users: db, sessions: db, contests: db, submissions: db, uploads: db, auditLog: db, reviews: db, awards: db,
		publication: db, objections: db, recommendations: db, exports: db,
		storage:    storage,
		Uploads:    DefaultUploadSettings(),
		Check:      CheckSettings{DurationTolerance: DefaultDurationTolerance},
		Now:        time.Now,
		BcryptCost: 12,
		SessionTTL: 14 * 24 * time.Hour,
	}
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

// Ping reports whether storage is reachable (the database is checked by its adapter).
func (s *Service) Ping(ctx context.Context) error { return s.storage.Ping(ctx) }

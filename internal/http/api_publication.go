package http

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// resultJSON is a winning work as the public sees it.
type resultJSON struct {
	WorkID    string   `json:"work_id"`
	Tier      string   `json:"tier"`
	TierLabel string   `json:"tier_label"`
	Title     string   `json:"title"`
	Creators  []string `json:"creators"`
	Employer  string   `json:"employer"`
}

func toResultsJSON(rs []contest.Result) []resultJSON {
	out := make([]resultJSON, len(rs))
	for i, r := range rs {
		out[i] = resultJSON{WorkID: r.WorkID, Tier: tierNames[r.Tier], TierLabel: r.Tier.Label(), Title: r.Title, Creators: r.Names, Employer: r.Employer}
	}
	return out
}

// publicationJSON is where the results stand.
type publicationJSON struct {
	Stage          string     `json:"stage"`
	StageLabel     string     `json:"stage_label"`
	PublicityStart *time.Time `json:"publicity_start,omitempty"`
	PublicityEnd   *time.Time `json:"publicity_end,omitempty"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
	PublicityDays  int        `json:"publicity_days"`
}

func toPublicationJSON(c contest.Contest, now time.Time) publicationJSON {
	p, st := c.Publication, c.Stage(now)
	out := publicationJSON{Stage: string(st), StageLabel: st.Label(), PublishedAt: p.PublishedAt, PublicityDays: p.PublicityDays}
	if st == contest.StagePublicity || st == contest.StageReady || st == contest.StagePublished || st == contest.StageWithdrawn {
		out.PublicityStart, out.PublicityEnd = p.PublicityStart, p.PublicityEnd // not those of a voided 公示
	}
	return out
}

func (s *Server) apiResults(c echo.Context) error {
	r, err := s.svc.Publication.PublicResults(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, publicResultsJSON{Publication: toPublicationJSON(r.Contest, s.svc.Now()), Items: toResultsJSON(r.Results)})
}

// publicResultsJSON is where the results stand and the winners the public may see.
type publicResultsJSON struct {
	Publication publicationJSON `json:"publication"`
	Items       []resultJSON    `json:"items"`
}

func (s *Server) apiFileObjection(c echo.Context) error {
	var in struct {
		WorkID  string `json:"work_id"`
		Name    string `json:"name"`
		Contact string `json:"contact"`
		Reason  string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	o, err := s.svc.Publication.FileObjection(c.Request().Context(), contest.ObjectionInput{WorkID: in.WorkID, Name: in.Name, Contact: in.Contact, Reason: in.Reason})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, filedObjectionJSON{ID: o.ID, Status: string(o.Status), CreatedAt: o.CreatedAt})
}

// filedObjectionJSON tells whoever objected that the objection is recorded.
type filedObjectionJSON struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) apiVerify(c echo.Context) error {
	v, err := s.svc.Publication.VerifyCertificate(c.Request().Context(), c.Param("serial"))
	if err != nil {
		return err
	}
	if !v.Found {
		return contest.Errorf(contest.ENotFound, "未查到该编号的证书，可能是伪造的或编号有误")
	}
	cert := v.Certificate
	if !v.Genuine() {
		// A revoked certificate says only that: the award it named was withdrawn or changed.
		return c.JSON(http.StatusOK, revokedJSON{Serial: cert.Serial, Genuine: false, RevokedAt: cert.RevokedAt})
	}
	return c.JSON(http.StatusOK, verificationJSON{Serial: cert.Serial, Genuine: true,
		Contest: v.Contest.Name, Tier: tierNames[cert.Tier], TierLabel: cert.Tier.Label(), Title: cert.Title,
		Creators: cert.Names, Recipient: cert.Recipient, Employer: cert.Employer, Issuer: v.Issuer, IssuedAt: cert.IssuedAt})
}

// revokedJSON is a certificate that no longer stands: only that, and since when (null when
// the results were withdrawn rather than the award changed).
type revokedJSON struct {
	Serial    string     `json:"serial"`
	Genuine   bool       `json:"genuine"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// verificationJSON is what a genuine certificate certifies.
type verificationJSON struct {
	Serial    string    `json:"serial"`
	Genuine   bool      `json:"genuine"`
	Contest   string    `json:"contest"`
	Tier      string    `json:"tier"`
	TierLabel string    `json:"tier_label"`
	Title     string    `json:"title"`
	Creators  []string  `json:"creators"`
	Recipient string    `json:"recipient"` // the participant it is for; "" for the work's own
	Employer  string    `json:"employer"`
	Issuer    string    `json:"issuer"`
	IssuedAt  time.Time `json:"issued_at"`
}

// objectionJSON is an objection for organizers; the contact is masked.
type objectionJSON struct {
	ID        string     `json:"id"`
	WorkID    string     `json:"work_id"`
	WorkTitle string     `json:"work_title"`
	Name      string     `json:"name"`
	Contact   string     `json:"contact_masked"`
	Reason    string     `json:"reason"`
	Status    string     `json:"status"`
	Decision  string     `json:"decision,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
}

func toObjectionJSON(o contest.Objection) objectionJSON {
	return objectionJSON{ID: o.ID, WorkID: o.WorkID, WorkTitle: o.WorkTitle, Name: o.Name, Contact: o.ContactMasked(), Reason: o.Reason,
		Status: string(o.Status), Decision: o.Decision, CreatedAt: o.CreatedAt, DecidedAt: o.DecidedAt}
}

func (s *Server) apiPublication(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	list, err := s.svc.Publication.Objections(ctx, u)
	if err != nil {
		return err
	}
	items := make([]objectionJSON, len(list))
	for i, o := range list {
		items[i] = toObjectionJSON(o)
	}
	return c.JSON(http.StatusOK, publicationOverviewJSON{Publication: toPublicationJSON(ct, s.svc.Now()), Objections: items})
}

// publicationOverviewJSON is where the results stand, with the objections for organizers.
type publicationOverviewJSON struct {
	Publication publicationJSON `json:"publication"`
	Objections  []objectionJSON `json:"objections"`
}

// apiPublicationAction runs a publishing step and answers with where the results stand.
func (s *Server) apiPublicationAction(do func(c echo.Context, u contest.User) (contest.Contest, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, _ := currentUser(c)
		ct, err := do(c, u)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toPublicationJSON(ct, s.svc.Now()))
	}
}

func (s *Server) apiStartPublicity(c echo.Context, u contest.User) (contest.Contest, error) {
	return s.svc.Publication.StartPublicity(c.Request().Context(), u)
}

func (s *Server) apiPublish(c echo.Context, u contest.User) (contest.Contest, error) {
	return s.svc.Publication.Publish(c.Request().Context(), u)
}

func (s *Server) apiUnpublish(c echo.Context, u contest.User) (contest.Contest, error) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return contest.Contest{}, err
	}
	return s.svc.Publication.Unpublish(c.Request().Context(), u, in.Reason)
}

func (s *Server) apiDecideObjection(c echo.Context) error {
	var in struct {
		Upheld   bool   `json:"upheld"`
		Decision string `json:"decision"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	o, err := s.svc.Publication.DecideObjection(c.Request().Context(), u, c.Param("id"), in.Upheld, in.Decision)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toObjectionJSON(o))
}

func (s *Server) apiSetRecommended(c echo.Context) error {
	var in struct {
		Recommended bool `json:"recommended"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	if err := s.svc.Publication.SetRecommended(c.Request().Context(), u, c.Param("id"), in.Recommended); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, recommendationJSON{WorkID: c.Param("id"), Recommended: in.Recommended})
}

// recommendationJSON is a work's recommendation to the national contest, as saved.
type recommendationJSON struct {
	WorkID      string `json:"work_id"`
	Recommended bool   `json:"recommended"`
}

// exportJSON is a package being built.
type exportJSON struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	Status      string     `json:"status"`
	Done        int        `json:"done"`
	Total       int        `json:"total"`
	Size        int64      `json:"size,omitempty"`
	Error       string     `json:"error,omitempty"`
	DownloadURL string     `json:"download_url,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

func toExportJSON(j contest.ExportJob) exportJSON {
	out := exportJSON{ID: j.ID, Kind: j.Kind, Status: j.Status, Done: j.Done, Total: j.Total, Size: j.Size, Error: j.Error,
		CreatedAt: j.CreatedAt, FinishedAt: j.FinishedAt}
	if j.Status == contest.ExportDone {
		out.DownloadURL = "/admin/exports/packages/" + j.ID + "/download"
	}
	return out
}

func (s *Server) apiStartExport(c echo.Context) error {
	var in struct {
		Kind string `json:"kind"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	j, err := s.svc.Reports.StartExport(c.Request().Context(), u, in.Kind)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toExportJSON(j))
}

func (s *Server) apiExport(c echo.Context) error {
	u, _ := currentUser(c)
	j, err := s.svc.Reports.Export(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExportJSON(j))
}

func (s *Server) apiStatistics(c echo.Context) error {
	u, _ := currentUser(c)
	st, err := s.svc.Reports.Statistics(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toStatisticsJSON(st))
}

// statisticsJSON are the figures of the organizers' report.
type statisticsJSON struct {
	Drafts     int           `json:"drafts"`
	Works      int           `json:"works"`
	Accepted   int           `json:"accepted"`
	Awards     [3]int        `json:"awards"` // 一/二/三等奖
	ByEmployer []statRowJSON `json:"by_employer"`
	ByCity     []statRowJSON `json:"by_city"`
	PerDay     []statDayJSON `json:"per_day"`
}

// statRowJSON counts the works of one employer or city.
type statRowJSON struct {
	Name     string `json:"name"`
	Works    int    `json:"works"`
	Accepted int    `json:"accepted"`
	Awards   [3]int `json:"awards"`
}

// statDayJSON counts the works started and submitted on one day.
type statDayJSON struct {
	Date      string `json:"date"`
	Created   int    `json:"created"`
	Submitted int    `json:"submitted"`
}

func toStatisticsJSON(st contest.Statistics) statisticsJSON {
	rows := func(rs []contest.StatRow) []statRowJSON {
		out := make([]statRowJSON, len(rs))
		for i, r := range rs {
			out[i] = statRowJSON{Name: r.Name, Works: r.Works, Accepted: r.Accepted, Awards: r.Awards}
		}
		return out
	}
	days := make([]statDayJSON, len(st.PerDay))
	for i, d := range st.PerDay {
		days[i] = statDayJSON{Date: d.Date, Created: d.Created, Submitted: d.Submitted}
	}
	return statisticsJSON{Drafts: st.Drafts, Works: st.Works, Accepted: st.Accepted, Awards: st.Awards,
		ByEmployer: rows(st.ByEmployer), ByCity: rows(st.ByCity), PerDay: days}
}

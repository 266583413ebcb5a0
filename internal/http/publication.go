package http

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// publicationDesk handles the organizers' publication desk: 公示, publishing, certificates, recommendations.
type publicationDesk struct{ *Server }

func (s publicationDesk) routes(r router) {
	r.admin.GET("/publication", s.pagePublication)
	r.admin.POST("/publication/publicity", s.publicationAction(s.startPublicity))
	r.admin.POST("/publication/publish", s.publicationAction(s.publish))
	r.admin.POST("/publication/unpublish", s.publicationAction(s.unpublish))
	r.admin.POST("/publication/settings", s.pagePublicationSettings)
	r.admin.POST("/publication/purge", s.pagePurge)
	r.admin.GET("/publication/certificate-preview", s.previewCertificate)
	r.admin.POST("/publication/exports", s.pageStartExport)
	r.admin.POST("/recommendations/:id", s.publicationAction(s.recommend))
	r.org.GET("/publication", s.apiPublication)
	r.org.GET("/publication/settings", s.apiPublicationSettings)
	r.org.PUT("/publication/settings", s.apiUpdatePublicationSettings)
	r.org.POST("/publication/publicity", s.apiPublicationAction(s.apiStartPublicity))
	r.org.POST("/publication/publish", s.apiPublicationAction(s.apiPublish))
	r.org.POST("/publication/unpublish", s.apiPublicationAction(s.apiUnpublish))
	r.org.POST("/publication/purge", s.apiPurge)
	r.org.PUT("/recommendations/:id", s.apiSetRecommended)
}

// publicationJSON is where the results stand.
type publicationJSON struct {
	Stage          string     `json:"stage"`
	StageLabel     string     `json:"stage_label"`
	PublicityStart *time.Time `json:"publicity_start,omitempty"`
	PublicityEnd   *time.Time `json:"publicity_end,omitempty"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
	PublicityDays  int        `json:"publicity_days"`
	// RetentionDays is how long after publishing personal data is kept; PurgeDue is when it may
	// be purged (once published), PurgedAt when it was.
	RetentionDays int        `json:"retention_days"`
	PurgeDue      *time.Time `json:"purge_due,omitempty"`
	PurgedAt      *time.Time `json:"purged_at,omitempty"`
}

func toPublicationJSON(c contest.Contest, now time.Time) publicationJSON {
	p, st := c.Publication, c.Stage(now)
	out := publicationJSON{Stage: string(st), StageLabel: st.Label(), PublishedAt: p.PublishedAt, PublicityDays: p.PublicityDays,
		RetentionDays: p.Retention(), PurgedAt: p.PurgedAt}
	if due, ok := c.PurgeDue(); ok {
		out.PurgeDue = &due
	}
	if st == contest.StagePublicity || st == contest.StageReady || st == contest.StagePublished || st == contest.StageWithdrawn {
		out.PublicityStart, out.PublicityEnd = p.PublicityStart, p.PublicityEnd // not those of a voided 公示
	}
	return out
}

func (s publicationDesk) apiPublication(c echo.Context) error {
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
func (s publicationDesk) apiPublicationAction(do func(c echo.Context, u contest.User) (contest.Contest, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, _ := currentUser(c)
		ct, err := do(c, u)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toPublicationJSON(ct, s.svc.Now()))
	}
}

func (s publicationDesk) apiStartPublicity(c echo.Context, u contest.User) (contest.Contest, error) {
	return s.svc.Publication.StartPublicity(c.Request().Context(), u)
}

func (s publicationDesk) apiPublish(c echo.Context, u contest.User) (contest.Contest, error) {
	return s.svc.Publication.Publish(c.Request().Context(), u)
}

func (s publicationDesk) apiUnpublish(c echo.Context, u contest.User) (contest.Contest, error) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bind(c, &in); err != nil {
		return contest.Contest{}, err
	}
	return s.svc.Publication.Unpublish(c.Request().Context(), u, in.Reason)
}

func (s publicationDesk) apiSetRecommended(c echo.Context) error {
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

// publicationPage is the organizers' desk for what leaves the system: 公示, objections,
// publishing, the certificate template, recommendations to the national contest.
type publicationPage struct {
	Stage       contest.Stage
	Awards      contest.AwardTable
	Objections  []contest.Objection
	Open        int // objections not yet decided
	Recommended map[string]bool
	// National is the national rules' pre-check of the content scan, for the works with an
	// award or a recommendation that were scanned.
	National     map[string]contest.NationalCheck
	Exports      []contest.ExportJob
	Publication  contest.Publication
	Certificates []contest.Certificate
	Valid        int // certificates that stand
	// PurgeDue is when the personal data may be purged (nil before publishing); PurgeReady says
	// that day has come.
	PurgeDue   *time.Time
	PurgeReady bool
}

func (s publicationDesk) publicationData(c echo.Context) (publicationPage, contest.Contest, error) {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return publicationPage{}, ct, err
	}
	d := publicationPage{Stage: ct.Stage(s.svc.Now()), Publication: ct.Publication}
	if due, ok := ct.PurgeDue(); ok {
		d.PurgeDue, d.PurgeReady = &due, !s.svc.Now().Before(due)
	}
	if d.Awards, err = s.svc.Judging.Awards(ctx, u); err != nil {
		return d, ct, err
	}
	if d.Objections, err = s.svc.Publication.Objections(ctx, u); err != nil {
		return d, ct, err
	}
	for _, o := range d.Objections {
		if o.Status == contest.ObjectionOpen {
			d.Open++
		}
	}
	if d.Recommended, err = s.svc.Publication.Recommended(ctx, u); err != nil {
		return d, ct, err
	}
	var candidates []string
	for _, a := range d.Awards.Awards {
		if a.Final != contest.TierNone || d.Recommended[a.WorkID] {
			candidates = append(candidates, a.WorkID)
		}
	}
	if d.National, err = s.svc.Media.NationalChecks(ctx, u, candidates); err != nil {
		return d, ct, err
	}
	if d.Exports, err = s.svc.Reports.Exports(ctx, u); err != nil {
		return d, ct, err
	}
	d.Certificates, err = s.svc.Publication.IssuedCertificates(ctx, u)
	for _, c := range d.Certificates {
		if c.Valid() {
			d.Valid++
		}
	}
	return d, ct, err
}

func (s publicationDesk) pagePublication(c echo.Context) error {
	return s.showPublication(c, http.StatusOK, nil, nil)
}

// showPublication renders the desk, with the template as entered and the error of a failed
// settings save when there is one.
func (s publicationDesk) showPublication(c echo.Context, status int, entered *contest.Publication, err error) error {
	d, ct, derr := s.publicationData(c)
	if derr != nil {
		return derr
	}
	if entered != nil {
		d.Publication = *entered
	}
	v := view{Title: "结果发布", Wide: true, Data: d, Contest: ct}
	if err != nil {
		v.ErrorMsg, v.Errors = contest.ErrorMessage(err), contest.ErrorFields(err)
	}
	return s.render(c, status, "admin_publication", v)
}

// publicationAction runs an organizer's action and goes back to the desk.
func (s publicationDesk) publicationAction(do func(c echo.Context, u contest.User) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, _ := currentUser(c)
		if err := do(c, u); err != nil {
			return err
		}
		flash(c, "saved")
		return seeOther(c, "/admin/publication")
	}
}

func (s publicationDesk) startPublicity(c echo.Context, u contest.User) error {
	_, err := s.svc.Publication.StartPublicity(c.Request().Context(), u)
	return err
}

func (s publicationDesk) publish(c echo.Context, u contest.User) error {
	_, err := s.svc.Publication.Publish(c.Request().Context(), u)
	return err
}

func (s publicationDesk) unpublish(c echo.Context, u contest.User) error {
	_, err := s.svc.Publication.Unpublish(c.Request().Context(), u, c.FormValue("reason"))
	return err
}

func (s publicationDesk) recommend(c echo.Context, u contest.User) error {
	return s.svc.Publication.SetRecommended(c.Request().Context(), u, c.Param("id"), c.FormValue("on") == "1")
}

// pageStartExport starts building a package in the background and says so, and where it will
// be downloaded, on the desk's 证书与导出 section.
func (s publicationDesk) pageStartExport(c echo.Context) error {
	u, _ := currentUser(c)
	j, err := s.svc.Reports.StartExport(c.Request().Context(), u, c.FormValue("kind"))
	if err != nil {
		return err
	}
	flash(c, "export_"+j.Kind)
	return seeOther(c, "/admin/publication#packages")
}

func publicationInput(c echo.Context) contest.PublicationSettings {
	days, _ := strconv.Atoi(c.FormValue("publicity_days"))
	retention, _ := strconv.Atoi(c.FormValue("retention_days"))
	return contest.PublicationSettings{PublicityDays: days, RetentionDays: retention, Certificate: contest.CertificateTemplate{
		Heading: c.FormValue("heading"), Body: c.FormValue("body"), Issuer: c.FormValue("issuer"), Date: c.FormValue("date"),
		PerParticipant: c.FormValue("per_participant") == "1"}}
}

func (s publicationDesk) pagePublicationSettings(c echo.Context) error {
	u, _ := currentUser(c)
	in := publicationInput(c)
	if _, err := s.svc.Publication.UpdatePublication(c.Request().Context(), u, in); err != nil {
		if contest.ErrorCode(err) != contest.EInvalid {
			return err
		}
		entered := contest.Publication{PublicityDays: in.PublicityDays, RetentionDays: in.RetentionDays, Certificate: in.Certificate}
		return s.showPublication(c, http.StatusUnprocessableEntity, &entered, err)
	}
	flash(c, "saved")
	return seeOther(c, "/admin/publication#settings")
}

// pagePurge purges the contest's personal data once its retention period is over.
func (s publicationDesk) pagePurge(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.svc.Publication.PurgePersonalData(c.Request().Context(), u, c.FormValue("confirm")); err != nil {
		if contest.ErrorCode(err) != contest.EInvalid {
			return err
		}
		return s.showPublication(c, http.StatusUnprocessableEntity, nil, err)
	}
	flash(c, "purged")
	return seeOther(c, "/admin/publication#retention")
}

// purgeJSON is what a purge cleared, and where the results stand after it.
type purgeJSON struct {
	Purged      contest.PurgeCounts `json:"purged"`
	Publication publicationJSON     `json:"publication"`
}

func (s publicationDesk) apiPurge(c echo.Context) error {
	var in struct {
		Confirm string `json:"confirm"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	n, err := s.svc.Publication.PurgePersonalData(ctx, u, in.Confirm)
	if err != nil {
		return err
	}
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, purgeJSON{Purged: n, Publication: toPublicationJSON(ct, s.svc.Now())})
}

// previewCertificate shows a sample certificate with the current template, inline.
func (s publicationDesk) previewCertificate(c echo.Context) error {
	u, _ := currentUser(c)
	var buf bytes.Buffer
	if err := s.svc.Publication.PreviewCertificate(c.Request().Context(), u, &buf); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": "证书样例.pdf"}))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

package http

import (
	"bytes"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// publicResults handles what the public sees: results, showcase, certificate verification.
type publicResults struct{ *Server }

func (s publicResults) routes(r router) {
	r.public.GET("/results", s.pageResults)
	r.public.GET("/showcase", s.pageShowcase)
	r.public.GET("/showcase/:id/video", s.showcaseVideo)
	r.public.GET("/showcase/:id/poster", s.showcasePoster)
	r.public.GET("/verify", s.pageVerify)
	r.public.GET("/verify/:serial", s.pageVerify)
	r.my.GET("/certificates/:serial", s.downloadCertificate)
	r.api.GET("/results", s.apiResults)
	r.api.GET("/verify/:serial", s.apiVerify)
}

// resultJSON is a winning work as the public sees it.
type resultJSON struct {
	WorkID    string   `json:"work_id"`
	Tier      string   `json:"tier"`
	TierLabel string   `json:"tier_label"`
	Title     string   `json:"title"`
	Creators  []string `json:"creators"`
	Employer  string   `json:"employer"`
	Category  string   `json:"category"` // the 组别's name; "" without categories
}

func toResultsJSON(rs []contest.Result) []resultJSON {
	out := make([]resultJSON, len(rs))
	for i, r := range rs {
		out[i] = resultJSON{WorkID: r.WorkID, Tier: tierNames[r.Tier], TierLabel: r.Tier.Label(), Title: r.Title, Creators: r.Names, Employer: r.Employer, Category: r.Category}
	}
	return out
}

func (s publicResults) apiResults(c echo.Context) error {
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

func (s publicResults) apiVerify(c echo.Context) error {
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
		Creators: cert.Names, Recipient: cert.Recipient, Employer: cert.Employer, Category: cert.Category, Issuer: v.Issuer, IssuedAt: cert.IssuedAt})
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
	Category  string    `json:"category"` // the 组别's name; "" without categories
	Issuer    string    `json:"issuer"`
	IssuedAt  time.Time `json:"issued_at"`
}

// resultsPage is the public results page: the list in 公示 with the objection form, or the
// final results, in the style of an official announcement.
type resultsPage struct {
	contest.PublicResults
	Input contest.ObjectionInput
	// Filed is the reference number of the objection just filed, shown to whoever filed it.
	Filed string
}

// objectionRef is what an objection's reference number looks like (contest.ObjectionReference);
// the page shows nothing else from its query.
var objectionRef = regexp.MustCompile(`^YY-\d{4}-\d{4,}$`)

func (s publicResults) pageResults(c echo.Context) error {
	r, err := s.svc.Publication.PublicResults(c.Request().Context())
	if err != nil {
		return err
	}
	return s.showResults(c, http.StatusOK, resultsPage{PublicResults: r, Filed: objectionRef.FindString(c.QueryParam("filed"))}, nil)
}

func (s publicResults) showResults(c echo.Context, status int, d resultsPage, err error) error {
	title := "评选结果"
	if d.Stage == contest.StagePublicity || d.Stage == contest.StageReady {
		title = "拟获奖作品公示"
	}
	v := view{Title: title, Data: d, Contest: d.Contest}
	if err != nil {
		v.ErrorMsg, v.Errors = contest.ErrorMessage(err), contest.ErrorFields(err)
	}
	return s.render(c, status, "results", v)
}

func (s publicResults) pageVerify(c echo.Context) error {
	serial := c.Param("serial")
	if serial == "" {
		serial = c.QueryParam("serial")
	}
	v, err := s.svc.Publication.VerifyCertificate(c.Request().Context(), serial)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if serial != "" && !v.Found {
		status = http.StatusNotFound
	}
	return s.render(c, status, "verify", view{Title: "证书验证", Data: verifyPage{Verification: v, Serial: serial}})
}

type verifyPage struct {
	contest.Verification
	Serial string
}

func (s publicResults) pageShowcase(c echo.Context) error {
	items, err := s.svc.Publication.Showcase(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "showcase", view{Title: "优秀作品展播", Wide: true, Data: items})
}

func (s publicResults) showcaseVideo(c echo.Context) error {
	v, err := s.svc.Publication.ShowcaseVideo(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Request().URL.RawQuery = "inline=1" // always played in the page
	return s.serveVideo(c, v)
}

func (s publicResults) showcasePoster(c echo.Context) error {
	return sendPoster(c)(s.svc.Publication.ShowcasePoster(c.Request().Context(), c.Param("id")))
}

// downloadCertificate sends one certificate as PDF to its work's owner or an organizer.
func (s publicResults) downloadCertificate(c echo.Context) error {
	u, _ := currentUser(c)
	var buf bytes.Buffer
	cert, err := s.svc.Publication.WriteCertificate(c.Request().Context(), u, c.Param("serial"), &buf)
	if err != nil {
		return err
	}
	return sendFile(c, "获奖证书-"+cert.Serial+".pdf", "application/pdf", int64(buf.Len()), &buf)
}

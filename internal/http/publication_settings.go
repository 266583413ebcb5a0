package http

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// publicationSettingsJSON is what publishing needs set: the 公示's length, how long personal
// data is kept after publishing, and the certificates' wording — the API twin of the settings
// form on 结果发布.
type publicationSettingsJSON struct {
	PublicityDays int                     `json:"publicity_days"`
	RetentionDays int                     `json:"retention_days"`
	Certificate   certificateTemplateJSON `json:"certificate"`
}

// certificateTemplateJSON is the certificates' wording (contest.CertificateTemplate).
type certificateTemplateJSON struct {
	Heading        string `json:"heading"`
	Body           string `json:"body"`
	Issuer         string `json:"issuer"`
	Date           string `json:"date"`
	PerParticipant bool   `json:"per_participant"`
}

func toPublicationSettingsJSON(p contest.Publication) publicationSettingsJSON {
	return publicationSettingsJSON{PublicityDays: p.PublicityDays, RetentionDays: p.Retention(),
		Certificate: certificateTemplateJSON(p.Certificate)}
}

// certificateFields are the template's field keys, which the API names inside "certificate".
var certificateFields = []string{"heading", "body", "issuer", "date", "template"}

func (s publicationDesk) apiPublicationSettings(c echo.Context) error {
	ct, err := s.svc.Contests.CurrentContest(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPublicationSettingsJSON(ct.Publication))
}

// apiUpdatePublicationSettings saves the settings read over the current ones (omitted fields
// keep their values), validated and audited as the form saves them.
func (s publicationDesk) apiUpdatePublicationSettings(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	ct, err := s.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	in := toPublicationSettingsJSON(ct.Publication)
	if err := bind(c, &in); err != nil {
		return err
	}
	updated, err := s.svc.Publication.UpdatePublication(ctx, u, contest.PublicationSettings{
		PublicityDays: in.PublicityDays, RetentionDays: in.RetentionDays, Certificate: contest.CertificateTemplate(in.Certificate)})
	if err != nil {
		return nestFields(err, "certificate.", certificateFields)
	}
	return c.JSON(http.StatusOK, toPublicationSettingsJSON(updated.Publication))
}

// nestFields renames the field errors keyed by one of names to prefix+name, where the JSON body
// holds them inside an object.
func nestFields(err error, prefix string, names []string) error {
	var e *contest.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make(map[string]contest.FieldError, len(e.Fields))
	for k, v := range e.Fields {
		if slices.Contains(names, k) {
			k = prefix + k
		}
		out.Fields[k] = v
	}
	return &out
}

// publicationSettingsElsewhere points a contest update that names a publication setting to
// where it is set: the refusal of the unknown field says where to send it.
func publicationSettingsElsewhere(err error) error {
	var e *contest.Error
	if !errors.As(err, &e) || e.Code != contest.EUnknownField {
		return err
	}
	for name := range e.Fields {
		if slices.Contains([]string{"publicity_days", "retention_days", "certificate"}, name) {
			out := *e
			out.Message += "（公示天数、个人信息保留天数和证书模板请用 PUT /api/v1/admin/publication/settings 设置）"
			return &out
		}
	}
	return err
}

package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/contest"
)

// The JSON API sets what the settings form on 结果发布 sets — the 公示's length and the
// certificate template — with the same checks and an audit entry; a field it does not take
// is refused by name instead of answered 200 and ignored.
func TestPublicationSettings_JSONAPISetsWhatTheFormSets(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	publicityDays := func() int {
		var st struct {
			Publication struct {
				PublicityDays int `json:"publicity_days"`
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/publication", nil).JSON(t, &st)
		return st.Publication.PublicityDays
	}

	// Put where the contest's settings are, publicity_days was ignored; now it is refused and
	// the answer says where it belongs.
	r := org.Do("PUT", "/api/v1/admin/contest", map[string]any{"publicity_days": 7})
	if r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != contest.EUnknownField ||
		r.FieldCodes()["publicity_days"] != contest.EUnknownField ||
		!strings.Contains(r.ErrorMessage(), "不认识的字段：publicity_days") || !strings.Contains(r.ErrorMessage(), "/api/v1/admin/publication/settings") {
		t.Fatalf("PUT contest with publicity_days = %d %s, want 422 unknown_field naming it and where it is set", r.Status, r.Body)
	}
	if n := publicityDays(); n != 5 {
		t.Fatalf("publicity days after the refused PUT = %d, want 5", n)
	}

	// Set where it belongs, with the certificate template; omitted fields keep their values.
	var got struct {
		PublicityDays int `json:"publicity_days"`
		RetentionDays int `json:"retention_days"`
		Certificate   struct {
			Heading, Body, Issuer, Date string
			PerParticipant              bool `json:"per_participant"`
		}
	}
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/publication/settings", map[string]any{
		"publicity_days": 7, "certificate": map[string]any{"heading": "荣誉证书", "per_participant": true}}).JSON(t, &got)
	if got.PublicityDays != 7 || got.RetentionDays != contest.DefaultRetentionDays || got.Certificate.Heading != "荣誉证书" ||
		!got.Certificate.PerParticipant || !strings.Contains(got.Certificate.Body, "{奖项}") {
		t.Fatalf("saved settings %+v", got)
	}
	if n := publicityDays(); n != 7 {
		t.Fatalf("publicity days after the settings PUT = %d, want 7", n)
	}
	org.Must(http.StatusOK, "GET", "/api/v1/admin/publication/settings", nil).JSON(t, &got)
	if got.PublicityDays != 7 || got.Certificate.Heading != "荣誉证书" {
		t.Fatalf("settings read back %+v", got)
	}

	// The form's checks, with the template's fields named inside "certificate".
	r = org.Do("PUT", "/api/v1/admin/publication/settings", map[string]any{"publicity_days": 0, "certificate": map[string]any{"heading": ""}})
	if f := r.FieldCodes(); r.Status != http.StatusUnprocessableEntity || f["publicity_days"] == "" || f["certificate.heading"] == "" {
		t.Fatalf("bad settings = %d %s, want 422 on publicity_days and certificate.heading", r.Status, r.Body)
	}
	r = org.Do("PUT", "/api/v1/admin/publication/settings", map[string]any{"certificate": map[string]any{"title": "x"}})
	if r.ErrorCode() != contest.EUnknownField || r.ErrorMessage() != "不认识的字段：title" {
		t.Fatalf("unknown field in the template = %d %s", r.Status, r.Body)
	}

	// Audited as the form's save is.
	var log struct {
		Items []struct{ Entity, Action, Before, After string }
	}
	org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &log)
	var audited bool
	for _, it := range log.Items {
		audited = audited || it.Entity == "publication" && it.Action == "settings" && strings.Contains(it.After, "荣誉证书")
	}
	if !audited {
		t.Errorf("the settings PUT left no audit entry: %+v", log.Items)
	}
	if r := e.Client().SignUp("x@example.org").Do("PUT", "/api/v1/admin/publication/settings", map[string]any{"publicity_days": 9}); r.Status != http.StatusForbidden {
		t.Errorf("a contestant changes the settings = %d", r.Status)
	}
}

// Every JSON body is read strictly: a misspelt field is refused by name, whoever sends it.
func TestJSONBody_UnknownFieldIsRefusedByName(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	c := e.Client()
	c.SignUp("li@example.org")
	r := c.Do("POST", "/api/v1/submissions", map[string]any{"title": "作品", "titel": "作品"})
	if r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != contest.EUnknownField || r.FieldCodes()["titel"] != contest.EUnknownField ||
		r.ErrorMessage() != "不认识的字段：titel" {
		t.Fatalf("a misspelt field = %d %s, want 422 unknown_field naming titel", r.Status, r.Body)
	}
}

package http

import (
	"net/url"
	"strconv"

	"github.com/jskx/contest/internal/contest"
)

// parseSubmissionForm reads the registration form. Participant rows arrive as parallel lists
// (p_id, p_name, …); rows left entirely blank are dropped.
func parseSubmissionForm(f url.Values) contest.SubmissionInput {
	in := contest.SubmissionInput{Registration: contest.Registration{
		Title: f.Get("title"), LeadName: f.Get("lead_name"), Employer: f.Get("employer"),
		ContactName: f.Get("contact_name"), ContactIDType: contest.ParseIDType(f.Get("contact_id_type")),
		ContactIDNumber: f.Get("contact_id_number"), Mobile: f.Get("mobile"), Email: f.Get("email"),
		WeChat: f.Get("wechat"), Address: f.Get("address"), PostalCode: f.Get("postal_code"),
		Description: f.Get("description"),
	}}
	in.Version, _ = strconv.Atoi(f.Get("version"))
	at := func(key string, i int) string {
		if v := f[key]; i < len(v) {
			return v[i]
		}
		return ""
	}
	for i := range f["p_name"] {
		p := contest.Participant{
			ID: at("p_id", i), Name: at("p_name", i), IDType: contest.ParseIDType(at("p_id_type", i)),
			IDNumber: at("p_id_number", i), Employer: at("p_employer", i),
		}
		if contest.Normalize(p.Name+p.IDNumber+p.Employer) == "" {
			continue
		}
		in.Participants = append(in.Participants, p)
	}
	return in
}

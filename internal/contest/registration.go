package contest

import "fmt"

// Length limits of the registration form, in characters.
const (
	maxTitle       = 100
	maxName        = 50
	maxEmployer    = 100
	maxWeChat      = 50
	maxAddress     = 200
	maxDescription = 2000
)

// Validate normalizes every field of the 报名登记表 in place (trimmed, full-width digits made
// half-width, numbers upper-cased) and returns an EInvalid error with one code and Chinese
// message per failing field.
func (r *Registration) Validate() error {
	var f Fields
	text := func(field string, v *string, required bool, max int) {
		out, fe := ValidateText(*v, required, max)
		*v = out
		if fe != nil {
			f.Add(field, fe.Code, fe.Message)
		}
	}
	text("title", &r.Title, true, maxTitle)
	text("lead_name", &r.LeadName, true, maxName)
	text("employer", &r.Employer, true, maxEmployer)
	text("contact_name", &r.ContactName, true, maxName)
	text("wechat", &r.WeChat, false, maxWeChat)
	text("address", &r.Address, true, maxAddress)
	text("description", &r.Description, true, maxDescription)

	if r.ContactIDType == "" {
		r.ContactIDType = IDResident
	}
	if !r.ContactIDType.Valid() {
		f.Add("contact_id_type", "id_type", "请选择证件类型")
	} else if v, fe := ValidateIDNumber(r.ContactIDType, r.ContactIDNumber); fe != nil {
		f.Add("contact_id_number", fe.Code, fe.Message)
	} else {
		r.ContactIDNumber = v
	}
	if v, fe := ValidateMobile(r.Mobile); fe != nil {
		f.Add("mobile", fe.Code, fe.Message)
	} else {
		r.Mobile = v
	}
	if v, fe := ValidateEmail(r.Email); fe != nil {
		f.Add("email", fe.Code, fe.Message)
	} else {
		r.Email = v
	}
	if v, fe := ValidatePostalCode(r.PostalCode); fe != nil {
		f.Add("postal_code", fe.Code, fe.Message)
	} else {
		r.PostalCode = v
	}
	return f.Err()
}

// ValidateParticipants normalizes the team list in place and checks it: at least one person,
// at most MaxParticipants, each with a name and a valid document, no document twice, and the
// lead creator among them (every creator signs the 作品授权书). Field keys are
// "participants.N.name" and so on.
func ValidateParticipants(ps []Participant, leadName string) error {
	var f Fields
	if len(ps) == 0 {
		f.Add("participants", "participants_required", "请至少填写一位参与人员（含主创）")
		return f.Err()
	}
	if len(ps) > MaxParticipants {
		f.Add("participants", "too_many", fmt.Sprintf("参与人员不能超过%d人", MaxParticipants))
		return f.Err()
	}
	seen := map[string]int{}
	leadListed := false
	for i := range ps {
		p := &ps[i]
		key := func(s string) string { return fmt.Sprintf("participants.%d.%s", i, s) }
		if v, fe := ValidateText(p.Name, true, maxName); fe != nil {
			f.Add(key("name"), fe.Code, fe.Message)
		} else {
			p.Name = v
		}
		if v, fe := ValidateText(p.Employer, false, maxEmployer); fe != nil {
			f.Add(key("employer"), fe.Code, fe.Message)
		} else {
			p.Employer = v // empty means the work's own 工作单位; see Submission.EmployerOf
		}
		if p.IDType == "" {
			p.IDType = IDResident
		}
		if !p.IDType.Valid() {
			f.Add(key("id_type"), "id_type", "请选择证件类型")
		} else if v, fe := ValidateIDNumber(p.IDType, p.IDNumber); fe != nil {
			f.Add(key("id_number"), fe.Code, fe.Message)
		} else {
			p.IDNumber = v
			if j, dup := seen[v]; dup {
				f.Add(key("id_number"), "duplicate", fmt.Sprintf("与第%d位参与人员的证件号码重复", j+1))
			}
			seen[v] = i
		}
		if p.Name != "" && p.Name == leadName {
			leadListed = true
		}
	}
	if leadName != "" && !leadListed && len(f) == 0 {
		f.Add("participants", "lead_not_listed", "主创人员“"+leadName+"”也需列入参与人员名单并签署授权书")
	}
	return f.Err()
}

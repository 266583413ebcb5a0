package contest

import (
	"testing"
	"time"
)

func TestValidateParticipants_LeadListedNoDuplicatesEmployerOfWork(t *testing.T) {
	const zhang, li = "11010519491231002X", "110105198001010016"
	for _, tc := range []struct {
		name  string
		ps    []Participant
		field string
		code  string
	}{
		{"none", nil, "participants", "participants_required"},
		{"lead missing", []Participant{{Name: "李四", IDNumber: li}}, "participants", "lead_not_listed"},
		{"duplicate number", []Participant{{Name: "张三", IDNumber: zhang}, {Name: "李四", IDNumber: "11010519491231002x"}}, "participants.1.id_number", "duplicate"},
		{"bad number", []Participant{{Name: "张三", IDNumber: "110105194912310021"}}, "participants.0.id_number", "id_checksum"},
		{"passport", []Participant{{Name: "张三", IDType: IDPassport, IDNumber: "E12345678"}}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := append([]Participant(nil), tc.ps...)
			err := ValidateParticipants(ps, "张三")
			fields := ErrorFields(err)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", fields)
				}
				if sub := (Submission{Registration: Registration{Employer: "省农科院"}}); sub.EmployerOf(ps[0]) != "省农科院" {
					t.Errorf("empty employer does not mean the work's: %q", sub.EmployerOf(ps[0]))
				}
				return
			}
			if fields[tc.field].Code != tc.code {
				t.Errorf("fields = %v; want %s=%s", fields, tc.field, tc.code)
			}
		})
	}
}

func TestMergeParticipants_KeepsConsentOnlyForUnchangedPeople(t *testing.T) {
	given := &Consent{Name: "张三", At: time.Now()}
	old := []Participant{
		{ID: "a", Name: "张三", IDType: IDResident, IDNumber: "11010519491231002X", ConsentToken: "ta", Consent: given},
		{ID: "b", Name: "李四", IDType: IDResident, IDNumber: "110105198001010016", ConsentToken: "tb", Consent: given},
	}
	edited := []Participant{
		{ID: "a", Name: "张三", IDType: IDResident, IDNumber: "11010519491231002X"},
		{ID: "b", Name: "李四", IDType: IDResident, IDNumber: "32010219900307451X"},
		{ID: "forged", Name: "王五", IDType: IDResident, IDNumber: "440306198511201238"},
	}
	got := mergeParticipants(old, edited, false)
	if got[0].Consent == nil || got[0].ConsentToken != "ta" {
		t.Error("unchanged participant lost consent or link")
	}
	if got[1].Consent != nil || got[1].ConsentToken != "tb" {
		t.Error("participant with a new number kept consent, or lost the link")
	}
	if got[2].ID == "forged" || got[2].Consent != nil || got[2].ConsentToken == "" {
		t.Errorf("new participant kept a client-chosen id or lacks a link: %+v", got[2])
	}
	if all := mergeParticipants(old, edited[:1], true); all[0].Consent != nil {
		t.Error("title change kept consent")
	}
}

func TestCheckConsent_NeedsSameNameNumberAndTick(t *testing.T) {
	p := Participant{Name: "李四", IDType: IDResident, IDNumber: "110105198001010016"}
	if err := p.CheckConsent(ConsentInput{Name: " 李四 ", IDNumber: "１１０１０５１９８００１０１００１６", Agreed: true}); err != nil {
		t.Fatalf("matching consent refused: %v", ErrorFields(err))
	}
	fields := ErrorFields(p.CheckConsent(ConsentInput{Name: "李四", IDNumber: "11010519491231002X"}))
	if fields["id_number"].Code != "id_mismatch" || fields["agreed"].Code != "consent_required" {
		t.Errorf("fields = %v", fields)
	}
}

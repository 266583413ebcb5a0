package contest

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Participant is one member of a work's team. Every participant signs the 作品授权书.
type Participant struct {
	ID       string
	Name     string
	IDType   IDType
	IDNumber string // personal, encrypted at rest
	IDMasked string
	Employer string
	// ConsentToken opens the consent page for this participant without an account.
	ConsentToken string
	Consent      *Consent
}

// Consent is a participant's 作品授权书: who gave it for which work, the text they agreed to,
// when and from where.
type Consent struct {
	Name     string
	Title    string // the work's title when consent was given
	TextHash string // sha256 of the authorization text shown
	Text     string
	At       time.Time
	IP       string
	ByOwner  bool // given on the account holder's device rather than through the link
}

// ConsentInput is what a participant enters on the consent page.
type ConsentInput struct {
	Name     string
	IDNumber string
	Agreed   bool
	IP       string
}

// TextHash returns the hex sha256 of an authorization text, recorded with each consent.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// CheckConsent verifies that the input matches participant p: the same name and document number,
// and the checkbox ticked.
func (p Participant) CheckConsent(in ConsentInput) error {
	var f Fields
	name, fe := ValidateText(in.Name, true, 50)
	if fe != nil {
		f.Add("name", fe.Code, fe.Message)
	} else if name != p.Name {
		f.Add("name", "name_mismatch", "姓名与报名登记表中的参与人员不一致")
	}
	num, fe := ValidateIDNumber(p.IDType, in.IDNumber)
	if fe != nil {
		f.Add("id_number", fe.Code, fe.Message)
	} else if num != p.IDNumber {
		f.Add("id_number", "id_mismatch", "证件号码与报名登记表中的参与人员不一致")
	}
	if !in.Agreed {
		f.Add("agreed", "consent_required", "请阅读并勾选同意授权书内容")
	}
	return f.Err()
}

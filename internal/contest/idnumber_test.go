package contest

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// withCheck appends the GB 11643 check character to 17 digits. It computes the weights as
// 2^(17-i) mod 11 and the character as (12 - sum mod 11) mod 11, independently of IDCheckChar.
func withCheck(tb testing.TB, body string) string {
	tb.Helper()
	if len(body) != 17 {
		tb.Fatalf("withCheck: body %q is not 17 digits", body)
	}
	sum := 0
	for i := range 17 {
		w := 1
		for range 17 - i {
			w = w * 2 % 11
		}
		sum += int(body[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return body + "X"
	}
	return body + string(rune('0'+c))
}

// breakCheck returns id with a wrong check character.
func breakCheck(id string) string {
	if id[17] == '0' {
		return id[:17] + "1"
	}
	return id[:17] + "0"
}

// pinNow sets the package clock to t for the duration of the test.
func pinNow(tb testing.TB, t time.Time) {
	tb.Helper()
	old := now
	now = func() time.Time { return t }
	tb.Cleanup(func() { now = old })
}

func TestWithCheck_MatchesPublishedExample(t *testing.T) {
	// The sample number printed in GB 11643-1999.
	if got, want := withCheck(t, "11010519491231002"), "11010519491231002X"; got != want {
		t.Fatalf("withCheck = %q, want %q", got, want)
	}
}

func TestIDTypes_ListsAllTypesInDisplayOrder(t *testing.T) {
	want := []IDType{IDResident, IDResidence, IDForeignPR, IDPassport, IDOther}
	if got := IDTypes(); !slices.Equal(got, want) {
		t.Fatalf("IDTypes() = %v, want %v", got, want)
	}
	labels := map[IDType]string{
		IDResident: "居民身份证", IDResidence: "港澳台居民居住证", IDForeignPR: "外国人永久居留身份证",
		IDPassport: "护照", IDOther: "其他证件",
	}
	for _, tt := range want {
		if !tt.Valid() {
			t.Errorf("%q.Valid() = false", tt)
		}
		if got := tt.Label(); got != labels[tt] {
			t.Errorf("%q.Label() = %q, want %q", tt, got, labels[tt])
		}
	}
}

func TestParseIDType_DefaultsToResidentAndKeepsUnknown(t *testing.T) {
	tests := []struct {
		in    string
		want  IDType
		valid bool
	}{
		{"", IDResident, true},
		{"passport", IDPassport, true},
		{"hmt_residence", IDResidence, true},
		{"driving_licence", IDType("driving_licence"), false},
	}
	for _, tt := range tests {
		got := ParseIDType(tt.in)
		if got != tt.want || got.Valid() != tt.valid {
			t.Errorf("ParseIDType(%q) = %q (valid %v), want %q (valid %v)", tt.in, got, got.Valid(), tt.want, tt.valid)
		}
	}
}

func TestValidateIDNumber_AcceptsValidNumbers(t *testing.T) {
	pinNow(t, time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC))
	example := withCheck(t, "11010519491231002") // ends in X
	nanjing := withCheck(t, "32010219900307123")
	tests := []struct {
		name string
		typ  IDType
		raw  string
		want string
	}{
		{"published example", IDResident, example, example},
		{"lower-case x is returned upper-case", IDResident, strings.ToLower(example), example},
		{"full-width digits and X", IDResident, "１１０１０５１９４９１２３１００２Ｘ", example},
		{"surrounding and internal spaces", IDResident, "\u3000 110105 19491231\u00a0002x \t", example},
		{"digit check character", IDResident, nanjing, nanjing},
		{"born on 2000-02-29", IDResident, withCheck(t, "32010220000229123"), withCheck(t, "32010220000229123")},
		{"born on 1900-01-01", IDResident, withCheck(t, "32010219000101123"), withCheck(t, "32010219000101123")},
		{"born today", IDResident, withCheck(t, "32010220250615123"), withCheck(t, "32010220250615123")},
		{"Hong Kong residence permit", IDResidence, withCheck(t, "81000019900101123"), withCheck(t, "81000019900101123")},
		{"Macao residence permit", IDResidence, withCheck(t, "82000019851120004"), withCheck(t, "82000019851120004")},
		{"Taiwan residence permit", IDResidence, withCheck(t, "83000019920130002"), withCheck(t, "83000019920130002")},
		{"foreign permanent residence", IDForeignPR, withCheck(t, "91184019800101001"), withCheck(t, "91184019800101001")},
		{"passport", IDPassport, "E12345678", "E12345678"},
		{"passport lower-case with spaces", IDPassport, " e1234 5678 ", "E12345678"},
		{"passport full-width", IDPassport, "Ｇ１２３４５６７８", "G12345678"},
		{"other with hyphen", IDOther, "ab-12345", "AB-12345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ferr := ValidateIDNumber(tt.typ, tt.raw)
			if ferr != nil {
				t.Fatalf("ValidateIDNumber(%q, %q) error %+v", tt.typ, tt.raw, *ferr)
			}
			if got != tt.want {
				t.Fatalf("ValidateIDNumber(%q, %q) = %q, want %q", tt.typ, tt.raw, got, tt.want)
			}
		})
	}
}

// idRejection is one case of a rejected number and the code it must get.
type idRejection struct {
	name string
	typ  IDType
	raw  string
	code string
}

func checkRejections(t *testing.T, tests []idRejection) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ferr := ValidateIDNumber(tt.typ, tt.raw)
			if ferr == nil {
				t.Fatalf("ValidateIDNumber(%q, %q) = %q, want code %q", tt.typ, tt.raw, got, tt.code)
			}
			if ferr.Code != tt.code || ferr.Message == "" || got != "" {
				t.Fatalf("ValidateIDNumber(%q, %q) = %q, %+v, want code %q", tt.typ, tt.raw, got, *ferr, tt.code)
			}
		})
	}
}

func TestValidateIDNumber_RequiresANumber(t *testing.T) {
	checkRejections(t, []idRejection{
		{"empty resident", IDResident, "", "required"},
		{"blank resident", IDResident, " \u3000\u00a0", "required"},
		{"empty passport", IDPassport, "", "required"},
		{"empty other", IDOther, "\t", "required"},
	})
	_, ferr := ValidateIDNumber(IDResident, "")
	if ferr.Message != "请填写证件号码" {
		t.Errorf("message = %q", ferr.Message)
	}
}

func TestValidateIDNumber_RejectsUnknownType(t *testing.T) {
	checkRejections(t, []idRejection{
		{"unknown type", IDType("driving_licence"), withCheck(t, "11010519491231002"), "id_type"},
		{"empty type", IDType(""), "E12345678", "id_type"},
	})
}

func TestValidateIDNumber_RejectsWrongLength(t *testing.T) {
	id := withCheck(t, "11010519491231002")
	checkRejections(t, []idRejection{
		{"17 characters", IDResident, id[:17], "id_length"},
		{"19 characters", IDResident, id + "1", "id_length"},
		{"old 15-digit number", IDResident, "110105491231002", "id_length"},
		{"residence permit 17", IDResidence, withCheck(t, "81000019900101123")[:17], "id_length"},
		{"old 15-character permanent residence card", IDForeignPR, "USA110080010101", "id_length"},
	})
}

func TestValidateIDNumber_RejectsBadFormat(t *testing.T) {
	checkRejections(t, []idRejection{
		{"letter in the body", IDResident, "11010519491231A02X", "id_format"},
		{"bad check character", IDResident, "11010519491231002Y", "id_format"},
		{"hyphens", IDResident, "110105-19491231-02", "id_format"},
		{"Chinese character", IDResident, "11010519491231002号", "id_format"},
		{"not a province", IDResident, withCheck(t, "00010519491231002"), "id_format"},
		{"Taiwan code 71 is not issued", IDResident, withCheck(t, "71010519491231002"), "id_format"},
	})
}

func TestValidateIDNumber_RejectsTypeMismatch(t *testing.T) {
	resident := withCheck(t, "11010519491231002")
	residence := withCheck(t, "81000019900101123")
	foreign := withCheck(t, "91184019800101001")
	checkRejections(t, []idRejection{
		{"resident number given as residence permit", IDResidence, resident, "id_type_mismatch"},
		{"residence permit given as resident", IDResident, residence, "id_type_mismatch"},
		{"82 prefix given as resident", IDResident, withCheck(t, "82000019851120004"), "id_type_mismatch"},
		{"residence permit with a wrong area", IDResidence, withCheck(t, "81010119900101123"), "id_type_mismatch"},
		{"permanent residence given as resident", IDResident, foreign, "id_type_mismatch"},
		{"resident given as permanent residence", IDForeignPR, resident, "id_type_mismatch"},
		{"residence permit given as permanent residence", IDForeignPR, residence, "id_type_mismatch"},
		{"unknown area given as permanent residence", IDForeignPR, withCheck(t, "00010519491231002"), "id_type_mismatch"},
	})
	_, ferr := ValidateIDNumber(IDResident, residence)
	if !strings.Contains(ferr.Message, "港澳台居民居住证") {
		t.Errorf("message %q does not suggest 港澳台居民居住证", ferr.Message)
	}
	_, ferr = ValidateIDNumber(IDResidence, resident)
	if !strings.Contains(ferr.Message, "居民身份证") {
		t.Errorf("message %q does not suggest 居民身份证", ferr.Message)
	}
}

func TestValidateIDNumber_RejectsImpossibleBirthDate(t *testing.T) {
	pinNow(t, time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC))
	checkRejections(t, []idRejection{
		{"Feb 30", IDResident, withCheck(t, "32010220000230123"), "id_birthdate"},
		{"Feb 29 on a non-leap year", IDResident, withCheck(t, "32010219990229123"), "id_birthdate"},
		{"Feb 29 in 1900", IDResident, withCheck(t, "32010219000229123"), "id_birthdate"},
		{"month 13", IDResident, withCheck(t, "32010219991301123"), "id_birthdate"},
		{"day 00", IDResident, withCheck(t, "32010219990100123"), "id_birthdate"},
		{"before 1900", IDResident, withCheck(t, "32010218991231123"), "id_birthdate"},
		{"tomorrow", IDResident, withCheck(t, "32010220250616123"), "id_birthdate"},
		{"future year", IDResident, withCheck(t, "32010230000101123"), "id_birthdate"},
		{"residence permit Apr 31", IDResidence, withCheck(t, "81000019900431123"), "id_birthdate"},
	})
}

func TestValidateIDNumber_UsesChinaDateForToday(t *testing.T) {
	// 20:00 UTC on 15 June is already 16 June in Beijing.
	pinNow(t, time.Date(2025, 6, 15, 20, 0, 0, 0, time.UTC))
	id := withCheck(t, "32010220250616123")
	if _, ferr := ValidateIDNumber(IDResident, id); ferr != nil {
		t.Fatalf("born today in Beijing: %+v", *ferr)
	}
}

func TestValidateIDNumber_RejectsBadChecksum(t *testing.T) {
	checkRejections(t, []idRejection{
		{"X replaced", IDResident, breakCheck(withCheck(t, "11010519491231002")), "id_checksum"},
		{"digit replaced", IDResident, breakCheck(withCheck(t, "32010219900307123")), "id_checksum"},
		{"swapped digits", IDResident, "32010219900307213" + withCheck(t, "32010219900307123")[17:], "id_checksum"},
		{"residence permit", IDResidence, breakCheck(withCheck(t, "81000019900101123")), "id_checksum"},
		{"permanent residence", IDForeignPR, breakCheck(withCheck(t, "91184019800101001")), "id_checksum"},
	})
}

func TestValidateIDNumber_ChecksInOrder(t *testing.T) {
	checkRejections(t, []idRejection{
		// Bad date and bad checksum: the date is reported.
		{"date before checksum", IDResident, breakCheck(withCheck(t, "32010219990229123")), "id_birthdate"},
		// Wrong type and bad date: the type is reported.
		{"type before date", IDResidence, withCheck(t, "32010219990229123"), "id_type_mismatch"},
		// Bad format and wrong length: the length is reported.
		{"length before format", IDResident, "ABC", "id_length"},
	})
}

func TestValidateIDNumber_ChecksPassportAndOtherFormat(t *testing.T) {
	checkRejections(t, []idRejection{
		{"passport 4 characters", IDPassport, "E123", "id_format"},
		{"passport 21 characters", IDPassport, strings.Repeat("A", 21), "id_format"},
		{"passport with hyphen", IDPassport, "E1234-5678", "id_format"},
		{"passport with Chinese", IDPassport, "护照E1234567", "id_format"},
		{"passport with punctuation", IDPassport, "E1234.5678", "id_format"},
		{"other 4 characters", IDOther, "A-12", "id_format"},
		{"other with parentheses", IDOther, "A123456(7)", "id_format"},
	})
	for _, raw := range []string{"E1234", strings.Repeat("9", 20)} {
		if _, ferr := ValidateIDNumber(IDPassport, raw); ferr != nil {
			t.Errorf("passport %q rejected: %+v", raw, *ferr)
		}
	}
}

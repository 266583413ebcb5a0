package contest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// IDType is the kind of identity document a person gives on the registration form.
type IDType string

// The identity documents the form accepts. The first three use the 18-character number of
// GB 11643-1999; the others are checked for shape only.
const (
	IDResident  IDType = "resident"      // 居民身份证 (default)
	IDResidence IDType = "hmt_residence" // 港澳台居民居住证
	IDForeignPR IDType = "foreign_pr"    // 外国人永久居留身份证
	IDPassport  IDType = "passport"      // 护照
	IDOther     IDType = "other"         // 其他证件
)

var idTypeLabels = map[IDType]string{
	IDResident:  "居民身份证",
	IDResidence: "港澳台居民居住证",
	IDForeignPR: "外国人永久居留身份证",
	IDPassport:  "护照",
	IDOther:     "其他证件",
}

// IDTypes returns every document type in the order the form shows them.
func IDTypes() []IDType {
	return []IDType{IDResident, IDResidence, IDForeignPR, IDPassport, IDOther}
}

// Label returns the Chinese name of the document type, or "未知证件" for an unknown type.
func (t IDType) Label() string {
	if l, ok := idTypeLabels[t]; ok {
		return l
	}
	return "未知证件"
}

// Valid reports whether t is one of the known document types.
func (t IDType) Valid() bool {
	_, ok := idTypeLabels[t]
	return ok
}

// ParseIDType reads a document type from a form value: "" means IDResident, and any other value
// is kept as given, so an unknown one reports Valid() == false.
func ParseIDType(s string) IDType {
	if s == "" {
		return IDResident
	}
	return IDType(s)
}

// now is the clock for the birth-date check; tests pin it.
var now = time.Now

// chinaZone is Beijing time (UTC+8, no daylight saving), the zone birth dates on IDs are in. A
// fixed zone needs no tzdata on the server.
var chinaZone = time.FixedZone("CST", 8*60*60)

// ValidateIDNumber normalizes raw (Normalize, then upper-case, with internal spaces removed) and
// checks it for the document type t. It returns the normalized number, or "" and a *FieldError
// with a stable code and a Chinese message.
func ValidateIDNumber(t IDType, raw string) (string, *FieldError) {
	if !t.Valid() {
		return "", &FieldError{Code: "id_type", Message: "请选择证件类型"}
	}
	s := strings.ToUpper(removeSpaces(Normalize(raw)))
	if s == "" {
		return "", &FieldError{Code: "required", Message: "请填写证件号码"}
	}
	var ferr *FieldError
	switch t {
	case IDPassport:
		ferr = checkDocNumber(s, false)
	case IDOther:
		ferr = checkDocNumber(s, true)
	default:
		ferr = checkGB11643(t, s)
	}
	if ferr != nil {
		return "", ferr
	}
	return s, nil
}

// checkGB11643 checks an 18-character number: length, format, type prefix, birth date, checksum.
func checkGB11643(t IDType, s string) *FieldError {
	if utf8.RuneCountInString(s) != 18 {
		msg := "证件号码应为18位"
		if t == IDForeignPR {
			msg = "证件号码应为18位；持旧版15位外国人永久居留身份证的，请将证件类型选为“其他证件”"
		}
		return &FieldError{Code: "id_length", Message: msg}
	}
	if len(s) != 18 || !isDigits(s[:17]) || !(isDigit(s[17]) || s[17] == 'X') {
		return &FieldError{Code: "id_format", Message: "证件号码格式不正确：前17位应为数字，最后一位为数字或X"}
	}
	if ferr := checkIDPrefix(t, s); ferr != nil {
		return ferr
	}
	if !validBirthDate(s[6:14]) {
		return &FieldError{Code: "id_birthdate", Message: "证件号码中的出生日期无效"}
	}
	if IDCheckChar(s[:17]) != s[17] {
		return &FieldError{Code: "id_checksum", Message: "证件号码校验位错误，请核对"}
	}
	return nil
}

// idKind guesses the document type from the start of an 18-digit number, or "" for none.
func idKind(s string) IDType {
	switch p := s[:2]; {
	case p[0] == '9':
		return IDForeignPR
	case p == "81" || p == "82" || p == "83":
		return IDResidence
	case isProvinceCode(p):
		return IDResident
	}
	return ""
}

// isProvinceCode reports whether p is the code of a mainland province-level division.
func isProvinceCode(p string) bool {
	n, err := strconv.Atoi(p)
	if err != nil {
		return false
	}
	return 11 <= n && n <= 15 || 21 <= n && n <= 23 || 31 <= n && n <= 37 ||
		41 <= n && n <= 46 || 50 <= n && n <= 54 || 61 <= n && n <= 65
}

// checkIDPrefix checks that the number belongs to document type t, suggesting the right type
// when it plainly belongs to another.
func checkIDPrefix(t IDType, s string) *FieldError {
	kind := idKind(s)
	switch t {
	case IDResident:
		if kind == IDResident {
			return nil
		}
		if kind == "" {
			return &FieldError{Code: "id_format", Message: "证件号码开头的地区代码无效，请核对"}
		}
	case IDResidence:
		if strings.HasPrefix(s, "810000") || strings.HasPrefix(s, "820000") || strings.HasPrefix(s, "830000") {
			return nil
		}
		if kind == "" || kind == IDResidence {
			return &FieldError{Code: "id_type_mismatch", Message: "港澳台居民居住证号码应以810000、820000或830000开头，请核对"}
		}
	case IDForeignPR:
		if kind == IDForeignPR {
			return nil
		}
		if kind == "" {
			return &FieldError{Code: "id_type_mismatch", Message: "外国人永久居留身份证号码应以9开头，请核对"}
		}
	}
	l := kind.Label()
	return &FieldError{Code: "id_type_mismatch", Message: fmt.Sprintf("该号码是%s号码，请将证件类型选为“%s”", l, l)}
}

// validBirthDate reports whether YYYYMMDD is a real date from 1900-01-01 to today in China.
func validBirthDate(s string) bool {
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:])
	b := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if b.Year() != y || int(b.Month()) != m || b.Day() != d || y < 1900 {
		return false
	}
	ty, tm, td := now().In(chinaZone).Date()
	return !b.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC))
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// IDCheckChar returns the GB 11643 (ISO 7064 MOD 11-2) check character of 17 digits.
func IDCheckChar(body string) byte {
	sum := 0
	for i := range 17 {
		sum += int(body[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// checkDocNumber checks a passport or other document number: 5 to 20 of A-Z and 0-9, and hyphens
// when allowed.
func checkDocNumber(s string, hyphens bool) *FieldError {
	msg := "护照号码应为5至20位字母或数字"
	if hyphens {
		msg = "证件号码应为5至20位字母、数字或连字符（-）"
	}
	if len(s) < 5 || len(s) > 20 {
		return &FieldError{Code: "id_format", Message: msg}
	}
	for i := range len(s) {
		c := s[i]
		if !(isDigit(c) || 'A' <= c && c <= 'Z' || hyphens && c == '-') {
			return &FieldError{Code: "id_format", Message: msg}
		}
	}
	return nil
}

// removeSpaces drops every white-space character, including U+3000 and NBSP.
func removeSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

package contest

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize trims surrounding white space (including the full-width space U+3000, NBSP, and the
// zero-width space and BOM that copying from documents leaves behind) and converts full-width ASCII
// characters (U+FF01..U+FF5E, e.g. '１２３', 'Ｘ', '＠') to their half-width forms, so input typed
// with a Chinese input method compares equal to the plain form.
func Normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		if 0xFF01 <= r && r <= 0xFF5E {
			return r - 0xFEE0
		}
		return r
	}, s)
	return strings.TrimFunc(s, isTrimmable)
}

func isTrimmable(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF'
}

// ValidateMobile checks a mainland mobile number: 11 digits starting 1[3-9]. Spaces and hyphens
// are dropped and a leading +86, 0086 or 86 is accepted. It returns the 11 digits.
func ValidateMobile(raw string) (string, *FieldError) {
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, Normalize(raw))
	if s == "" {
		return "", &FieldError{Code: "required", Message: "请填写手机号码"}
	}
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
	case len(s) == 15 && strings.HasPrefix(s, "0086"):
		s = s[4:]
	case len(s) == 13 && strings.HasPrefix(s, "86"):
		s = s[2:]
	}
	if len(s) != 11 || !isDigits(s) || s[0] != '1' || s[1] < '3' {
		return "", &FieldError{Code: "mobile_format", Message: "请填写正确的11位手机号码"}
	}
	return s, nil
}

// maxEmailLen is the longest address SMTP can carry (RFC 5321).
const maxEmailLen = 254

// ValidateEmail checks a bare e-mail address (no display name, a dot in the domain) and returns it
// with the domain in lower case. An ideographic full stop '。' typed by mistake is read as '.'.
func ValidateEmail(raw string) (string, *FieldError) {
	s := strings.ReplaceAll(Normalize(raw), "。", ".")
	if s == "" {
		return "", &FieldError{Code: "required", Message: "请填写电子邮箱"}
	}
	if len(s) > maxEmailLen {
		return "", &FieldError{Code: "too_long", Message: fmt.Sprintf("电子邮箱不能超过%d个字符", maxEmailLen)}
	}
	bad := &FieldError{Code: "email_format", Message: "请填写正确的电子邮箱"}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if !strings.Contains(domain, ".") || strings.ContainsAny(domain, "[]") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", bad
	}
	return local + "@" + strings.ToLower(domain), nil
}

// ValidatePostalCode checks a mainland postal code: exactly 6 digits.
func ValidatePostalCode(raw string) (string, *FieldError) {
	s := Normalize(raw)
	if s == "" {
		return "", &FieldError{Code: "required", Message: "请填写邮政编码"}
	}
	if len(s) != 6 || !isDigits(s) {
		return "", &FieldError{Code: "postal_code_format", Message: "邮政编码应为6位数字"}
	}
	return s, nil
}

// ValidateText cleans a free-text field and checks that it is present when required and at most
// maxRunes characters long (a Chinese character counts as one; maxRunes <= 0 means no limit).
//
// Unlike Normalize it keeps full-width punctuation (，：；！？（）), which is correct in Chinese prose,
// and folds only full-width digits and Latin letters. It also drops invalid UTF-8 and control
// characters other than tab and newline, and turns CRLF into LF.
func ValidateText(raw string, required bool, maxRunes int) (string, *FieldError) {
	s := cleanText(raw)
	if s == "" {
		if required {
			return "", &FieldError{Code: "required", Message: "此项为必填项"}
		}
		return "", nil
	}
	if maxRunes > 0 && utf8.RuneCountInString(s) > maxRunes {
		return "", &FieldError{Code: "too_long", Message: fmt.Sprintf("不能超过%d个字", maxRunes)}
	}
	return s, nil
}

func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case '０' <= r && r <= '９', 'Ａ' <= r && r <= 'Ｚ', 'ａ' <= r && r <= 'ｚ':
			return r - 0xFEE0
		case r == '\t' || r == '\n':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimFunc(s, isTrimmable)
}

// MaskIDNumber hides the middle of a document number for display and logs: numbers of 15 or more
// characters keep the first and last 4 ("3201**********123X"), shorter ones of 6 or more keep the
// first and last 2, and anything shorter is all stars.
func MaskIDNumber(s string) string {
	r := []rune(s)
	switch {
	case len(r) >= 15:
		return mask(r, 4, 4)
	case len(r) >= 6:
		return mask(r, 2, 2)
	}
	return mask(r, 0, 0)
}

// MaskMobile hides the middle of a mobile number: "138****5678". Numbers shorter than 8 characters
// are all stars.
func MaskMobile(s string) string {
	r := []rune(s)
	if len(r) >= 8 {
		return mask(r, 3, 4)
	}
	return mask(r, 0, 0)
}

// MaskName keeps a person's surname (the first character): "张**". Masked exports carry names
// this way; the audited full export has them whole.
func MaskName(s string) string { return mask([]rune(s), 1, 0) }

// MaskEmail keeps the first character and the domain: "z***@example.org".
func MaskEmail(s string) string {
	if at := strings.IndexByte(s, '@'); at > 0 {
		first, _ := utf8.DecodeRuneInString(s)
		return string(first) + "***" + s[at:]
	}
	return mask([]rune(s), 0, 0)
}

// MaskWeChat keeps the first two characters of a WeChat id: "zh******".
func MaskWeChat(s string) string { return mask([]rune(s), min(2, len([]rune(s))/3), 0) }

// MaskAddress keeps an address down to its city (the first six characters, e.g. "江苏省南京市")
// and hides the street and number.
func MaskAddress(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return mask(r, 0, 0)
	}
	return string(r[:6]) + "****"
}

// mask keeps head runes at the start and tail runes at the end and replaces the rest with '*'.
func mask(r []rune, head, tail int) string {
	var b strings.Builder
	for i, c := range r {
		if i < head || i >= len(r)-tail {
			b.WriteRune(c)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}

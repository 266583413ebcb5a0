package contest

import (
	"strings"
	"testing"
)

func TestNormalize_TrimsAndFoldsFullWidth(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc", "abc"},
		{"ASCII spaces", "  abc\t\n", "abc"},
		{"full-width space and NBSP", "\u3000\u00a0abc\u3000", "abc"},
		{"zero-width space and BOM", "\ufeff\u200babc\u200b", "abc"},
		{"full-width digits", "１２３", "123"},
		{"full-width letters and at", "ｚｈａｎｇ＠ＱＱ．ｃｏｍ", "zhang@QQ.com"},
		{"full-width range ends", "！～", "!~"},
		{"internal spaces kept", "a b\u3000c", "a b\u3000c"},
		{"Chinese untouched", "南京。", "南京。"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("%s: Normalize(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// fieldCase is one input to a validator and what it must produce: want when code is "".
type fieldCase struct {
	name, in, want, code string
}

func checkField(t *testing.T, validate func(string) (string, *FieldError), tests []fieldCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ferr := validate(tt.in)
			switch {
			case tt.code == "" && ferr != nil:
				t.Fatalf("(%q) error %+v, want %q", tt.in, *ferr, tt.want)
			case tt.code == "" && got != tt.want:
				t.Fatalf("(%q) = %q, want %q", tt.in, got, tt.want)
			case tt.code != "" && ferr == nil:
				t.Fatalf("(%q) = %q, want code %q", tt.in, got, tt.code)
			case tt.code != "" && (ferr.Code != tt.code || ferr.Message == "" || got != ""):
				t.Fatalf("(%q) = %q, %+v, want code %q", tt.in, got, *ferr, tt.code)
			}
		})
	}
}

func TestValidateMobile(t *testing.T) {
	checkField(t, ValidateMobile, []fieldCase{
		{name: "plain", in: "13812345678", want: "13812345678"},
		{name: "+86 and spaces", in: "+86 138 1234 5678", want: "13812345678"},
		{name: "86 prefix", in: "8613812345678", want: "13812345678"},
		{name: "0086 prefix", in: "0086-138-1234-5678", want: "13812345678"},
		{name: "hyphens", in: "138-1234-5678", want: "13812345678"},
		{name: "full-width", in: "＋８６\u3000１９９１２３４５６７８", want: "19912345678"},
		{name: "empty", in: " ", code: "required"},
		{name: "10 digits", in: "1381234567", code: "mobile_format"},
		{name: "12 digits", in: "138123456789", code: "mobile_format"},
		{name: "second digit 2", in: "12812345678", code: "mobile_format"},
		{name: "landline", in: "025-83456789", code: "mobile_format"},
		{name: "letters", in: "1381234567O", code: "mobile_format"},
		{name: "+86 with 10 digits", in: "+861381234567", code: "mobile_format"},
	})
}

func TestValidateEmail(t *testing.T) {
	checkField(t, ValidateEmail, []fieldCase{
		{name: "plain", in: "zhang.san@example.com", want: "zhang.san@example.com"},
		{name: "domain lower-cased, local kept", in: " Zhang@QQ.COM ", want: "Zhang@qq.com"},
		{name: "full-width at and dot", in: "ｌｉ＠１６３．ｃｏｍ", want: "li@163.com"},
		{name: "ideographic full stop", in: "li@163。com", want: "li@163.com"},
		{name: "plus tag", in: "a+contest@b.cn", want: "a+contest@b.cn"},
		{name: "empty", in: "", code: "required"},
		{name: "display name", in: "张三 <zhang@example.com>", code: "email_format"},
		{name: "ASCII display name", in: "A <a@b.c>", code: "email_format"},
		{name: "angle brackets only", in: "<a@b.c>", code: "email_format"},
		{name: "no at", in: "zhang.example.com", code: "email_format"},
		{name: "no dot in domain", in: "zhang@localhost", code: "email_format"},
		{name: "trailing dot", in: "zhang@example.", code: "email_format"},
		{name: "domain literal", in: "zhang@[127.0.0.1]", code: "email_format"},
		{name: "two addresses", in: "a@b.c, d@e.f", code: "email_format"},
		{name: "internal space", in: "zhang san@example.com", code: "email_format"},
		{name: "too long", in: strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", code: "too_long"},
	})
	// 254 characters exactly is allowed.
	local := strings.Repeat("a", 64)
	domain := strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com"
	if addr := local + "@" + domain; len(addr) != 254 {
		t.Fatalf("test address has %d characters", len(addr))
	} else if _, ferr := ValidateEmail(addr); ferr != nil {
		t.Errorf("254-character address rejected: %+v", *ferr)
	}
}

func TestValidatePostalCode(t *testing.T) {
	checkField(t, ValidatePostalCode, []fieldCase{
		{name: "plain", in: "210008", want: "210008"},
		{name: "full-width and spaces", in: " ２１０００８\u3000", want: "210008"},
		{name: "empty", in: "", code: "required"},
		{name: "5 digits", in: "21000", code: "postal_code_format"},
		{name: "7 digits", in: "2100081", code: "postal_code_format"},
		{name: "letter", in: "21000A", code: "postal_code_format"},
		{name: "internal space", in: "210 008", code: "postal_code_format"},
	})
}

func TestValidateText(t *testing.T) {
	optional := func(s string) (string, *FieldError) { return ValidateText(s, false, 5) }
	required := func(s string) (string, *FieldError) { return ValidateText(s, true, 5) }
	unlimited := func(s string) (string, *FieldError) { return ValidateText(s, true, 0) }
	t.Run("required", func(t *testing.T) {
		checkField(t, required, []fieldCase{
			{name: "Chinese counts one per character", in: "江苏省科协", want: "江苏省科协"},
			{name: "trimmed before counting", in: "\u3000 江苏省科协 \n", want: "江苏省科协"},
			{name: "six Chinese characters too long", in: "江苏省科学技", code: "too_long"},
			{name: "six letters too long", in: "abcdef", code: "too_long"},
			{name: "empty", in: "", code: "required"},
			{name: "blank", in: " \u3000\u00a0", code: "required"},
			{name: "only control characters", in: "\x00\x01", code: "required"},
		})
	})
	t.Run("optional", func(t *testing.T) {
		checkField(t, optional, []fieldCase{
			{name: "empty is fine", in: " ", want: ""},
			{name: "still limited", in: "123456", code: "too_long"},
		})
	})
	t.Run("cleaning", func(t *testing.T) {
		checkField(t, unlimited, []fieldCase{
			{name: "full-width digits and letters folded", in: "１号楼ＡＢ座", want: "1号楼AB座"},
			{name: "Chinese punctuation kept", in: "创新，争先！（第一集）：好？", want: "创新，争先！（第一集）：好？"},
			{name: "CRLF becomes LF", in: "第一行\r\n第二行", want: "第一行\n第二行"},
			{name: "control characters dropped", in: "a\x00b\x1bc\td", want: "abc\td"},
			{name: "invalid UTF-8 dropped", in: "a\xffb", want: "ab"},
		})
	})
	_, ferr := ValidateText("江苏省科学技", true, 5)
	if ferr.Message != "不能超过5个字" {
		t.Errorf("too_long message = %q", ferr.Message)
	}
}

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"32010219900307123X", "3201**********123X"},
		{"110105491231002", "1101*******1002"},
		{"E12345678", "E1*****78"},
		{"E12345", "E1**45"},
		{"E1234", "*****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskIDNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskMobile(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"1381234", "*******"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskMobile(tt.in); got != tt.want {
			t.Errorf("MaskMobile(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskContactData(t *testing.T) {
	for _, tc := range []struct {
		mask     func(string) string
		in, want string
	}{
		{MaskName, "欧阳明哲", "欧***"},
		{MaskName, "张三", "张*"},
		{MaskEmail, "zhang@example.org", "z***@example.org"},
		{MaskEmail, "张@例子.中国", "张***@例子.中国"},
		{MaskEmail, "no-at-sign", "**********"},
		{MaskWeChat, "zhangsan", "zh******"},
		{MaskWeChat, "ab", "**"},
		{MaskAddress, "江苏省南京市玄武区孝陵卫街50号", "江苏省南京市****"},
		{MaskAddress, "南京市", "***"},
	} {
		if got := tc.mask(tc.in); got != tc.want {
			t.Errorf("mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

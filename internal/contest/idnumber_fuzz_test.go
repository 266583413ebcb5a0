package contest

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzValidateIDNumber checks, on any input, that validation never panics, that an accepted
// 18-character number really carries its MOD 11-2 check character, and that validating the
// normalized output accepts it unchanged.
func FuzzValidateIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ",
		"810000199001010017", "E12345678", "", " ", "1101051949123100", "\u3000\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, typ := range IDTypes() {
			got, fe := ValidateIDNumber(typ, raw)
			if fe != nil {
				if fe.Code == "" || fe.Message == "" {
					t.Fatalf("%s %q: error without code or message", typ, raw)
				}
				continue
			}
			if !utf8.ValidString(got) || strings.TrimSpace(got) != got {
				t.Fatalf("%s %q: accepted as %q", typ, raw, got)
			}
			if typ == IDResident || typ == IDResidence || typ == IDForeignPR {
				if len(got) != 18 || checkChar(got[:17]) != got[17] {
					t.Fatalf("%s %q: accepted %q without a valid check character", typ, raw, got)
				}
			}
			if again, fe := ValidateIDNumber(typ, got); fe != nil || again != got {
				t.Fatalf("%s: normalized %q does not validate to itself (%q, %v)", typ, got, again, fe)
			}
		}
	})
}

// checkChar computes the GB 11643 check character independently of the code under test.
func checkChar(first17 string) byte {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

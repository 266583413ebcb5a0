package contest

import (
	"math"
	"strings"
	"testing"
)

// TestOneTimePassword_HasNoLookAlikes: an organizer reads the password out or a judge copies it
// by hand; none of 0 O o 1 l I can be mistaken for another, and the password keeps ≥ 70 bits.
func TestOneTimePassword_HasNoLookAlikes(t *testing.T) {
	if bits := float64(GeneratedPasswordLen) * math.Log2(float64(len(PasswordAlphabet))); bits < 70 {
		t.Fatalf("generated passwords have %.1f bits, want at least 70", bits)
	}
	seen := map[rune]bool{}
	for range 5000 {
		pw := oneTimePassword()
		if len(pw) != GeneratedPasswordLen {
			t.Fatalf("password %q has %d characters, want %d", pw, len(pw), GeneratedPasswordLen)
		}
		if i := strings.IndexAny(pw, "0Oo1lI"); i >= 0 {
			t.Fatalf("password %q has the look-alike %q", pw, pw[i])
		}
		for _, r := range pw {
			if !strings.ContainsRune(PasswordAlphabet, r) {
				t.Fatalf("password %q has %q, not in the alphabet", pw, r)
			}
			seen[r] = true
		}
	}
	if len(seen) != len(PasswordAlphabet) { // 65 000 draws from 54 characters miss none
		t.Errorf("5000 passwords used %d of the %d characters", len(seen), len(PasswordAlphabet))
	}
}

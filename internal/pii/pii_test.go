package pii

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func MustBox(tb testing.TB, key []byte) *Box {
	tb.Helper()
	b, err := New(key)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestSeal_RoundTripHidesPlaintext(t *testing.T) {
	b := MustBox(t, bytes.Repeat([]byte{7}, KeySize))
	const id = "11010519491231002X"
	sealed, err := b.Seal("id_number", id)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, id) || strings.Contains(sealed, "1949") {
		t.Fatalf("sealed value shows the plaintext: %q", sealed)
	}
	again, _ := b.Seal("id_number", id)
	if again == sealed {
		t.Fatal("two seals of the same value are equal; the nonce is not random")
	}
	got, err := b.Open("id_number", sealed)
	if err != nil || got != id {
		t.Fatalf("Open = %q, %v; want %q", got, err, id)
	}
}

func TestOpen_RefusesTamperedWrongFieldAndWrongKey(t *testing.T) {
	b := MustBox(t, bytes.Repeat([]byte{7}, KeySize))
	sealed, _ := b.Seal("mobile", "13800138000")
	flipped := []byte(sealed)
	flipped[len(flipped)-3] ^= 1
	other := MustBox(t, bytes.Repeat([]byte{8}, KeySize))
	for name, open := range map[string]func() (string, error){
		"tampered":    func() (string, error) { return b.Open("mobile", string(flipped)) },
		"other field": func() (string, error) { return b.Open("id_number", sealed) },
		"other key":   func() (string, error) { return other.Open("mobile", sealed) },
	} {
		if got, err := open(); err == nil {
			t.Errorf("%s: opened to %q, want an error", name, got)
		}
	}
}

func TestIndex_IsKeyedAndStable(t *testing.T) {
	b := MustBox(t, bytes.Repeat([]byte{7}, KeySize))
	other := MustBox(t, bytes.Repeat([]byte{8}, KeySize))
	if b.Index("13800138000") != b.Index("13800138000") {
		t.Fatal("index is not deterministic")
	}
	if b.Index("13800138000") == other.Index("13800138000") {
		t.Fatal("index does not depend on the key")
	}
	if b.Index("") != "" {
		t.Fatal("empty value should have an empty index")
	}
}

func TestLoadOrCreateKey_CreatesOnceWithPrivateMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "secret.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load gave another key (%v)", err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
}

func TestFingerprint_SameKeySameFingerprintOtherKeyAnother(t *testing.T) {
	a, b := make([]byte, KeySize), make([]byte, KeySize)
	b[0] = 1
	boxA, _ := New(a)
	boxA2, _ := New(a)
	boxB, _ := New(b)
	if boxA.Fingerprint() != boxA2.Fingerprint() || boxA.Fingerprint() == boxB.Fingerprint() || len(boxA.Fingerprint()) != 32 {
		t.Fatalf("fingerprints %q %q %q", boxA.Fingerprint(), boxA2.Fingerprint(), boxB.Fingerprint())
	}
}

func TestFingerprints_CurrentKeyFirstThenThePrevious(t *testing.T) {
	a, b := make([]byte, KeySize), make([]byte, KeySize)
	b[0] = 1
	onlyA, _ := New(a)
	onlyB, _ := New(b)
	rotating, _ := New(b, a)
	if got := rotating.Fingerprints(); len(got) != 2 || got[0] != onlyB.Fingerprint() || got[1] != onlyA.Fingerprint() || rotating.Fingerprint() != onlyB.Fingerprint() {
		t.Fatalf("fingerprints while rotating %v", got)
	}
}

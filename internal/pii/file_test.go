package pii

import (
	"bytes"
	"testing"
)

func TestSealFile_RoundTripOwnKeysAndTampering(t *testing.T) {
	box := mustBox(t, 1)
	scan := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("证件号码 11010519491231002X "), 200)...)
	a, err := box.SealFile(scan)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := box.SealFile(scan)
	if bytes.Contains(a, []byte("11010519491231002X")) || bytes.Contains(a, []byte("%PDF")) {
		t.Fatal("the sealed file shows its content")
	}
	if bytes.Equal(a, b) {
		t.Error("two seals of the same file are equal: files share a key or a nonce")
	}
	if got, err := box.OpenFile(a); err != nil || !bytes.Equal(got, scan) {
		t.Fatalf("open = %v, content equal %v", err, bytes.Equal(got, scan))
	}
	a[len(a)-1] ^= 1
	if _, err := box.OpenFile(a); err == nil {
		t.Error("an altered file opened")
	}
	if _, err := mustBox(t, 2).OpenFile(b); err == nil {
		t.Error("a file opened under another master key")
	}
	if got, err := box.OpenFile(scan); err != nil || !bytes.Equal(got, scan) {
		t.Error("a file stored before sealing is not returned as it is")
	}
}

func mustBox(t *testing.T, seed byte) *Box {
	t.Helper()
	b, err := New(bytes.Repeat([]byte{seed}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

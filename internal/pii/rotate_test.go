package pii

import (
	"bytes"
	"slices"
	"testing"
)

// A rotation: with the new key current and the old one previous, values sealed under the old
// key still open and are found by their old index; Reseal moves each onto the new key once;
// after it the old key is no longer needed.
func TestRotation_ResealMovesValuesToTheNewKey(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{2}, KeySize)
	before, err := New(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := before.Seal("participants.id", "11010519491231002X")
	if err != nil {
		t.Fatal(err)
	}
	file, err := before.SealFile([]byte("%PDF 授权书"))
	if err != nil {
		t.Fatal(err)
	}
	oldIndex := before.Index("11010519491231002X")

	during, err := New(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := during.Open("participants.id", sealed); err != nil || got != "11010519491231002X" {
		t.Fatalf("during the rotation the old value opens as %q, %v", got, err)
	}
	if idx := during.Indexes("11010519491231002X"); len(idx) != 2 || idx[0] == oldIndex || !slices.Contains(idx, oldIndex) {
		t.Errorf("indexes during the rotation %v: want the new one first and the old one", idx)
	}
	resealed, changed, err := during.Reseal("participants.id", sealed)
	if err != nil || !changed || resealed == sealed {
		t.Fatalf("reseal: changed %v, %v", changed, err)
	}
	if _, again, err := during.Reseal("participants.id", resealed); err != nil || again {
		t.Errorf("resealing a value already under the new key: changed %v, %v", again, err)
	}
	newFile, changed, err := during.ResealFile(file)
	if err != nil || !changed {
		t.Fatalf("reseal file: changed %v, %v", changed, err)
	}

	after, err := New(newKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.Open("participants.id", resealed); err != nil || got != "11010519491231002X" {
		t.Errorf("after the rotation the resealed value opens as %q, %v", got, err)
	}
	if _, err := after.Open("participants.id", sealed); err == nil {
		t.Error("a value never resealed opens without the old key")
	}
	if got, err := after.OpenFile(newFile); err != nil || string(got) != "%PDF 授权书" {
		t.Errorf("the resealed file opens as %q, %v", got, err)
	}
	if _, err := after.OpenFile(file); err == nil {
		t.Error("a file never resealed opens without the old key")
	}
}

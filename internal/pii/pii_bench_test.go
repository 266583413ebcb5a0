package pii

import (
	"bytes"
	"testing"
)

// BenchmarkSealOpen is the cost of protecting one ID number on the write and read paths; the
// baseline is copying the plaintext.
func BenchmarkSealOpen(b *testing.B) {
	box := MustBox(b, bytes.Repeat([]byte{7}, KeySize))
	const id = "11010519491231002X"
	b.Run("baseline-copy", func(b *testing.B) {
		for b.Loop() {
			_ = string([]byte(id))
		}
	})
	b.Run("seal+open+index", func(b *testing.B) {
		for b.Loop() {
			s, _ := box.Seal("f", id)
			_, _ = box.Open("f", s)
			_ = box.Index(id)
		}
	})
}

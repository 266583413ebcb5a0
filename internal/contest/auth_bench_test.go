package contest

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// BenchmarkPasswordCheck measures one sign-in's password check at the production cost (12)
// against the minimum cost, to size sign-in capacity per core.
func BenchmarkPasswordCheck(b *testing.B) {
	for _, cost := range []int{bcrypt.MinCost, 12} {
		hash, _ := bcrypt.GenerateFromPassword([]byte("secret-pass"), cost)
		b.Run(map[int]string{bcrypt.MinCost: "cost4-baseline", 12: "cost12"}[cost], func(b *testing.B) {
			for b.Loop() {
				_ = bcrypt.CompareHashAndPassword(hash, []byte("secret-pass"))
			}
		})
	}
}

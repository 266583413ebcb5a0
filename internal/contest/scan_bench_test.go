package contest

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkDuplicateSearch compares one 3-minute video's hashes (one a second) with every
// other video of a contest of 200 and of 10 000 works, as a scan does: the cost a scan adds per
// work already scanned.
func BenchmarkDuplicateSearch(b *testing.B) {
	for _, works := range []int{200, 10000} {
		b.Run(fmt.Sprintf("%d-works", works), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 8))
			others := make([][]FrameHash, works)
			for i := range others {
				others[i] = hashesOf(rng, 180)
			}
			mine := hashesOf(rng, 180)
			b.ResetTimer()
			for range b.N {
				for _, o := range others {
					if share, _ := MatchVideos(mine, o); share >= dupShare {
						b.Fatal("random videos matched")
					}
				}
			}
		})
	}
}

package main

import (
	"slices"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// measureBaseline times bcrypt at cost (the median of three hashes) and returns the CPU floor
// of n of them shared by cores.
func measureBaseline(cost, n, cores int) (Baseline, error) {
	var ds []time.Duration
	for range 3 {
		start := time.Now()
		if _, err := bcrypt.GenerateFromPassword([]byte("correct-horse-battery"), cost); err != nil {
			return Baseline{}, err
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	one := ds[1]
	floor := time.Duration(int64(one) * int64(n) / int64(cores))
	return Baseline{Cost: cost, HashMS: ms(one), Cores: cores, N: n, FloorSec: round2(floor.Seconds())}, nil
}

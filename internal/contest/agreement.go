package contest

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Rating is one judge's score of one work, the input of the agreement statistics.
type Rating struct {
	Work, Judge int64
	Score       float64
}

// Alpha is Krippendorff's α for interval data with a bootstrap confidence interval.
type Alpha struct {
	Value, Lower, Upper float64
	Pairable            int // scores of works with at least two scores: the ones α uses
}

// alphaUnit is what one work contributes to α: its number of scores, their sum and sum of
// squares, and its observed disagreement. Summing these (with multiplicity) is all α and each
// bootstrap sample need.
type alphaUnit struct {
	m, sum, sq, observed float64
}

// withObserved sets the unit's observed disagreement: with m scores it is
// Σ_{i≠j}(x_i−x_j)²/(m−1) = 2(mΣx²−(Σx)²)/(m−1).
func (u alphaUnit) withObserved() alphaUnit {
	if u.m > 1 {
		u.observed = 2 * (u.m*u.sq - u.sum*u.sum) / (u.m - 1)
	}
	return u
}

// alphaStats totals the units.
type alphaStats struct {
	n, sum, sq, observed float64
}

func (s *alphaStats) add(u alphaUnit) {
	s.n += u.m
	s.sum += u.sum
	s.sq += u.sq
	s.observed += u.observed
}

// alpha is 1 − D_o/D_e with D_o = observed/n and D_e = 2(nΣx²−(Σx)²)/(n(n−1)); NaN when all
// pairable scores are equal (no variation to agree on).
func (s alphaStats) alpha() float64 {
	expected := 2 * (s.n*s.sq - s.sum*s.sum)
	if s.n < 2 || expected <= 0 {
		return math.NaN()
	}
	return 1 - (s.n-1)*s.observed/expected
}

// KrippendorffAlpha is α for interval data over ratings where each work has scores from any
// subset of the judges (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability").
// Works with a single score are not pairable and are left out. The interval is the percentile
// bootstrap over works (resampling whole works keeps each work's judges together), with
// samples draws from a generator seeded by seed, so the same ratings give the same interval.
// This is not Hayes & Krippendorff's (2007) macro, which resamples pairs of values.
func KrippendorffAlpha(ratings []Rating, level float64, samples int, seed uint64) Alpha {
	return alphaOf(groupByWork(ratings), level, samples, seed)
}

func alphaOf(works [][]Rating, level float64, samples int, seed uint64) Alpha {
	units := make([]alphaUnit, 0, len(works))
	var all alphaStats
	for _, w := range works {
		if len(w) < 2 {
			continue
		}
		u := alphaUnit{m: float64(len(w))}
		for _, r := range w {
			u.sum += r.Score
			u.sq += r.Score * r.Score
		}
		u = u.withObserved()
		units = append(units, u)
		all.add(u)
	}
	a := Alpha{Value: all.alpha(), Lower: math.NaN(), Upper: math.NaN(), Pairable: int(all.n)}
	if len(units) < 2 || samples < 1 {
		return a
	}
	a.Lower, a.Upper = bootstrapAlpha(units, level, samples, seed)
	return a
}

func bootstrapAlpha(units []alphaUnit, level float64, samples int, seed uint64) (lower, upper float64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	values := make([]float64, 0, samples)
	for range samples {
		var s alphaStats
		for range units {
			s.add(units[rng.IntN(len(units))])
		}
		if v := s.alpha(); !math.IsNaN(v) {
			values = append(values, v)
		}
	}
	return percentileInterval(values, level)
}

// percentileInterval is the bootstrap's percentile interval at the level; NaN without values.
// values are sorted.
func percentileInterval(values []float64, level float64) (lower, upper float64) {
	if len(values) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.Sort(values)
	tail := (1 - level) / 2
	return stat.Quantile(tail, stat.Empirical, values, nil), stat.Quantile(1-tail, stat.Empirical, values, nil)
}

// groupByWork returns the ratings of each work, works in order of first appearance.
func groupByWork(ratings []Rating) [][]Rating {
	index := make(map[int64]int)
	var works [][]Rating
	for _, r := range ratings {
		if math.IsNaN(r.Score) {
			continue
		}
		i, ok := index[r.Work]
		if !ok {
			i = len(works)
			index[r.Work] = i
			works = append(works, nil)
		}
		works[i] = append(works[i], r)
	}
	return works
}

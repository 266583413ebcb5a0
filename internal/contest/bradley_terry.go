package contest

import (
	"maps"
	"math"
	"slices"
)

// Outcome is one comparison of two works: the judge found Winner the better.
type Outcome struct {
	Winner, Loser string
}

// DefaultBTPrior is the weight of the prior in the pairwise check's Bradley–Terry fit: every
// work plays one virtual game against a reference work of strength 1 and wins half of it. A
// work that won every comparison thus keeps a finite strength, and a work compared once is not
// taken for certain on one judge's word.
const DefaultBTPrior = 1.0

// BTFit is a Bradley–Terry model fitted to comparisons: each work has a strength γ > 0, and the
// chance that a judge finds a better than b is γa / (γa + γb).
type BTFit struct {
	Strength   map[string]float64
	Iterations int
}

// P is the fitted probability that work a is judged better than work b; 0.5 for a work the fit
// does not know.
func (f BTFit) P(a, b string) float64 {
	ga, oka := f.Strength[a]
	gb, okb := f.Strength[b]
	if !oka || !okb {
		return 0.5
	}
	return ga / (ga + gb)
}

// FitBradleyTerry fits the Bradley–Terry model by the MM algorithm of Hunter (2004, "MM
// algorithms for generalized Bradley–Terry models", eq. 3): γi ← Wi / Σj nij/(γi+γj), where Wi is
// i's wins and nij the comparisons of i and j. With prior > 0 each work also plays prior virtual
// games against a reference of strength 1, winning half of them (a weak prior pulling strengths
// towards 1, which keeps them finite and fixes their scale). With prior 0 the maximum-likelihood
// strengths are scaled to a geometric mean of 1; they exist only when every work has won and
// lost at least once in a connected set of comparisons. The result does not depend on the
// order of the comparisons.
func FitBradleyTerry(outcomes []Outcome, prior float64) BTFit {
	ids := btWorks(outcomes)
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
	}
	n := len(ids)
	wins := make([]float64, n)
	counts := make([]map[int]float64, n) // nij
	for i := range counts {
		counts[i] = map[int]float64{}
	}
	for _, o := range outcomes {
		w, l := index[o.Winner], index[o.Loser]
		wins[w]++
		counts[w][l]++
		counts[l][w]++
	}
	games := make([][]btGames, n) // in the order of j, so that the sums do not depend on the input's order
	for i, m := range counts {
		for _, j := range slices.Sorted(maps.Keys(m)) {
			games[i] = append(games[i], btGames{j, m[j]})
		}
	}
	gamma := make([]float64, n)
	for i := range gamma {
		gamma[i] = 1
	}
	it := 0
	for ; it < btMaxIterations; it++ {
		next := btStep(gamma, wins, games, prior)
		change := 0.0
		for i := range next {
			change = max(change, math.Abs(math.Log(next[i]/gamma[i])))
		}
		gamma = next
		if change < btTolerance {
			break
		}
	}
	fit := BTFit{Strength: make(map[string]float64, n), Iterations: it + 1}
	for i, id := range ids {
		fit.Strength[id] = gamma[i]
	}
	return fit
}

const (
	btMaxIterations = 10000
	btTolerance     = 1e-12 // largest change of a log-strength between iterations
)

// btStep is one MM update of every strength (Hunter's parallel update), scaled to a geometric
// mean of 1 when there is no prior to fix the scale.
func btStep(gamma, wins []float64, games [][]btGames, prior float64) []float64 {
	next := make([]float64, len(gamma))
	logSum := 0.0
	for i := range gamma {
		num, den := wins[i]+prior/2, prior/(gamma[i]+1)
		for _, g := range games[i] {
			den += g.n / (gamma[i] + gamma[g.j])
		}
		next[i] = num / den
		if next[i] == 0 || math.IsNaN(next[i]) {
			next[i] = math.SmallestNonzeroFloat64 // a work that never won, with no prior
		}
		logSum += math.Log(next[i])
	}
	if prior == 0 {
		scale := math.Exp(logSum / float64(len(next)))
		for i := range next {
			next[i] /= scale
		}
	}
	return next
}

// btWorks returns the works compared, sorted, so that the fit does not depend on the order of
// the comparisons.
func btWorks(outcomes []Outcome) []string {
	seen := map[string]bool{}
	for _, o := range outcomes {
		seen[o.Winner], seen[o.Loser] = true, true
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// btGames is how many times (n) a work was compared with work j.
type btGames struct {
	j int
	n float64
}

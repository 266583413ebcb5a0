package contest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func outcomes(spec ...string) []Outcome { // "a>b" pairs
	out := make([]Outcome, len(spec))
	for i, s := range spec {
		out[i] = Outcome{Winner: s[:1], Loser: s[2:]}
	}
	return out
}

func TestFitBradleyTerry_ThreeWinsOfFourIsThreeQuarters(t *testing.T) {
	fit := FitBradleyTerry(outcomes("a>b", "a>b", "b>a", "a>b"), 0)
	if p := fit.P("a", "b"); math.Abs(p-0.75) > 1e-9 {
		t.Errorf("P(a>b) = %v, want 0.75", p)
	}
	if p := fit.P("b", "a"); math.Abs(p-0.25) > 1e-9 {
		t.Errorf("P(b>a) = %v, want 0.25", p)
	}
	if g := fit.Strength["a"] * fit.Strength["b"]; math.Abs(g-1) > 1e-9 {
		t.Errorf("strengths %v not scaled to a geometric mean of 1", fit.Strength)
	}
}

// Hunter (2004) and Zermelo: with a prior of one virtual game against strength 1 won half, a
// work that won its only comparison solves γa = (1+½)/(1/(γa+γb) + 1/(γa+1)) with γb = 1/γa by
// symmetry; the fit must satisfy these equations.
func TestFitBradleyTerry_PriorSolvesItsEquations(t *testing.T) {
	fit := FitBradleyTerry(outcomes("a>b"), DefaultBTPrior)
	ga, gb := fit.Strength["a"], fit.Strength["b"]
	if math.Abs(ga*gb-1) > 1e-9 {
		t.Errorf("γa·γb = %v, want 1 by symmetry", ga*gb)
	}
	if want := 1.5 / (1/(ga+gb) + 1/(ga+1)); math.Abs(ga-want) > 1e-9 {
		t.Errorf("γa = %v does not solve the MM equation (%v)", ga, want)
	}
	if p := fit.P("a", "b"); p <= 0.5 || p >= 0.9 {
		t.Errorf("P(a>b) = %v after one win, want above 0.5 and held well below 1", p)
	}
}

func TestFitBradleyTerry_AChainOfWinsIsOrdered(t *testing.T) {
	fit := FitBradleyTerry(outcomes("a>b", "b>c", "c>d", "a>c", "b>d", "a>d"), DefaultBTPrior)
	order := "abcd"
	for i := 0; i+1 < len(order); i++ {
		hi, lo := order[i:i+1], order[i+1:i+2]
		if fit.Strength[hi] <= fit.Strength[lo] {
			t.Errorf("%s (%v) not stronger than %s (%v)", hi, fit.Strength[hi], lo, fit.Strength[lo])
		}
	}
}

func TestFitBradleyTerry_PriorKeepsAnUnbeatenWorkFinite(t *testing.T) {
	fit := FitBradleyTerry(outcomes("a>b", "a>b", "a>b", "a>c", "a>c", "b>c"), DefaultBTPrior)
	for id, g := range fit.Strength {
		if math.IsInf(g, 0) || math.IsNaN(g) || g <= 0 {
			t.Errorf("strength of %s is %v", id, g)
		}
	}
	if p := fit.P("a", "b"); p >= 1 || p <= 0.5 {
		t.Errorf("P(a>b) = %v, want below 1 and above 0.5", p)
	}
	if fit.Iterations >= btMaxIterations {
		t.Errorf("did not converge in %d iterations", fit.Iterations)
	}
}

func TestFitBradleyTerry_OrderOfComparisonsDoesNotMatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	ids := []string{"w1", "w2", "w3", "w4", "w5", "w6"}
	var all []Outcome
	for range 60 {
		i, j := rng.IntN(len(ids)), rng.IntN(len(ids))
		if i == j {
			continue
		}
		if rng.Float64() < float64(j+1)/float64(i+j+2) { // lower index tends to win
			i, j = j, i
		}
		all = append(all, Outcome{Winner: ids[j], Loser: ids[i]})
	}
	want := FitBradleyTerry(all, DefaultBTPrior)
	for range 5 {
		shuffled := append([]Outcome(nil), all...)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		got := FitBradleyTerry(shuffled, DefaultBTPrior)
		for _, id := range ids {
			if got.Strength[id] != want.Strength[id] {
				t.Fatalf("strength of %s is %v shuffled, %v in order", id, got.Strength[id], want.Strength[id])
			}
		}
	}
}

func TestFitBradleyTerry_ProbabilitiesAreComplementary(t *testing.T) {
	fit := FitBradleyTerry(outcomes("a>b", "b>c", "c>a", "a>c"), DefaultBTPrior)
	for _, p := range [][2]string{{"a", "b"}, {"b", "c"}, {"a", "c"}} {
		if s := fit.P(p[0], p[1]) + fit.P(p[1], p[0]); math.Abs(s-1) > 1e-12 {
			t.Errorf("P(%s>%s)+P(%s>%s) = %v", p[0], p[1], p[1], p[0], s)
		}
	}
	if p := fit.P("a", "unknown"); p != 0.5 {
		t.Errorf("P against a work never compared = %v, want 0.5", p)
	}
}

// BenchmarkFitBradleyTerry fits a large check: 20 categories, 3 cuts each, 3 works a side (9
// pairs a cut) and 3 judges a pair — 1 620 comparisons of 360 works.
func BenchmarkFitBradleyTerry(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var all []Outcome
	for cat := range 20 {
		for cut := range 3 {
			for u := range 3 {
				for l := range 3 {
					hi, lo := fmt.Sprintf("c%d-%d-u%d", cat, cut, u), fmt.Sprintf("c%d-%d-l%d", cat, cut, l)
					for range 3 {
						if rng.Float64() < 0.7 {
							all = append(all, Outcome{hi, lo})
						} else {
							all = append(all, Outcome{lo, hi})
						}
					}
				}
			}
		}
	}
	for b.Loop() {
		FitBradleyTerry(all, DefaultBTPrior)
	}
}

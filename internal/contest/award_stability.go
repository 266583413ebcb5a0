package contest

import (
	"cmp"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// StabilityGroup is one ranking group as ranked: its quotas and its works in rank order, each
// with its judges' totals as they count (RankedWork.AdjTotals).
type StabilityGroup struct {
	Quotas [3]Quota
	Works  []RankedWork
}

// WorkStability says how firmly a work holds its proposed tier.
type WorkStability struct {
	WorkID string
	Tier   Tier // the tier the full panel gives it
	// Keep is the share of the bootstrap samples over judges in which it keeps Tier.
	Keep float64
	// Decisive are the judges (IDs) without whom it would get another tier (leave one judge out).
	Decisive []string
	// Flagged marks a tier decided by noise: Keep below StatisticsOptions.MinKeep, or a
	// decisive judge.
	Flagged bool
}

// AwardStability recomputes every work's score and tier with the panel of judges resampled
// with replacement (o.Samples samples) and with each judge left out in turn, and reports
// for each work how often it keeps its tier. Scores are recomputed as Rank computes them:
// the (trimmed) mean of the judges' totals as they count, a judge drawn twice counting twice;
// ties are broken by TieBreak and share the better tier, as ProposeAwards gives them. Each
// judge's normalization is kept from the full panel: it depends only on his own scores. A
// sample that draws none of a work's judges carries nothing about it: the work keeps its
// full-panel score there. Sample i draws from a generator seeded by (o.Seed, i), so the result
// does not depend on how the samples are spread over the processors. reviews give the judges'
// points on the TieBreak criteria.
func AwardStability(groups []StabilityGroup, reviews []Review, o StatisticsOptions) []WorkStability {
	p := newStabilityPanel(groups, reviews, o)
	keep := p.bootstrap(o.Samples, o.Seed)
	decisive := p.leaveOneOut()
	var out []WorkStability
	for gi, g := range p.groups {
		for i, w := range groups[gi].Works {
			ws := WorkStability{WorkID: w.WorkID, Tier: g.base[i], Keep: 1}
			if o.Samples > 0 {
				ws.Keep = float64(keep[g.first+i]) / float64(o.Samples)
			}
			for _, j := range decisive[g.first+i] {
				ws.Decisive = append(ws.Decisive, p.judges[j])
			}
			ws.Flagged = ws.Keep < o.MinKeep || len(ws.Decisive) > 0
			out = append(out, ws)
		}
	}
	return out
}

// stabilityPanel is the reviews laid out for fast resampling: judges and works numbered
// densely, each group's reviews in one slice with offsets per work.
type stabilityPanel struct {
	judges   []string
	groups   []stabilityGroup
	works    int // in all groups
	trimFrom int
}

type stabilityGroup struct {
	first int    // index of its first work among all works
	cuts  [3]int // N₁, N₁+N₂, N₁+N₂+N₃
	offs  []int32
	judge []int32
	total []float64
	tie   []float64 // len(TieBreak) points per review
	base  []Tier    // the tiers of the full panel
	full  []float64 // the scores of the full panel
	// band are the works whose tier a sample can change; the others lie above or below a cut
	// whatever the sample (their lowest possible score above the highest the cut can take, or
	// the reverse). certain counts, for each cut, the works outside the band that are always
	// within it.
	band    []int32
	certain [3]int
}

// rankKey is what orders works: the score, then the TieBreak criteria, each rounded as Rank
// rounds them.
type rankKey [3]float64

func newStabilityPanel(groups []StabilityGroup, reviews []Review, o StatisticsOptions) *stabilityPanel {
	p := &stabilityPanel{trimFrom: o.TrimFrom}
	if p.trimFrom == 0 {
		p.trimFrom = 5
	}
	points := map[string][]Review{} // by work: a few reviews each
	for _, r := range reviews {
		points[r.WorkID] = append(points[r.WorkID], r)
	}
	judgeAt := map[string]int32{}
	for _, g := range groups {
		p.addGroup(g, points, judgeAt)
	}
	p.fullPanel()
	return p
}

// addGroup lays out a group's reviews, numbering judges not seen yet.
func (p *stabilityPanel) addGroup(g StabilityGroup, points map[string][]Review, judgeAt map[string]int32) {
	sg := stabilityGroup{first: p.works, offs: make([]int32, 1, len(g.Works)+1)}
	n := 0
	for i, q := range g.Quotas {
		n += q.of(len(g.Works))
		sg.cuts[i] = n
	}
	for _, w := range g.Works {
		mine := points[w.WorkID]
		for _, j := range slicesSorted(w.AdjTotals) {
			ji, ok := judgeAt[j]
			if !ok {
				ji = int32(len(p.judges))
				judgeAt[j] = ji
				p.judges = append(p.judges, j)
			}
			sg.judge = append(sg.judge, ji)
			sg.total = append(sg.total, w.AdjTotals[j])
			var s Scores
			if k := slices.IndexFunc(mine, func(r Review) bool { return r.JudgeID == j }); k >= 0 {
				s = mine[k].Scores
			}
			for _, c := range TieBreak {
				sg.tie = append(sg.tie, s[c])
			}
		}
		sg.offs = append(sg.offs, int32(len(sg.judge)))
	}
	p.works += len(g.Works)
	p.groups = append(p.groups, sg)
}

// fullPanel computes each work's score and tier with every judge once, then narrows the band.
func (p *stabilityPanel) fullPanel() {
	w := p.newWork()
	for i := range w.weight {
		w.weight[i] = 1
	}
	for gi := range p.groups {
		g := &p.groups[gi]
		n := len(g.offs) - 1
		g.band = make([]int32, n)
		for i := range g.band {
			g.band[i] = int32(i)
		}
		g.full = make([]float64, n)
		g.scores(w.weight, p.trimFrom, g.full)
		g.base = make([]Tier, n)
		g.tiers(w, g.full, g.base)
		g.narrow()
	}
}

// narrow keeps in the band only the works that some sample could move across a cut. A work's
// score lies between its judges' lowest and highest totals in every sample, so the c-th
// largest score lies between the c-th largest of the works' lowest and of their highest.
func (g *stabilityGroup) narrow() {
	n := len(g.full)
	lo, hi := make([]float64, n), make([]float64, n)
	for i := range n {
		lo[i], hi[i] = math.Inf(1), math.Inf(-1)
		for r := g.offs[i]; r < g.offs[i+1]; r++ {
			lo[i], hi[i] = min(lo[i], g.total[r]), max(hi[i], g.total[r])
		}
		lo[i], hi[i] = round6(lo[i]), round6(hi[i])
	}
	uncertain := make([]bool, n)
	var above [3][]bool
	for t, c := range g.cuts {
		if c <= 0 || c >= n {
			continue
		}
		floor := selectLargest(slices.Clone(lo), c-1)
		ceiling := selectLargest(slices.Clone(hi), c-1)
		above[t] = make([]bool, n)
		for i := range n {
			above[t][i] = lo[i] > ceiling
			uncertain[i] = uncertain[i] || !above[t][i] && hi[i] >= floor
		}
	}
	g.band = g.band[:0]
	for i := range n {
		if uncertain[i] {
			g.band = append(g.band, int32(i))
			continue
		}
		for t := range above {
			if above[t] != nil && above[t][i] {
				g.certain[t]++
			}
		}
	}
}

// scores computes the score of each work of the band with judge j counted weight[j] times; a
// work none of whose judges is drawn keeps its full-panel score.
func (g *stabilityGroup) scores(weight []int32, trimFrom int, out []float64) {
	for b, i := range g.band {
		var m, sum float64
		lo, hi := math.Inf(1), math.Inf(-1)
		for r := g.offs[i]; r < g.offs[i+1]; r++ {
			w := float64(weight[g.judge[r]])
			if w == 0 {
				continue
			}
			t := g.total[r]
			m, sum = m+w, sum+w*t
			lo, hi = min(lo, t), max(hi, t)
		}
		switch {
		case m == 0:
			out[b] = g.full[i]
		case m >= float64(trimFrom) && m >= 3:
			out[b] = round6((sum - lo - hi) / (m - 2))
		default:
			out[b] = round6(sum / m)
		}
	}
}

// key is work i's full key under the weights: its score, then its judges' mean points on the
// TieBreak criteria (the full panel's when none of its judges is drawn).
func (g *stabilityGroup) key(i int, score float64, weight []int32) rankKey {
	nt := len(TieBreak)
	var m float64
	var tie [2]float64 // TieBreak has two criteria
	for pass := 0; pass < 2 && m == 0; pass++ {
		for r := g.offs[i]; r < g.offs[i+1]; r++ {
			w := float64(weight[g.judge[r]])
			if pass == 1 {
				w = 1 // no judge of the work drawn: the full panel's points
			}
			m += w
			for k := range nt {
				tie[k] += w * g.tie[int(r)*nt+k]
			}
		}
	}
	return rankKey{score, round6(tie[0] / m), round6(tie[1] / m)}
}

// tiers gives each work of the band (scores and out are by place in the band) the tier of its
// rank: a work is within the first c works (ties included) exactly when its key is at least
// the c-th largest key. The c-th largest score is found by quickselect among the band (the
// works always within the cut are above it); only works with exactly that score need their
// full keys.
func (g *stabilityGroup) tiers(w *stabilityWork, scores []float64, out []Tier) {
	n := len(g.offs) - 1
	for i := range out {
		out[i] = TierNone
	}
	for t := 2; t >= 0; t-- { // each narrower cut overrides the wider one
		c := g.cuts[t]
		switch {
		case c <= 0:
			continue
		case c >= n:
			for i := range out {
				out[i] = Tier(t + 1)
			}
			continue
		}
		need := c - g.certain[t]
		scratch := w.scratch[:len(scores)]
		copy(scratch, scores)
		bound := selectLargest(scratch, need-1)
		tied := w.tied[:0]
		for b, s := range scores {
			switch {
			case s > bound:
				need--
				out[b] = Tier(t + 1)
			case s == bound:
				tied = append(tied, b)
			}
		}
		g.breakTies(w, tied, scores, need, Tier(t+1), out)
		w.tied = tied
	}
}

// breakTies gives tier to the works among tied (places in the band with equal scores at a cut)
// whose keys are at least the need-th largest of theirs.
func (g *stabilityGroup) breakTies(w *stabilityWork, tied []int, scores []float64, need int, tier Tier, out []Tier) {
	keys := w.keys[:0]
	for _, b := range tied {
		keys = append(keys, g.key(int(g.band[b]), scores[b], w.weight))
	}
	w.keys = keys
	var bound rankKey
	if len(keys) > 1 {
		sorted := append(w.sorted[:0], keys...)
		slices.SortFunc(sorted, func(a, b rankKey) int { return b.compare(a) })
		bound = sorted[need-1]
		w.sorted = sorted
	}
	for k, b := range tied {
		if len(keys) == 1 || keys[k].compare(bound) >= 0 {
			out[b] = tier
		}
	}
}

func (k rankKey) compare(o rankKey) int {
	for i := range k {
		if k[i] != o[i] {
			return cmp.Compare(k[i], o[i])
		}
	}
	return 0
}

// selectLargest returns the element that would be at xs[n] were xs sorted from the largest
// down, reordering xs (quickselect with a three-way partition, so that many equal scores cost
// nothing).
func selectLargest(xs []float64, n int) float64 {
	lo, hi := 0, len(xs)
	for hi-lo > 1 {
		pivot := median3(xs[lo], xs[lo+(hi-lo)/2], xs[hi-1])
		// [lo,gt) larger than pivot, [gt,i) equal, [lt,hi) smaller.
		gt, i, lt := lo, lo, hi
		for i < lt {
			switch x := xs[i]; {
			case x > pivot:
				xs[gt], xs[i] = x, xs[gt]
				gt++
				i++
			case x < pivot:
				lt--
				xs[i], xs[lt] = xs[lt], x
			default:
				i++
			}
		}
		switch {
		case n < gt:
			hi = gt
		case n >= lt:
			lo = lt
		default:
			return pivot
		}
	}
	return xs[n]
}

func median3(a, b, c float64) float64 {
	return max(min(a, b), min(max(a, b), c))
}

// stabilityWork is one goroutine's buffers.
type stabilityWork struct {
	weight          []int32
	scores, scratch []float64
	tiers           []Tier
	tied            []int
	keys, sorted    []rankKey
}

func (p *stabilityPanel) newWork() *stabilityWork {
	size := 0
	for _, g := range p.groups {
		size = max(size, len(g.offs)-1)
	}
	return &stabilityWork{weight: make([]int32, len(p.judges)), scores: make([]float64, size),
		scratch: make([]float64, size), tiers: make([]Tier, size)}
}

// changed calls f for each work whose tier under the weights differs from its full-panel tier.
func (p *stabilityPanel) changed(w *stabilityWork, f func(work int)) {
	for _, g := range p.groups {
		n := len(g.band)
		g.scores(w.weight, p.trimFrom, w.scores[:n])
		g.tiers(w, w.scores[:n], w.tiers[:n])
		for b, t := range w.tiers[:n] {
			if i := g.band[b]; t != g.base[i] {
				f(g.first + int(i))
			}
		}
	}
}

// bootstrap counts, for each work, the samples in which it keeps its tier.
func (p *stabilityPanel) bootstrap(samples int, seed uint64) []int32 {
	keep := make([]int32, p.works)
	if len(p.judges) == 0 {
		return keep
	}
	var mu sync.Mutex
	parallel(samples, func(next func() (int, bool)) {
		w := p.newWork()
		lost := make([]int32, p.works)
		for s, ok := next(); ok; s, ok = next() {
			rng := rand.New(rand.NewPCG(seed, uint64(s)))
			clear(w.weight)
			for range p.judges {
				w.weight[rng.IntN(len(p.judges))]++
			}
			p.changed(w, func(i int) { lost[i]++ })
		}
		mu.Lock()
		for i, n := range lost {
			keep[i] -= n
		}
		mu.Unlock()
	})
	for i := range keep {
		keep[i] += int32(samples)
	}
	return keep
}

// leaveOneOut returns, for each work, the judges (by index) whose absence changes its tier.
func (p *stabilityPanel) leaveOneOut() [][]int32 {
	byJudge := make([][]int32, len(p.judges))
	parallel(len(p.judges), func(next func() (int, bool)) {
		w := p.newWork()
		for j, ok := next(); ok; j, ok = next() {
			for i := range w.weight {
				w.weight[i] = 1
			}
			w.weight[j] = 0
			p.changed(w, func(i int) { byJudge[j] = append(byJudge[j], int32(i)) })
		}
	})
	out := make([][]int32, p.works)
	for j, works := range byJudge {
		for _, i := range works {
			out[i] = append(out[i], int32(j))
		}
	}
	return out
}

// parallel runs one worker per processor over the tasks 0…n−1; each worker takes its next task
// from next until it reports false.
func parallel(n int, worker func(next func() (int, bool))) {
	var mu sync.Mutex
	at := 0
	next := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if at >= n {
			return 0, false
		}
		at++
		return at - 1, true
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker(next)
		}()
	}
	wg.Wait()
}

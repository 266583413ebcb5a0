package contest

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// StatisticsOptions set the confidence level and the bootstraps of the judging statistics.
type StatisticsOptions struct {
	Level   float64 // e.g. 0.95
	Samples int     // bootstrap samples, e.g. 1000
	Seed    uint64  // the same seed gives the same intervals
	// MinKeep is the share of bootstrap samples in which a work must keep its tier not to be
	// flagged (default 0.8).
	MinKeep float64
	// TrimFrom is RankOptions.TrimFrom (default 5).
	TrimFrom int
}

// DefaultStatisticsOptions are what the judging desk and the export use.
var DefaultStatisticsOptions = StatisticsOptions{Level: 0.95, Samples: 1000, Seed: 18, MinKeep: 0.8, TrimFrom: 5}

// Reliability is how far the judges agree on one criterion, or on the weighted total.
type Reliability struct {
	Key, Name string // the criterion; "" and 加权总分 for the total
	Alpha     Alpha
	// ICC is ICC(2,k) and ICC(2,1) of a complete block of works × judges (ICCWorks works all
	// scored by the same ICCJudges judges); nil when there is none, with ICCNote saying why.
	ICC     *ICCResult
	ICCNote string
}

// JudgingStatistics is the judges' agreement over a round's submitted reviews.
type JudgingStatistics struct {
	Reviews, Works, Judges int // submitted reviews, the works and judges they cover
	Total                  Reliability
	Criteria               []Reliability // in the rubric's order
	// Agreement compares each judge with the others on the weighted totals; its Judge is an
	// index into JudgeIDs.
	Agreement []JudgeAgreement
	JudgeIDs  []string
	SD        float64 // standard deviation of all totals: the unit of severity
}

// totalName names the weighted total among the criteria.
const totalName = "加权总分"

// MeasureJudging computes the agreement statistics of a round from its review records: every
// submitted review counts, whether or not its work is ranked (calibration works feed the
// per-judge statistics too); drafts and unstarted assignments do not. Krippendorff's α takes
// any assignment of judges to works; ICC(2,k) needs a complete block (see iccBlock).
func MeasureJudging(r Rubric, records []ReviewRecord, o StatisticsOptions) JudgingStatistics {
	n := numberReviews(records)
	totals := n.ratings
	variants := make([][]float64, 1+len(r))
	variants[0] = make([]float64, len(totals))
	for i, rec := range n.reviews {
		totals[i].Score = r.Total(rec.Scores)
		variants[0][i] = totals[i].Score
	}
	for ci, c := range r {
		variants[ci+1] = make([]float64, len(totals))
		for i, rec := range n.reviews {
			v, ok := rec.Scores[c.Key]
			if !ok {
				v = math.NaN() // a criterion added after the review: not scored
			}
			variants[ci+1][i] = v
		}
	}
	st := JudgingStatistics{Reviews: len(totals), Works: len(n.works), Judges: len(n.judges),
		Criteria: make([]Reliability, len(r)), JudgeIDs: n.judges}
	block := iccBlock(totals)
	a := alphas(totals, variants, o.Level, o.Samples, o.Seed)
	agreement := MeasureAgreement(totals, AgreementOptions{Level: o.Level})
	st.Agreement, st.SD = agreement.Judges, agreement.SD
	st.Total = reliability("", totalName, totals, variants[0], a[0], block, o.Level)
	for ci, c := range r {
		st.Criteria[ci] = reliability(c.Key, c.Name, totals, variants[ci+1], a[ci+1], block, o.Level)
	}
	return st
}

// numbered are a round's submitted reviews, their works and judges numbered 0, 1, 2… in the
// order of their IDs and the reviews ordered by judge, then work: the same reviews give the
// same numbers and order (and so the same bootstrap) whatever order the store returns them in.
type numbered struct {
	reviews       []ReviewRecord
	ratings       []Rating // Work and Judge numbered, no Score yet
	works, judges []string
}

func numberReviews(records []ReviewRecord) numbered {
	var n numbered
	workAt, judgeAt := map[string]int64{}, map[string]int64{}
	var order []int
	for i, r := range records {
		if r.SubmittedAt != nil {
			order = append(order, i)
			workAt[r.WorkID], judgeAt[r.JudgeID] = 0, 0
		}
	}
	n.works, n.judges = number(workAt), number(judgeAt)
	type place struct {
		Rating
		i int
	}
	places := make([]place, len(order))
	for k, i := range order {
		places[k] = place{Rating{Work: workAt[records[i].WorkID], Judge: judgeAt[records[i].JudgeID]}, i}
	}
	slices.SortFunc(places, func(a, b place) int { return cmp.Or(cmp.Compare(a.Judge, b.Judge), cmp.Compare(a.Work, b.Work)) })
	n.reviews, n.ratings = make([]ReviewRecord, len(places)), make([]Rating, len(places))
	for k, p := range places {
		n.reviews[k], n.ratings[k] = records[p.i], p.Rating
	}
	return n
}

// number gives the keys of at their places in sorted order, and returns them sorted.
func number(at map[string]int64) []string {
	keys := slicesSorted(at)
	for i, k := range keys {
		at[k] = int64(i)
	}
	return keys
}

// alphas computes Krippendorff's α of several sets of scores of the same ratings (set v gives
// rating i the score variants[v][i]; NaN for none), with one bootstrap over works shared by
// all sets, as alphaOf computes it for one. Ratings' Work must be dense (0, 1, 2…). Sample s
// draws from a generator seeded by (seed, s), so the samples can run on every processor and
// still give the same intervals.
func alphas(ratings []Rating, variants [][]float64, level float64, samples int, seed uint64) []Alpha {
	works := 0
	for _, r := range ratings {
		works = max(works, int(r.Work)+1)
	}
	nv := len(variants)
	units := make([]alphaUnit, works*nv) // work w's unit of set v at w·nv+v: a draw reads one place
	for v, scores := range variants {
		for i, r := range ratings {
			if x := scores[i]; !math.IsNaN(x) {
				u := &units[int(r.Work)*nv+v]
				u.m, u.sum, u.sq = u.m+1, u.sum+x, u.sq+x*x
			}
		}
	}
	for i := range units {
		units[i] = units[i].withObserved()
	}
	var pairable []int32 // works with two scores or more in some set: what a sample draws
	for w := range works {
		if slices.ContainsFunc(units[w*nv:(w+1)*nv], func(u alphaUnit) bool { return u.m >= 2 }) {
			pairable = append(pairable, int32(w))
		}
	}
	out := make([]Alpha, len(variants))
	for v := range variants {
		var all alphaStats
		for _, w := range pairable {
			all.addPairable(units[int(w)*nv+v])
		}
		out[v] = Alpha{Value: all.alpha(), Lower: math.NaN(), Upper: math.NaN(), Pairable: int(all.n)}
	}
	if len(pairable) < 2 || samples < 1 {
		return out
	}
	values := make([][]float64, len(variants)) // by variant, then sample
	for v := range values {
		values[v] = make([]float64, samples)
	}
	// The pairable works' units side by side, a unit not pairable in its set zeroed (it adds
	// nothing). A sample counts how often it draws each work, then reads the units in order:
	// one pass over memory instead of a jump per draw.
	drawn := make([]alphaUnit, len(pairable)*nv)
	for i, w := range pairable {
		for v := range nv {
			if u := units[int(w)*nv+v]; u.m >= 2 {
				drawn[i*nv+v] = u
			}
		}
	}
	// Samples go in batches: one pass over the units serves a whole batch.
	batches := (samples + alphaBatch - 1) / alphaBatch
	parallel(batches, func(next func() (int, bool)) {
		stats := make([]alphaStats, alphaBatch*nv)
		counts := make([][]int32, alphaBatch)
		for k := range counts {
			counts[k] = make([]int32, len(pairable))
		}
		for b, ok := next(); ok; b, ok = next() {
			first, last := b*alphaBatch, min((b+1)*alphaBatch, samples)
			for s := first; s < last; s++ {
				count := counts[s-first]
				clear(count)
				rng := rand.New(rand.NewPCG(seed, uint64(s)))
				for range pairable {
					count[rng.IntN(len(pairable))]++
				}
			}
			clear(stats)
			for i := range pairable {
				us := drawn[i*nv : (i+1)*nv]
				for k := range last - first {
					if c := counts[k][i]; c > 0 {
						for v, u := range us {
							stats[k*nv+v].addTimes(u, float64(c))
						}
					}
				}
			}
			for s := first; s < last; s++ {
				for v := range nv {
					values[v][s] = stats[(s-first)*nv+v].alpha()
				}
			}
		}
	})
	for v := range variants {
		kept := slices.DeleteFunc(values[v], math.IsNaN)
		out[v].Lower, out[v].Upper = percentileInterval(kept, level)
	}
	return out
}

// alphaBatch is how many bootstrap samples of α read the units together.
const alphaBatch = 8

// addTimes adds a unit drawn c times.
func (s *alphaStats) addTimes(u alphaUnit, c float64) {
	s.n += c * u.m
	s.sum += c * u.sum
	s.sq += c * u.sq
	s.observed += c * u.observed
}

// addPairable adds a work with two scores or more; one with fewer is not pairable.
func (s *alphaStats) addPairable(u alphaUnit) {
	if u.m >= 2 {
		s.add(u)
	}
}

// reliability is α, and ICC on the complete block when there is one.
func reliability(key, name string, ratings []Rating, values []float64, a Alpha, b completeBlock, level float64) Reliability {
	rel := Reliability{Key: key, Name: name, Alpha: a, ICCNote: b.note}
	if len(b.works) == 0 {
		return rel
	}
	scores := make(map[[2]int64]float64, len(b.works)*len(b.judges))
	for i, r := range ratings {
		if _, in := slices.BinarySearch(b.works, r.Work); in {
			scores[[2]int64{r.Work, r.Judge}] = values[i]
		}
	}
	matrix := make([][]float64, len(b.works))
	for i, w := range b.works {
		matrix[i] = make([]float64, len(b.judges))
		for j, jd := range b.judges {
			v, ok := scores[[2]int64{w, jd}]
			if !ok {
				v = math.NaN()
			}
			matrix[i][j] = v
		}
	}
	for _, row := range matrix {
		if slices.ContainsFunc(row, math.IsNaN) {
			rel.ICCNote = "不适用：有评委未为此项打分"
			return rel
		}
	}
	icc, err := TwoWayICC(matrix, level)
	if err != nil {
		rel.ICCNote = "不适用：" + err.Error()
		return rel
	}
	rel.ICC = &icc
	return rel
}

// completeBlock is a set of works all scored by the same judges, on which ICC is defined.
type completeBlock struct {
	works, judges []int64
	note          string
}

// MinICCWorks is the fewest works a block needs before its ICC is shown.
const MinICCWorks = 3

// iccBlock finds where ICC(2,k) is honest: it needs every work scored by the same k judges.
// When the whole round is such a design (every judge scored every work, as in a final round),
// that is the block. Otherwise the largest group of at least MinICCWorks works sharing
// exactly the same judges is taken, and the note says that the ICC describes those works
// only; without one, ICC is not applicable and α (which takes any assignment) is the
// reliability to read.
func iccBlock(ratings []Rating) completeBlock {
	byWork := map[int64][]int64{}
	for _, r := range ratings {
		byWork[r.Work] = append(byWork[r.Work], r.Judge)
	}
	panels := map[string]*completeBlock{}
	var key []byte
	for w, js := range byWork {
		slices.Sort(js)
		key = key[:0]
		for _, j := range js {
			key = strconv.AppendInt(append(key, ','), j, 10)
		}
		b := panels[string(key)]
		if b == nil {
			b = &completeBlock{judges: js}
			panels[string(key)] = b
		}
		b.works = append(b.works, w)
	}
	var best *completeBlock
	for _, b := range panels {
		if len(b.judges) < 2 || len(b.works) < MinICCWorks {
			continue
		}
		if best == nil || len(b.works)*len(b.judges) > len(best.works)*len(best.judges) ||
			len(b.works)*len(b.judges) == len(best.works)*len(best.judges) && slices.Compare(b.judges, best.judges) < 0 {
			best = b
		}
	}
	switch {
	case best == nil:
		return completeBlock{note: "不适用：每件作品的评委不同，ICC 需要同一组评委评审全部作品；请看 Krippendorff α"}
	case len(best.works) == len(byWork):
		best.note = fmt.Sprintf("全部 %d 件作品均由同样的 %d 位评委评审", len(best.works), len(best.judges))
	default:
		best.note = fmt.Sprintf("仅基于由同样 %d 位评委评审的 %d 件作品（共 %d 件），不代表全部作品", len(best.judges), len(best.works), len(byWork))
	}
	slices.Sort(best.works)
	return *best
}

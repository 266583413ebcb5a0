package contest

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// oneCriterion is a rubric whose total is the score itself.
var oneCriterion = Rubric{{Key: "q", Name: "质量", MaxPoints: 100, Weight: 100}}

// totalsRound makes submitted review records from work → judge → total on oneCriterion.
func totalsRound(scores map[string]map[string]float64) []ReviewRecord {
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	var out []ReviewRecord
	for _, w := range slicesSorted(scores) {
		for _, j := range slicesSorted(scores[w]) {
			out = append(out, ReviewRecord{Assignment: Assignment{WorkID: w, JudgeID: j},
				Scores: Scores{"q": scores[w][j]}, SavedAt: &at, SubmittedAt: &at})
		}
	}
	return out
}

// rankRound ranks the records in one group with the quotas, as JudgingService.ranking does.
func rankRound(r Rubric, records []ReviewRecord, quotas [3]Quota, normalize bool) RankingTable {
	var reviews []Review
	ids := map[string]bool{}
	for _, rec := range records {
		if rec.SubmittedAt != nil {
			reviews = append(reviews, Review{WorkID: rec.WorkID, JudgeID: rec.JudgeID, Scores: rec.Scores})
		}
		ids[rec.WorkID] = true
	}
	ranked := Rank(r, reviews, slicesSorted(ids), RankOptions{Normalize: normalize})
	props, _ := ProposeAwards(ranked, quotas)
	t := RankingTable{Groups: []RankingGroup{{Quotas: quotas}}, records: records}
	for i, w := range ranked {
		t.Rows = append(t.Rows, RankingRow{RankedWork: w, Proposed: props[i].Tier})
	}
	return t
}

func stabilityOf(t *testing.T, scores map[string]map[string]float64, quotas [3]Quota) map[string]WorkStability {
	t.Helper()
	records := totalsRound(scores)
	return MakeJudgingReport(oneCriterion, rankRound(oneCriterion, records, quotas, false), records, DefaultStatisticsOptions).Stability
}

func TestAwardStability_PanelInPerfectAgreementIsStable(t *testing.T) {
	scores := map[string]map[string]float64{}
	for w := range 12 {
		scores[fmt.Sprint("w", w)] = map[string]float64{}
		for _, j := range []int{w % 5, (w + 1) % 5, (w + 2) % 5} { // every judge gives the work's own score
			scores[fmt.Sprint("w", w)][fmt.Sprint("j", j)] = float64(50 + 3*w)
		}
	}
	for id, ws := range stabilityOf(t, scores, [3]Quota{{Count: 2}, {Count: 3}, {Count: 3}}) {
		if ws.Keep != 1 || ws.Flagged || len(ws.Decisive) > 0 {
			t.Errorf("%s: keep %v, decisive %v, flagged %v; want a firm tier", id, ws.Keep, ws.Decisive, ws.Flagged)
		}
	}
}

func TestAwardStability_TwoWorksTiedAtTheCutAreFlagged(t *testing.T) {
	// a and b both average 85 and share 一等奖 (one place); c is far below.
	got := stabilityOf(t, map[string]map[string]float64{
		"a": {"j1": 80, "j2": 90},
		"b": {"j3": 85, "j4": 85},
		"c": {"j5": 50, "j6": 50},
	}, [3]Quota{{Count: 1}})
	for _, id := range []string{"a", "b"} {
		if got[id].Tier != TierFirst || !got[id].Flagged || got[id].Keep >= 1 {
			t.Errorf("%s: %+v, want 一等奖 flagged as unstable", id, got[id])
		}
	}
	if got["c"].Flagged || got["c"].Keep != 1 {
		t.Errorf("c: %+v, want a firm 未获奖", got["c"])
	}
}

func TestAwardStability_LeaveOneOutFindsTheDecisiveJudge(t *testing.T) {
	// x is 一等奖 only through j3's 100; without j3 it falls below y.
	got := stabilityOf(t, map[string]map[string]float64{
		"z": {"j7": 90, "j8": 90, "j9": 90},
		"x": {"j1": 70, "j2": 70, "j3": 100},
		"y": {"j4": 78, "j5": 78, "j6": 78},
		"v": {"j1": 40, "j4": 40, "j7": 40},
	}, [3]Quota{{Count: 2}})
	if diff := cmp.Diff([]string{"j3"}, got["x"].Decisive); diff != "" || !got["x"].Flagged {
		t.Errorf("x decisive judges (-want +got):\n%s", diff)
	}
	if got["z"].Flagged || got["v"].Flagged {
		t.Errorf("z %+v, v %+v: want firm tiers", got["z"], got["v"])
	}
}

// randomRound is n works, each reviewed by k of the judges on the default rubric, with a
// quality per work, a leniency per judge and noise.
func randomRound(n, judges, k int, seed uint64) []ReviewRecord {
	rng := rand.New(rand.NewPCG(seed, 1))
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	lenient := make([]float64, judges)
	for j := range lenient {
		lenient[j] = rng.NormFloat64() * 0.05
	}
	out := make([]ReviewRecord, 0, n*k)
	for w := range n {
		q := 0.4 + 0.5*rng.Float64()
		for _, j := range rng.Perm(judges)[:k] {
			s := Scores{}
			for _, c := range DefaultRubric() {
				x := (q + lenient[j] + rng.NormFloat64()*0.08) * c.MaxPoints
				s[c.Key] = max(0, min(c.MaxPoints, float64(int(x)))) // whole points, so ties occur
			}
			out = append(out, ReviewRecord{Assignment: Assignment{WorkID: fmt.Sprintf("w%05d", w), JudgeID: fmt.Sprintf("j%02d", j)},
				Scores: s, SavedAt: &at, SubmittedAt: &at})
		}
	}
	return out
}

func TestAwardStability_FullPanelGivesTheProposedTiers(t *testing.T) {
	for seed := range uint64(8) {
		records := randomRound(150, 12, 3, seed)
		quotas := [3]Quota{{Count: 5}, {Percent: 10}, {Count: 20}}
		table := rankRound(DefaultRubric(), records, quotas, seed%2 == 0)
		rep := MakeJudgingReport(DefaultRubric(), table, records, StatisticsOptions{Samples: 0, MinKeep: 0.8})
		for _, row := range table.Rows {
			if got := rep.Stability[row.WorkID].Tier; got != row.Proposed {
				t.Fatalf("seed %d: %s ranked %d gets %s from the full panel, proposed %s", seed, row.WorkID, row.Rank, got.Label(), row.Proposed.Label())
			}
		}
	}
}

func TestAwardStability_SameSeedSameResultOnAnyNumberOfProcessors(t *testing.T) {
	records := randomRound(200, 15, 3, 7)
	table := rankRound(DefaultRubric(), records, [3]Quota{{Count: 10}, {Count: 20}, {Count: 30}}, true)
	o := StatisticsOptions{Samples: 200, Seed: 3, MinKeep: 0.8}
	first := MakeJudgingReport(DefaultRubric(), table, records, o)
	old := runtime.GOMAXPROCS(1)
	second := MakeJudgingReport(DefaultRubric(), table, records, o)
	runtime.GOMAXPROCS(old)
	if diff := cmp.Diff(first.Stability, second.Stability); diff != "" {
		t.Errorf("stability differs between runs (-first +second):\n%s", diff)
	}
	if len(first.Flagged) == 0 || len(first.Flagged) == len(table.Rows) {
		t.Errorf("%d of %d works flagged: a noisy panel flags some works near the cuts, not none or all", len(first.Flagged), len(table.Rows))
	}
	o.Seed = 4
	if other := MakeJudgingReport(DefaultRubric(), table, records, o); cmp.Equal(first.Stability, other.Stability) {
		t.Error("another seed gave exactly the same keep probabilities")
	}
}

func TestSelectLargest_AgreesWithSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		xs := make([]float64, 1+rng.IntN(60))
		for i := range xs {
			xs[i] = float64(rng.IntN(8))
		}
		sorted := slices.Clone(xs)
		slices.Sort(sorted)
		slices.Reverse(sorted)
		n := rng.IntN(len(xs))
		if got := selectLargest(xs, n); got != sorted[n] {
			t.Fatalf("selected %v as the %d-th largest, sorted has %v", got, n, sorted[n])
		}
	}
}

// BenchmarkJudgingStatistics is the judging desk's statistics with a 1 000-sample bootstrap:
// agreement (α overall and per criterion, per judge) and award stability, 60 judges, 3
// reviews per work.
// Besides the time it reports the process's CPU time per operation (cpu-ms/op), which a
// machine busy with other work does not inflate.
func BenchmarkJudgingStatistics(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		var records []ReviewRecord
		var table RankingTable
		setUp := func(b *testing.B) {
			if records == nil {
				records = randomRound(n, 60, 3, 1)
				table = rankRound(DefaultRubric(), records, [3]Quota{{Percent: 2}, {Percent: 5}, {Percent: 10}}, true)
			}
			b.ResetTimer()
		}
		b.Run(fmt.Sprintf("works=%d", n), func(b *testing.B) {
			setUp(b)
			start := cpuTime(b)
			for b.Loop() {
				MakeJudgingReport(DefaultRubric(), table, records, DefaultStatisticsOptions)
			}
			b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N)/1e6, "cpu-ms/op")
		})
		// What the judging desk pays on a visit when no review changed: hashing its inputs.
		b.Run(fmt.Sprintf("works=%d/cached", n), func(b *testing.B) {
			setUp(b)
			c := Contest{ID: "c", Judging: JudgingSettings{Rubric: DefaultRubric()}}
			var cache reportCache
			cache.get(c, table, DefaultStatisticsOptions)
			b.ResetTimer()
			for b.Loop() {
				cache.get(c, table, DefaultStatisticsOptions)
			}
		})
	}
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func TestAwardStability_TheBandChangesNothing(t *testing.T) {
	records := randomRound(300, 10, 3, 5)
	table := rankRound(DefaultRubric(), records, [3]Quota{{Count: 10}, {Percent: 10}, {Count: 40}}, true)
	o := StatisticsOptions{Samples: 100, Seed: 9}
	var groups []StabilityGroup
	for _, g := range table.Groups {
		groups = append(groups, StabilityGroup{Quotas: g.Quotas})
	}
	for _, row := range table.Rows {
		groups[0].Works = append(groups[0].Works, row.RankedWork)
	}
	narrow := newStabilityPanel(groups, nil, o)
	whole := newStabilityPanel(groups, nil, o)
	for gi := range whole.groups {
		g := &whole.groups[gi]
		g.band, g.certain = g.band[:0], [3]int{}
		for i := range g.full {
			g.band = append(g.band, int32(i))
		}
	}
	if len(narrow.groups[0].band) == len(table.Rows) {
		t.Fatal("every work is in the band: the test shows nothing")
	}
	if diff := cmp.Diff(whole.bootstrap(o.Samples, o.Seed), narrow.bootstrap(o.Samples, o.Seed)); diff != "" {
		t.Errorf("bootstrap over the band differs from the one over all works (-all +band):\n%s", diff)
	}
	if diff := cmp.Diff(whole.leaveOneOut(), narrow.leaveOneOut()); diff != "" {
		t.Errorf("leave-one-out over the band differs (-all +band):\n%s", diff)
	}
}

func TestAwardStability_EachCategoryWithItsOwnQuotas(t *testing.T) {
	records := randomRound(120, 10, 3, 11)
	var reviews []Review
	for _, r := range records {
		reviews = append(reviews, Review{WorkID: r.WorkID, JudgeID: r.JudgeID, Scores: r.Scores})
	}
	table := RankingTable{records: records}
	quotas := [][3]Quota{{{Count: 2}, {Count: 4}, {Count: 6}}, {{Percent: 10}, {Percent: 20}, {Percent: 30}}}
	for gi, key := range []string{"individual", "team"} {
		var ids []string
		for w := gi; w < 120; w += 2 {
			ids = append(ids, fmt.Sprintf("w%05d", w))
		}
		ranked := Rank(DefaultRubric(), reviews, ids, RankOptions{Normalize: true})
		props, _ := ProposeAwards(ranked, quotas[gi])
		table.Groups = append(table.Groups, RankingGroup{Key: key, Quotas: quotas[gi]})
		for i, w := range ranked {
			table.Rows = append(table.Rows, RankingRow{RankedWork: w, Category: key, Proposed: props[i].Tier})
		}
	}
	rep := MakeJudgingReport(DefaultRubric(), table, records, StatisticsOptions{Samples: 50, Seed: 1, MinKeep: 0.8})
	for _, row := range table.Rows {
		if got := rep.Stability[row.WorkID].Tier; got != row.Proposed {
			t.Fatalf("%s (%s, rank %d) gets %s from the full panel, proposed %s", row.WorkID, row.Category, row.Rank, got.Label(), row.Proposed.Label())
		}
	}
	if rep.Statistics.Works != 120 {
		t.Errorf("statistics over %d works, want all 120 of both categories", rep.Statistics.Works)
	}
}

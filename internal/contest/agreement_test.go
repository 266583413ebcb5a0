package contest

import (
	"math"
	"math/rand/v2"
	"testing"
)

// shroutFleiss is Table 2 of Shrout & Fleiss (1979): 6 targets rated by 4 judges.
var shroutFleiss = [][]float64{
	{9, 2, 5, 8},
	{6, 1, 3, 2},
	{8, 4, 6, 8},
	{7, 1, 2, 6},
	{10, 5, 6, 9},
	{6, 2, 4, 7},
}

// krippendorff2011 is the 4 observers × 12 units example of Krippendorff (2011), "Computing
// Krippendorff's Alpha-Reliability", with missing values as NaN; α_interval = 0.849.
var krippendorff2011 = [][]float64{
	{1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan},
	{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3},
	{nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan},
	{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan},
}

var nan = math.NaN()

// ratingsOf turns a judges × works matrix into ratings, leaving out the NaNs.
func ratingsOf(judgesByWorks [][]float64) []Rating {
	var rs []Rating
	for j, row := range judgesByWorks {
		for w, x := range row {
			if !math.IsNaN(x) {
				rs = append(rs, Rating{Work: int64(w + 1), Judge: int64(j + 1), Score: x})
			}
		}
	}
	return rs
}

func assertNear(t *testing.T, name string, got, want, tolerance float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tolerance {
		t.Errorf("%s = %v, want %v ± %v", name, got, want, tolerance)
	}
}

func TestTwoWayICC_ShroutFleissTable2(t *testing.T) {
	got, err := TwoWayICC(shroutFleiss, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	// Shrout & Fleiss report ICC(2,1) = .29 and ICC(2,4) = .62; the intervals are those of
	// their formulas as R's psych::ICC prints them for this table.
	assertNear(t, "ICC(2,1)", got.Single.Value, 0.29, 0.005)
	assertNear(t, "ICC(2,1) lower", got.Single.Lower, 0.019, 0.0005)
	assertNear(t, "ICC(2,1) upper", got.Single.Upper, 0.76, 0.005)
	assertNear(t, "ICC(2,4)", got.Average.Value, 0.62, 0.005)
	assertNear(t, "ICC(2,4) lower", got.Average.Lower, 0.071, 0.0005)
	assertNear(t, "ICC(2,4) upper", got.Average.Upper, 0.93, 0.005)
	if got.Works != 6 || got.Judges != 4 {
		t.Errorf("works × judges = %d × %d, want 6 × 4", got.Works, got.Judges)
	}
}

func TestTwoWayICC_PerfectAgreementIsOne(t *testing.T) {
	got, err := TwoWayICC([][]float64{{1, 1, 1}, {5, 5, 5}, {3, 3, 3}, {8, 8, 8}}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	assertNear(t, "ICC(2,1)", got.Single.Value, 1, 1e-12)
	assertNear(t, "ICC(2,k)", got.Average.Value, 1, 1e-12)
}

func TestTwoWayICC_PermutingWorksOrJudgesChangesNothing(t *testing.T) {
	want, _ := TwoWayICC(shroutFleiss, 0.95)
	permuted := [][]float64{}
	for _, i := range []int{3, 0, 5, 2, 4, 1} {
		row := shroutFleiss[i]
		permuted = append(permuted, []float64{row[2], row[0], row[3], row[1]})
	}
	got, err := TwoWayICC(permuted, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]float64{
		"single": {got.Single.Value, want.Single.Value}, "single lower": {got.Single.Lower, want.Single.Lower},
		"single upper": {got.Single.Upper, want.Single.Upper}, "average": {got.Average.Value, want.Average.Value},
		"average lower": {got.Average.Lower, want.Average.Lower}, "average upper": {got.Average.Upper, want.Average.Upper},
	} {
		assertNear(t, name, pair[0], pair[1], 1e-9)
	}
}

func TestTwoWayICC_IncompleteMatrixIsRefused(t *testing.T) {
	for _, m := range [][][]float64{{{1, 2}}, {{1, 2}, {3}}} {
		if _, err := TwoWayICC(m, 0.95); ErrorCode(err) != EInvalid {
			t.Errorf("TwoWayICC(%v) error = %v, want code %s", m, err, EInvalid)
		}
	}
}

func TestKrippendorffAlpha_PublishedIntervalExample(t *testing.T) {
	got := KrippendorffAlpha(ratingsOf(krippendorff2011), 0.95, 1000, 1)
	assertNear(t, "α", got.Value, 0.849, 0.0005)
	if got.Pairable != 40 {
		t.Errorf("pairable values = %d, want 40 (unit 12 has one value)", got.Pairable)
	}
	if !(got.Lower < got.Value && got.Value < got.Upper && got.Upper <= 1) {
		t.Errorf("interval [%v, %v] does not hold α %v", got.Lower, got.Upper, got.Value)
	}
	if again := KrippendorffAlpha(ratingsOf(krippendorff2011), 0.95, 1000, 1); again != got {
		t.Errorf("same seed gave %+v, then %+v", got, again)
	}
}

func TestKrippendorffAlpha_PerfectAgreementIsOne(t *testing.T) {
	got := KrippendorffAlpha(ratingsOf([][]float64{{1, 4, nan, 2}, {1, 4, 3, 2}, {nan, 4, 3, 2}}), 0.95, 200, 1)
	assertNear(t, "α", got.Value, 1, 1e-12)
	assertNear(t, "upper", got.Upper, 1, 1e-12)
}

func TestKrippendorffAlpha_PermutingWorksOrJudgesChangesNothing(t *testing.T) {
	want := KrippendorffAlpha(ratingsOf(krippendorff2011), 0.95, 0, 1).Value
	rs := ratingsOf(krippendorff2011)
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
	for i := range rs {
		rs[i].Work = 100 - rs[i].Work*3
		rs[i].Judge = 10 + (rs[i].Judge*7)%5
	}
	assertNear(t, "α", KrippendorffAlpha(rs, 0.95, 0, 1).Value, want, 1e-12)
}

func TestKrippendorffAlpha_WorksWithOneScoreAreLeftOut(t *testing.T) {
	rs := ratingsOf(krippendorff2011)
	with := append(rs, Rating{Work: 99, Judge: 1, Score: 100}, Rating{Work: 98, Judge: 2, Score: nan})
	assertNear(t, "α", KrippendorffAlpha(with, 0.95, 0, 1).Value, KrippendorffAlpha(rs, 0.95, 0, 1).Value, 1e-12)
}

// constantPanel has judges 1–3 score each work its true value and judge 4 add shift to it.
func constantPanel(shift float64) []Rating {
	var rs []Rating
	for w, truth := range []float64{6, 8, 5, 9, 7, 4, 8.5, 6.5} {
		for j := int64(1); j <= 4; j++ {
			x := truth
			if j == 4 {
				x += shift
			}
			rs = append(rs, Rating{Work: int64(w + 1), Judge: j, Score: x})
		}
	}
	return rs
}

func TestMeasureAgreement_JudgeWhoAddsAConstant(t *testing.T) {
	got := MeasureAgreement(constantPanel(2), AgreementOptions{Level: 0.95, Samples: 200, Seed: 1})
	if len(got.Judges) != 4 {
		t.Fatalf("judges = %+v, want 4", got.Judges)
	}
	lenient := got.Judges[3]
	assertNear(t, "severity", lenient.Severity, 2/got.SD, 1e-12)
	assertNear(t, "consistency", lenient.Consistency, 1, 1e-12)
	if lenient.Shared != 8 {
		t.Errorf("shared works = %d, want 8", lenient.Shared)
	}
	for _, j := range got.Judges[:3] { // the others' mean includes the lenient judge's +2/3
		assertNear(t, "others' severity", j.Severity, -2.0/3/got.SD, 1e-12)
	}
}

func TestMeasureAgreement_PermutingWorksOrJudgesChangesNothing(t *testing.T) {
	rs := ratingsOf(krippendorff2011)
	want := MeasureAgreement(rs, AgreementOptions{Level: 0.95})
	shuffled := append([]Rating(nil), rs...)
	rand.New(rand.NewPCG(3, 3)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for i := range shuffled {
		shuffled[i].Work += 1000
	}
	got := MeasureAgreement(shuffled, AgreementOptions{Level: 0.95})
	for i := range want.Judges {
		w, g := want.Judges[i], got.Judges[i]
		assertNear(t, "severity", g.Severity, w.Severity, 1e-12)
		assertNear(t, "consistency", g.Consistency, w.Consistency, 1e-12)
	}
}

func TestMeasureAgreement_ConsistencyNeedsThreeSharedWorks(t *testing.T) {
	rs := []Rating{
		{Work: 1, Judge: 1, Score: 5}, {Work: 1, Judge: 2, Score: 6},
		{Work: 2, Judge: 1, Score: 7}, {Work: 2, Judge: 2, Score: 9},
		{Work: 3, Judge: 3, Score: 8}, // alone on work 3: nothing to compare
	}
	got := MeasureAgreement(rs, AgreementOptions{Level: 0.95})
	if j := got.Judges[0]; j.Shared != 2 || !math.IsNaN(j.Consistency) || math.IsNaN(j.Severity) {
		t.Errorf("judge 1 = %+v, want 2 shared works, a severity and no consistency", j)
	}
	if j := got.Judges[2]; j.Shared != 0 || !math.IsNaN(j.Severity) {
		t.Errorf("judge 3 = %+v, want no shared works and no severity", j)
	}
}

func TestJudgeAgreement_Sentence(t *testing.T) {
	for _, tt := range []struct {
		judge JudgeAgreement
		want  string
	}{
		{JudgeAgreement{Shared: 40, Severity: 1.84, Consistency: 0.921},
			"该评委打分平均高于其他评委 1.8 个标准差，与其他评委的排序高度一致（相关系数 0.92）。"},
		{JudgeAgreement{Shared: 40, Severity: -0.5, Consistency: 0.6},
			"该评委打分平均低于其他评委 0.5 个标准差，与其他评委的排序基本一致（相关系数 0.60）。"},
		{JudgeAgreement{Shared: 40, Severity: 0.1, Consistency: 0.3},
			"该评委打分与其他评委基本持平，与其他评委的排序一致性较弱（相关系数 0.30）。"},
		{JudgeAgreement{Shared: 40, Severity: 0, Consistency: 0.05},
			"该评委打分与其他评委基本持平，与其他评委的排序几乎无关（相关系数 0.05）。"},
		{JudgeAgreement{Shared: 40, Severity: 0, Consistency: -0.7},
			"该评委打分与其他评委基本持平，与其他评委的排序相反（相关系数 -0.70）。"},
		{JudgeAgreement{Shared: 2, Severity: 0.9, Consistency: nan},
			"该评委打分平均高于其他评委 0.9 个标准差，与其他评委共同评审的作品不足 3 件，无法判断排序是否一致。"},
		{JudgeAgreement{Shared: 5, Severity: 0, Consistency: nan},
			"该评委打分与其他评委基本持平，共同评审的作品得分没有高低之分，无法判断排序是否一致。"},
		{JudgeAgreement{Severity: nan, Consistency: nan}, "该评委没有与其他评委共同评审的作品，无法比较。"},
	} {
		if got := tt.judge.Sentence(); got != tt.want {
			t.Errorf("%+v.Sentence() = %q, want %q", tt.judge, got, tt.want)
		}
	}
}

// BenchmarkAgreement measures α with a 1 000-sample bootstrap and every judge's statistics for
// 10 000 works × 3 reviews from 60 judges.
func BenchmarkAgreement(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var rs []Rating
	for w := range int64(10000) {
		truth := 5 + 2*rng.NormFloat64()
		first := rng.Int64N(60)
		for r := range int64(3) {
			j := (first + r*17) % 60
			rs = append(rs, Rating{Work: w, Judge: j, Score: truth + float64(j%5)/4 + rng.NormFloat64()})
		}
	}
	for b.Loop() {
		MeasureAgreement(rs, AgreementOptions{Level: 0.95, Samples: 1000, Seed: 1})
	}
}

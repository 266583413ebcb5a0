package contest

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ICC is an intraclass correlation with its confidence interval. Lower and Upper are NaN when
// the interval is undefined (e.g. no variance between works).
type ICC struct {
	Value, Lower, Upper float64
}

// ICCResult holds ICC(2,1), the reliability of one judge's score, and ICC(2,k), the reliability
// of the mean of the k judges: two-way random effects, absolute agreement (Shrout & Fleiss
// 1979; McGraw & Wong 1996 call them ICC(A,1) and ICC(A,k)). Absolute agreement, because a
// judge who scores everyone higher does change a work's mean against works he did not see.
type ICCResult struct {
	Single, Average ICC
	Works, Judges   int
}

// twoWay is the two-way ANOVA of a complete works × judges matrix.
type twoWay struct {
	n, k          float64
	bms, jms, ems float64 // between works, between judges, residual mean squares
}

// TwoWayICC computes ICC(2,1) and ICC(2,k) with their confidence intervals at the given level
// (0.95 for 95 %) from scores[work][judge]. Every work needs a score from every judge, as in a
// round where all judges see every finalist or on calibration works; KrippendorffAlpha takes
// the k-of-many assignment.
func TwoWayICC(scores [][]float64, level float64) (ICCResult, error) {
	a, err := anova(scores)
	if err != nil {
		return ICCResult{}, err
	}
	single := a.single(level)
	return ICCResult{
		Single:  single,
		Average: a.average(single),
		Works:   int(a.n),
		Judges:  int(a.k),
	}, nil
}

func anova(scores [][]float64) (twoWay, error) {
	n := len(scores)
	if n < 2 || len(scores[0]) < 2 {
		return twoWay{}, Errorf(EInvalid, "计算组内相关系数至少需要 2 件作品和 2 位评委")
	}
	k := len(scores[0])
	rows := make([]float64, n)
	cols := make([]float64, k)
	var total, sq float64
	for i, row := range scores {
		if len(row) != k {
			return twoWay{}, Errorf(EInvalid, "每件作品都需要全部 %d 位评委的评分", k)
		}
		for j, x := range row {
			rows[i] += x
			cols[j] += x
			total += x
			sq += x * x
		}
	}
	fn, fk := float64(n), float64(k)
	correction := total * total / (fn * fk)
	ssr := sumSquares(rows)/fk - correction
	ssc := sumSquares(cols)/fn - correction
	sse := sq - correction - ssr - ssc
	return twoWay{
		n: fn, k: fk,
		bms: ssr / (fn - 1),
		jms: ssc / (fk - 1),
		ems: sse / ((fn - 1) * (fk - 1)),
	}, nil
}

func sumSquares(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x * x
	}
	return s
}

// single is ICC(2,1) with the interval of Shrout & Fleiss (their eq. for case 2, with
// Satterthwaite's approximate degrees of freedom v).
func (a twoWay) single(level float64) ICC {
	n, k := a.n, a.k
	icc := (a.bms - a.ems) / (a.bms + (k-1)*a.ems + k*(a.jms-a.ems)/n)
	fj := a.jms / a.ems
	g := n*(1+(k-1)*icc) - k*icc
	num := (k - 1) * (n - 1) * math.Pow(k*icc*fj+g, 2)
	den := (n-1)*k*k*icc*icc*fj*fj + g*g
	v := num / den
	p := 1 - (1-level)/2
	fUp := fQuantile(p, n-1, v)
	fDown := fQuantile(p, v, n-1)
	c := k*a.jms + (k*n-k-n)*a.ems
	return ICC{
		Value: icc,
		Lower: n * (a.bms - fUp*a.ems) / (fUp*c + n*a.bms),
		Upper: n * (fDown*a.bms - a.ems) / (c + n*fDown*a.bms),
	}
}

// average is ICC(2,k); its interval is the Spearman–Brown step-up of ICC(2,1)'s bounds, as
// Shrout & Fleiss prescribe for the mean of k judges.
func (a twoWay) average(single ICC) ICC {
	return ICC{
		Value: (a.bms - a.ems) / (a.bms + (a.jms-a.ems)/a.n),
		Lower: spearmanBrown(single.Lower, a.k),
		Upper: spearmanBrown(single.Upper, a.k),
	}
}

func spearmanBrown(r, k float64) float64 { return k * r / (1 + (k-1)*r) }

// fQuantile is the F distribution's quantile; NaN when the degrees of freedom are not usable
// (a matrix without residual variance).
func fQuantile(p, d1, d2 float64) float64 {
	if !(d1 > 0) || !(d2 > 0) || math.IsInf(d2, 0) {
		return math.NaN()
	}
	return distuv.F{D1: d1, D2: d2}.Quantile(p)
}

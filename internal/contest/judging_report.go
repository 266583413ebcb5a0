package contest

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// JudgingReport is what the judging desk shows about the judging of a round: how far the
// judges agree, and how firmly each ranked work holds its proposed tier.
type JudgingReport struct {
	Statistics JudgingStatistics
	Stability  map[string]WorkStability // by work
	Flagged    []string                 // the flagged works, in ranking order
	Options    StatisticsOptions
	names      map[string]string // judge ID → name
}

// JudgeLine is a judge's agreement with the panel, named, for organizers.
type JudgeLine struct {
	JudgeAgreement
	JudgeID, Name string
}

// JudgeLines are the judges' agreement lines, in the order of their IDs.
func (r JudgingReport) JudgeLines() []JudgeLine {
	out := make([]JudgeLine, len(r.Statistics.Agreement))
	for i, a := range r.Statistics.Agreement {
		id := r.Statistics.JudgeIDs[a.Judge]
		out[i] = JudgeLine{JudgeAgreement: a, JudgeID: id, Name: r.names[id]}
	}
	return out
}

// JudgeName names a judge for organizers.
func (r JudgingReport) JudgeName(id string) string { return r.names[id] }

// Reliabilities are the weighted total's reliability, then each criterion's.
func (r JudgingReport) Reliabilities() []Reliability {
	return append([]Reliability{r.Statistics.Total}, r.Statistics.Criteria...)
}

// Report computes the agreement statistics and the award stability of the ranking t (as
// Ranking returned it). The result is kept while the reviews and the ranking stay as they
// are, so the judging desk can show it on every visit. Organizers only.
func (s *JudgingService) Report(ctx context.Context, actor User, t RankingTable) (JudgingReport, error) {
	if err := requireOrganizer(actor); err != nil {
		return JudgingReport{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return JudgingReport{}, err
	}
	return s.report(ctx, c, t)
}

func (s *JudgingService) report(ctx context.Context, c Contest, t RankingTable) (JudgingReport, error) {
	judges, err := s.users.ContestUsers(ctx, c.ID, RoleJudge)
	if err != nil {
		return JudgingReport{}, err
	}
	r := s.reports.get(c, t, DefaultStatisticsOptions)
	r.names = make(map[string]string, len(judges))
	for _, u := range judges {
		r.names[u.ID] = u.Name
	}
	return r, nil
}

// MakeJudgingReport computes the report of a ranking from its review records.
func MakeJudgingReport(r Rubric, t RankingTable, records []ReviewRecord, o StatisticsOptions) JudgingReport {
	var reviews []Review
	for _, rec := range records {
		if rec.SubmittedAt != nil {
			reviews = append(reviews, Review{WorkID: rec.WorkID, JudgeID: rec.JudgeID, Scores: rec.Scores})
		}
	}
	groups := make([]StabilityGroup, len(t.Groups))
	at := map[string]int{}
	for i, g := range t.Groups {
		groups[i].Quotas, at[g.Key] = g.proposedQuotas(), i
	}
	for _, row := range t.Rows {
		g := &groups[at[row.Category]]
		g.Works = append(g.Works, row.RankedWork)
	}
	rep := JudgingReport{Stability: make(map[string]WorkStability, len(t.Rows)), Options: o}
	done := make(chan struct{})
	go func() { // much of each is serial: the two overlap
		defer close(done)
		rep.Statistics = MeasureJudging(r, records, o)
	}()
	for _, ws := range AwardStability(groups, reviews, o) {
		rep.Stability[ws.WorkID] = ws
	}
	<-done
	for _, row := range t.Rows {
		if rep.Stability[row.WorkID].Flagged {
			rep.Flagged = append(rep.Flagged, row.WorkID)
		}
	}
	return rep
}

// reportCache keeps the last reports, by a hash of everything they are computed from.
type reportCache struct {
	mu      sync.Mutex
	seed    maphash.Seed
	seeded  bool
	entries []cachedReport
}

type cachedReport struct {
	key    uint64
	report JudgingReport
}

const reportCacheSize = 4

func (rc *reportCache) get(c Contest, t RankingTable, o StatisticsOptions) JudgingReport {
	rc.mu.Lock()
	if !rc.seeded {
		rc.seed, rc.seeded = maphash.MakeSeed(), true
	}
	key := reportKey(rc.seed, c, t, o)
	for _, e := range rc.entries {
		if e.key == key {
			rc.mu.Unlock()
			return e.report
		}
	}
	rc.mu.Unlock()
	r := MakeJudgingReport(c.Judging.Rubric, t, t.records, o)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.entries = append(rc.entries, cachedReport{key, r})
	if len(rc.entries) > reportCacheSize {
		rc.entries = rc.entries[1:]
	}
	return r
}

// reportKey hashes what a report depends on: the rubric, the groups and their quotas, each
// ranked work's place and score, and every review record with the time it was last saved.
func reportKey(seed maphash.Seed, c Contest, t RankingTable, o StatisticsOptions) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	str := func(ss ...string) {
		for _, s := range ss {
			h.WriteString(s)
			h.WriteByte(0)
		}
	}
	num := func(xs ...float64) {
		for _, x := range xs {
			h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x)))
		}
	}
	str(c.ID)
	num(o.Level, float64(o.Samples), float64(o.Seed), o.MinKeep, float64(o.TrimFrom))
	for _, cr := range c.Judging.Rubric {
		str(cr.Key, cr.Name)
		num(cr.MaxPoints, cr.Weight)
	}
	for _, g := range t.Groups {
		q := g.proposedQuotas()
		str(g.Key, q[0].String(), q[1].String(), q[2].String())
	}
	for _, row := range t.Rows {
		str(row.WorkID, row.Category)
		num(row.Score, float64(row.Rank))
	}
	for _, r := range t.records {
		str(r.WorkID, r.JudgeID)
		for _, at := range []*time.Time{r.SavedAt, r.SubmittedAt} {
			if at != nil {
				h.Write(binary.LittleEndian.AppendUint64(nil, uint64(at.UnixNano())))
			}
			h.WriteByte(1)
		}
	}
	return h.Sum64()
}

package contest

import (
	"context"
	"slices"
	"time"
)

// RankingRow is a ranked work with what the organizer's table shows about it.
type RankingRow struct {
	RankedWork
	Title    string
	Category string // the work's category key (RankingGroup.Key)
	Assigned int    // judges assigned
	Missing  []string
	Short    bool // fewer submitted reviews than the contest's judges per work
	Proposed Tier // the award the quotas give this rank
}

// RankingTable is the organizer's ranking with the award proposal.
type RankingTable struct {
	Rows []RankingRow
	// Groups are the rankings within each category, in the contest's order; one group with
	// an empty key when the contest has no categories. Rows holds them one after the other.
	Groups   []RankingGroup
	Over     map[Tier]int // tiers that exceed their quota through ties at the cut, in all groups
	ClosedAt *time.Time
	// Calibration are the calibration works, not ranked, with each judge's total.
	Calibration []CalibrationWork

	// works and records are what the ranking was made from, for the awards' other uses
	// (the 公示 list, the exports) so that they do not read them again.
	works   map[string]Submission
	records []ReviewRecord
}

// Ranking ranks the works that passed formal review on their submitted reviews and proposes
// their awards from the contest's quotas. Organizers only.
func (s *JudgingService) Ranking(ctx context.Context, actor User) (RankingTable, error) {
	if err := requireOrganizer(actor); err != nil {
		return RankingTable{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return RankingTable{}, err
	}
	return s.ranking(ctx, c)
}

// ranking ranks the works of the contest's current round, for the organizers' pages and
// background packages.
func (s *JudgingService) ranking(ctx context.Context, c Contest) (RankingTable, error) {
	subs, err := s.roundWorks(ctx, c, c.Judging.CurrentRound())
	if err != nil {
		return RankingTable{}, err
	}
	records, err := s.reviews.ReviewRecords(ctx, c.ID)
	if err != nil {
		return RankingTable{}, err
	}
	calibration, err := s.calibrationWorks(ctx, c, subs, records)
	if err != nil {
		return RankingTable{}, err
	}
	t := rankRecords(c, subs, records)
	t.Calibration = calibration
	return t, nil
}

// rankRecords ranks the works on the submitted reviews among records, in the contest's ranking
// groups, with its rubric, normalization and quotas; a percentage quota counts from the works
// of the group's first round. Calibration works are not ranked, but feed the normalization.
func rankRecords(c Contest, subs []Submission, records []ReviewRecord) RankingTable {
	subs = slices.DeleteFunc(slices.Clone(subs), func(sub Submission) bool { return c.Judging.IsCalibration(sub.ID) })
	ids, works := make([]string, len(subs)), make(map[string]Submission, len(subs))
	for i, sub := range subs {
		ids[i], works[sub.ID] = sub.ID, sub
	}
	var reviews []Review
	assigned, missing := map[string]int{}, map[string][]string{}
	for _, r := range records {
		assigned[r.WorkID]++
		if r.SubmittedAt != nil {
			reviews = append(reviews, Review{WorkID: r.WorkID, JudgeID: r.JudgeID, Scores: r.Scores})
		} else {
			missing[r.WorkID] = append(missing[r.WorkID], r.JudgeID)
		}
	}
	t := RankingTable{Over: map[Tier]int{}, ClosedAt: c.Judging.ClosedAt, works: works, records: records}
	for _, g := range rankingGroups(c, subs) {
		ranked := Rank(c.Judging.Rubric, reviews, g.ids, RankOptions{Normalize: c.Judging.Normalize, Calibration: c.Judging.Calibration})
		g.Counted, g.counted = g.countedQuotas(c.Judging.quotaBase(g.Key, len(ranked))), true
		props, over := ProposeAwards(ranked, g.Counted)
		g.Over = over
		for tier, n := range over {
			t.Over[tier] += n
		}
		for i, w := range ranked {
			t.Rows = append(t.Rows, RankingRow{RankedWork: w, Title: works[w.WorkID].Registration.Title, Category: g.Key,
				Assigned: assigned[w.WorkID], Missing: missing[w.WorkID], Short: w.Reviews < c.Judging.ReviewsPerWork, Proposed: props[i].Tier})
		}
		t.Groups = append(t.Groups, g.RankingGroup)
	}
	return t
}

// countedQuotas returns the group's quotas with each percentage counted from base works: the
// same as the quotas themselves when base is the number of works ranked.
func (g RankingGroup) countedQuotas(base int) [3]Quota {
	out := g.Quotas
	for i, q := range out {
		if q.Count == 0 {
			out[i] = Quota{Count: q.of(base)}
			if out[i].Count == 0 {
				out[i] = Quota{} // a tier with no works: "0%" of any number
			}
		}
	}
	return out
}

// RankingGroup is one category's ranking: its works are ranked and awarded among themselves,
// with its quotas.
type RankingGroup struct {
	Key    string // the category's key; "" without categories, or for works left without one
	Name   string // the category's name; "" without categories
	Quotas [3]Quota
	// Counted are the quotas as counts of works, as the awards were proposed: a percentage
	// counts the works of the group's first round (countedQuotas). Set by the ranking.
	Counted [3]Quota
	Over    map[Tier]int // as RankingTable.Over, within the group
	counted bool
}

// proposedQuotas are the quotas the awards were proposed with: Counted once the ranking set
// them, else Quotas.
func (g RankingGroup) proposedQuotas() [3]Quota {
	if g.counted {
		return g.Counted
	}
	return g.Quotas
}

// workGroup is a ranking group with the works it ranks.
type workGroup struct {
	RankingGroup
	ids []string
}

// rankingGroups splits the works by category, in the contest's order of its categories; works
// whose category is not one of the contest's (chosen before it had categories) come last, as
// 未选组别 with the contest's quotas. Without categories, all works are one group.
func rankingGroups(c Contest, subs []Submission) []workGroup {
	if len(c.Categories) == 0 {
		g := workGroup{RankingGroup: RankingGroup{Quotas: c.Judging.Quotas}}
		for _, s := range subs {
			g.ids = append(g.ids, s.ID)
		}
		return []workGroup{g}
	}
	groups := make([]workGroup, len(c.Categories)+1)
	at := map[string]int{}
	for i, cat := range c.Categories {
		groups[i].RankingGroup = RankingGroup{Key: cat.Key, Name: cat.Name, Quotas: c.quotasOf(cat.Key)}
		at[cat.Key] = i
	}
	last := len(c.Categories)
	groups[last].RankingGroup = RankingGroup{Name: "未选组别", Quotas: c.Judging.Quotas}
	for _, s := range subs {
		i, ok := at[s.Category]
		if !ok {
			i = last
		}
		groups[i].ids = append(groups[i].ids, s.ID)
	}
	if len(groups[last].ids) == 0 {
		groups = groups[:last]
	}
	return groups
}

// CloseJudging ends the judging round: scores are locked from now on. It returns the ranking,
// in which Short marks the works left with fewer reviews than wanted. Organizers only.
func (s *JudgingService) CloseJudging(ctx context.Context, actor User) (RankingTable, error) {
	if err := requireOrganizer(actor); err != nil {
		return RankingTable{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return RankingTable{}, err
	}
	if c.Judging.ClosedAt == nil {
		now := s.Now()
		c.Judging.ClosedAt = &now
		c.UpdatedAt = now
		progress, err := s.judgeLoads(ctx, c.ID)
		if err != nil {
			return RankingTable{}, err
		}
		if err := s.contests.SaveJudging(ctx, c, closedNotifications(now, c, progress)...); err != nil {
			return RankingTable{}, err
		}
		if err := s.audit(ctx, actor, "judging", c.ID, "close", nil, map[string]any{"closed_at": now}); err != nil {
			return RankingTable{}, err
		}
	}
	return s.Ranking(ctx, actor)
}

// judgeLoads counts the reviews assigned to and submitted by each active judge.
func (s *JudgingService) judgeLoads(ctx context.Context, contestID string) ([]JudgeLoad, error) {
	records, err := s.reviews.ReviewRecords(ctx, contestID)
	if err != nil {
		return nil, err
	}
	judges, err := s.users.ContestUsers(ctx, contestID, RoleJudge)
	if err != nil {
		return nil, err
	}
	byJudge := map[string]*JudgeLoad{}
	for _, u := range judges {
		if !u.Disabled {
			byJudge[u.ID] = &JudgeLoad{JudgeID: u.ID}
		}
	}
	for _, r := range records {
		if p := byJudge[r.JudgeID]; p != nil {
			p.Assigned++
			if r.SubmittedAt != nil {
				p.Done++
			}
		}
	}
	var out []JudgeLoad
	for _, id := range slicesSorted(byJudge) {
		if p := byJudge[id]; p.Assigned > 0 {
			out = append(out, *p)
		}
	}
	return out, nil
}

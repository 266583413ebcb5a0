package contest

import (
	"context"
	"time"
)

// RankingRow is a ranked work with what the organizer's table shows about it.
type RankingRow struct {
	RankedWork
	Title    string
	Assigned int // judges assigned
	Missing  []string
	Short    bool // fewer submitted reviews than the contest's judges per work
	Proposed Tier // the award the quotas give this rank
}

// RankingTable is the organizer's ranking with the award proposal.
type RankingTable struct {
	Rows     []RankingRow
	Over     map[Tier]int // tiers that exceed their quota through ties at the cut
	ClosedAt *time.Time

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

// ranking ranks the contest's works, for the organizers' pages and background packages.
func (s *JudgingService) ranking(ctx context.Context, c Contest) (RankingTable, error) {
	subs, err := s.passedWorks(ctx, c.ID)
	if err != nil {
		return RankingTable{}, err
	}
	records, err := s.reviews.ReviewRecords(ctx, c.ID)
	if err != nil {
		return RankingTable{}, err
	}
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
	ranked := Rank(c.Judging.Rubric, reviews, ids, RankOptions{Normalize: c.Judging.Normalize})
	props, over := ProposeAwards(ranked, c.Judging.Quotas)
	t := RankingTable{Rows: make([]RankingRow, len(ranked)), Over: over, ClosedAt: c.Judging.ClosedAt, works: works, records: records}
	for i, w := range ranked {
		t.Rows[i] = RankingRow{RankedWork: w, Title: works[w.WorkID].Registration.Title, Assigned: assigned[w.WorkID], Missing: missing[w.WorkID],
			Short: w.Reviews < c.Judging.ReviewsPerWork, Proposed: props[i].Tier}
	}
	return t, nil
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

package contest

import (
	"context"
	"slices"
)

// PublicResults is what the public results page shows.
type PublicResults struct {
	Contest Contest
	Stage   Stage
	Results []Result // the 公示 list or the final results; empty before either
}

// Tiers groups the results by award, 一等奖 first.
func (p PublicResults) Tiers() [][]Result {
	out := make([][]Result, 3)
	for _, r := range p.Results {
		if r.Tier >= TierFirst && r.Tier <= TierThird {
			out[r.Tier-1] = append(out[r.Tier-1], r)
		}
	}
	return out
}

// ResultGroup is one category's results by tier (see Tiers).
type ResultGroup struct {
	Category string // "" when the contest has no categories
	Tiers    [][]Result
}

// Groups returns the results by category, then by tier: the categories in the contest's order
// (one named in results but no longer the contest's comes after them), a single group with no
// name when no result has a category.
func (p PublicResults) Groups() []ResultGroup {
	order := []string{}
	for _, cat := range p.Contest.Categories {
		order = append(order, cat.Name)
	}
	by := map[string][]Result{}
	for _, r := range p.Results {
		if _, ok := by[r.Category]; !ok && !slices.Contains(order, r.Category) {
			order = append(order, r.Category)
		}
		by[r.Category] = append(by[r.Category], r)
	}
	var out []ResultGroup
	for _, name := range order {
		if rs, ok := by[name]; ok {
			out = append(out, ResultGroup{Category: name, Tiers: PublicResults{Results: rs}.Tiers()})
		}
	}
	return out
}

// PublicResults returns the results as the public may see them now: the list in 公示 while it
// runs or is over, the final results once published, nothing before. No sign-in needed.
func (s *PublicationService) PublicResults(ctx context.Context) (PublicResults, error) {
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return PublicResults{}, err
	}
	out := PublicResults{Contest: c, Stage: c.Stage(s.Now())}
	if out.Stage == StagePublicity || out.Stage == StageReady || out.Stage == StagePublished {
		if out.Results, err = s.publication.Results(ctx, c.ID); err != nil {
			return PublicResults{}, err
		}
	}
	return out, nil
}

// MyResult is a contestant's own result once published.
type MyResult struct {
	Tier         Tier
	Certificates []Certificate // valid ones: the work's, then the participants'
}

// MyResults returns the published results of the actor's works among works (as the page
// loaded them), by work; nothing before publishing.
func (s *PublicationService) MyResults(ctx context.Context, actor User, works []Submission) (map[string]MyResult, error) {
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	return s.myResults(ctx, c, actor, works)
}

// myResults is MyResults in contest c; nil while its results are not published.
func (s *PublicationService) myResults(ctx context.Context, c Contest, actor User, works []Submission) (map[string]MyResult, error) {
	if c.Publication.PublishedAt == nil {
		return nil, nil
	}
	out := map[string]MyResult{}
	var ids []string
	for _, w := range works {
		if w.OwnerID == actor.ID && w.ContestID == c.ID && w.Status == StatusSubmitted {
			out[w.ID] = MyResult{}
			ids = append(ids, w.ID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	results, err := s.publication.WorkResults(ctx, c.ID, ids)
	if err != nil {
		return nil, err
	}
	certs, err := s.publication.WorkCertificates(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		if m, ok := out[r.WorkID]; ok {
			m.Tier = r.Tier
			out[r.WorkID] = m
		}
	}
	for _, cert := range certs {
		if m, ok := out[cert.WorkID]; ok && cert.Valid() {
			m.Certificates = append(m.Certificates, cert)
			out[cert.WorkID] = m
		}
	}
	return out, nil
}

// MyContest is one contest on a contestant's 我的作品: its works and, once published, their
// results.
type MyContest struct {
	Contest Contest
	Works   []Submission
	Results map[string]MyResult // nil until the results are published
}

// MyContests returns the contestant's works grouped by contest, with the contests taking works
// now even where they have none yet; open contests first (ListOrder). One account enters any
// number of contests.
func (s *PublicationService) MyContests(ctx context.Context, actor User, works []Submission) ([]MyContest, error) {
	byContest := map[string][]Submission{}
	var ids []string
	for _, w := range works {
		if byContest[w.ContestID] == nil {
			ids = append(ids, w.ContestID)
		}
		byContest[w.ContestID] = append(byContest[w.ContestID], w)
	}
	// Only the contests shown: past ones without the contestant's works are not read at all.
	all, err := s.contests.OpenContestsOr(ctx, s.Now(), ids)
	if err != nil {
		return nil, err
	}
	var out []MyContest
	for _, c := range ListOrder(all, s.Now()) {
		mine := byContest[c.ID]
		if len(mine) == 0 && (!c.CollectionOpen(s.Now()) || c.ArchivedAt != nil) {
			continue
		}
		results, err := s.myResults(ctx, c, actor, mine)
		if err != nil {
			return nil, err
		}
		out = append(out, MyContest{Contest: c, Works: mine, Results: results})
	}
	return out, nil
}

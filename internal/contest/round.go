package contest

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// A contest is judged in one round, or in several: 初评 ranks every work, its shortlist goes on
// to 终评 with judges, a rubric and a number of judges per work of its own, and the awards come
// from the last round. The assignments table holds the current round only; a round that is
// advanced is kept whole (every review, in round_reviews) and stays readable and exportable.

// RoundRecord is a judging round that was closed and whose shortlist went on to the next one.
type RoundRecord struct {
	Number         int
	Name           string
	Rubric         Rubric
	ReviewsPerWork int
	Normalize      bool
	Judges         []string `json:",omitempty"` // the round's judges; empty: every judge of the contest
	Calibration    []string `json:",omitempty"` // the round's calibration works, not ranked
	Shortlist      Quota    // top N, or top %, of each ranking group
	// Ranked counts the works ranked in each ranking group (by key): in the first round, the
	// base of the award quotas given as percentages in the later rounds.
	Ranked     map[string]int
	Advanced   int // works that went on to the next round
	ClosedAt   time.Time
	AdvancedAt time.Time
}

// Works counts the works ranked in the round.
func (r RoundRecord) Works() int {
	n := 0
	for _, v := range r.Ranked {
		n += v
	}
	return n
}

// CurrentRound is the number of the round being judged, from 1.
func (j JudgingSettings) CurrentRound() int { return max(1, j.Round) }

// RoundLabel names the current round: its own name, or 初评/终评 once there are rounds; "" for
// a contest judged in a single round.
func (j JudgingSettings) RoundLabel() string {
	if j.RoundName != "" || len(j.Rounds) == 0 {
		return j.RoundName
	}
	return defaultRoundName(j.CurrentRound())
}

func defaultRoundName(n int) string {
	switch n {
	case 1:
		return "初评"
	case 2:
		return "终评"
	}
	return "第" + chineseNumber(n) + "轮"
}

// InRound reports whether the judge judges the current round: every judge of the contest does,
// unless the round names its judges.
func (j JudgingSettings) InRound(judgeID string) bool {
	return len(j.RoundJudges) == 0 || slices.Contains(j.RoundJudges, judgeID)
}

// quotaBase returns the number of works a percentage quota of the group counts from: the works
// ranked in the group in the first round, so that "一等奖 5%" means 5% of the entries however
// many reach the last round; the works ranked now in a contest of one round.
func (j JudgingSettings) quotaBase(key string, ranked int) int {
	if len(j.Rounds) == 0 {
		return ranked
	}
	return j.Rounds[0].Ranked[key]
}

// Advance is what an organizer chooses to take a closed round on to the next one.
type Advance struct {
	Shortlist Quota    // top N, or top %, of each ranking group; ties at the cut go on together
	Name      string   // the next round's name; "" is 终评 (第三轮 …)
	Judges    []string // the next round's judges; empty: every active judge of the contest
	// ReviewsPerWork is the next round's judges per work; 0: every judge of the round
	// reviews every work.
	ReviewsPerWork int
}

// RoundStore keeps the rounds that were advanced.
type RoundStore interface {
	// AdvanceRound files the current round's assignments and reviews as round `from`, drops the
	// award moves made on its ranking (AwardStore), admits the
	// shortlisted works to round from+1 (with their rank and score in round `from`), and saves
	// the contest's judging settings with the audit entry, in one transaction. ErrStale when the
	// round was advanced meanwhile.
	AdvanceRound(ctx context.Context, c Contest, from int, shortlist []RankingRow, a AuditEntry) error
	// RoundReviews returns the assignments and reviews of a round that was advanced.
	RoundReviews(ctx context.Context, contestID string, round int) ([]ReviewRecord, error)
	// RoundWorks returns the ids of the works admitted to a round after the first.
	RoundWorks(ctx context.Context, contestID string, round int) ([]string, error)
}

// errShortlist is a field error of the advance form.
func errShortlist(code, msg string) error {
	return (Fields{"shortlist": {Code: code, Message: msg}}).Err()
}

// AdvanceRound closes the books of the current round and opens the next one: the best works of
// each ranking group (Advance.Shortlist) go on, to be judged by the chosen judges with the same
// rubric, which the organizer may change until a score is saved. Judging must be closed and the
// awards not confirmed; awards moved on this round's ranking are dropped (the audit entry keeps
// them), since the awards come from the last round. The new round's assignment is run from the
// judging desk as the first was. Organizers only; audited.
func (s *JudgingService) AdvanceRound(ctx context.Context, actor User, in Advance) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Contest{}, err
	}
	switch {
	case c.Judging.ClosedAt == nil:
		return Contest{}, Errorf(EConflict, "请先结束本轮评审，再进入下一轮")
	case c.Judging.AwardsConfirmedAt != nil:
		return Contest{}, Errorf(EConflict, "奖项已确认，不能再进入下一轮；如需复评，请先开启新版本")
	}
	judges, err := s.roundJudges(ctx, c, in)
	if err != nil {
		return Contest{}, err
	}
	k := in.ReviewsPerWork
	if k == 0 {
		k = len(judges)
	}
	if err := checkAdvance(in, k, len(judges)); err != nil {
		return Contest{}, err
	}
	t, err := s.ranking(ctx, c)
	if err != nil {
		return Contest{}, err
	}
	shortlist, ranked, err := shortlistOf(c, t, in.Shortlist)
	if err != nil {
		return Contest{}, err
	}
	moved, err := s.awards.AwardDecisions(ctx, c.ID)
	if err != nil {
		return Contest{}, err
	}
	now := s.Now()
	before := c.Judging
	from := c.Judging.CurrentRound()
	rec := RoundRecord{Number: from, Name: cmpOr(c.Judging.RoundName, defaultRoundName(from)), Rubric: before.Rubric,
		ReviewsPerWork: before.ReviewsPerWork, Normalize: before.Normalize, Judges: before.RoundJudges, Calibration: before.Calibration,
		Shortlist: in.Shortlist, Ranked: ranked, Advanced: len(shortlist), ClosedAt: *before.ClosedAt, AdvancedAt: now}
	next := c.Judging
	next.Rounds = append(slices.Clone(before.Rounds), rec)
	next.Round, next.RoundName, next.ClosedAt, next.ReviewsPerWork = from+1, cmpOr(in.Name, defaultRoundName(from+1)), nil, k
	next.RoundJudges, next.Calibration = nil, nil // the next round's calibration works are chosen anew
	if len(in.Judges) > 0 {
		next.RoundJudges = judges
	}
	c.Judging, c.UpdatedAt = next, now
	ids := make([]string, len(shortlist))
	for i, r := range shortlist {
		ids[i] = r.WorkID
	}
	a := s.newAudit(actor, "judging", c.ID, "advance_round",
		map[string]any{"round": from, "name": rec.Name, "works": rec.Works(), "award_moves": moved},
		map[string]any{"round": from + 1, "name": next.RoundName, "shortlist": in.Shortlist.String(), "advanced": ids,
			"judges": judges, "reviews_per_work": k})
	if err := s.rounds.AdvanceRound(ctx, c, from, shortlist, a); err != nil {
		if err == ErrStale {
			return Contest{}, Errorf(EConflict, "评审状态刚被修改（已进入下一轮或奖项已确认），请刷新页面后再试")
		}
		return Contest{}, err
	}
	return c, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkAdvance checks the advance form: a shortlist that is a count or a percentage, a round
// name of at most 20 characters, and as many judges per work as the round has judges at most.
func checkAdvance(in Advance, k, judges int) error {
	var f Fields
	q := in.Shortlist
	switch {
	case q.Count < 0 || q.Percent < 0 || q.Percent > 100 || (q.Count > 0 && q.Percent > 0) || (q.Count == 0 && !(q.Percent > 0)):
		f.Add("shortlist", "shortlist_range", "入围名额请填写数量（如 20）或百分比（如 30%）")
	}
	if name, fe := ValidateText(in.Name, false, 20); fe != nil {
		f.Add("name", fe.Code, "轮次名称"+fe.Message)
	} else if name != in.Name {
		f.Add("name", "name_space", "轮次名称前后不能有空格")
	}
	switch {
	case judges == 0:
		f.Add("judges", "judges_empty", "下一轮至少需要一位在用的评委")
	case k < 1 || k > 20:
		f.Add("reviews_per_work", "reviews_range", "每件作品的评委人数须在1到20之间")
	case k > judges:
		f.Add("reviews_per_work", "reviews_over_judges", "每件作品的评委人数不能多于本轮评委人数")
	}
	return f.Err()
}

// roundJudges returns the ids of the next round's judges: the chosen ones, each an active
// judge of the contest, or every active judge.
func (s *JudgingService) roundJudges(ctx context.Context, c Contest, in Advance) ([]string, error) {
	users, err := s.users.ContestUsers(ctx, c.ID, RoleJudge)
	if err != nil {
		return nil, err
	}
	active := map[string]bool{}
	var all []string
	for _, u := range users {
		if !u.Disabled {
			active[u.ID] = true
			all = append(all, u.ID)
		}
	}
	if len(in.Judges) == 0 {
		return all, nil
	}
	var out []string
	for _, id := range in.Judges {
		if !active[id] {
			return nil, (Fields{"judges": {Code: "judge_unknown", Message: "请选择本活动在用的评委"}}).Err()
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// shortlistOf takes the best works of each ranking group: the first N (or N% of the group,
// rounded down, at least one), with the works tied with the last of them. It refuses a
// shortlist that leaves a group fewer works than its awards. It returns the shortlist and the
// number of works ranked in each group.
func shortlistOf(c Contest, t RankingTable, q Quota) ([]RankingRow, map[string]int, error) {
	byGroup := map[string][]RankingRow{}
	for _, r := range t.Rows {
		byGroup[r.Category] = append(byGroup[r.Category], r)
	}
	ranked := map[string]int{}
	var out []RankingRow
	for _, g := range t.Groups {
		rows := byGroup[g.Key]
		ranked[g.Key] = len(rows)
		if len(rows) == 0 {
			continue
		}
		n := min(len(rows), max(1, q.of(len(rows))))
		taken := 0
		for _, r := range rows {
			if r.Rank <= n {
				out, taken = append(out, r), taken+1
			}
		}
		awards := 0
		base := c.Judging.quotaBase(g.Key, len(rows))
		for _, gq := range g.Quotas {
			awards += gq.of(base)
		}
		if taken < awards {
			where := ""
			if g.Name != "" {
				where = "“" + g.Name + "”"
			}
			return nil, nil, errShortlist("shortlist_small", "入围作品"+where+"（"+strconv.Itoa(taken)+" 件）少于获奖名额（"+strconv.Itoa(awards)+" 件），请增加入围名额")
		}
	}
	if len(out) == 0 {
		return nil, nil, Errorf(EConflict, "还没有已排名的作品，不能进入下一轮")
	}
	return out, ranked, nil
}

// roundWorks returns the works judged in the contest's current round: the works that passed
// formal review, and after the first round only those admitted to it.
func (s *JudgingService) roundWorks(ctx context.Context, c Contest, round int) ([]Submission, error) {
	subs, err := s.passedWorks(ctx, c.ID)
	if err != nil || round <= 1 {
		return subs, err
	}
	ids, err := s.rounds.RoundWorks(ctx, c.ID, round)
	if err != nil {
		return nil, err
	}
	in := make(map[string]bool, len(ids))
	for _, id := range ids {
		in[id] = true
	}
	return slices.DeleteFunc(subs, func(s Submission) bool { return !in[s.ID] }), nil
}

// RoundView is an earlier round as the organizers read it: the round's settings and its ranking,
// with the works that went on to the next round.
type RoundView struct {
	RoundRecord
	Ranking   RankingTable
	Finalists map[string]bool // the works that went on to the next round
}

// Rounds returns the rounds of the current contest: those advanced, then the current one
// (without its ranking, which the judging desk shows). Organizers only.
func (s *JudgingService) Rounds(ctx context.Context, actor User) ([]RoundRecord, Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, Contest{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, Contest{}, err
	}
	return c.Judging.Rounds, c, nil
}

// Round returns an advanced round with its ranking. Organizers only.
func (s *JudgingService) Round(ctx context.Context, actor User, n int) (RoundView, error) {
	rounds, c, err := s.Rounds(ctx, actor)
	if err != nil {
		return RoundView{}, err
	}
	if n < 1 || n > len(rounds) {
		return RoundView{}, Errorf(ENotFound, "该轮评审不存在或尚未结束")
	}
	return s.roundView(ctx, c, rounds[n-1])
}

// RoundAgreement is how far an advanced round's judges agreed: the statistics of its reviews
// only, since no award came from it. Organizers only.
func (s *JudgingService) RoundAgreement(ctx context.Context, actor User, v RoundView) (JudgingReport, error) {
	if err := requireOrganizer(actor); err != nil {
		return JudgingReport{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return JudgingReport{}, err
	}
	judges, err := s.users.ContestUsers(ctx, c.ID, RoleJudge)
	if err != nil {
		return JudgingReport{}, err
	}
	o := DefaultStatisticsOptions
	r := JudgingReport{Statistics: MeasureJudging(v.Rubric, v.Ranking.records, o), Options: o, names: map[string]string{}}
	for _, u := range judges {
		r.names[u.ID] = u.Name
	}
	return r, nil
}

// roundView ranks an advanced round from its own reviews, rubric and normalization, in the
// contest's ranking groups.
func (s *JudgingService) roundView(ctx context.Context, c Contest, r RoundRecord) (RoundView, error) {
	subs, err := s.roundWorks(ctx, c, r.Number)
	if err != nil {
		return RoundView{}, err
	}
	records, err := s.rounds.RoundReviews(ctx, c.ID, r.Number)
	if err != nil {
		return RoundView{}, err
	}
	next, err := s.rounds.RoundWorks(ctx, c.ID, r.Number+1)
	if err != nil {
		return RoundView{}, err
	}
	v := RoundView{RoundRecord: r, Finalists: map[string]bool{}}
	for _, id := range next {
		v.Finalists[id] = true
	}
	then := c
	then.Judging.Rubric, then.Judging.Normalize, then.Judging.ReviewsPerWork, then.Judging.Calibration = r.Rubric, r.Normalize, r.ReviewsPerWork, r.Calibration
	then.Judging.Rounds = c.Judging.Rounds[:r.Number-1]
	then.Judging.ClosedAt = &r.ClosedAt
	v.Ranking = rankRecords(then, subs, records)
	if v.Ranking.Calibration, err = s.calibrationWorks(ctx, then, subs, records); err != nil {
		return RoundView{}, err
	}
	return v, nil
}

// AdvancedRounds returns every advanced round with its ranking, for the exports.
func (s *JudgingService) advancedRounds(ctx context.Context, c Contest) ([]RoundView, error) {
	var out []RoundView
	for _, r := range c.Judging.Rounds {
		v, err := s.roundView(ctx, c, r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// NextRoundName is the name the next round takes unless the organizer names it.
func (j JudgingSettings) NextRoundName() string { return defaultRoundName(j.CurrentRound() + 1) }

// LastRound is the round advanced last; the zero record before any.
func (j JudgingSettings) LastRound() RoundRecord {
	if len(j.Rounds) == 0 {
		return RoundRecord{}
	}
	return j.Rounds[len(j.Rounds)-1]
}

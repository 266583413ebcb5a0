package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/jskx/contest/internal/contest"
)

// Demo is the example contest's clock and what moving it runs.
type Demo struct {
	svc   *contest.Services
	clock *Clock
	audit contest.AuditStore
	dir   string

	mu sync.Mutex // one jump at a time
}

// New returns the demo over the services, which must have been wired with clock.Now; its
// accounts file is kept in the data folder dir, and each jump is written to audit.
func New(svc *contest.Services, clock *Clock, audit contest.AuditStore, dir string) *Demo {
	return &Demo{svc: svc, clock: clock, audit: audit, dir: dir}
}

// Now is the demo's time.
func (d *Demo) Now() time.Time { return d.clock.Now() }

// Contest is the demo's contest seeded at now: collection open from the start of today for 3
// days, review for the 2 days after, a 3-day 公示, and quotas that suit a handful of works.
func Contest(now time.Time) contest.Contest {
	c := contest.DemoContest(now)
	start := c.CollectionStart
	c.CollectionEnd = start.AddDate(0, 0, 3).Add(-time.Second)
	c.ReviewStart = start.AddDate(0, 0, 3)
	c.ReviewEnd = start.AddDate(0, 0, 5).Add(-time.Second)
	c.Publication.PublicityDays = 3
	return c
}

// The steps the clock can jump to, in order.
const (
	StepReview    = "review"    // the first morning of the review window: judges score
	StepPublicity = "publicity" // the morning after the review: judging closed, awards confirmed, 公示 started
	StepReady     = "ready"     // the morning after the 公示: the organizer can publish
)

// Step is a point the clock can jump to.
type Step struct {
	Key    string
	Button string    // 跳到评审期
	Stage  string    // the stage it leads to: 评审中
	At     time.Time // where the clock lands
	Done   bool      // the clock is at or past it
}

// morning is 09:00 on the day of t in the contest's zone.
func morning(c contest.Contest, t time.Time) time.Time {
	d := t.In(c.Location())
	return time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, d.Location())
}

// Steps are the jumps for c at now. Before the 公示 starts, its end is reckoned from the
// contest's number of days, as StartPublicity will.
func Steps(c contest.Contest, now time.Time) []Step {
	review := morning(c, c.ReviewStart)
	publicity := morning(c, c.ReviewEnd.Add(time.Second))
	var ready time.Time
	if p := c.Publication; p.PublicityEnd != nil && p.PublicityVersion == c.Judging.AwardsVersion {
		ready = morning(c, *p.PublicityEnd)
	} else {
		ready = morning(c, publicity.AddDate(0, 0, 1+c.Publication.PublicityDays))
	}
	steps := []Step{
		{Key: StepReview, Button: "跳到评审期", Stage: "评审中", At: review},
		{Key: StepPublicity, Button: "跳到公示期", Stage: "公示中", At: publicity},
		{Key: StepReady, Button: "跳到公示期满", Stage: "公示期满，可发布结果", At: ready},
	}
	for i := range steps {
		steps[i].Done = !now.Before(steps[i].At)
	}
	return steps
}

// Stage names where the contest stands at now (contest.Phase): 征集中, 征集已截止, 评审中, 公示中,
// 公示期满，待发布 or 结果已发布.
func Stage(c contest.Contest, now time.Time) string {
	return map[contest.Phase]string{contest.PhaseNotOpen: "征集尚未开始", contest.PhaseCollecting: "征集中",
		contest.PhaseClosed: "征集已截止", contest.PhaseReview: "评审中", contest.PhasePublicity: "公示中", contest.PhaseReady: "公示期满，待发布",
		contest.PhasePublished: "结果已发布", contest.PhaseWithdrawn: "已撤回，复核中"}[c.Phase(now)]
}

// Advance moves the clock to the step key, running on the way what each step needs with the
// services' own methods: at the review, every judge scores the works assigned to them; at the
// 公示, the organizer closes judging, confirms the awards and starts the 公示. Each move is
// audited. A step already reached is refused (the clock never goes back). Organizers only.
func (d *Demo) Advance(ctx context.Context, actor contest.User, key string) error {
	if !actor.IsOrganizer() {
		return contest.Errorf(contest.EForbidden, "只有组织者可以调整演示时间")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c, err := d.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	target := -1
	for i, s := range Steps(c, d.clock.Now()) {
		if s.Key == key {
			if s.Done {
				return contest.Errorf(contest.EConflict, "演示时间已过“%s”，时间只能向前调整", s.Stage)
			}
			target = i
		}
	}
	if target < 0 {
		return contest.Errorf(contest.EInvalid, "没有这个演示阶段")
	}
	for i := 0; i <= target; i++ {
		if c, err = d.svc.Contests.CurrentContest(ctx); err != nil {
			return err
		}
		s := Steps(c, d.clock.Now())[i]
		if s.Done {
			continue
		}
		if err := d.jump(ctx, actor, c, s); err != nil {
			return err
		}
	}
	return nil
}

// jump moves the clock to s, audited, and runs what s needs.
func (d *Demo) jump(ctx context.Context, actor contest.User, c contest.Contest, s Step) error {
	before := d.clock.Now()
	if s.Key == StepPublicity {
		if err := d.finishLaterRound(ctx, actor, c); err != nil {
			return err
		}
	}
	if err := d.clock.set(s.At); err != nil {
		return contest.Internal(err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return contest.Internal(err)
	}
	entry := contest.AuditEntry{ID: id.String(), ActorID: actor.ID, ActorName: actor.Name, At: d.clock.Now(),
		Entity: "demo_clock", EntityID: c.ID, Action: "advance",
		Before: fmt.Sprintf(`{"now":%q}`, before.UTC().Format(time.RFC3339)),
		After:  fmt.Sprintf(`{"now":%q,"step":%q}`, s.At.UTC().Format(time.RFC3339), s.Key)}
	if err := d.audit.AddAudit(ctx, entry); err != nil {
		return contest.Internal(err)
	}
	switch s.Key {
	case StepReview:
		return d.scoreAll(ctx, actor, c)
	case StepPublicity:
		return d.startPublicity(ctx, actor, c)
	}
	return nil
}

// finishLaterRound judges a round after the first that the organizer opened (进入下一轮)
// before the review window ends: its works are assigned if they are not yet, and every judge
// of it scores them, as the judges did in the first round.
func (d *Demo) finishLaterRound(ctx context.Context, org contest.User, c contest.Contest) error {
	if c.Judging.CurrentRound() == 1 || !c.ScoringOpen(d.clock.Now()) {
		return nil
	}
	progress, err := d.svc.Judging.Progress(ctx, org)
	if err != nil {
		return err
	}
	if len(progress) == 0 {
		if _, err := d.svc.Judging.RunAssignment(ctx, org, uint64(d.clock.Now().UnixNano())); err != nil {
			return err
		}
	}
	return d.scoreAll(ctx, org, c)
}

// scoreAll has every active judge submit a score for each work assigned to them and not yet
// scored.
func (d *Demo) scoreAll(ctx context.Context, org contest.User, c contest.Contest) error {
	if !c.ScoringOpen(d.clock.Now()) {
		return nil // the organizer closed judging already
	}
	judges, err := d.svc.Judging.Judges(ctx, org)
	if err != nil {
		return err
	}
	for _, j := range judges {
		if j.Disabled {
			continue
		}
		queue, err := d.svc.Judging.JudgeQueue(ctx, j)
		if err != nil {
			return err
		}
		for _, t := range queue {
			if t.Done() {
				continue
			}
			scores := scoresFor(c.Judging.Rubric, t.Title, j.ID)
			if _, err := d.svc.Judging.ScoreWork(ctx, j, t.SubmissionID, scores, "", true); err != nil {
				return fmt.Errorf("%s scoring 《%s》: %w", j.Name, t.Title, err)
			}
		}
	}
	return nil
}

// scoresFor gives a work a judge's scores: each work has its quality (the demo's works theirs,
// any other a middling one), and each judge a small lean of their own, so that the ranking has
// a clear order and the judges differ a little.
func scoresFor(r contest.Rubric, title, judgeID string) contest.Scores {
	q, ok := quality[title]
	if !ok {
		q = 0.7
	}
	h := fnv.New32a()
	h.Write([]byte(judgeID + title))
	lean := float64(h.Sum32()%7)/100 - 0.03 // -0.03 … +0.03
	s := contest.Scores{}
	for _, crit := range r {
		v := crit.MaxPoints * math.Min(1, math.Max(0, q+lean))
		s[crit.Key] = math.Round(v*2) / 2
	}
	return s
}

// startPublicity closes judging, confirms the awards as ranked and starts the 公示, each step
// skipped when the organizer has taken it already.
func (d *Demo) startPublicity(ctx context.Context, org contest.User, c contest.Contest) error {
	if c.Judging.ClosedAt == nil {
		if _, err := d.svc.Judging.CloseJudging(ctx, org); err != nil {
			return err
		}
	}
	if c.Stage(d.clock.Now()) == contest.StageJudging {
		if _, err := d.svc.Judging.ConfirmAwards(ctx, org); err != nil {
			return err
		}
	}
	c, err := d.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	if c.Stage(d.clock.Now()) == contest.StageConfirmed {
		_, err = d.svc.Publication.StartPublicity(ctx, org)
	}
	return err
}

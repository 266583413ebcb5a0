package contest

import (
	"context"
	"time"
)

// AwardDecision is a tier the organizers set by hand for a work, with the reason; it replaces
// the proposal from the ranking.
type AwardDecision struct {
	WorkID string
	Tier   Tier
	Reason string
	ByID   string
	At     time.Time
}

// AwardStore keeps the organizers' award decisions.
type AwardStore interface {
	AwardDecisions(ctx context.Context, contestID string) (map[string]AwardDecision, error)
	// SaveAward records a decision with its audit entry, in one transaction.
	SaveAward(ctx context.Context, contestID string, d AwardDecision, a AuditEntry) error
}

// AwardRow is a ranked work with its proposed and final award.
type AwardRow struct {
	RankingRow
	Final  Tier
	Reason string // why Final differs from the proposal
}

// AwardTable is the ranking with the awards as they stand.
type AwardTable struct {
	RankingTable
	Awards      []AwardRow
	ConfirmedAt *time.Time
	Version     int
}

// AwardGroup is one category's part of the award table.
type AwardGroup struct {
	RankingGroup
	Awards []AwardRow
}

// Grouped returns the awards by category, in the order of t.Groups.
func (t AwardTable) Grouped() []AwardGroup {
	out := make([]AwardGroup, len(t.Groups))
	at := map[string]int{}
	for i, g := range t.Groups {
		out[i].RankingGroup, at[g.Key] = g, i
	}
	for _, a := range t.Awards {
		i := at[a.Category]
		out[i].Awards = append(out[i].Awards, a)
	}
	return out
}

// Awards returns the ranking with each work's proposed and final award. Organizers only.
func (s *JudgingService) Awards(ctx context.Context, actor User) (AwardTable, error) {
	if err := requireOrganizer(actor); err != nil {
		return AwardTable{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return AwardTable{}, err
	}
	return s.awardTable(ctx, c)
}

// awardTable is the ranking of contest c with each work's proposed and final award.
func (s *JudgingService) awardTable(ctx context.Context, c Contest) (AwardTable, error) {
	t, err := s.ranking(ctx, c)
	if err != nil {
		return AwardTable{}, err
	}
	decisions, err := s.awards.AwardDecisions(ctx, c.ID)
	if err != nil {
		return AwardTable{}, err
	}
	out := AwardTable{RankingTable: t, ConfirmedAt: c.Judging.AwardsConfirmedAt, Version: c.Judging.AwardsVersion}
	for _, r := range t.Rows {
		row := AwardRow{RankingRow: r, Final: r.Proposed}
		if d, ok := decisions[r.WorkID]; ok {
			row.Final, row.Reason = d.Tier, d.Reason
		}
		out.Awards = append(out.Awards, row)
	}
	return out, nil
}

// SetAward moves a work to another tier than proposed, with a reason (recorded in the audit
// log), before the awards are confirmed. Judging must be closed: awards follow final scores.
func (s *JudgingService) SetAward(ctx context.Context, actor User, id string, tier Tier, reason string) (AwardTable, error) {
	t, err := s.Awards(ctx, actor)
	if err != nil {
		return AwardTable{}, err
	}
	if t.ClosedAt == nil {
		return AwardTable{}, Errorf(EConflict, "请先结束评审，再调整奖项")
	}
	if t.ConfirmedAt != nil {
		return AwardTable{}, Errorf(EConflict, "奖项已确认并冻结；如需修改，请先开启新版本")
	}
	if tier < TierNone || tier > TierThird {
		return AwardTable{}, (Fields{"tier": {Code: "tier_unknown", Message: "请选择一等奖、二等奖、三等奖或不获奖"}}).Err()
	}
	reason, fe := ValidateText(reason, true, 300)
	if fe != nil {
		return AwardTable{}, (Fields{"reason": {Code: "reason_required", Message: "调整奖项须填写原因"}}).Err()
	}
	var row *AwardRow
	for i := range t.Awards {
		if t.Awards[i].WorkID == id {
			row = &t.Awards[i]
		}
	}
	if row == nil {
		return AwardTable{}, Errorf(ENotFound, "该作品不在排名中")
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return AwardTable{}, err
	}
	d := AwardDecision{WorkID: id, Tier: tier, Reason: reason, ByID: actor.ID, At: s.Now()}
	a := s.newAudit(actor, "award", id, "move", map[string]any{"tier": row.Final.Label(), "proposed": row.Proposed.Label()},
		map[string]any{"tier": tier.Label(), "reason": reason})
	if err := s.awards.SaveAward(ctx, c.ID, d, a); err != nil {
		return AwardTable{}, err
	}
	return s.Awards(ctx, actor)
}

// ConfirmAwards freezes the awards as they stand: no move is possible until a new version is
// opened. Organizers only; audited with the full list.
func (s *JudgingService) ConfirmAwards(ctx context.Context, actor User) (AwardTable, error) {
	t, err := s.Awards(ctx, actor)
	if err != nil {
		return AwardTable{}, err
	}
	if t.ClosedAt == nil {
		return AwardTable{}, Errorf(EConflict, "请先结束评审，再确认奖项")
	}
	if t.ConfirmedAt != nil {
		return t, nil
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return AwardTable{}, err
	}
	now := s.Now()
	c.Judging.AwardsConfirmedAt = &now
	c.Judging.AwardsVersion++
	list := map[string]string{}
	for _, r := range t.Awards {
		if r.Final != TierNone {
			list[r.WorkID] = r.Final.Label()
		}
	}
	a := s.newAudit(actor, "award", c.ID, "confirm", nil, map[string]any{"version": c.Judging.AwardsVersion, "awards": list})
	if err := s.publication.SaveAwardsState(ctx, c, a); err != nil {
		return AwardTable{}, err
	}
	return s.Awards(ctx, actor)
}

// ReopenAwards opens a new version of confirmed awards so they can be changed again; the
// confirmed version stays in the audit log. Organizers only.
func (s *JudgingService) ReopenAwards(ctx context.Context, actor User, reason string) (AwardTable, error) {
	if err := requireOrganizer(actor); err != nil {
		return AwardTable{}, err
	}
	reason, fe := ValidateText(reason, true, 300)
	if fe != nil {
		return AwardTable{}, (Fields{"reason": {Code: "reason_required", Message: "开启新版本须填写原因"}}).Err()
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return AwardTable{}, err
	}
	if c.Publication.PublishedAt != nil {
		return AwardTable{}, Errorf(EConflict, "结果已发布；请先撤回发布，再开启新版本")
	}
	if c.Judging.AwardsConfirmedAt != nil {
		before := map[string]any{"version": c.Judging.AwardsVersion, "confirmed_at": c.Judging.AwardsConfirmedAt,
			"publicity_start": c.Publication.PublicityStart}
		// A new version ends a running 公示 (Contest.Stage: the 公示 shows the version it
		// started with); the changed list, once confirmed, is shown again in a new one.
		c.Judging.AwardsConfirmedAt = nil
		a := s.newAudit(actor, "award", c.ID, "reopen", before, map[string]any{"reason": reason})
		if err := s.publication.SaveAwardsState(ctx, c, a); err != nil {
			return AwardTable{}, err
		}
	}
	return s.Awards(ctx, actor)
}

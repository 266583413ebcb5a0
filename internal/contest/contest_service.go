package contest

import "context"

// CurrentContest returns the contest the site runs.
func (s *ContestService) CurrentContest(ctx context.Context) (Contest, error) {
	return s.contests.CurrentContest(ctx)
}

// Contest returns a contest by id.
func (s *ContestService) Contest(ctx context.Context, id string) (Contest, error) {
	return s.contests.ContestByID(ctx, id)
}

// SeedContestID is the id of the contest seeded into an empty database. It is fixed so that
// replicas starting together on an empty database create it once: the others conflict.
const SeedContestID = "00000000-0000-4000-8000-000000000001"

// SeedContest creates c unless a contest exists already; it reports whether it created one.
func (s *ContestService) SeedContest(ctx context.Context, c Contest) (bool, error) {
	if _, err := s.contests.CurrentContest(ctx); err == nil {
		return false, nil
	} else if ErrorCode(err) != ENotFound {
		return false, err
	}
	if err := c.Validate(); err != nil {
		return false, err
	}
	c.ID = SeedContestID
	c.CreatedAt, c.UpdatedAt = s.Now(), s.Now()
	err := s.contests.CreateContest(ctx, &c)
	if ErrorCode(err) == EConflict { // another replica seeded it first
		return false, nil
	}
	return err == nil, err
}

// UpdateContest changes a contest's settings; organizers only.
func (s *ContestService) UpdateContest(ctx context.Context, actor User, c Contest) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	old, err := s.contests.ContestByID(ctx, c.ID)
	if err != nil {
		return Contest{}, err
	}
	if err := c.Validate(); err != nil {
		return Contest{}, err
	}
	c.CreatedAt, c.UpdatedAt = old.CreatedAt, s.Now()
	c.Judging = old.Judging // changed only through the judging methods (a closed round stays closed)
	c.Publication = old.Publication
	if err := s.contests.UpdateContest(ctx, &c); err != nil {
		return Contest{}, err
	}
	return c, nil
}

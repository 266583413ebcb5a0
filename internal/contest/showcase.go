package contest

import (
	"cmp"
	"context"
	"io"
)

// RecommendationStore keeps the works the organizers recommend to the national contest
// (推荐至全国).
type RecommendationStore interface {
	// SetRecommended marks or unmarks a work, with the audit entry, in one transaction.
	SetRecommended(ctx context.Context, contestID, workID string, on bool, a AuditEntry) error
	// Recommended returns the recommended works of the contest.
	Recommended(ctx context.Context, contestID string) (map[string]bool, error)
}

// ShowcaseItem is a work in the public gallery (展播): a published winner or a recommended
// work, with what the public may see of it.
type ShowcaseItem struct {
	Result
	Recommended bool
	Video       *Video // the checked video; the gallery plays its metadata-free copy
}

// Playable reports whether the gallery can play the work (its copy for playback exists).
func (i ShowcaseItem) Playable() bool { return i.Video != nil && i.Video.Check.WebCopy }

// Showcase returns the gallery: the published winners by tier and rank, then the other
// recommended works. Empty until the results are published. No sign-in needed.
func (s *PublicationService) Showcase(ctx context.Context) ([]ShowcaseItem, error) {
	c, err := s.contests.CurrentContest(ctx)
	if err != nil || c.Publication.PublishedAt == nil {
		return nil, err
	}
	results, err := s.publication.Results(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	rec, err := s.recommendations.Recommended(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	works, err := s.judging.passedWorks(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Submission, len(works))
	for _, w := range works {
		byID[w.ID] = w
	}
	var out []ShowcaseItem
	seen := map[string]bool{}
	for _, r := range results {
		w, ok := byID[r.WorkID]
		if !ok {
			continue // excluded after publishing
		}
		seen[r.WorkID] = true
		out = append(out, ShowcaseItem{Result: r, Recommended: rec[r.WorkID], Video: w.Video})
	}
	for _, w := range works {
		if rec[w.ID] && !seen[w.ID] && !c.Judging.IsCalibration(w.ID) {
			out = append(out, ShowcaseItem{Result: Result{WorkID: w.ID, Title: w.Registration.Title, Names: creators(w),
				Employer: w.Registration.Employer}, Recommended: true, Video: w.Video})
		}
	}
	return out, nil
}

// showcaseItem returns one work of the gallery; ENotFound when it is not in it. It reads the
// one work, not the gallery: posters and videos are asked for often.
func (s *PublicationService) showcaseItem(ctx context.Context, id string) (ShowcaseItem, error) {
	var notFound error = Errorf(ENotFound, "作品不在展播中")
	c, err := s.contests.CurrentContest(ctx)
	if err != nil || c.Publication.PublishedAt == nil {
		return ShowcaseItem{}, cmp.Or(err, notFound)
	}
	results, err := s.publication.Results(ctx, c.ID)
	if err != nil {
		return ShowcaseItem{}, err
	}
	rec, err := s.recommendations.Recommended(ctx, c.ID)
	if err != nil {
		return ShowcaseItem{}, err
	}
	it := ShowcaseItem{Recommended: rec[id]}
	for _, r := range results {
		if r.WorkID == id {
			it.Result = r
		}
	}
	if it.WorkID == "" && (!it.Recommended || c.Judging.IsCalibration(id)) {
		return ShowcaseItem{}, notFound
	}
	w, err := s.submissions.SubmissionByID(ctx, id)
	if ErrorCode(err) == ENotFound || err == nil && (w.ContestID != c.ID || w.Formal == nil || w.Formal.Decision != FormalPassed) {
		return ShowcaseItem{}, notFound
	}
	if err != nil {
		return ShowcaseItem{}, err
	}
	it.WorkID, it.Video = id, w.Video
	return it, nil
}

// ShowcaseVideo returns the copy for playback of a work in the gallery (never the original,
// whose metadata may name people).
func (s *PublicationService) ShowcaseVideo(ctx context.Context, id string) (Video, error) {
	it, err := s.showcaseItem(ctx, id)
	if err != nil {
		return Video{}, err
	}
	if !it.Playable() {
		return Video{}, Errorf(ENotFound, "该作品的视频暂不可播放")
	}
	v := *it.Video
	v.Key, v.Check.WebCopy, v.Name = WebCopyKey(v.Key), false, "作品.mp4"
	return v, nil
}

// ShowcasePoster opens the poster of a work in the gallery.
func (s *PublicationService) ShowcasePoster(ctx context.Context, id string) (io.ReadCloser, error) {
	it, err := s.showcaseItem(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.media.posterOf(ctx, it.Video)
}

// SetRecommended marks a work that passed formal review as recommended to the national
// contest, or takes the mark back. Organizers only; audited.
func (s *PublicationService) SetRecommended(ctx context.Context, actor User, id string, on bool) error {
	if err := requireOrganizer(actor); err != nil {
		return err
	}
	sub, err := s.submissions.SubmissionByID(ctx, id)
	if err != nil {
		return err
	}
	if sub.Status != StatusSubmitted || sub.Formal == nil || sub.Formal.Decision != FormalPassed {
		return Errorf(EConflict, "只能推荐已通过形式审查的作品")
	}
	a := s.newAudit(actor, "recommendation", id, map[bool]string{true: "recommend", false: "unrecommend"}[on],
		nil, map[string]any{"title": sub.Registration.Title, "recommended": on})
	return s.recommendations.SetRecommended(ctx, sub.ContestID, id, on, a)
}

// Recommended returns the works recommended to the national contest. Organizers only.
func (s *PublicationService) Recommended(ctx context.Context, actor User) (map[string]bool, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	return s.recommendations.Recommended(ctx, c.ID)
}

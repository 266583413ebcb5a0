package contest

import (
	"context"
	"io"
	"slices"
	"time"
)

// StartPublicity puts the confirmed awards in 公示 for the contest's number of days, to the
// end of the last day in the contest's time zone. Organizers only; audited with the list.
func (s *PublicationService) StartPublicity(ctx context.Context, actor User) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	// The contest first, then its awards: the list saved is the one of the version read, and
	// the save fails if the awards were reopened or confirmed meanwhile (the revision moved).
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Contest{}, err
	}
	t, err := s.judging.awardTable(ctx, c)
	if err != nil {
		return Contest{}, err
	}
	now := s.Now()
	switch c.Stage(now) {
	case StageJudging:
		return Contest{}, Errorf(EConflict, "请先确认奖项，再开始公示")
	case StagePublished:
		return Contest{}, Errorf(EConflict, "结果已发布；如需重新公示，请先撤回发布")
	case StagePublicity, StageReady, StageWithdrawn:
		return Contest{}, Errorf(EConflict, "本版本奖项已在公示中或已公示；如需调整，请先在评审页开启新版本")
	}
	var results []Result
	list := map[string]string{}
	for _, a := range t.Awards {
		if a.Final == TierNone {
			continue
		}
		w := t.works[a.WorkID]
		results = append(results, Result{WorkID: a.WorkID, Tier: a.Final, Rank: a.Rank, Score: a.Score,
			Title: w.Registration.Title, Names: creators(w), Employer: w.Registration.Employer, Category: groupName(t.Groups, a.Category)})
		list[a.WorkID] = a.Final.Label()
	}
	// The 公示 runs PublicityDays whole days from the day after it starts, to midnight.
	loc := c.Location()
	day := now.In(loc)
	end := time.Date(day.Year(), day.Month(), day.Day()+1+c.Publication.PublicityDays, 0, 0, 0, 0, loc)
	p := &c.Publication
	p.PublicityStart, p.PublicityEnd, p.PublicityVersion, p.WithdrawnAt = &now, &end, c.Judging.AwardsVersion, nil
	a := s.newAudit(actor, "publication", c.ID, "publicity", nil,
		map[string]any{"version": p.PublicityVersion, "until": end, "awards": list})
	notes := publicityNotifications(now, c, results, t.works)
	if err := s.publication.SavePublicity(ctx, c, results, a, notes); err != nil {
		return Contest{}, err
	}
	return c, nil
}

// Publish makes the results of the finished 公示 final and public and issues a certificate
// for every winning work (and each of its participants when the template says so). A
// certificate that certifies the same as before keeps its serial. Organizers only.
func (s *PublicationService) Publish(ctx context.Context, actor User) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Contest{}, err
	}
	now := s.Now()
	switch c.Stage(now) {
	case StagePublished:
		return c, nil
	case StageJudging, StageConfirmed:
		return Contest{}, Errorf(EConflict, "获奖名单须先公示，公示期满后才能发布")
	case StagePublicity:
		return Contest{}, Errorf(EConflict, "公示期至%s结束，期满后才能发布", FormatTime(*c.Publication.PublicityEnd, Beijing))
	}
	objections, err := s.objections.Objections(ctx, c.ID)
	if err != nil {
		return Contest{}, err
	}
	for _, o := range objections {
		if o.Status == ObjectionOpen {
			return Contest{}, Errorf(EConflict, "还有未处理的异议（作品《%s》），请先处理", o.WorkTitle)
		}
		if o.Status == ObjectionUpheld && o.Version == c.Publication.PublicityVersion {
			return Contest{}, Errorf(EConflict, "对作品《%s》的异议成立：请先在评审页开启新版本调整奖项，确认后重新公示", o.WorkTitle)
		}
	}
	results, err := s.publication.Results(ctx, c.ID)
	if err != nil {
		return Contest{}, err
	}
	existing, err := s.publication.Certificates(ctx, c.ID)
	if err != nil {
		return Contest{}, err
	}
	submitted, err := s.submissions.ListSubmissions(ctx, SubmissionFilter{ContestID: c.ID, Status: StatusSubmitted})
	if err != nil {
		return Contest{}, err
	}
	issue, revoke := certificatesFor(c, results, existing, now)
	p := &c.Publication
	p.PublishedAt, p.PublishedVersion, p.WithdrawnAt = &now, c.Judging.AwardsVersion, nil
	a := s.newAudit(actor, "publication", c.ID, "publish", nil,
		map[string]any{"version": p.PublishedVersion, "results": len(results), "certificates": len(issue), "revoked": len(revoke)})
	notes := resultNotifications(now, c, submitted.Items, results, issue)
	if err := s.publication.SavePublication(ctx, c, issue, revoke, now, a, notes); err != nil {
		return Contest{}, err
	}
	return c, nil
}

// certificatesFor works out the certificates the results need, to issue or to make valid
// again (one that certifies the same as before keeps its serial), and the serials of valid
// ones to revoke.
func certificatesFor(c Contest, results []Result, existing []Certificate, now time.Time) (issue []Certificate, revoke []string) {
	old := map[[2]string]Certificate{} // per work and recipient: the valid one, else the latest
	for _, e := range existing {
		k := [2]string{e.WorkID, e.Recipient}
		prev, ok := old[k]
		if !ok || e.Valid() && !prev.Valid() || e.Valid() == prev.Valid() && e.IssuedAt.After(prev.IssuedAt) {
			old[k] = e
		}
	}
	year := c.CollectionStart.In(c.Location()).Year()
	seq := len(existing)
	want := map[[2]string]bool{}
	for _, r := range results {
		recipients := []string{""}
		if c.Publication.Certificate.PerParticipant {
			// One per name: two participants of one work with the same name would get the
			// same certificate.
			for _, n := range r.Names {
				if !slices.Contains(recipients, n) {
					recipients = append(recipients, n)
				}
			}
		}
		for _, who := range recipients {
			k := [2]string{r.WorkID, who}
			want[k] = true
			cert := Certificate{ContestID: c.ID, WorkID: r.WorkID, Version: c.Judging.AwardsVersion, Tier: r.Tier,
				Title: r.Title, Names: r.Names, Employer: r.Employer, Category: r.Category, Recipient: who, Wording: c.Publication.Certificate.Wording(), IssuedAt: now}
			if e, ok := old[k]; ok && e.same(cert) {
				e.RevokedAt = nil
				issue = append(issue, e)
				continue
			}
			if e, ok := old[k]; ok && e.Valid() {
				revoke = append(revoke, e.Serial)
			}
			seq++
			cert.Serial = newSerial(year, r.Tier, seq)
			issue = append(issue, cert)
		}
	}
	for k, e := range old {
		if !want[k] && e.Valid() {
			revoke = append(revoke, e.Serial)
		}
	}
	return issue, revoke
}

// Unpublish withdraws the final results from public view, with a reason; their certificates
// no longer verify until the results are published again. Organizers only; audited.
func (s *PublicationService) Unpublish(ctx context.Context, actor User, reason string) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	reason, fe := ValidateText(reason, true, 300)
	if fe != nil {
		return Contest{}, (Fields{"reason": {Code: "reason_required", Message: "撤回发布须填写原因"}}).Err()
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Contest{}, err
	}
	if c.Publication.PublishedAt == nil {
		return c, nil
	}
	existing, err := s.publication.Certificates(ctx, c.ID)
	if err != nil {
		return Contest{}, err
	}
	var revoke []string
	for _, e := range existing {
		if e.Valid() {
			revoke = append(revoke, e.Serial)
		}
	}
	now := s.Now()
	before := map[string]any{"version": c.Publication.PublishedVersion, "published_at": c.Publication.PublishedAt}
	c.Publication.PublishedAt, c.Publication.WithdrawnAt = nil, &now
	a := s.newAudit(actor, "publication", c.ID, "unpublish", before, map[string]any{"reason": reason, "revoked": len(revoke)})
	if err := s.publication.SavePublication(ctx, c, nil, revoke, now, a, nil); err != nil {
		return Contest{}, err
	}
	return c, nil
}

// PublicationSettings are what an organizer sets for publishing: the length of the 公示, how
// long personal data is kept after publishing, and the certificate template.
type PublicationSettings struct {
	PublicityDays int
	RetentionDays int // 0 keeps the current period
	Certificate   CertificateTemplate
}

// Settings returns the publication's settings.
func (p Publication) Settings() PublicationSettings {
	return PublicationSettings{PublicityDays: p.PublicityDays, RetentionDays: p.Retention(), Certificate: p.Certificate}
}

// UpdatePublication saves the publication settings. Organizers only; audited.
func (s *PublicationService) UpdatePublication(ctx context.Context, actor User, in PublicationSettings) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	var fields Fields
	if err, ok := in.Certificate.Validate().(*Error); ok && err != nil {
		for k, v := range err.Fields {
			fields.Add(k, v.Code, v.Message)
		}
	}
	if in.PublicityDays < 1 || in.PublicityDays > 30 {
		fields.Add("publicity_days", "publicity_days", "公示期须为1–30天")
	}
	if in.RetentionDays != 0 {
		checkRetention(in.RetentionDays, &fields)
	}
	if err := fields.Err(); err != nil {
		return Contest{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Contest{}, err
	}
	if in.RetentionDays == 0 {
		in.RetentionDays = c.Publication.Retention()
	}
	if c.Publication.PublishedAt != nil && in.Certificate != c.Publication.Certificate {
		// Issued certificates keep their wording: a serial certifies what it printed.
		return Contest{}, Errorf(EConflict, "结果已发布，证书内容不能再修改；如需修改，请先撤回发布")
	}
	if err := s.checkTemplate(c, in.Certificate); err != nil {
		return Contest{}, err
	}
	before := c.Publication.Settings()
	c.Publication.PublicityDays, c.Publication.RetentionDays, c.Publication.Certificate = in.PublicityDays, in.RetentionDays, in.Certificate
	a := s.newAudit(actor, "publication", c.ID, "settings", before, in)
	if err := s.publication.SavePublicity(ctx, c, nil, a, nil); err != nil {
		return Contest{}, err
	}
	return c, nil
}

// checkTemplate draws a sample certificate with template t, so that wording the font cannot
// print (a character it lacks, such as 〇) is refused when saved, not when certificates are due.
func (s *PublicationService) checkTemplate(c Contest, t CertificateTemplate) error {
	if s.certificates == nil {
		return nil
	}
	sample := Certificate{Serial: "SAMPLE", Tier: TierFirst, Title: "作品", Names: []string{"张三"}, Employer: "单位", IssuedAt: s.Now()}
	err := s.certificates.RenderCertificate(io.Discard, t.Doc(c, sample, CertificateLink(s.baseURL, sample.Serial), s.Now()))
	if ErrorCode(err) == EUnavailable {
		return (Fields{"template": {Code: "font_glyphs", Message: ErrorMessage(err)}}).Err()
	}
	return err
}

package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"path"
	"time"
)

// contestant is one person's whole flow and what it left behind.
type contestant struct {
	i     int
	run   *runner
	c     *client
	email string
	form  form
	video video

	signedUp     bool
	accountMaybe bool // a sign-up attempt may have created the account
	submission   string
	uploaded     bool
	completed    bool
}

// submissionJSON is the part of a submission the tool reads.
type submissionJSON struct {
	ID           string
	Status       string
	Registration struct{ Title string }
	Participants []participantJSON
	Video        *struct {
		Checksum   string
		UploadedAt time.Time `json:"uploaded_at"`
		Check      *struct {
			State     string
			CheckedAt *time.Time `json:"checked_at"`
		}
	}
}

// play runs the flow; the first failing step ends it and is counted.
func (ct *contestant) play(ctx context.Context) {
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{stepContest, ct.landing}, {stepSignUp, ct.signUp}, {stepCreate, ct.create},
		{stepConsentOwner, ct.consentOwner}, {stepConsentLink, ct.consentLink}, {stepUpload, ct.upload},
		{stepVerdict, ct.verdict}, {stepFinalize, ct.finalize},
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.fn(ctx); err != nil {
			ct.run.rec.fail(s.name, errCode(err))
			ct.run.logf("contestant %d: %s: %v", ct.i, s.name, err)
			return
		}
		if s.name != stepVerdict { // the verdict records its own delay
			ct.run.rec.time(s.name, time.Since(start))
		}
		if s.name == stepSignUp {
			ct.run.signUpDone(time.Now())
		}
	}
	ct.completed = true
}

func (ct *contestant) landing(ctx context.Context) error {
	var c struct {
		CollectionOpen bool `json:"collection_open"`
	}
	if _, err := ct.c.do(ctx, call{step: stepContest, method: http.MethodGet, path: "/api/v1/contest", idempotent: true, out: &c}); err != nil {
		return err
	}
	if !c.CollectionOpen {
		return &apiError{Code: "collection_closed"}
	}
	return nil
}

// signUp creates the account, or signs in when it exists with this password: a sign-up sent
// again after a lost answer, or a server that answers email_taken for an account it created
// without its session.
func (ct *contestant) signUp(ctx context.Context) error {
	ct.run.signUpStart(time.Now())
	body := map[string]string{"email": ct.email, "password": ct.run.password, "name": ct.form.Lead.Name}
	failed := false
	for attempt := 1; ; attempt++ {
		status, err := ct.c.do(ctx, call{step: stepSignUp, method: http.MethodPost, path: "/api/v1/auth/signup", body: body})
		code := errCode(err)
		switch {
		case err == nil:
			ct.signedUp = true
			return nil
		case code == "invalid/email_taken":
			if failed {
				ct.run.takenAfterFailure.Add(1)
			}
			ct.accountMaybe = true
			return ct.signIn(ctx)
		case status == 0 || status >= 500:
			// The answer was lost or the server failed: the account may exist; the user presses
			// the button again.
			ct.accountMaybe, failed = true, true
			if attempt >= ct.c.tries || ctx.Err() != nil {
				return err
			}
			ct.run.rec.retry(stepSignUp, code)
			time.Sleep(backoff(attempt))
		default:
			return err
		}
	}
}

func (ct *contestant) signIn(ctx context.Context) error {
	body := map[string]string{"email": ct.email, "password": ct.run.password}
	_, err := ct.c.do(ctx, call{step: stepSignUp, method: http.MethodPost, path: "/api/v1/auth/login", body: body, idempotent: true})
	if err == nil {
		ct.signedUp = true
	}
	return err
}

// create saves the 报名登记表. A lost answer is resolved by looking for the work in 我的作品
// before sending it again.
func (ct *contestant) create(ctx context.Context) error {
	var sub submissionJSON
	for attempt := 1; ; attempt++ {
		_, err := ct.c.do(ctx, call{step: stepCreate, method: http.MethodPost, path: "/api/v1/submissions", body: ct.form.Body, out: &sub})
		if err == nil {
			ct.submission = sub.ID
			break
		}
		if errCode(err) != "network" && errCode(err) != "timeout" || attempt >= ct.c.tries {
			return err
		}
		ct.run.rec.retry(stepCreate, errCode(err))
		if id, ferr := ct.findWork(ctx); ferr == nil && id != "" {
			ct.submission = id
			break
		}
	}
	return nil
}

func (ct *contestant) findWork(ctx context.Context) (string, error) {
	var list struct{ Items []submissionJSON }
	if _, err := ct.c.do(ctx, call{step: stepCreate, method: http.MethodGet, path: "/api/v1/submissions", idempotent: true, out: &list}); err != nil {
		return "", err
	}
	for _, s := range list.Items {
		if s.Registration.Title == ct.form.Title {
			return s.ID, nil
		}
	}
	return "", nil
}

// get reads the owner's full view of the work.
func (ct *contestant) get(ctx context.Context, step string) (submissionJSON, error) {
	var sub submissionJSON
	_, err := ct.c.do(ctx, call{step: step, method: http.MethodGet, path: "/api/v1/submissions/" + ct.submission, idempotent: true, out: &sub})
	return sub, err
}

// consentOwner signs the lead's 授权书 on the owner's device.
func (ct *contestant) consentOwner(ctx context.Context) error {
	sub, err := ct.get(ctx, stepConsentOwner)
	if err != nil {
		return err
	}
	p, err := participant(sub, ct.form.Lead.Name)
	if err != nil {
		return err
	}
	body := map[string]any{"name": ct.form.Lead.Name, "id_number": ct.form.Lead.IDNumber, "agreed": true}
	_, err = ct.c.do(ctx, call{step: stepConsentOwner, method: http.MethodPost, idempotent: true,
		path: "/api/v1/submissions/" + ct.submission + "/participants/" + p.ID + "/consent", body: body})
	return err
}

// consentLink is the second participant opening the personal link on their own phone, from
// their own address, and signing.
func (ct *contestant) consentLink(ctx context.Context) error {
	sub, err := ct.get(ctx, stepConsentLink)
	if err != nil {
		return err
	}
	p, err := participant(sub, ct.form.Other.Name)
	if err != nil {
		return err
	}
	u, err := url.Parse(p.ConsentURL)
	if err != nil || p.ConsentURL == "" {
		return &apiError{Code: "no_consent_url"}
	}
	addr := ""
	if ct.c.addr != "" {
		addr = clientAddr(ct.i, true)
	}
	phone := ct.run.client(addr, ct.run.rec)
	target := "/api/v1/consent/" + path.Base(u.Path)
	if _, err := phone.do(ctx, call{step: stepConsentLink, method: http.MethodGet, path: target, idempotent: true}); err != nil {
		return err
	}
	body := map[string]any{"name": ct.form.Other.Name, "id_number": ct.form.Other.IDNumber, "agreed": true}
	_, err = phone.do(ctx, call{step: stepConsentLink, method: http.MethodPost, path: target, body: body, idempotent: true})
	return err
}

// participantJSON is a member of the team as the owner sees it.
type participantJSON struct {
	ID         string
	Name       string
	ConsentURL string `json:"consent_url"`
}

func participant(sub submissionJSON, name string) (participantJSON, error) {
	for _, p := range sub.Participants {
		if p.Name == name {
			return p, nil
		}
	}
	return participantJSON{}, &apiError{Code: "participant_missing"}
}

// verdict polls the work until its video is no longer being checked, as the page does: every
// 2 s for the first minute, then every 10 s. Only an accepted video can be submitted.
func (ct *contestant) verdict(ctx context.Context) error {
	start := time.Now()
	deadline := start.Add(ct.run.verdictWait)
	for tries := 1; ; tries++ {
		sub, err := ct.get(ctx, stepVerdict)
		if err != nil && errCode(err) != "network" && errCode(err) != "timeout" {
			return err
		}
		if err == nil && sub.Video != nil && sub.Video.Check != nil && sub.Video.Check.State != "checking" {
			ct.run.verdictSeen(time.Since(start), sub.Video.UploadedAt, sub.Video.Check.CheckedAt)
			if s := sub.Video.Check.State; s != "accepted" {
				return &apiError{Code: "video_" + s}
			}
			return nil
		}
		wait := 2 * time.Second
		if tries >= 30 {
			wait = 10 * time.Second
		}
		if time.Now().Add(wait).After(deadline) {
			return &apiError{Code: "verdict_timeout"}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// finalize submits the work. After a lost answer a refusal may only mean it was submitted
// already: the work is read to tell.
func (ct *contestant) finalize(ctx context.Context) error {
	_, err := ct.c.do(ctx, call{step: stepFinalize, method: http.MethodPost, path: "/api/v1/submissions/" + ct.submission + "/finalize", idempotent: true})
	if err == nil {
		return nil
	}
	if sub, gerr := ct.get(ctx, stepFinalize); gerr == nil && sub.Status == "submitted" {
		return nil
	}
	return err
}

// verify downloads the stored video as its owner and compares it with what was sent.
func (ct *contestant) verify(ctx context.Context) (same bool, err error) {
	h := sha256.New()
	start := time.Now()
	_, err = ct.c.do(ctx, call{step: stepVerify, method: http.MethodGet, path: "/api/v1/submissions/" + ct.submission + "/video", idempotent: true, out: h})
	if err != nil {
		return false, err
	}
	ct.run.rec.time(stepVerify, time.Since(start))
	want := ct.video.sha256()
	return string(h.Sum(nil)) == string(want[:]), nil
}

// errClosed is returned when collection is not open and no organizer may open it.
var errClosed = errors.New("collection is not open: give -organizer (and LOADTEST_ORGANIZER_PASSWORD) to open it, or open it in 活动设置")

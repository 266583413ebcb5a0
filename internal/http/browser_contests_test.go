package http_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_SeveralContests: with two contests open, the home page lists both, a contestant's
// 我的作品 groups the works by contest, a new entry in the second contest starts from the contact
// data of the first, and the site administrator starts a third contest from 活动管理 — every
// page fitting its screen and passing the accessibility rules.
func TestBrowser_SeveralContests(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	admin := e.Organizer()
	e.newContest(admin, "essay-2022")
	me := e.Client().SignUp("both@example.org")
	me.Create(validInput())

	rules := make([]string, len(a11yRules))
	for i, r := range a11yRules {
		rules[i] = r.ID
	}
	b := MustBrowser(t, e.Server.URL, 3*time.Minute)
	accessible := func(page string) {
		t.Helper()
		for _, v := range b.Axe(rules...) {
			b.Errorf("%s: %s", page, v)
		}
	}
	b.Do("a phone", screen(390))
	b.Open("/")
	if got := Eval[[]string](b, `[...document.querySelectorAll('#contest-list [data-contest-slug]')].map(li => li.dataset.contestSlug)`); len(got) != 2 {
		b.Errorf("the home page lists contests %v", got)
	}
	b.AssertFits("home with two contests", "contests-home")
	accessible("home with two contests")

	signIn(b, "both@example.org", "secret-pass")
	b.Open("/my")
	if n := Eval[int](b, `document.querySelectorAll('.contest-group').length`); n != 2 {
		b.Errorf("我的作品 shows %d contest groups, want 2 (one work, and the other contest open)", n)
	}
	b.AssertFits("我的作品 with two contests", "contests-my")
	accessible("我的作品 with two contests")

	b.Open("/c/essay-2022/submissions/new")
	b.Submit("reuse the contact data", chromedp.Click(chromedp.CSS(`#reuse-contact a`)))
	if got := b.Value(`[name="mobile"]`); got != "13800138000" {
		b.Errorf("the reused form's mobile = %q", got)
	}
	if got := b.Value(`[name="title"]`); got != "" {
		b.Errorf("the reused form carries the title %q", got)
	}
	if !strings.HasPrefix(Eval[string](b, `document.getElementById('reg-form').getAttribute('action')`), "/c/essay-2022/") {
		b.Errorf("the form posts outside its contest")
	}
	b.AssertFits("a new entry from earlier contact data", "contests-reuse")
	accessible("a new entry from earlier contact data")

	b.Do("a desktop screen", chromedp.EmulateViewport(1366, 900))
	b.Submit("sign out", chromedp.Click(chromedp.CSS(`form[action$="/logout"] button`)))
	signIn(b, "organizer@example.org", "organizer-pass")
	b.Open("/admin/contests")
	b.AssertFitsWindow("活动管理")
	b.Screenshot("desk-1366-admin-contests-two")
	accessible("活动管理")
	// A date-time field takes its value as a date picker sets it, not typed.
	b.Do("pick the windows", chromedp.Evaluate[chromedp.Void](`(() => {
		const set = (n, v) => { document.querySelector('#new-contest [name="' + n + '"]').value = v; };
		set('collection_start', '2023-05-10T00:00'); set('collection_end', '2023-05-20T23:59:59');
		set('review_start', '2023-05-21T00:00'); set('review_end', '2023-05-28T23:59:59');
	})()`))
	b.Submit("start a contest", FillForm([2]string{`#new-contest [name="name"]`, "2023年主题视频征集活动"},
		[2]string{`#new-contest [name="slug"]`, "2023"}), chromedp.Click(chromedp.ID("create-contest")))
	if u := b.URL(); !strings.HasSuffix(u, "/c/2023/admin/contest") {
		b.Fatalf("after starting a contest the browser is at %s: %s / %s", u, b.Text("#form-error"), b.Text("main .err"))
	}
	if got := b.Value(`[name="name"]`); got != "2023年主题视频征集活动" {
		b.Errorf("the new contest's settings page shows %q", got)
	}
	if got := b.Text("#contest-bar"); !strings.Contains(got, "2023年主题视频征集活动") {
		b.Errorf("the contest bar says %q", got)
	}
	if got := b.Text(".brand"); got != "2023年主题视频征集活动" {
		b.Errorf("inside a contest the header names %q", got)
	}
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

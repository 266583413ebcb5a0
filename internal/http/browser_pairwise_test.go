package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestBrowser_ComparePairOnAPhone: a judge opens a pair from their home on a phone, both works
// fit the screen and pass the enforced axe-core rules, the video plays, and the choice is
// saved with the keyboard-free tap of a radio button and the submit button.
func TestBrowser_ComparePairOnAPhone(t *testing.T) {
	ffmpegtest.Require(t)
	MustAxe(t)
	e := MustEnv(t, "sqlite+localfs")
	org, _, _, passwords := pairwiseContest(t, e)
	org.Must(http.StatusSeeOther, "POST", "/admin/judging/pairwise", url.Values{})

	b := MustBrowser(t, e.Server.URL, 90*time.Second)
	b.Do("a phone", screen(390))
	b.Open("/login")
	b.Submit("sign in", Fill(`main form [name="email"]`, "qian@judges.cn"), Fill(`main form [name="password"]`, passwords["钱"]),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.Open("/judge")
	b.Submit("open the first pair", chromedp.Click(chromedp.CSS(`#pair-list a`)))
	b.AssertFits("compare page", "pair")
	rules := make([]string, len(a11yRules))
	for i, r := range a11yRules {
		rules[i] = r.ID
	}
	for _, v := range b.Axe(rules...) {
		t.Errorf("compare page: %s", v)
	}
	for _, f := range b.Unnamed() {
		t.Errorf("compare page: a form field without a name: %s", f)
	}
	for _, p := range personalOfPairs {
		if strings.Contains(b.Text("main"), p) {
			b.Fatalf("the compare page shows %q", p)
		}
	}
	b.Do("play work B", chromedp.Evaluate[chromedp.Void](`(() => { const v = document.querySelector("#side-b video"); v.muted = true; v.play(); })()`))
	b.Do("wait until it plays", chromedp.Poll[chromedp.Void](`document.querySelector("#side-b video").currentTime > 0.2`))
	b.Submit("choose B", chromedp.Click(chromedp.ID("choose-b")), Fill(`[name="reason"]`, "立意更深"), chromedp.Click(chromedp.ID("submit-choice")))
	if got := b.Text("main"); !strings.Contains(got, "已比较 1 /") && !strings.Contains(got, "已选择") {
		b.Fatalf("after choosing: %q", got)
	}
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// violation is one element that fails one accessibility rule of axe-core.
type violation struct {
	Rule    string   `json:"rule"`    // axe's rule id, e.g. "label"
	Impact  string   `json:"impact"`  // minor, moderate, serious or critical
	Target  []string `json:"target"`  // CSS selectors of the element
	HTML    string   `json:"html"`    // the element's opening markup, as axe cuts it
	Summary string   `json:"summary"` // what to fix, in axe's words
}

func (v violation) String() string {
	return fmt.Sprintf("%s (%s) at %s: %s\n      %s", v.Rule, v.Impact, strings.Join(v.Target, " "), v.HTML,
		strings.ReplaceAll(v.Summary, "\n", "\n      "))
}

// axeScript is axe-core's axe.min.js, read once from CONTEST_TEST_AXE (scripts/deps.sh
// downloads a pinned version into a cache folder; it is not part of the repository).
var axeScript struct {
	once sync.Once
	path string
	js   string
	err  error
}

// MustAxe returns axe-core's script. Without it (CONTEST_TEST_AXE unset, or no such file) the
// test is skipped, unless CONTEST_TEST_REQUIRE_ALL=1, when it fails.
func MustAxe(t *testing.T) string {
	t.Helper()
	axeScript.once.Do(func() {
		axeScript.path = os.Getenv("CONTEST_TEST_AXE")
		if axeScript.path == "" {
			axeScript.err = fmt.Errorf("CONTEST_TEST_AXE is not set (scripts/test.sh sets it after scripts/deps.sh downloads axe-core)")
			return
		}
		b, err := os.ReadFile(axeScript.path)
		if err != nil {
			axeScript.err = fmt.Errorf("axe-core: %w (run scripts/deps.sh, or point CONTEST_TEST_AXE at an axe.min.js)", err)
			return
		}
		axeScript.js = string(b)
	})
	if axeScript.err != nil {
		if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
			t.Fatalf("accessibility check needs axe-core (CONTEST_TEST_REQUIRE_ALL=1): %v", axeScript.err)
		}
		t.Skipf("ACCESSIBILITY CHECK SKIPPED: %v", axeScript.err)
	}
	return axeScript.js
}

// Axe runs the given axe-core rules on the page shown and returns the elements that fail them.
// It loads axe-core into the page first (through the DevTools protocol, which the page's
// Content-Security-Policy does not govern).
func (b *browser) Axe(rules ...string) []violation {
	b.t.Helper()
	js := MustAxe(b.t)
	names, err := json.Marshal(rules)
	if err != nil {
		b.t.Fatal(err)
	}
	ctx, cancel := b.step()
	defer cancel()
	var out []violation
	err = chromedp.Do(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		loaded, err := chromedp.Evaluate[bool](`typeof window.axe === 'object'`)(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		if !loaded {
			if _, err := chromedp.Evaluate[chromedp.Void](js)(ctx, tg); err != nil {
				return chromedp.Void{}, fmt.Errorf("load axe-core: %w", err)
			}
		}
		out, err = chromedp.Evaluate[[]violation](`axe.run(document, {runOnly: {type: 'rule', values: `+string(names)+`},
			resultTypes: ['violations']}).then(r => r.violations.flatMap(v => v.nodes.map(n => ({
				rule: v.id, impact: v.impact || '', target: n.target.map(String), html: n.html, summary: n.failureSummary || ''}))))`,
			chromedp.EvalAwaitPromise)(ctx, tg)
		return chromedp.Void{}, err
	})
	if err != nil {
		b.Fatalf("axe-core on the page: %v", err)
	}
	return out
}

// Unnamed lists the form fields of the page shown that have no accessible name of their own:
// every input (but hidden ones), select and textarea, visible or not yet shown, needs a label
// (wrapping it or pointing at it with for), aria-labelledby or aria-label. A placeholder or a
// title is no name. This is a plain DOM check, independent of axe-core.
func (b *browser) Unnamed() []string {
	b.t.Helper()
	return Eval[[]string](b, `(() => {
		const text = el => (el ? el.textContent : '').replace(/\s+/g, ' ').trim();
		const labelText = l => { const c = l.cloneNode(true); c.querySelectorAll('input,select,textarea').forEach(x => x.remove()); return text(c); };
		const name = el => {
			const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean).map(id => text(document.getElementById(id))).join(' ').trim();
			return by || (el.getAttribute('aria-label') || '').trim() || Array.from(el.labels || []).map(labelText).join(' ').trim();
		};
		return Array.from(document.querySelectorAll('input:not([type=hidden]),select,textarea'))
			.filter(el => !name(el))
			.map(el => el.outerHTML.replace(/>[\s\S]*$/, '>').slice(0, 200));
	})()`)
}

package http_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium tab on the test server, sized like a phone.
type browser struct {
	t     *testing.T
	ctx   context.Context // lives for the whole test, bounded by the overall timeout
	base  string
	shots string // folder of the screenshots, made on the first one

	mu     sync.Mutex
	jsErrs []string // uncaught exceptions and console.error calls seen on any page
}

// stepTimeout bounds one step, so that a failed wait still leaves time to print the page.
const stepTimeout = 15 * time.Second

// MustBrowser starts headless Chromium (CONTEST_TEST_CHROMIUM, default /usr/bin/chromium) for the
// server at base. Without the binary the test is skipped, unless CONTEST_TEST_REQUIRE_ALL=1.
// The whole browser session ends after timeout.
func MustBrowser(t *testing.T, base string, timeout time.Duration) *browser {
	t.Helper()
	path := os.Getenv("CONTEST_TEST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
			t.Fatalf("chromium not found at %s (CONTEST_TEST_REQUIRE_ALL=1): %v", path, err)
		}
		t.Skipf("chromium not found at %s; set CONTEST_TEST_CHROMIUM: %v", path, err)
	}
	profile := t.TempDir() // made before the cleanups below, so removed after Chromium exits

	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancelTimeout)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	// chromedp's own log stays on log.Printf: t.Logf would panic if the browser logged after the test.
	bctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab) // runs first: closes the tab; cancelAlloc then waits for the process
	b := &browser{t: t, ctx: bctx, base: base}

	// The first Run starts the browser; it gets the long-lived context, not a step timeout.
	start := time.Now()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	t.Logf("chromium started in %v", time.Since(start).Round(time.Millisecond))
	if err := chromedp.Listen(bctx, b.recordJSError); err != nil {
		t.Fatalf("listen to page errors: %v", err)
	}
	// Whatever the Content-Security-Policy blocks (an inline script, a connection to another
	// origin) is reported as a script error, so every browser test also proves that its pages
	// work under the policy.
	b.Do("report CSP violations", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));`})
		return chromedp.Void{}, err
	})
	// An iPhone-sized portrait screen, with touch: the contestants are on phones.
	b.Do("emulate a phone screen", chromedp.EmulateViewport(390, 844,
		chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	return b
}

// recordJSError runs on chromedp's event loop: it must only store and return.
func (b *browser) recordJSError(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		msg = fmt.Sprintf("uncaught %s (%s:%d)", msg, d.URL, d.LineNumber+1)
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
		}
		msg = "console.error " + strings.Join(parts, " ")
	default:
		return
	}
	b.mu.Lock()
	b.jsErrs = append(b.jsErrs, msg)
	b.mu.Unlock()
}

// JSErrors returns the script errors seen so far.
func (b *browser) JSErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.jsErrs...)
}

// step returns a context for one step, ending after stepTimeout.
func (b *browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

// Do runs the actions of one step; on failure it ends the test with the page's address and HTML.
func (b *browser) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.Fatalf("%s: %v", what, err)
	}
}

// Open loads a page of the test server.
func (b *browser) Open(path string) {
	b.t.Helper()
	b.Do("open "+path, chromedp.Navigate(b.base+path))
}

// Submit runs the actions (typically a click on a submit button), waits for the page that
// comes back and returns its response (after redirects).
func (b *browser) Submit(what string, steps ...chromedp.Action[chromedp.Void]) *network.Response {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.Fatalf("%s: %v", what, err)
	}
	return res
}

// Value reads an input's current value.
func (b *browser) Value(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// Text reads the visible text of the first element matching sel, waiting for it to appear.
func (b *browser) Text(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	for tries := 1; ; tries++ {
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		// A page that updates itself (the video's check arriving) may replace the node between
		// finding it and reading it: the new one is read.
		if err != nil && tries < 5 && strings.Contains(err.Error(), "No node with given id") {
			continue
		}
		if err != nil {
			b.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
}

// Eval evaluates a script on the page and decodes its result.
func Eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// HTML returns the whole document as the browser holds it now.
func (b *browser) HTML() string {
	b.t.Helper()
	return Eval[string](b, `document.documentElement.outerHTML`)
}

// URL returns the address of the page shown.
func (b *browser) URL() string {
	b.t.Helper()
	return Eval[string](b, `location.href`)
}

// Fatalf ends the test, printing where the browser is and what the page shows.
func (b *browser) Fatalf(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf("%s\n%s", fmt.Sprintf(format, args...), b.describe())
}

// Errorf reports a failed expectation, printing where the browser is and what the page shows.
func (b *browser) Errorf(format string, args ...any) {
	b.t.Helper()
	b.t.Errorf("%s\n%s", fmt.Sprintf(format, args...), b.describe())
}

// describe is the page's address and an excerpt of its main content, for failure messages.
// It must not fail the test itself, so it runs with its own short deadline.
func (b *browser) describe() string {
	if b.ctx.Err() != nil {
		return "(browser session over: " + b.ctx.Err().Error() + ")"
	}
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	type page struct{ URL, Main string }
	p, err := chromedp.Run(ctx, chromedp.Evaluate[page](
		`({URL: location.href, Main: (document.querySelector('main') || document.documentElement).outerHTML})`))
	if err != nil {
		return "(page not readable: " + err.Error() + ")"
	}
	const max = 4000
	html := p.Main
	if r := []rune(html); len(r) > max {
		html = string(r[:max]) + "…(cut)"
	}
	return "page " + p.URL + ":\n" + html
}

// Screenshot saves a full-page PNG into CONTEST_TEST_SCREENSHOTS, or the test's temp folder,
// and returns its path ("" when the page could not be captured).
func (b *browser) Screenshot(name string) string {
	b.t.Helper()
	if b.shots == "" {
		b.shots = os.Getenv("CONTEST_TEST_SCREENSHOTS")
		if b.shots == "" {
			b.shots = b.t.TempDir()
		} else if err := os.MkdirAll(b.shots, 0o755); err != nil {
			b.t.Fatal(err)
		}
	}
	ctx, cancel := b.step()
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		// Screenshots document the pages; one taken while the page reloads itself (after an
		// upload, after a check) may time out, and that is no failure of the page.
		b.t.Logf("screenshot %s skipped: %v", name, err)
		return ""
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

// Fill empties a text field the way a person would (select all, delete) and types value.
func Fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
			const el = document.querySelector(%q);
			el.select();
			el.value = '';
			el.dispatchEvent(new Event('input', {bubbles: true}));
		})()`, sel)),
		chromedp.SendKeys(chromedp.CSS(sel), value),
	)
}

// FillForm fills several fields, keyed by CSS selector, in the order given.
func FillForm(fields ...[2]string) chromedp.Action[chromedp.Void] {
	var steps []chromedp.Action[chromedp.Void]
	for _, f := range fields {
		steps = append(steps, Fill(f[0], f[1]))
	}
	return chromedp.Steps(steps...)
}

// fitScript lists what does not fit the window: the page wider than it; each table wider than
// its box or cut by a container that hides or scrolls its overflow; any other box clipping its
// content (but a form field, which scrolls its own text, and a name cut with an ellipsis and
// given whole in its title, cut on purpose); each
// element reaching past the right edge (the innermost ones: they hold what cannot wrap). Each
// is named by tag, id, classes and the start of its text.
const fitScript = `(() => {
	const vw = window.innerWidth;
	const name = el => {
		let s = el.tagName.toLowerCase();
		if (el.id) s += '#' + el.id;
		for (const c of el.classList) s += '.' + c;
		const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
		return text ? s + ' "' + text.slice(0, 30) + (text.length > 30 ? '…' : '') + '"' : s;
	};
	const bad = [];
	const root = document.documentElement;
	if (root.scrollWidth > vw) bad.push('the page is ' + root.scrollWidth + ' px wide in a ' + vw + ' px window');
	for (const t of document.querySelectorAll('table')) {
		if (t.scrollWidth > t.clientWidth + 1) bad.push('table ' + name(t) + ' holds ' + t.scrollWidth + ' px in ' + t.clientWidth);
		for (let p = t.parentElement; p && p !== document.body; p = p.parentElement) {
			const o = getComputedStyle(p).overflowX;
			if (o !== 'visible' && p.scrollWidth > p.clientWidth + 1) {
				bad.push('table ' + name(t) + ' is cut by ' + name(p) + ' (overflow ' + o + ', ' + p.scrollWidth + ' px in ' + p.clientWidth + ')');
				break;
			}
		}
	}
	const past = new Map(); // element → its right edge, content included
	for (const el of document.body.querySelectorAll('*')) {
		const cs = getComputedStyle(el);
		if (cs.visibility === 'hidden' || cs.display === 'none') continue;
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) continue;
		const visible = cs.overflowX === 'visible';
		const right = visible ? Math.max(r.right, r.left + el.scrollWidth) : r.right;
		if (right > vw + 1) past.set(el, right);
		const ellipsis = cs.textOverflow === 'ellipsis' && el.title;
		// A field scrolls its own text; a table is checked above.
		const field = ['INPUT', 'TEXTAREA', 'SELECT', 'TABLE'].includes(el.tagName);
		if (['auto', 'scroll', 'hidden'].includes(cs.overflowX) && !ellipsis && !field && el.clientWidth > 1 &&
			el.scrollWidth > el.clientWidth + 1 && !el.querySelector('table'))
			bad.push(name(el) + ' clips its content: ' + el.scrollWidth + ' px in ' + el.clientWidth);
	}
	for (const [el, right] of past) {
		if (![...el.children].some(c => past.has(c))) bad.push(name(el) + ' reaches ' + Math.round(right) + ' px');
	}
	return bad.slice(0, 10);
})()`

// AssertFitsWindow checks the page shown at the window's present width: nothing wider than the
// window, no element past its right edge, no clipped table or text. It reports what sticks out,
// by name, without ending the test.
func (b *browser) AssertFitsWindow(page string) {
	b.t.Helper()
	if bad := Eval[[]string](b, fitScript); len(bad) > 0 {
		b.t.Errorf("%s (%s) does not fit %d px:\n  %s", page, b.URL(), Eval[int](b, `window.innerWidth`), strings.Join(bad, "\n  "))
	}
}

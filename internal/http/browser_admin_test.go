package http_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/demo"
)

// signIn signs the browser in on the sign-in page.
func signIn(b *browser, email, password string) {
	b.t.Helper()
	b.Open("/login")
	b.Submit("sign in as "+email, Fill(`main form [name="email"]`, email), Fill(`main form [name="password"]`, password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
}

// adminDownloads are the organizer's GET routes that answer a file, not a page.
var adminDownloads = map[string]bool{
	"/admin/audit.csv": true, "/admin/exports/sheets/:name": true, "/admin/exports/packages/:id/download": true,
	"/admin/publication/certificate-preview": true,
}

// Every organizer page, filled by the demo contest and moved through judging, the 公示 (with an
// objection) and publishing, fits a 1366 × 900 screen: no page wider than the window, no table
// cut off inside a scroll box.
func TestBrowser_AdminEveryPageFits1366(t *testing.T) {
	e, _, accounts := MustDemo(t)
	b := MustBrowser(t, e.Server.URL, 4*time.Minute)
	b.Do("a desktop screen", chromedp.EmulateViewport(1366, 900))
	signIn(b, demo.OrganizerEmail, password(t, accounts, demo.OrganizerEmail))

	visited := map[string]bool{}
	visit := func(route, path, shot string) {
		t.Helper()
		b.Open(path)
		visited[route] = true
		b.AssertFitsWindow(path)
		if shot != "" {
			b.Screenshot("desk-1366-admin-" + shot)
		}
	}
	firstHref := func(sel string) string {
		t.Helper()
		h := Eval[string](b, fmt.Sprintf(`(document.querySelector(%q) || {}).getAttribute?.('href') || ''`, sel))
		if h == "" {
			b.Fatalf("no link %s", sel)
		}
		return h
	}
	step := func(id string) {
		t.Helper()
		b.Open("/admin/contest")
		b.Submit(id, chromedp.Click(chromedp.ID(id)))
	}

	// 征集: the works, their pages, the settings.
	visit("/admin/submissions", "/admin/submissions", "submissions")
	visit("/admin/submissions/:id", firstHref(`#submissions tbody a[href^="/admin/submissions/"]`), "submission")
	visit("/admin/contest", "/admin/contest", "contest")
	// 评审: judges, assignments, ranking.
	step("demo-review")
	for _, p := range []struct{ route, shot string }{{"/admin/judges", "judges"}, {"/admin/judging", "judging"},
		{"/admin/judging/assignments", "assignments"}, {"/admin/judging/settings", ""}} {
		visit(p.route, p.route, p.shot)
	}
	// 初评 closed, its best six go on to 终评 (which the demo's next step judges); 初评 stays.
	b.Open("/admin/judging")
	b.Do("accept the confirmation", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	b.Submit("结束评审", chromedp.Click(chromedp.ID("close-judging")))
	b.Do("open the next round's form", chromedp.Evaluate[chromedp.Void](`document.getElementById('advance').open = true; window.confirm = () => true`))
	b.Submit("进入下一轮", Fill("#shortlist", "6"), chromedp.Click(chromedp.ID("advance-round")))
	if got := b.Text("#advanced"); !strings.Contains(got, "已进入终评") || !strings.Contains(got, "入围作品 6 件") {
		b.Errorf("after advancing the desk says %q", got)
	}
	visit("/admin/judging", "/admin/judging", "judging-final-round")
	visit("/admin/judging/rounds/:n", firstHref("#rounds a.round-link"), "first-round")
	// 公示, with an objection filed by the public.
	step("demo-publicity")
	var res resultsJSON
	e.Client().Must(http.StatusOK, "GET", "/api/v1/results", nil).JSON(t, &res)
	if len(res.Items) == 0 {
		t.Fatal("no works in the 公示")
	}
	e.Client().Must(http.StatusCreated, "POST", "/api/v1/results/objections", map[string]string{"work_id": res.Items[0].WorkID,
		"name": "赵六", "contact": "13912345678", "reason": "该作品与往届获奖作品高度相似，请核实原创性。"})
	visit("/admin/publication", "/admin/publication", "publication")
	visit("/admin/objections/:id", firstHref(`#objections a[href^="/admin/objections/"]`), "")
	b.Submit("dismiss the objection", Fill(`textarea[name="decision"]`, "经核查，作品为原创，异议不成立。"), chromedp.Click(chromedp.ID("decide")))
	// Published: certificates, exports, statistics, messages, the audit log.
	step("demo-ready")
	b.Open("/admin/publication")
	b.Do("accept the confirmation", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	b.Submit("publish", chromedp.Click(chromedp.ID("publish")))
	visit("/admin/publication", "/admin/publication", "published")
	// Starting the certificates' ZIP says it is being made and where it will be downloaded.
	b.Submit("生成全部获奖证书", chromedp.Click(chromedp.ID("export-certificates")))
	if got := b.Text(".flash"); !strings.Contains(got, "正在后台生成全部获奖证书") || !strings.Contains(got, "下载") || strings.Contains(got, "已保存") {
		b.Errorf("after starting the ZIP the message says %q", got)
	}
	if b.Text("#export-jobs tbody") == "尚未生成" {
		b.Errorf("the ZIP being made is not listed")
	}
	for _, p := range []struct{ route, shot string }{{"/admin/exports", "exports"}, {"/admin/statistics", "statistics"},
		{"/admin/notices", ""}, {"/admin/notifications", "notifications"}, {"/admin/password-reset", ""}, {"/admin/audit", "audit"},
		{"/admin/contests", "contests"}} {
		visit(p.route, p.route, p.shot)
	}
	b.Open("/admin/notices")
	visit("/admin/notices/:kind", firstHref(`a[href^="/admin/notices/"]`), "")

	for _, r := range e.Routes() {
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/admin/") && !visited[r.Path] && !adminDownloads[r.Path] {
			t.Errorf("organizer page %s not visited: add it to the test", r.Path)
		}
	}
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

// The organizer filters the list to the submitted works not yet reviewed, walks through them
// with the keys (the filter kept), decides one and lands on the next, then passes the 50 on the
// page with one click; each pass is in the audit log.
func TestBrowser_AdminBulkFormalReviewOf50(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	_, id := e.SubmitWork("a@example.org", workBy("甲单位", "样片"))
	dbtest.MustCloneWorks(t, e.DB, id, 1, 102) // 51 more submitted with the same accepted video, 51 drafts
	b := MustBrowser(t, e.Server.URL, 3*time.Minute)
	b.Do("a desktop screen", chromedp.EmulateViewport(1366, 900))
	signIn(b, "organizer@example.org", "organizer-pass")

	b.Open("/admin/submissions")
	b.Submit("已提交", chromedp.Click(chromedp.CSS(`.counts a[href$="status=submitted"]`)))
	b.Do("choose 待审查", chromedp.SetValue(chromedp.CSS(`#filter-formal`), "pending"))
	b.Submit("筛选", chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)))
	if got := b.Text("#list-total"); !strings.Contains(got, "共 52 件") {
		b.Fatalf("the filtered list says %q, want 52 works", got)
	}
	filters := regexp.MustCompile(`\?formal=pending&status=submitted$`)

	// Walk: j and → go on, k and ← go back, the filter kept.
	first := Eval[string](b, `document.querySelector('#submissions tbody a').href`)
	second := Eval[string](b, `document.querySelectorAll('#submissions tbody td:nth-child(2) > a')[1].href`)
	b.Submit("open the first work", chromedp.Click(chromedp.CSS(`#submissions tbody a`)))
	if hint := b.Text("#walk-hint"); !strings.Contains(hint, "下一件") {
		b.Fatalf("the keys' hint says %q", hint)
	}
	b.Submit("press j", chromedp.KeyEvent("j"))
	if got := b.URL(); got != second || !filters.MatchString(got) {
		b.Fatalf("after j the page is %s, want %s with the filter", got, second)
	}
	b.Submit("press ←", chromedp.KeyEvent(kb.ArrowLeft))
	if got := b.URL(); got != first {
		b.Fatalf("after ← the page is %s, want %s", got, first)
	}
	// Typing j in the reason field types; it does not leave the page.
	b.Do("type in the reason", chromedp.SendKeys(chromedp.CSS(`#formal-form input[name="reason"]`), "j"))
	if got := b.URL(); got != first {
		b.Fatalf("typing j in a field left the page for %s", got)
	}
	b.Do("choose 通过", chromedp.Click(chromedp.CSS(`#formal-form input[value="passed"]`)))
	b.Submit("保存并看下一件", chromedp.Click(chromedp.ID("formal-submit-next")))
	if got := b.URL(); !strings.HasPrefix(got, second) {
		b.Fatalf("after the decision the page is %s, want the next work %s", got, second)
	}
	b.Screenshot("desk-1366-admin-formal-walk")

	// Bulk: back to the list (51 left), tick all on the page, pass.
	b.Submit("返回列表", chromedp.Click(chromedp.ID("back-to-list")))
	if got := b.Text("#list-total"); !strings.Contains(got, "共 51 件") {
		b.Fatalf("after one decision the list says %q", got)
	}
	b.Do("全选", chromedp.Click(chromedp.ID("pick-all")))
	if n := Eval[int](b, `document.querySelectorAll('#submissions tbody input[name=id]:checked').length`); n != 50 {
		b.Fatalf("全选 ticked %d works, want the page's 50", n)
	}
	b.Submit("通过形式审查", chromedp.Click(chromedp.ID("bulk-pass")))
	if got := b.Text("#bulk-passed"); got != "50" {
		b.Fatalf("bulk pass: %q passed", got)
	}
	b.AssertFitsWindow("the list after the bulk pass")
	b.Screenshot("desk-1366-admin-bulk-formal")
	if got := b.Text("#list-total"); !strings.Contains(got, "共 1 件") {
		b.Errorf("one work should be left pending: %q", got)
	}

	b.Open("/admin/audit?entity=formal_review")
	if got := b.Text("#audit-total"); !strings.Contains(got, "符合条件的 51 条") {
		b.Errorf("audit log of formal reviews: %q, want 51 entries (50 in bulk, 1 alone)", got)
	}
	if n := Eval[int](b, `document.querySelectorAll('#audit tbody tr[data-action="passed"]').length`); n != 51 {
		b.Errorf("%d rows of passes in the audit log, want 51", n)
	}
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

// The audit log reads as a record: who, what (by its name), the action and the changed fields
// in Chinese with old → new; it filters by actor, thing and dates, and fits the screen.
func TestBrowser_AdminAuditLogIsReadable(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	_, work := e.SubmitWork("a@example.org", workBy("甲单位", "稻田里的科研日记"))
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+work+"/formal-review",
		map[string]string{"decision": "excluded", "reason": "画面与主题关联不足"})
	org.PassFormal(work)
	e.InviteJudge(org, "li@example.org", "李评委", "东南大学")
	ctx := context.Background()
	organizer, err := e.Stores.UserByEmail(ctx, "organizer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.Svc.Contests.CurrentContest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.AuthorizationText = strings.Repeat("本人自愿参加征集活动，承诺作品原创。", 40) // a long value wraps in its cell
	c.Rules.MaxDurationSec = 240
	if _, err := e.Svc.Contests.UpdateContest(ctx, organizer, c); err != nil {
		t.Fatal(err)
	}

	b := MustBrowser(t, e.Server.URL, 2*time.Minute)
	b.Do("a desktop screen", chromedp.EmulateViewport(1366, 900))
	signIn(b, "organizer@example.org", "organizer-pass")
	b.Open("/admin/audit")
	b.AssertFitsWindow("the audit log")
	if w := Eval[int](b, `document.getElementById('audit').getBoundingClientRect().width`); w > 1366 {
		t.Errorf("the audit table is %d px wide", w)
	}
	b.Screenshot("desk-1366-admin-audit-log")
	rows := Eval[[]string](b, `[...document.querySelectorAll('#audit tbody tr')].map(r => r.innerText.replace(/\s+/g, ' '))`)
	all := strings.Join(rows, "\n")
	for _, want := range []string{
		"组织者 形式审查 《稻田里的科研日记》 通过 结论：不通过 → 通过", // the change of decision, both ways named
		"形式审查 《稻田里的科研日记》 不通过 结论：不通过 原因：画面与主题关联不足",
		"评委 李评委 邀请",
		"活动设置 本届活动 修改 授权书文本：本人自愿参加",
		"视频要求 · 最长时长（秒）：180 → 240",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the audit log lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, `"decision"`) || strings.Contains(all, work) {
		t.Errorf("the audit log shows raw JSON or ids:\n%s", all)
	}

	// Filters: the actor, the kind and the work's title, the dates; kept in the CSV link.
	b.Do("filter", chromedp.SetValue(chromedp.ID("audit-entity"), "formal_review"),
		Fill("#audit-q", "科研日记"), chromedp.SetValue(chromedp.ID("audit-from"), "2022-05-15"),
		chromedp.SetValue(chromedp.ID("audit-to"), "2022-05-15"))
	b.Do("choose the organizer", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('audit-actor');
		s.value = [...s.options].find(o => o.text.startsWith('组织者')).value; })()`))
	b.Submit("筛选", chromedp.Click(chromedp.CSS(`#audit-filters button[type="submit"]`)))
	if n := Eval[int](b, `document.querySelectorAll('#audit tbody tr[data-entity="formal_review"]').length`); n != 2 ||
		Eval[int](b, `document.querySelectorAll('#audit tbody tr').length`) != 2 {
		b.Errorf("filtered to the work's formal reviews: %d rows", n)
	}
	if got := Eval[string](b, `document.getElementById('audit-export').getAttribute('href')`); !strings.Contains(got, "entity=formal_review") ||
		!strings.Contains(got, "from=2022-05-15") {
		b.Errorf("the CSV link drops the filters: %s", got)
	}
	b.Do("another day", chromedp.SetValue(chromedp.ID("audit-from"), "2022-05-16"), chromedp.SetValue(chromedp.ID("audit-to"), ""))
	b.Submit("筛选", chromedp.Click(chromedp.CSS(`#audit-filters button[type="submit"]`)))
	if got := b.Text("#audit tbody"); !strings.Contains(got, "没有符合条件的记录") {
		b.Errorf("nothing happened after 2022-05-15, yet: %s", got)
	}
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

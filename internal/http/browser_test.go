package http_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/contest"
)

// TestBrowser_SignUpFixInvalidIDAndSave drives the pages in headless Chromium on a phone-sized
// screen: sign up, fill the 报名登记表 with a wrong ID check character, see the inline message
// with everything else kept, fix it, add a second participant with the page's script, save,
// and sign one 作品授权书 on the same device.
func TestBrowser_SignUpFixInvalidIDAndSave(t *testing.T) {
	start := time.Now()
	e := MustEnv(t, "sqlite+localfs") // one backend is enough for the browser
	b := MustBrowser(t, e.Server.URL, 60*time.Second)
	defer func() { t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond)) }()

	const (
		title   = "实验室里的创新誓言"
		badID   = "110105194912310021" // wrong check character; the right one is X
		fixedID = "11010519491231002x" // lower-case x is accepted and stored as X
	)

	// 1. Sign up; the site goes straight on to the registration form.
	b.Open("/signup")
	res := b.Submit("sign up",
		Fill(`main form [name="name"]`, "张三"),
		Fill(`main form [name="email"]`, "zhang@example.org"),
		Fill(`main form [name="password"]`, "secret-pass"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	b.Do("wait for the registration form", chromedp.WaitVisible(chromedp.ID("reg-form")))
	if u := b.URL(); !strings.HasSuffix(u, "/submissions/new") || res.Status != http.StatusOK {
		b.Fatalf("after sign-up: %d %s, want 200 on /submissions/new", res.Status, u)
	}
	if got := b.Text(".flash"); !strings.Contains(got, "注册成功") {
		b.Errorf("flash after sign-up = %q, want 注册成功…", got)
	}

	// 2. Fill the form, all valid except the contact's ID number, and save.
	field := func(name string) string { return `#reg-form [name="` + name + `"]` }
	row := func(i int, name string) string {
		return `#participants .participant:nth-of-type(` + string(rune('0'+i)) + `) [name="` + name + `"]`
	}
	values := [][2]string{
		{field("title"), title},
		{field("lead_name"), "张三"},
		{field("employer"), "省农业科学院"},
		{field("description"), "以田间地头为背景，记录青年科技工作者的一天。"},
		{field("contact_name"), "张三"},
		{field("contact_id_number"), badID},
		{field("mobile"), "13800138000"},
		{field("email"), "zhang@example.org"},
		{field("address"), "南京市玄武区孝陵卫街50号"},
		{field("postal_code"), "210014"},
		{row(1, "p_name"), "张三"},
		{row(1, "p_id_number"), idZhang},
	}
	res = b.Submit("save with a wrong ID number", FillForm(values...), chromedp.Click(chromedp.ID("save")))

	// 3. The form comes back with the message by the ID field and everything else kept.
	b.Do("wait for the inline error", chromedp.WaitVisible(chromedp.CSS(`.err[data-field="contact_id_number"]`)))
	if res.Status != http.StatusUnprocessableEntity {
		b.Errorf("status of the refused form = %d, want 422", res.Status)
	}
	if got := b.Text(`.err[data-field="contact_id_number"]`); !strings.Contains(got, "校验位") {
		b.Errorf("ID field message = %q, want it to mention 校验位", got)
	}
	if n := Eval[int](b, `document.querySelectorAll('#reg-form .err').length`); n != 1 {
		b.Errorf("%d inline errors, want only the ID number's", n)
	}
	if got := b.Text("#form-error"); got == "" {
		b.Errorf("no summary message at the top of the refused form")
	}
	for _, f := range values {
		if got := b.Value(f[0]); got != f[1] {
			b.Errorf("after the refusal %s = %q, want %q (what was typed)", f[0], got, f[1])
		}
	}
	b.Screenshot("1-form-error")

	// 4. Fix the number, add a second participant (the script clones the row, no reload), save.
	b.Do("correct the ID number", Fill(field("contact_id_number"), fixedID))
	Eval[bool](b, `window.__samePage = true`)
	b.Do("add a participant", chromedp.Click(chromedp.ID("add-participant")),
		chromedp.WaitVisible(chromedp.CSS(row(2, "p_name"))))
	if !Eval[bool](b, `window.__samePage === true`) {
		b.Errorf("添加参与人员 reloaded the page; app.js should add the row in place")
	}
	if n := Eval[int](b, `document.querySelectorAll('#participants .participant').length`); n != 2 {
		b.Fatalf("%d participant rows after 添加参与人员, want 2", n)
	}
	if got := b.Value(row(2, "p_name")) + b.Value(row(2, "p_id_number")); got != "" {
		b.Errorf("the new participant row is not empty: %q", got)
	}
	res = b.Submit("save the corrected form",
		Fill(row(2, "p_name"), "李四"),
		Fill(row(2, "p_id_number"), idLi),
		chromedp.Click(chromedp.ID("save")),
	)

	// 5. The submission page: saved, masked, both participants still to sign.
	b.Do("wait for the submission page", chromedp.WaitVisible(chromedp.CSS("ul.people")))
	u := b.URL()
	m := regexp.MustCompile(`/submissions/([^/?#]+)$`).FindStringSubmatch(u)
	if m == nil || m[1] == "new" || res.Status != http.StatusOK {
		b.Fatalf("after saving: %d %s, want 200 on /submissions/<id>", res.Status, u)
	}
	id := m[1]
	if got := b.Text("main h1"); !strings.Contains(got, title) {
		b.Errorf("page heading = %q, want the title %q", got, title)
	}
	if got := b.Text(".flash"); !strings.Contains(got, "已保存") {
		b.Errorf("flash = %q, want it to say 已保存", got)
	}
	html := b.HTML()
	if !strings.Contains(html, "1101**********002X") {
		b.Errorf("the masked ID 1101**********002X is not shown")
	}
	for _, secret := range []string{idZhang, idLi, "13800138000"} {
		if strings.Contains(strings.ToUpper(html), strings.ToUpper(secret)) {
			b.Errorf("the page's HTML holds the full number %s; it must show only the masked one", secret)
		}
	}
	type person struct{ Name, ID, State string }
	participants := func() []person {
		return Eval[[]person](b, `[...document.querySelectorAll('ul.people li')].map(li => ({
			Name: li.querySelector('.who b').innerText.trim(), ID: li.querySelector('.who .mono').innerText.trim(),
			State: li.querySelector('.who .ok, .who .warn').innerText.trim()}))`)
	}
	ps := participants()
	want := []person{{"张三", "1101**********002X", "未签署"}, {"李四", "1101**********0016", "未签署"}}
	if len(ps) != 2 || ps[0] != want[0] || ps[1] != want[1] {
		b.Errorf("participants listed = %+v, want %+v", ps, want)
	}
	b.Screenshot("2-submission")

	// 6. The draft is stored as typed, with the number normalized.
	ctx := context.Background()
	page, err := e.Stores.ListSubmissions(ctx, contest.SubmissionFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("%d submissions stored, want 1: %+v", len(page.Items), page.Items)
	}
	s := page.Items[0]
	if s.ID != id || s.Status != contest.StatusDraft || s.Registration.Title != title || s.ContactIDMasked != "1101**********002X" {
		t.Errorf("stored submission %s %s %q %s; want %s draft %q 1101**********002X", s.ID, s.Status, s.Registration.Title, s.ContactIDMasked, id, title)
	}
	if len(s.Participants) != 2 || s.Participants[0].Name != "张三" || s.Participants[1].Name != "李四" {
		t.Errorf("stored participants = %+v, want 张三 and 李四", s.Participants)
	}
	full, err := e.Stores.SubmissionByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if full.Registration.ContactIDNumber != idZhang {
		t.Errorf("stored contact ID = %q, want %q (x upper-cased)", full.Registration.ContactIDNumber, idZhang)
	}

	// 7. 张三 signs the 作品授权书 on this phone.
	res = b.Submit("open 张三's consent page", chromedp.Click(
		`//ul[contains(@class,"people")]/li[.//b[normalize-space()="张三"]]//a[contains(., "在本机签署")]`))
	b.Do("wait for the consent form", chromedp.WaitVisible(chromedp.CSS(`main form [name="agreed"]`)))
	if res.Status != http.StatusOK || !strings.Contains(b.Text("main h1"), "作品授权书") {
		b.Fatalf("consent page: status %d", res.Status)
	}
	if html := strings.ToUpper(b.HTML()); strings.Contains(html, idZhang) {
		b.Errorf("the consent page's HTML holds 张三's full ID number; the person must type it")
	}
	b.Screenshot("3-consent")
	res = b.Submit("sign",
		Fill(`main form [name="name"]`, "张三"),
		Fill(`main form [name="id_number"]`, idZhang),
		chromedp.Click(chromedp.CSS(`main form [name="agreed"]`)),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	b.Do("wait for the submission page", chromedp.WaitVisible(chromedp.CSS("ul.people")))
	if u := b.URL(); !strings.HasSuffix(u, "/submissions/"+id) || res.Status != http.StatusOK {
		b.Fatalf("after signing: %d %s, want 200 on /submissions/%s", res.Status, u, id)
	}
	if got := b.Text(".flash"); !strings.Contains(got, "已签署") {
		b.Errorf("flash after signing = %q, want 授权书已签署", got)
	}
	ps = participants()
	if len(ps) != 2 || !strings.HasPrefix(ps[0].State, "已签署") || ps[1].State != "未签署" {
		b.Errorf("after 张三 signed, participants = %+v; want 张三 已签署, 李四 未签署", ps)
	}
	b.Screenshot("4-signed")

	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("script errors on the pages:\n%s", strings.Join(errs, "\n"))
	}
}

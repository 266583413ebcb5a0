package http_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/pdf/pdftest"
)

// A finished contest's personal data is purged once the retention period after publishing is
// over: the contact data, ID numbers, scans, consent IPs and objectors' contacts go; what the
// public and the winners rely on stays — the results, the certificates and their verification.
func TestRetention_PurgeAfterThePeriodKeepsResultsAndCertificates(t *testing.T) {
	ffmpegtest.Require(t)
	pdftest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		e.Configure(func(o *contest.Options) { o.SessionTTL = 400 * 24 * time.Hour })
		ctx := context.Background()
		org := e.Organizer()
		owners, ids := e.ConfirmAwards(org, workOf("量子之光", "省农业科学院", "江苏省南京市玄武区孝陵卫街50号"),
			workOf("稻浪", "东南大学", "江苏省苏州市姑苏区"), workOf("匠心", "省人民医院", "南京市鼓楼区"))

		// The winner's scan of the signed paper 授权书, uploaded while collection was open.
		judging := e.Clock.Now()
		e.Clock.Set(inWindow)
		scan := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("签字版授权书"), 100)...)
		if r := owners[0].PutScan(ids[0], "授权书.pdf", scan); r.Status != http.StatusOK {
			t.Fatalf("scan upload = %d %s", r.Status, r.Body)
		}
		e.Clock.Set(judging)
		before, err := e.Stores.SubmissionByID(ctx, ids[0])
		if err != nil || before.Scan == nil {
			t.Fatalf("stored work: %v", err)
		}

		// The retention period is a publication setting, within bounds.
		settings := func(days string) url.Values {
			tpl := e.Contest.Publication.Certificate
			return url.Values{"publicity_days": {"5"}, "retention_days": {days}, "heading": {tpl.Heading}, "body": {tpl.Body}, "issuer": {tpl.Issuer}}
		}
		if r := org.Do("POST", "/admin/publication/settings", settings("7")); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(mustDoc(t, r).Find("#settings").Text(), "个人信息保存期限须为30–3650天") {
			t.Fatalf("a 7-day retention = %d", r.Status)
		}
		org.Must(http.StatusSeeOther, "POST", "/admin/publication/settings", settings("30"))

		// 公示 with an objection, then the results are published.
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
		e.Client().Must(http.StatusCreated, "POST", "/api/v1/results/objections", map[string]string{"work_id": ids[1], "name": "赵六",
			"contact": "13912345678", "reason": "该作品与往届获奖作品高度相似，请核实原创性。"})
		var overview struct {
			Publication struct {
				RetentionDays int        `json:"retention_days"`
				PurgeDue      *time.Time `json:"purge_due"`
				PurgedAt      *time.Time `json:"purged_at"`
			}
			Objections []struct{ ID, Name, ContactMasked string }
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/publication", nil).JSON(t, &overview)
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/objections/"+overview.Objections[0].ID, map[string]any{"upheld": false, "decision": "经核实，作品为原创，异议不成立。"})
		e.Clock.Set(afterPublicity)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)
		org.Must(http.StatusOK, "GET", "/api/v1/admin/publication", nil).JSON(t, &overview)
		due := time.Date(2022, 6, 27, 0, 0, 0, 0, contest.Beijing) // published 5月28日 + 30 days
		if overview.Publication.RetentionDays != 30 || overview.Publication.PurgeDue == nil || !overview.Publication.PurgeDue.Equal(due) {
			t.Fatalf("publication after publishing: %+v", overview.Publication)
		}
		link, _ := mustDoc(t, owners[0].Must(http.StatusOK, "GET", "/my", nil)).Find("a.certificate").Attr("href")
		serial := strings.TrimPrefix(link, "/certificates/")

		// Before the day, nothing can be purged, and nothing is.
		purge := map[string]string{"confirm": contest.PurgeConfirmation}
		if r := org.Do("POST", "/api/v1/admin/publication/purge", purge); r.Status != http.StatusConflict || !strings.Contains(r.ErrorMessage(), "2022年6月27日起方可清除") {
			t.Fatalf("purge before the day = %d %s", r.Status, r.Body)
		}
		if d := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/publication", nil)); d.Find("#purge").Length() != 0 || !strings.Contains(d.Find("#purge-due").Text(), "2022年6月27日起可清除") {
			t.Fatalf("the desk before the day: %q", d.Find("#retention").Text())
		}
		e.Clock.Set(due.Add(-time.Minute))
		if r := org.Do("POST", "/api/v1/admin/publication/purge", purge); r.Status != http.StatusConflict {
			t.Fatalf("purge a minute before the day = %d", r.Status)
		}
		if w, _ := e.Stores.SubmissionByID(ctx, ids[0]); w.Registration.ContactIDNumber != idZhang || w.Scan == nil {
			t.Fatal("a refused purge changed the work")
		}
		// Works are found by ID or mobile number through keyed hashes, purged too.
		found := func(number map[string]string) int {
			var p struct{ Total int }
			org.Must(http.StatusOK, "POST", "/api/v1/admin/submissions/search", number).JSON(t, &p)
			return p.Total
		}
		byLi, byMobile := map[string]string{"id_number": idLi}, map[string]string{"mobile": "13800138000"}
		if found(byLi) != 3 || found(byMobile) != 3 {
			t.Fatalf("before the purge, the search by number finds %d and %d works, want 3", found(byLi), found(byMobile))
		}

		// On the day: organizers only, and only when confirmed.
		e.Clock.Set(due)
		if r := owners[0].Do("POST", "/api/v1/admin/publication/purge", purge); r.Status != http.StatusForbidden {
			t.Fatalf("a contestant purges = %d", r.Status)
		}
		d := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/publication", nil))
		if d.Find("#purge").Length() != 1 {
			t.Fatalf("no purge button on the day: %q", d.Find("#retention").Text())
		}
		if r := org.Do("POST", "/admin/publication/purge", url.Values{"confirm": {"确定"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(mustDoc(t, r).Find("#retention").Text(), "请输入“清除”确认") {
			t.Fatalf("purge without the confirmation = %d", r.Status)
		}
		var done struct {
			Purged      contest.PurgeCounts
			Publication struct {
				PurgedAt *time.Time `json:"purged_at"`
			}
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/purge", purge).JSON(t, &done)
		if want := (contest.PurgeCounts{Works: 3, Participants: 6, Scans: 1, Objections: 1}); done.Purged != want || done.Publication.PurgedAt == nil {
			t.Fatalf("purged %+v (at %v), want %+v", done.Purged, done.Publication.PurgedAt, want)
		}

		// Gone: contact data, ID numbers, the scan (its file too), consent IPs, the objector.
		for _, id := range ids {
			w, err := e.Stores.SubmissionByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			r := w.Registration
			if r.ContactName+r.ContactIDNumber+r.Mobile+r.Email+r.WeChat+r.Address+r.PostalCode+w.ContactIDMasked+w.MobileMasked != "" || w.Scan != nil {
				t.Errorf("work %s keeps personal data: %+v", r.Title, r)
			}
			for _, p := range w.Participants {
				if p.IDNumber+p.IDMasked+p.ConsentToken != "" || p.Consent == nil || p.Consent.IP != "" {
					t.Errorf("participant %s keeps %q %q, consent %+v", p.Name, p.IDNumber, p.IDMasked, p.Consent)
				}
				// The 授权书 record stays: who agreed, to which text, when.
				if p.Consent != nil && (p.Consent.Name == "" || p.Consent.TextHash == "" || p.Consent.At.IsZero()) {
					t.Errorf("the 授权书 record of %s is gone: %+v", p.Name, p.Consent)
				}
			}
			if r.Title == "" || r.LeadName == "" || r.Employer == "" {
				t.Errorf("the work lost its title or creators: %+v", r)
			}
		}
		if n, m := found(byLi), found(byMobile); n != 0 || m != 0 {
			t.Errorf("after the purge, the search by number finds %d and %d works", n, m)
		}
		if rc, err := e.Storage.Get(ctx, before.Scan.Key); err == nil {
			rc.Close()
			t.Error("the scan's file is still stored")
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/publication", nil).JSON(t, &overview)
		if o := overview.Objections[0]; o.Name != "" || o.ContactMasked != "" || overview.Publication.PurgedAt == nil {
			t.Errorf("the objector is still known: %+v", o)
		}
		if r := org.Do("POST", "/admin/exports/registrations-full", url.Values{"confirm": {"1"}}); r.Status != http.StatusConflict {
			t.Errorf("the full export after the purge = %d", r.Status)
		}
		org.Must(http.StatusOK, "GET", "/admin/exports/sheets/registrations", nil)
		if !strings.Contains(mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions/"+ids[0], nil)).Find("#purged").Text(), "按保存期限清除") {
			t.Error("the work's page does not say its personal data was purged")
		}
		if !strings.Contains(mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/audit", nil)).Find("#audit tbody").Text(), "清除个人信息") {
			t.Error("the purge is not in the audit log")
		}

		// Kept: the public results, the winner's certificate and its verification.
		if got := mustDoc(t, e.Client().Must(http.StatusOK, "GET", "/results", nil)).Find("#tier-1").Text(); !strings.Contains(got, "量子之光") || !strings.Contains(got, "张三") {
			t.Errorf("the results after the purge: %q", got)
		}
		if d := mustDoc(t, e.Client().Must(http.StatusOK, "GET", "/verify/"+serial, nil)); d.Find("#genuine").Length() != 1 || !strings.Contains(d.Find("dl").Text(), "量子之光") {
			t.Errorf("the certificate no longer verifies after the purge")
		}
		if text := pdftest.Text(t, owners[0].Must(http.StatusOK, "GET", link, nil).Body); !strings.Contains(text, "量子之光") {
			t.Errorf("the winner's certificate after the purge:\n%s", text)
		}

		// Purging again is harmless.
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/purge", purge).JSON(t, &done)
		if done.Purged.Scans != 0 {
			t.Errorf("a second purge deleted %d scans", done.Purged.Scans)
		}
	})
}

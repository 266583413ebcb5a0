package http_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

var (
	workRefRe      = regexp.MustCompile(`^20\d\d-\d{6}$`)
	objectionRefRe = regexp.MustCompile(`^YY-20\d\d-\d{4}$`)
)

// A work gets its reference number when created, with the 回执 in the owner's messages; the
// number shows on the work's page, 我的作品 and the organizers' list; submitting sends
// 作品已提交 once, however often the button is pressed.
func TestEvents_RegistrationReceiptAndSubmissionTellTheOwner(t *testing.T) {
	ffmpegtest.Require(t)
	mp := mustMailpit(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		withEmail(t, e, mp.smtpAddr)
		org := e.Organizer()
		addr := address("zhou")
		c := e.Client().SignUp(addr)
		s := c.Create(nil)
		var got struct{ Reference string }
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &got)
		if !workRefRe.MatchString(got.Reference) {
			t.Fatalf("reference %q", got.Reference)
		}
		second := c.Create(nil)
		var got2 struct{ Reference string }
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+second.ID, nil).JSON(t, &got2)
		if got2.Reference == got.Reference || !workRefRe.MatchString(got2.Reference) {
			t.Fatalf("two works numbered %q and %q", got.Reference, got2.Reference)
		}
		receipts := c.Messages().ofKind("registration_received")
		if len(receipts) != 2 || !strings.Contains(receipts[1].Subject, got.Reference) || !strings.Contains(receipts[1].Body, "报名编号 "+got.Reference) ||
			receipts[1].Link != "/c/2022/submissions/"+s.ID {
			t.Fatalf("receipts = %+v", receipts)
		}
		for path, sel := range map[string]string{"/submissions/" + s.ID: "#reference", "/my": ".reference"} {
			if doc := mustDoc(t, c.Must(http.StatusOK, "GET", path, nil)); !strings.Contains(doc.Find(sel).Text(), got.Reference) {
				t.Errorf("%s does not show the reference number", path)
			}
		}
		if doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions", nil)); !strings.Contains(doc.Find("#submissions .reference").Text(), got.Reference) {
			t.Error("the organizers' list does not show the reference number")
		}
		var found struct{ Items []struct{ ID string } }
		org.Must(http.StatusOK, "GET", "/api/v1/admin/submissions?q="+got.Reference, nil).JSON(t, &found)
		if len(found.Items) != 1 || found.Items[0].ID != s.ID {
			t.Errorf("searching the reference number finds %+v", found.Items)
		}

		c.ConsentAll(s)
		c.UploadAccepted(s.ID)
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil) // pressed again
		sent := c.Messages().ofKind("work_submitted")
		if len(sent) != 1 || sent[0].Subject != "作品已提交：《实验室里的创新誓言》" || !strings.Contains(sent[0].Body, "（报名编号 "+got.Reference+"）已于 ") {
			t.Fatalf("submitted messages = %+v", sent)
		}

		// Each by e-mail too, once: two 回执, the video accepted, 作品已提交.
		subjects := map[string]int{}
		for _, m := range mp.waitFor(addr, 4) {
			subjects[m.Subject]++
			if strings.HasPrefix(m.Subject, "报名回执") && !strings.Contains(m.Text, "报名编号 ") {
				t.Errorf("the 回执's mail has no reference number:\n%s", m.Text)
			}
		}
		if subjects["报名回执：《实验室里的创新誓言》，报名编号 "+got.Reference] != 1 || subjects["作品已提交：《实验室里的创新誓言》"] != 1 || len(subjects) != 4 {
			t.Errorf("mails to the owner: %v", subjects)
		}
	})
}

// An objection gets its reference number, shown to whoever filed it; a signed-in filer is told
// it was received and then the decision; the owner of the work is told only when it is upheld,
// never who objected.
func TestEvents_ObjectionReceivedAndDecided(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		owners, ids := e.ConfirmAwards(org, workOf("量子之光", "省农业科学院", "南京市"), workOf("星辰", "东南大学", "南京市"))
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)

		// Anonymous, through the page: the reference number shows after filing.
		anon := e.Client()
		form := url.Values{"work_id": {ids[1]}, "name": {"赵六"}, "contact": {"13912345678"}, "reason": {"该作品与往届获奖作品高度相似，请核实原创性。"}}
		r := anon.Must(http.StatusSeeOther, "POST", "/results/objections", form)
		loc := r.Header.Get("Location")
		page := mustDoc(t, anon.Must(http.StatusOK, "GET", loc, nil))
		anonRef := page.Find("#objection-reference").Text()
		if !objectionRefRe.MatchString(anonRef) {
			t.Fatalf("after filing, the page shows %q (from %s)", page.Find("#objection-filed").Text(), loc)
		}
		if page := mustDoc(t, anon.Must(http.StatusOK, "GET", "/results?filed=<b>forged</b>", nil)); page.Find("#objection-filed").Length() != 0 {
			t.Error("the page repeats anything given as filed")
		}

		// Signed in, through the API: received, with the number.
		filer := e.Client().SignUp("wu@example.org")
		var filed struct{ ID, Reference string }
		filer.Must(http.StatusCreated, "POST", "/api/v1/results/objections", map[string]string{"work_id": ids[0], "name": "吴八",
			"contact": "wu@example.org", "reason": "该作品的主创人员信息与事实不符，请核实。"}).JSON(t, &filed)
		if !objectionRefRe.MatchString(filed.Reference) || filed.Reference == anonRef {
			t.Fatalf("references %q and %q", anonRef, filed.Reference)
		}
		received := filer.Messages().ofKind("objection_received")
		if len(received) != 1 || !strings.Contains(received[0].Subject, filed.Reference) || !strings.Contains(received[0].Body, "《量子之光》") {
			t.Fatalf("received = %+v", received)
		}
		if l := owners[0].Messages(); len(l.ofKind("objection_received")) != 0 || len(l.ofKind("objection_upheld")) != 0 {
			t.Errorf("the owner was told of the objection when it was filed: %+v", l)
		}

		// Decided: the dismissed anonymous one tells nobody; the upheld one tells the filer and the owner.
		var pub struct {
			Objections []struct{ ID, Reference string }
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/publication", nil).JSON(t, &pub)
		byRef := map[string]string{}
		for _, o := range pub.Objections {
			byRef[o.Reference] = o.ID
		}
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/objections/"+byRef[anonRef], map[string]any{"upheld": false, "decision": "经核实，作品为原创。"})
		if l := owners[1].Messages(); len(l.ofKind("objection_upheld")) != 0 {
			t.Errorf("a dismissed objection told the owner: %+v", l)
		}
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/objections/"+byRef[filed.Reference], map[string]any{"upheld": true, "decision": "经核查，主创人员信息有误，取消拟授奖项。"})
		decided := filer.Messages().ofKind("objection_decided")
		if len(decided) != 1 || decided[0].Subject != "异议处理结果："+filed.Reference+"（异议成立）" ||
			!strings.Contains(decided[0].Body, "处理意见：经核查，主创人员信息有误，取消拟授奖项。") {
			t.Fatalf("decided = %+v", decided)
		}
		upheld := owners[0].Messages().ofKind("objection_upheld")
		if len(upheld) != 1 || !strings.Contains(upheld[0].Body, "《量子之光》") || strings.Contains(upheld[0].Body, "吴八") ||
			strings.Contains(upheld[0].Body, "wu@example.org") || upheld[0].Link != "/c/2022/submissions/"+ids[0] {
			t.Fatalf("the owner's message = %+v", upheld)
		}
		if page := org.Must(http.StatusOK, "GET", "/admin/objections/"+byRef[filed.Reference], nil); !strings.Contains(string(page.Body), filed.Reference) {
			t.Error("the organizers' objection page lacks the reference number")
		}
	})
}

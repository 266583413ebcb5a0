package http_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/jskx/contest/internal/db/dbtest"
)

// A bulk pass passes what can pass, each work audited on its own, and names by title the works
// it left alone and why: a draft, an excluded work, one already passed.
func TestFormal_BulkPassAuditsEachAndReportsWhatCannotPass(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		_, ok1 := e.SubmitWork("a@example.org", workBy("甲单位", "可以通过的作品"))
		_, ok2 := e.SubmitWork("b@example.org", workBy("乙单位", "已通过的作品"))
		_, excluded := e.SubmitWork("c@example.org", workBy("丙单位", "已排除的作品"))
		draft := e.Client().SignUp("d@example.org").Create(workBy("丁单位", "还是草稿的作品"))
		org.PassFormal(ok2)
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+excluded+"/formal-review",
			map[string]string{"decision": "excluded", "reason": "与征集主题无关"})

		r := org.Must(http.StatusOK, "POST", "/admin/submissions/formal-review", url.Values{
			"id": {ok1, ok2, excluded, draft.ID}, "walk": {"status=submitted"}})
		doc := mustDoc(t, r)
		if got := doc.Find("#bulk-passed").Text(); got != "1" {
			t.Errorf("passed %q, want 1: %s", got, doc.Find("#bulk-report").Text())
		}
		report := doc.Find("#bulk-report").Text()
		for _, want := range []string{"1 件此前已通过", "《已排除的作品》：已判定形式审查不通过", "《还是草稿的作品》：作品尚未提交（草稿）"} {
			if !strings.Contains(report, want) {
				t.Errorf("the report lacks %q:\n%s", want, report)
			}
		}
		// The list shown again is the one the organizer came from.
		if doc.Find(`input[name="walk"]`).AttrOr("value", "") != "status=submitted" || doc.Find("#submissions tbody tr").Length() != 3 {
			t.Errorf("after the bulk pass the list is not the filtered one: %s", doc.Find("#submissions").Text())
		}

		var log struct {
			Items []struct {
				Entity, Action string
				EntityID       string `json:"entity_id"`
			} `json:"items"`
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &log)
		passed := map[string]int{}
		for _, a := range log.Items {
			if a.Entity == "formal_review" && a.Action == "passed" {
				passed[a.EntityID]++
			}
		}
		if passed[ok1] != 1 || passed[ok2] != 1 || len(passed) != 2 {
			t.Errorf("formal review passes in the audit log: %v", passed)
		}
		if r := org.Do("POST", "/admin/submissions/formal-review", url.Values{"walk": {""}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("nothing ticked: %d", r.Status)
		}
	})
}

// The works of a filtered list link to each other with the filter kept, in the list's order,
// and a decision taken while walking lands on the next work of the same list.
func TestFormal_WalkThroughAFilteredListAndDecideInTurn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		_, id := e.SubmitWork("a@example.org", workBy("甲单位", "样片"))
		dbtest.MustCloneWorks(t, e.DB, id, 1, 8) // 4 more submitted (same time: ordered by id), 4 drafts

		list := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions?status=submitted&formal=pending", nil))
		var links []string
		list.Find("#submissions tbody td a[href^='/admin/submissions/']").Each(func(_ int, a *goquery.Selection) {
			links = append(links, a.AttrOr("href", ""))
		})
		if len(links) != 5 {
			t.Fatalf("%d works in the filtered list, want 5: %v", len(links), links)
		}
		for _, l := range links {
			if !strings.HasSuffix(l, "?formal=pending&status=submitted") {
				t.Fatalf("a work's link does not carry the list's filters: %s", l)
			}
		}
		for i, l := range links {
			doc := mustDoc(t, org.Must(http.StatusOK, "GET", l, nil))
			prev, hasPrev := doc.Find("#walk-prev").Attr("href")
			next, hasNext := doc.Find("#walk-next").Attr("href")
			if (i == 0) == hasPrev || (i == len(links)-1) == hasNext {
				t.Fatalf("work %d of %d: prev %v next %v", i+1, len(links), hasPrev, hasNext)
			}
			if hasPrev && prev != links[i-1] || hasNext && next != links[i+1] {
				t.Fatalf("work %d: prev %s next %s, want the list's neighbours %v", i+1, prev, next, links)
			}
			if back := doc.Find("#back-to-list").AttrOr("href", ""); back != "/admin/submissions?formal=pending&status=submitted" {
				t.Fatalf("back to the list: %s", back)
			}
		}

		// Deciding the second work from its page lands on the third, filters kept; the
		// second leaves the pending list but its neighbours are still found from it.
		doc := mustDoc(t, org.Must(http.StatusOK, "GET", links[1], nil))
		form := url.Values{"decision": {"passed"}}
		doc.Find("#formal-form input[type=hidden]").Each(func(_ int, in *goquery.Selection) {
			if n := in.AttrOr("name", ""); n != "_csrf" {
				form.Set(n, in.AttrOr("value", ""))
			}
		})
		r := org.Must(http.StatusSeeOther, "POST", strings.SplitN(links[1], "?", 2)[0]+"/formal-review", form)
		if loc := r.Header.Get("Location"); loc != links[2]+"#formal" {
			t.Fatalf("after the decision: %s, want %s", loc, links[2])
		}
		doc = mustDoc(t, org.Must(http.StatusOK, "GET", links[2], nil))
		if prev := doc.Find("#walk-prev").AttrOr("href", ""); prev != links[0] {
			t.Errorf("the decided work left the pending list; previous is %s, want %s", prev, links[0])
		}
		// 保存，留在本页 stays.
		form.Set("stay", "1")
		r = org.Must(http.StatusSeeOther, "POST", strings.SplitN(links[1], "?", 2)[0]+"/formal-review", form)
		if loc := r.Header.Get("Location"); loc != links[1]+"#formal" {
			t.Errorf("保存，留在本页 went to %s", loc)
		}
	})
}

// The audit log's filters stay on every page and in the CSV, which keeps the codes and the
// recorded JSON.
func TestAuditPage_FiltersKeptAcrossPagesAndInTheCSV(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	_, id := e.SubmitWork("a@example.org", workBy("甲单位", "样片"))
	e.InviteJudge(org, "li@example.org", "李评委", "东南大学") // another kind of entry, filtered out
	dbtest.MustCloneWorks(t, e.DB, id, 1, 220)
	ids := []string{id}
	for i := 2; i <= 220; i += 2 {
		ids = append(ids, fmt.Sprintf("seed-s-%d", i))
	}
	doc := mustDoc(t, org.Must(http.StatusOK, "POST", "/admin/submissions/formal-review", url.Values{"id": ids}))
	if got := doc.Find("#bulk-passed").Text(); got != "111" {
		t.Fatalf("bulk pass of 111 works: %q", got)
	}

	doc = mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/audit?entity=formal_review&q=样片", nil))
	if n := doc.Find("#audit tbody tr").Length(); n != 100 || doc.Find(`#audit tbody tr[data-entity="judge"]`).Length() != 0 {
		t.Fatalf("first page: %d rows", n)
	}
	next := doc.Find(".pager a").Last().AttrOr("href", "")
	if next != "?entity=formal_review&q=%E6%A0%B7%E7%89%87&page=2" {
		t.Fatalf("the next page's link %q drops the filters", next)
	}
	doc = mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/audit"+next, nil))
	if n := doc.Find(`#audit tbody tr[data-entity="formal_review"]`).Length(); n != 11 {
		t.Errorf("second page: %d rows, want 11", n)
	}
	if got := doc.Find("#audit-entity option[selected]").AttrOr("value", ""); got != "formal_review" {
		t.Errorf("the filter form forgets the kind on page 2: %q", got)
	}

	csv := string(org.Must(http.StatusOK, "GET", "/admin/audit.csv?entity=formal_review", nil).Body)
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if !strings.HasPrefix(lines[0], "\ufeff时间（北京时间）,操作人,操作人ID,对象,对象ID,操作,变更前,变更后") || len(lines) != 112 {
		t.Fatalf("CSV header %q and %d lines, want the columns and 111 entries", lines[0], len(lines))
	}
	if !strings.Contains(lines[1], ",formal_review,") || !strings.Contains(lines[1], ",passed,") || !strings.Contains(lines[1], `""decision"":""passed""`) {
		t.Errorf("the CSV lost the codes: %s", lines[1])
	}
}

// The audit log's 对象 filter finds a work by its reference number (报名编号) as well as by
// its title.
func TestAuditPage_FilterByReferenceNumber(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		_, a := e.SubmitWork("a@example.org", workBy("甲单位", "样片一"))
		_, b := e.SubmitWork("b@example.org", workBy("乙单位", "样片二"))
		org.Must(http.StatusOK, "POST", "/admin/submissions/formal-review", url.Values{"id": {a, b}})
		work, err := e.Stores.SubmissionByID(context.Background(), a)
		if err != nil || work.Reference == "" {
			t.Fatalf("work %s: reference %q, %v", a, work.Reference, err)
		}
		doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/audit?entity=formal_review&q="+url.QueryEscape(work.Reference), nil))
		rows := doc.Find("#audit tbody tr")
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "样片一") {
			t.Errorf("filtered by %s: %d rows %q", work.Reference, rows.Length(), rows.Text())
		}
	})
}

package http_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// Two rounds, per category: 初评 ranks every work, the best 60% of each category go on to 终评,
// where two other judges score every finalist in the opposite order; the awards come from 终评
// (a 20% quota still counts the five works of 初评), 初评 stays readable and exportable, and
// the advancement is in the audit log.
func TestRounds_ShortlistPerCategoryGoesOnToAFinalRound(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		keys := e.SetCategories(org, map[string]any{"name": "个人"},
			map[string]any{"name": "团队", "quotas": []map[string]any{{"count": 1}, {"count": 0}, {"count": 0}}})
		titles := []string{"独奏一", "独奏二", "独奏三", "独奏四", "独奏五", "合奏一", "合奏二", "合奏三"}
		ids := map[string]string{}
		var order []string
		for i, title := range titles {
			key := keys["个人"]
			if strings.HasPrefix(title, "合奏") {
				key = keys["团队"]
			}
			_, id := e.SubmitWork(fmt.Sprintf("round%d@example.org", i), inCategory(key, title, fmt.Sprintf("单位%d", i)))
			org.PassFormal(id)
			ids[title], order = id, append(order, id)
		}
		// 初评: one judge, the works ranking in the order of the list within each category.
		e.ScoreInOrder(org, order, func(settings map[string]any) {
			settings["quotas"] = []map[string]any{{"percent": 20}, {"percent": 20}, {"percent": 20}}
		})
		finals := map[string]*client{}
		var finalIDs []string
		for _, name := range []string{"赵终评", "钱终评"} {
			j, id, _ := e.InviteJudge(org, name+"@example.org", name, name+"所在单位")
			finals[name], finalIDs = j, append(finalIDs, id)
		}
		advance := map[string]any{"shortlist": "60%", "judges": finalIDs}
		if r := org.Do("POST", "/api/v1/admin/judging/advance", advance); r.Status != http.StatusConflict {
			t.Fatalf("advancing an open round = %d, want 409", r.Status)
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)

		// The desk offers the next round; a shortlist leaving 个人 fewer works than its three
		// awards is refused on the form, which keeps what was typed.
		form := url.Values{"shortlist": {"1"}, "name": {"终评"}, "judge": finalIDs, "every_judge": {"1"}}
		refused := org.Do("POST", "/admin/judging/advance", form)
		doc := mustDoc(t, refused)
		if refused.Status != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#advance .err").Text(), "少于获奖名额") {
			t.Fatalf("a shortlist of 1 = %d, errors %q", refused.Status, doc.Find("#advance .err").Text())
		}
		if v, _ := doc.Find("#shortlist").Attr("value"); v != "1" || doc.Find(`#advance input[name=judge][checked]`).Length() != 2 {
			t.Errorf("the refused form lost its values: shortlist %q, %d judges checked", v, doc.Find(`#advance input[name=judge][checked]`).Length())
		}
		form.Set("shortlist", "60%")
		if loc := org.Must(http.StatusSeeOther, "POST", "/admin/judging/advance", form).Header.Get("Location"); loc != "/admin/judging?advanced=1" {
			t.Errorf("advancing goes to %q", loc)
		}
		doc = mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging?advanced=1", nil))
		if h := doc.Find("h1 #round-name").Text(); h != "（终评）" {
			t.Errorf("the desk's heading names the round %q, want （终评）", h)
		}
		if f := doc.Find("#advanced").Text(); !strings.Contains(f, "入围作品 4 件") {
			t.Errorf("after advancing the desk says %q, want 入围作品 4 件", f)
		}
		if r := org.Do("POST", "/api/v1/admin/judging/advance", advance); r.Status != http.StatusConflict {
			t.Errorf("advancing the new, open round = %d, want 409", r.Status)
		}

		// 终评: the finalists only, every one to both final judges; the 初评 judge has none.
		var plan struct {
			Assignments int
			Loads       map[string]int
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil).JSON(t, &plan)
		if plan.Assignments != 8 || len(plan.Loads) != 2 || plan.Loads[finalIDs[0]] != 4 || plan.Loads[finalIDs[1]] != 4 {
			t.Errorf("终评 plan: %d assignments, loads %v; want the 4 finalists to each final judge only", plan.Assignments, plan.Loads)
		}
		var queue struct{ Items []struct{ ID, Title string } }
		for name, j := range finals {
			j.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &queue)
			var got []string
			for _, it := range queue.Items {
				got = append(got, it.Title)
			}
			slices.Sort(got)
			if strings.Join(got, " ") != "合奏一 独奏一 独奏三 独奏二" {
				t.Errorf("%s's 终评 queue %v, want the four finalists", name, got)
			}
		}
		// 终评 reverses 初评 among the finalists of 个人.
		for i, title := range []string{"独奏三", "独奏二", "独奏一", "合奏一"} {
			p := float64(i)
			scores := map[string]float64{"theme": 29 - p, "orientation": 19 - p, "timeliness": 24 - p, "artistry": 24 - p}
			for _, j := range finals {
				j.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+ids[title]+"/review", map[string]any{"scores": scores, "submit": true})
			}
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
		var ranking struct {
			Items []struct {
				Title, Proposed string
				CatName         string `json:"category_name"`
				Rank, Reviews   int
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &ranking)
		var got []string
		for _, it := range ranking.Items {
			got = append(got, fmt.Sprintf("%s/%s#%d:%s×%d", it.CatName, it.Title, it.Rank, it.Proposed, it.Reviews))
		}
		want := "个人/独奏三#1:first×2 个人/独奏二#2:second×2 个人/独奏一#3:third×2 团队/合奏一#1:first×2"
		if strings.Join(got, " ") != want {
			t.Errorf("终评 ranking\n got %s\nwant %s", strings.Join(got, " "), want)
		}

		// 初评 stays: its ranking with who went on, on the API and its page.
		var rounds struct {
			Items []struct {
				Number, Works, Advanced int
				Name, Shortlist         string
				Current                 bool
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/rounds", nil).JSON(t, &rounds)
		if len(rounds.Items) != 2 || rounds.Items[0].Name != "初评" || rounds.Items[0].Works != 8 || rounds.Items[0].Advanced != 4 ||
			rounds.Items[0].Shortlist != "60%" || rounds.Items[1].Name != "终评" || !rounds.Items[1].Current {
			t.Errorf("rounds %+v", rounds.Items)
		}
		var r1 struct {
			Items []struct {
				ID, Title string
				Rank      int
			}
			Advanced []string
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/rounds/1", nil).JSON(t, &r1)
		var went []string
		for _, it := range r1.Items {
			if slices.Contains(r1.Advanced, it.ID) {
				went = append(went, fmt.Sprintf("%s#%d", it.Title, it.Rank))
			}
		}
		if len(r1.Items) != 8 || strings.Join(went, " ") != "独奏一#1 独奏二#2 独奏三#3 合奏一#1" {
			t.Errorf("初评 has %d works, advanced %v", len(r1.Items), went)
		}
		org.Must(http.StatusNotFound, "GET", "/api/v1/admin/judging/rounds/2", nil)
		page := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging/rounds/1", nil))
		if sum := page.Find("#round-summary").Text(); !strings.Contains(sum, "共 4 件进入下一轮") || !strings.Contains(sum, "8 件作品排名") {
			t.Errorf("初评 page summary %q", sum)
		}
		// 初评's own agreement: its one judge, whose eight reviews no other judge shared.
		if n, judge := page.Find("#reliability tbody tr").Length(), page.Find("#judge-agreement tbody th").Text(); n != 5 || judge != "王评委" {
			t.Errorf("初评 page agreement: %d reliability rows (want the total and 4 criteria), judges %q", n, judge)
		}
		if row := page.Find(`tr[data-id="` + ids["独奏四"] + `"]`); !strings.Contains(row.Find("td.advanced").Text(), "未入围") {
			t.Errorf("初评 page: 独奏四 says %q", row.Find("td.advanced").Text())
		}
		desk := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging", nil))
		if href, _ := desk.Find("#rounds a.round-link").Attr("href"); href != "/admin/judging/rounds/1" {
			t.Errorf("the desk links 初评 at %q", href)
		}

		// Both rounds' scores are exported, each judged by its own judges.
		f, err := excelize.OpenReader(bytes.NewReader(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/scores", nil).Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if sheets := f.GetSheetList(); strings.Join(sheets, ",") != "评分明细（初评）,评审统计（初评）,评分明细（终评）,评审统计（终评）" {
			t.Fatalf("scores export sheets %v", sheets)
		}
		judgesIn := func(sheet string) string {
			set := map[string]bool{}
			for _, row := range mustRows(t, f, sheet)[1:] {
				set[row[3]] = true // 组别, 名次, 作品名称, 评委
			}
			return strings.Join(slices.Sorted(maps.Keys(set)), ",")
		}
		if a, b := judgesIn("评分明细（初评）"), judgesIn("评分明细（终评）"); a != "王评委" || b != "赵终评,钱终评" {
			t.Errorf("export judges: 初评 %q, 终评 %q", a, b)
		}

		var log auditList
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit?entity=judging", nil).JSON(t, &log)
		if !slices.ContainsFunc(log.Items, func(a auditItem) bool {
			return a.Action == "advance_round" && strings.Contains(a.After, ids["合奏一"]) && !strings.Contains(a.After, ids["合奏二"])
		}) {
			t.Errorf("the advancement is not in the audit log: %+v", log.Items)
		}

		// The awards are 终评's; the works that stopped at 初评 win nothing.
		org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
		results := mustDoc(t, e.Client().Must(http.StatusOK, "GET", "/results", nil))
		if w := results.Find("#category-1-tier-1 td").Eq(1).Text(); w != "《独奏三》" {
			t.Errorf("个人's 一等奖 in the 公示 is %q, want 《独奏三》", w)
		}
		if strings.Contains(results.Text(), "独奏四") {
			t.Error("a work that stopped at 初评 is in the 公示")
		}
	})
}

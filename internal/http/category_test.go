package http_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/pdf/pdftest"
)

// SetCategories has the organizer give the contest categories through the API, and returns
// their keys by name.
func (e *env) SetCategories(org *client, cats ...map[string]any) map[string]string {
	e.t.Helper()
	var ct map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(e.t, &ct)
	ct["categories"] = cats
	var saved struct{ Categories []struct{ Key, Name string } }
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/contest", ct).JSON(e.t, &saved)
	keys := map[string]string{}
	for _, c := range saved.Categories {
		keys[c.Name] = c.Key
	}
	return keys
}

// inCategory is workOf in the category with the key.
func inCategory(key, title, employer string) map[string]any {
	in := workOf(title, employer, "南京市")
	in["category"] = key
	return in
}

// A contest with two categories: each is ranked on its own and gets its own 一/二/三等奖 by its
// quotas (个人 the contest's 1/1/1, 团队 its own 1/0/0); the ranking page, the 公示, the final
// results and the certificates name the category.
func TestCategories_RankedAwardedAndPublishedPerCategory(t *testing.T) {
	ffmpegtest.Require(t)
	pdftest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		keys := e.SetCategories(org, map[string]any{"name": "个人"},
			map[string]any{"name": "团队", "quotas": []map[string]any{{"count": 1}, {"count": 0}, {"count": 0}}})
		solo, team := keys["个人"], keys["团队"]
		if solo == "" || team == "" || solo == team {
			t.Fatalf("category keys %v", keys)
		}
		titles := []string{"独奏一", "独奏二", "独奏三", "独奏四", "合奏一", "合奏二"}
		var owners []*client
		var ids []string
		for i, title := range titles {
			key := solo
			if i >= 4 {
				key = team
			}
			c, id := e.SubmitWork(fmt.Sprintf("cat%d@example.org", i), inCategory(key, title, fmt.Sprintf("单位%d", i)))
			org.PassFormal(id)
			owners, ids = append(owners, c), append(ids, id)
		}
		// Scores fall along the list: without categories, 合奏一 (fifth) would win nothing.
		e.ScoreInOrder(org, ids, func(settings map[string]any) {
			settings["quotas"] = []map[string]any{{"count": 1}, {"count": 1}, {"count": 1}}
		})
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)

		var ranking struct {
			Items []struct {
				Title, Category, Proposed string
				CatName                   string `json:"category_name"`
				Rank                      int
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &ranking)
		var got []string
		for _, it := range ranking.Items {
			got = append(got, fmt.Sprintf("%s/%s#%d:%s", it.CatName, it.Title, it.Rank, it.Proposed))
		}
		want := "个人/独奏一#1:first 个人/独奏二#2:second 个人/独奏三#3:third 个人/独奏四#4:none 团队/合奏一#1:first 团队/合奏二#2:none"
		if strings.Join(got, " ") != want {
			t.Fatalf("ranking\n got %s\nwant %s", strings.Join(got, " "), want)
		}

		doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging", nil))
		var headings []string
		doc.Find("h3.category-heading").Each(func(_ int, s *goquery.Selection) { headings = append(headings, s.Text()) })
		if strings.Join(headings, ",") != "个人,团队" {
			t.Errorf("ranking page headings %v, want 个人,团队", headings)
		}
		if tiers := doc.Find("#ranking-" + team + " td.tier").Text(); !strings.Contains(tiers, "一等奖") || strings.Contains(tiers, "二等奖") {
			t.Errorf("团队's table proposes %q, want its own 一等奖 only", tiers)
		}
		if n := doc.Find("#ranking-" + solo + " tbody tr").Length(); n != 4 {
			t.Errorf("个人's table has %d rows, want 4", n)
		}

		org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
		anon := e.Client()
		page := mustDoc(t, anon.Must(http.StatusOK, "GET", "/results", nil))
		if h := page.Find("#category-1 > h2").Text(); h != "个人" {
			t.Errorf("the 公示's first category is %q, want 个人", h)
		}
		if got := page.Find("#category-2 > h2").Text() + "|" + page.Find("#category-2-tier-1 td").Eq(1).Text(); got != "团队|《合奏一》" {
			t.Errorf("the 公示's second category: %q, want 团队|《合奏一》", got)
		}
		if page.Find("#category-1-tier-3").Length() != 1 || page.Find("#category-2-tier-2").Length() != 0 {
			t.Error("the 公示 does not list each category's own tiers")
		}
		var res struct {
			Items []struct{ Title, Category string }
		}
		anon.Must(http.StatusOK, "GET", "/api/v1/results", nil).JSON(t, &res)
		if len(res.Items) != 4 {
			t.Fatalf("results %+v, want 4 winners", res.Items)
		}
		for _, it := range res.Items {
			if want := map[bool]string{true: "团队", false: "个人"}[strings.HasPrefix(it.Title, "合奏")]; it.Category != want {
				t.Errorf("result %s in %q, want %q", it.Title, it.Category, want)
			}
		}

		e.Clock.Set(afterPublicity)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)
		final := mustDoc(t, anon.Must(http.StatusOK, "GET", "/results", nil))
		if final.Find("#category-2 > h2").Text() != "团队" {
			t.Error("the published results are not grouped by category")
		}
		my := mustDoc(t, owners[4].Must(http.StatusOK, "GET", "/my", nil))
		if c := my.Find("dd.category").Text(); c != "团队" {
			t.Errorf("/my shows the category %q, want 团队", c)
		}
		link, _ := my.Find("a.certificate").Attr("href")
		text := strings.ReplaceAll(pdftest.Text(t, owners[4].Must(http.StatusOK, "GET", link, nil).Body), " ", "")
		if !strings.Contains(text, "组别：团队") || !strings.Contains(text, "一等奖") {
			t.Errorf("the certificate does not name the category:\n%s", text)
		}
		// The exports: the registrations with a 组别 column, the results by category.
		book := func(name string) [][]string {
			f, err := excelize.OpenReader(bytes.NewReader(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/"+name, nil).Body))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			return mustRows(t, f, f.GetSheetList()[0])
		}
		reg := book("registrations")
		if head, row := reg[0], rowOf(reg, "合奏一"); head[len(head)-1] != "组别" || row[len(row)-1] != "团队" {
			t.Errorf("registrations export: header %q, 合奏一 %q; want a 组别 column saying 团队", head, row)
		}
		results := book("results")
		var order []string
		for _, row := range results[1:] {
			order = append(order, row[0]+"/"+row[2])
		}
		if results[0][0] != "组别" || strings.Join(order, " ") != "个人/独奏一 个人/独奏二 个人/独奏三 个人/独奏四 团队/合奏一 团队/合奏二" {
			t.Errorf("results export: header %q, rows %v", results[0], order)
		}

		var v struct{ Category string }
		anon.Must(http.StatusOK, "GET", "/api/v1/verify/"+strings.TrimPrefix(link, "/certificates/"), nil).JSON(t, &v)
		if v.Category != "团队" {
			t.Errorf("verification says category %q, want 团队", v.Category)
		}
	})
}

// With categories, a draft may leave the category empty, but submitting asks for one (请选择
// 组别); an unknown key is refused; the form, the pages and the works list show it.
func TestCategories_SubmittingWithoutOneIsRefused(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		keys := e.SetCategories(org, map[string]any{"name": "个人"}, map[string]any{"name": "团队"})
		c := e.Client().SignUp("choose@example.org")
		form := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/new", nil))
		if n := form.Find(`select[name="category"] option`).Length(); n != 3 {
			t.Errorf("the form offers %d category options, want 请选择, 个人, 团队", n)
		}
		s := c.Create(validInput())
		c.ConsentAll(s)
		c.UploadAccepted(s.ID)
		r := c.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		if r.FieldCodes()["category"] != "category_required" || !strings.Contains(string(r.Body), "请选择组别") {
			t.Fatalf("submitting without a category: %s", r.Body)
		}
		page := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+s.ID, nil))
		if !strings.Contains(page.Text(), "请选择组别") {
			t.Error("the work's page does not say a category is missing")
		}

		var cur submission
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &cur)
		in := validInput()
		var team []map[string]any
		for _, p := range cur.Participants { // the same people: their consents stay
			team = append(team, map[string]any{"id": p.ID, "name": p.Name, "id_type": "resident", "id_number": p.IDNumber, "employer": p.Employer})
		}
		in["participants"], in["version"], in["category"] = team, cur.Version, "nope"
		if r := c.Do("PUT", "/api/v1/submissions/"+s.ID, in); r.FieldCodes()["category"] != "category_unknown" {
			t.Fatalf("an unknown category: %d %s", r.Status, r.Body)
		}
		in["category"] = keys["团队"]
		c.Must(http.StatusOK, "PUT", "/api/v1/submissions/"+s.ID, in)
		var done struct{ Status, Category string }
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil).JSON(t, &done)
		if done.Status != "submitted" || done.Category != keys["团队"] {
			t.Fatalf("after choosing 团队: %+v", done)
		}
		if got := mustDoc(t, c.Must(http.StatusOK, "GET", "/submissions/"+s.ID, nil)).Find("#category").Text(); got != "组别：团队" {
			t.Errorf("the work's page shows %q", got)
		}

		// A second work in 个人: the works list shows the column and filters by it.
		c2 := e.Client().SignUp("solo@example.org")
		in2 := workOf("个人作品", "别的单位", "南京市")
		in2["category"] = keys["个人"]
		c2.Create(in2)
		list := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions?category="+keys["团队"], nil))
		if rows := list.Find("#submissions tbody tr"); rows.Length() != 1 || rows.Find("td.category").Text() != "团队" {
			t.Errorf("filtered by 团队: %d rows, category %q", rows.Length(), rows.Find("td.category").Text())
		}
		if !strings.Contains(list.Find("#submissions thead").Text(), "组别") {
			t.Error("the works list has no 组别 column")
		}
		if got := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/submissions/"+s.ID, nil)).Find("#category").Text(); got != "组别：团队" {
			t.Errorf("the organizer's work page shows %q", got)
		}
	})
}

// A category that works are in cannot be removed, by the API or the settings page; it can be
// renamed, and the change is audited.
func TestCategories_RemovingAUsedCategoryIsRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		keys := e.SetCategories(org, map[string]any{"name": "个人"}, map[string]any{"name": "团队"})
		in := validInput()
		in["category"] = keys["个人"]
		e.Client().SignUp("used@example.org").Create(in)

		var ct map[string]any
		org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &ct)
		ct["categories"] = []map[string]any{{"key": keys["团队"], "name": "团队"}}
		r := org.Must(http.StatusUnprocessableEntity, "PUT", "/api/v1/admin/contest", ct)
		if r.FieldCodes()["categories"] != "category_in_use" || !strings.Contains(string(r.Body), "组别“个人”已有1件作品，不能删除") {
			t.Fatalf("removing a used category: %s", r.Body)
		}

		// The settings page: clearing the name of 个人 is refused with the same words.
		doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/contest", nil))
		form := url.Values{}
		doc.Find("form[action='/admin/contest'] input, form[action='/admin/contest'] textarea").Each(func(_ int, s *goquery.Selection) {
			name, _ := s.Attr("name")
			if typ, _ := s.Attr("type"); typ == "checkbox" || name == "_csrf" {
				return
			}
			val := s.AttrOr("value", "")
			if goquery.NodeName(s) == "textarea" {
				val = s.Text()
			}
			form.Add(name, val)
		})
		names := form["category_name"]
		if len(names) < 2 || names[0] != "个人" || names[1] != "团队" {
			t.Fatalf("the settings page's category rows: %v", names)
		}
		names[0] = ""
		page := org.Must(http.StatusUnprocessableEntity, "POST", "/admin/contest", form)
		if !strings.Contains(string(page.Body), "组别“个人”已有1件作品，不能删除") {
			t.Errorf("the settings page does not explain the refusal:\n%s", page.Body)
		}

		// Renaming 个人 and removing the unused 团队 is fine, and audited.
		names[0], names[1] = "个人组", ""
		org.Must(http.StatusSeeOther, "POST", "/admin/contest", form)
		var after struct{ Categories []struct{ Key, Name string } }
		org.Must(http.StatusOK, "GET", "/api/v1/contest", nil).JSON(t, &after)
		if len(after.Categories) != 1 || after.Categories[0].Key != keys["个人"] || after.Categories[0].Name != "个人组" {
			t.Fatalf("after renaming: %+v", after.Categories)
		}
		audit := string(org.Must(http.StatusOK, "GET", "/admin/audit.csv", nil).Body)
		if !strings.Contains(audit, "个人组") {
			t.Errorf("the rename is not in the audit log:\n%s", audit)
		}
	})
}

// With 评委按组别评审, each judge gets only works of their categories; a category without
// enough judges is reported.
func TestCategories_JudgesReviewTheirCategoriesOnly(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	keys := e.SetCategories(org, map[string]any{"name": "个人"}, map[string]any{"name": "团队"})
	var ids []string
	for i, key := range []string{keys["个人"], keys["个人"], keys["团队"]} {
		_, id := e.SubmitWork(fmt.Sprintf("j%d@example.org", i), inCategory(key, fmt.Sprintf("作品%d", i), fmt.Sprintf("单位%d", i)))
		org.PassFormal(id)
		ids = append(ids, id)
	}
	var settings map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &settings)
	settings["reviews_per_work"], settings["by_category"] = 1, true
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
	soloClient, soloJudge, _ := e.InviteJudge(org, "solo-judge@example.org", "个人评委", "省科技馆")
	teamClient, teamJudge, _ := e.InviteJudge(org, "team-judge@example.org", "团队评委", "省博物馆")
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judges/"+soloJudge+"/categories", map[string]any{"categories": []string{keys["个人"]}})
	org.Must(http.StatusSeeOther, "POST", "/admin/judges/"+teamJudge+"/categories", url.Values{"category": {keys["个人"]}})
	if got := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judges", nil)).Find("td.judge-categories input[checked]").Length(); got != 2 {
		t.Errorf("the judges page ticks %d categories, want 2", got)
	}

	// Both judges limited to 个人: 团队 has none, which the run reports.
	doc := mustDoc(t, org.Must(http.StatusOK, "POST", "/admin/judging/assign", url.Values{}))
	if got := doc.Find(".short-category").Text(); !strings.Contains(got, "组别“团队”只有 0 位评委") {
		t.Errorf("the run does not report 团队 short of judges: %q", got)
	}
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judges/"+teamJudge+"/categories", map[string]any{"categories": []string{keys["团队"]}})
	var plan struct {
		ShortCategories []struct{ Category string } `json:"short_categories"`
	}
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil).JSON(t, &plan)
	if len(plan.ShortCategories) != 0 {
		t.Errorf("still short: %+v", plan.ShortCategories)
	}
	queue := func(j *client) []string {
		var q struct{ Items []struct{ ID string } }
		j.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
		var out []string
		for _, it := range q.Items {
			out = append(out, it.ID)
		}
		slices.Sort(out)
		return out
	}
	solo := []string{ids[0], ids[1]}
	slices.Sort(solo)
	if got := queue(soloClient); !slices.Equal(got, solo) {
		t.Errorf("the 个人 judge has %v, want %v", got, solo)
	}
	if got := queue(teamClient); !slices.Equal(got, ids[2:]) {
		t.Errorf("the 团队 judge has %v, want %v", got, ids[2:])
	}
}

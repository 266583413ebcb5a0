package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// pairSide and pairTask are a judge's pair as the API answers it.
type pairSide struct {
	Title, Description string
	VideoURL           string `json:"video_url"`
}

type pairTask struct {
	ID     string
	A, B   pairSide
	Choice string
}

// pairwiseResult is the organizer's view of the check.
type pairwiseResult struct {
	Started                     bool
	Comparisons, Decided, Short int
	Disagreements               int
	Pairs                       []struct {
		Cut          string
		Upper, Lower struct {
			ID, Title string
			Strength  float64
		}
		Judges    int
		UpperWins int     `json:"upper_wins"`
		LowerWins int     `json:"lower_wins"`
		PLower    float64 `json:"p_lower_better"`
		Disagree  bool
	}
}

// personalOfPairs is what no judge's pair may show: the contestants' names, numbers, contacts,
// addresses and employers.
var personalOfPairs = []string{"张三", idZhang, "1101*", "13800138000", "@example.org", "孝陵卫街", "210014",
	"甲研究所", "乙大学", "丙医院", "丁中学", "fixture"}

// pairwiseTitles are the works of pairwiseContest, in the rubric's order.
var pairwiseTitles = []string{"量子之光", "稻浪", "星火", "晨钟"}

// pairwiseContest enters four works from four employers, has three judges (one of them from
// the first work's employer) score them in title order with the pairwise check on (one work
// each side of a cut, two judges a pair; quotas 1/1/1), and closes judging. It returns the
// works in rank order and the judges by name, signed in, with their passwords.
func pairwiseContest(t *testing.T, e *env) (org *client, works []string, judges map[string]*client, passwords map[string]string) {
	org = e.Organizer()
	titles := pairwiseTitles
	for i, emp := range []string{"甲研究所", "乙大学", "丙医院", "丁中学"} {
		_, id := e.SubmitWork(string(rune('p'+i))+"@example.org", workBy(emp, titles[i]))
		org.PassFormal(id)
		works = append(works, id)
	}
	settings := map[string]any{"rubric": []map[string]any{{"key": "theme", "name": "主题", "max_points": 100, "weight": 100}},
		"reviews_per_work": 1, "quotas": []map[string]any{{"count": 1}, {"count": 1}, {"count": 1}}, "normalize": false,
		"pairwise": map[string]any{"enabled": true, "per_side": 9, "judges_per_pair": 2}}
	if r := org.Do("PUT", "/api/v1/admin/judging/settings", settings); r.FieldCodes()["pairwise.per_side"] != "pairwise_per_side" {
		t.Fatalf("9 works each side of a cut = %d %s, want refused", r.Status, r.Body)
	}
	settings["pairwise"].(map[string]any)["per_side"] = 1
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
	judges, passwords = map[string]*client{}, map[string]string{}
	for _, j := range []struct{ name, email, employer string }{{"赵", "zhao", "甲研究所"}, {"钱", "qian", "省科技馆"}, {"孙", "sun", "省博物馆"}} {
		judges[j.name], _, passwords[j.name] = e.InviteJudge(org, j.email+"@judges.cn", j.name+"评委", j.employer)
	}
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	e.Clock.Set(reviewWindow)
	rank := map[string]int{}
	for i, w := range works {
		rank[w] = i
	}
	for _, c := range judges {
		var q struct{ Items []struct{ ID string } }
		c.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
		for _, it := range q.Items {
			c.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+it.ID+"/review",
				map[string]any{"scores": map[string]float64{"theme": float64(90 - 10*rank[it.ID])}, "submit": true})
		}
	}
	if r := org.Do("POST", "/api/v1/admin/pairwise/start", nil); r.Status != http.StatusConflict {
		t.Errorf("start before judging is closed = %d, want 409", r.Status)
	}
	org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
	return org, works, judges, passwords
}

// TestPairwise_JudgesCompareAtTheCutsAndTheDeskFlagsDisagreement runs the pairwise check end to
// end: the organizer starts it, judges free of conflicts compare the pairs at the three cuts
// through the API and the compare page, and the desk shows the fit with the pair where the
// judges disagree with the rubric flagged — the awards unchanged.
func TestPairwise_JudgesCompareAtTheCutsAndTheDeskFlagsDisagreement(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org, works, judges, _ := pairwiseContest(t, e)
		title := map[string]string{}
		for i, w := range works {
			title[pairwiseTitles[i]] = w
		}

		var started pairwiseResult
		org.Must(http.StatusOK, "POST", "/api/v1/admin/pairwise/start", nil).JSON(t, &started)
		if !started.Started || len(started.Pairs) != 3 || started.Comparisons != 6 || started.Short != 0 {
			t.Fatalf("started %+v, want 3 pairs (一/二, 二/三, 三/未获奖) × 2 judges", started)
		}
		if r := org.Do("POST", "/api/v1/admin/pairwise/start", nil); r.Status != http.StatusConflict {
			t.Errorf("second start = %d, want 409", r.Status)
		}

		// The judges choose: the rubric's order, except 稻浪/星火 (二/三), where both choose 星火.
		compared := 0
		for name, c := range judges {
			if got := c.Messages().ofKind("pairwise_assigned"); len(got) != 1 || !strings.Contains(got[0].Subject, "成对比较复核") {
				t.Errorf("judge %s is told of their pairs by %+v", name, got)
			}
			r := c.Must(http.StatusOK, "GET", "/api/v1/judge/pairs", nil)
			for _, p := range personalOfPairs {
				if strings.Contains(string(r.Body), p) {
					t.Fatalf("judge %s's pairs show %q:\n%s", name, p, r.Body)
				}
			}
			var q struct{ Items []pairTask }
			r.JSON(t, &q)
			for _, p := range q.Items {
				if name == "赵" && (p.A.Title == "量子之光" || p.B.Title == "量子之光") {
					t.Errorf("the judge from 甲研究所 compares its work 量子之光")
				}
				if len(c.Fetch(p.A.VideoURL)) < 1000 {
					t.Errorf("the video of %s does not play", p.A.Title)
				}
				choice := "a"
				if better(p.B.Title, p.A.Title) {
					choice = "b"
				}
				c.Must(http.StatusOK, "PUT", "/api/v1/judge/pairs/"+p.ID, map[string]string{"choice": choice, "reason": "更有感染力"})
				compared++
			}
		}
		if compared != 6 {
			t.Fatalf("%d comparisons made, want 6", compared)
		}

		var res pairwiseResult
		org.Must(http.StatusOK, "GET", "/api/v1/admin/pairwise", nil).JSON(t, &res)
		if res.Decided != 6 || res.Disagreements != 1 {
			t.Fatalf("results %+v, want 6 decided, 1 disagreement", res)
		}
		for _, p := range res.Pairs {
			flagged := p.Upper.Title == "稻浪" && p.Lower.Title == "星火"
			if p.Disagree != flagged || flagged && (p.LowerWins != 2 || p.PLower <= 0.5 || p.Lower.Strength <= p.Upper.Strength) {
				t.Errorf("pair %s/%s: %+v, want flagged only 稻浪/星火", p.Upper.Title, p.Lower.Title, p)
			}
		}

		doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging", nil))
		row := doc.Find("#pairwise-pairs tr.disagree")
		if row.Length() != 1 || row.AttrOr("data-upper", "") != title["稻浪"] || !strings.Contains(row.Text(), "成对比较与评分排名不一致") {
			t.Errorf("desk's flagged rows: %d %q", row.Length(), row.Text())
		}
		var awards struct {
			Items []struct{ ID, Final string }
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/awards", nil).JSON(t, &awards)
		for _, a := range awards.Items {
			if a.ID == title["稻浪"] && a.Final != "second" || a.ID == title["星火"] && a.Final != "third" {
				t.Errorf("the check changed an award: %+v", a)
			}
		}
		var audit auditList
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit?entity=pairwise", nil).JSON(t, &audit)
		actions := map[string]int{}
		for _, it := range audit.Items {
			actions[it.Action]++
		}
		if actions["start"] != 1 || actions["compare"] != 6 {
			t.Errorf("audit of the check: %v", actions)
		}

		// Once the awards are confirmed, the choices are final.
		org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
		var q struct{ Items []pairTask }
		judges["钱"].Must(http.StatusOK, "GET", "/api/v1/judge/pairs", nil).JSON(t, &q)
		if r := judges["钱"].Do("PUT", "/api/v1/judge/pairs/"+q.Items[0].ID, map[string]string{"choice": "a"}); r.Status != http.StatusConflict {
			t.Errorf("a choice after the awards are confirmed = %d, want 409", r.Status)
		}
	})
}

// better is the judges' view in the end-to-end test: the rubric's order, but 星火 over 稻浪.
func better(x, y string) bool {
	order := map[string]int{"量子之光": 0, "星火": 1, "稻浪": 2, "晨钟": 3}
	return order[x] < order[y]
}

// TestPairwise_ComparePageIsBlindAndSavesTheChoice: the judge's home lists the pairs, the
// compare page shows both works with nothing of their contestants, refuses a form without a
// choice and saves one.
func TestPairwise_ComparePageIsBlindAndSavesTheChoice(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org, _, judges, _ := pairwiseContest(t, e)
	org.Must(http.StatusSeeOther, "POST", "/admin/judging/pairwise", url.Values{})
	j := judges["钱"]
	home := mustDoc(t, j.Must(http.StatusOK, "GET", "/judge", nil))
	link := home.Find("#pair-list a").First().AttrOr("href", "")
	if link == "" {
		t.Fatal("the judge's home lists no pair")
	}
	page := j.Must(http.StatusOK, "GET", link, nil)
	for _, p := range personalOfPairs {
		if strings.Contains(string(page.Body), p) {
			t.Fatalf("the compare page shows %q", p)
		}
	}
	doc := mustDoc(t, page)
	if doc.Find(".pair-side video").Length() != 2 || doc.Find(`input[name="choice"]`).Length() != 2 {
		t.Errorf("compare page: %d videos, %d choices", doc.Find(".pair-side video").Length(), doc.Find(`input[name="choice"]`).Length())
	}
	if r := j.Do("POST", link, url.Values{"reason": {"难以取舍"}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(r.Body), "请选择您认为更好的一件作品") {
		t.Errorf("a form without a choice = %d", r.Status)
	}
	j.Must(http.StatusSeeOther, "POST", link, url.Values{"choice": {"b"}, "reason": {"立意更深"}})
	if doc := mustDoc(t, j.Must(http.StatusOK, "GET", link, nil)); doc.Find("#choose-b[checked]").Length() != 1 {
		t.Error("the saved choice is not shown again")
	}
}

// TestPairwise_SettingsPageTurnsTheCheckOn: the settings form offers the check with its two
// numbers, refuses a number out of range with the field's message, and saves it.
func TestPairwise_SettingsPageTurnsTheCheckOn(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	form := func(perSide string) url.Values {
		return url.Values{"name_0": {"创意"}, "max_0": {"100"}, "weight_0": {"100"}, "reviews_per_work": {"3"},
			"quota_0": {"1"}, "quota_1": {"2"}, "quota_2": {"3"}, "pairwise": {"1"}, "pairwise_per_side": {perSide}, "pairwise_judges": {"3"}}
	}
	doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging/settings", nil))
	if doc.Find("#pairwise-on[checked]").Length() != 0 || doc.Find(`input[name="pairwise_per_side"]`).AttrOr("value", "") != "2" {
		t.Errorf("the check is on by default, or the form offers no default of 2 works a side")
	}
	r := org.Do("POST", "/admin/judging/settings", form("0"))
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "分界两侧参加比较的作品数须在1到5之间") {
		t.Errorf("0 works a side = %d", r.Status)
	}
	org.Must(http.StatusSeeOther, "POST", "/admin/judging/settings", form("3"))
	var got struct{ Pairwise map[string]any }
	org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &got)
	if got.Pairwise["enabled"] != true || got.Pairwise["per_side"] != 3.0 || got.Pairwise["judges_per_pair"] != 3.0 {
		t.Errorf("saved %v", got.Pairwise)
	}
	if doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging", nil)); !strings.Contains(doc.Find("#pairwise").Text(), "结束评审、排名确定后") {
		t.Error("the desk does not say when the check can start")
	}
}

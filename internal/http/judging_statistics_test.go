package http_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// pointsFor are criterion points whose weighted total on the default rubric is the key.
var pointsFor = map[int]map[string]float64{
	90: {"theme": 27, "orientation": 18, "timeliness": 23, "artistry": 22},
	80: {"theme": 24, "orientation": 16, "timeliness": 20, "artistry": 20},
	70: {"theme": 21, "orientation": 14, "timeliness": 18, "artistry": 17},
	50: {"theme": 15, "orientation": 10, "timeliness": 13, "artistry": 12},
}

// unstableRound enters three works, has four judges review each by two and scores them so that
// 一等奖 (one place) is decided by which judges reviewed 星辰 and 稻浪: 星辰 gets 90 from one
// judge and 70 from the other, 稻浪 80 from both; 匠心 gets 50 from both, far below. It returns
// the works' ids in that order and the judges' names.
func unstableRound(t *testing.T, e *env, org *client) (ids []string, names []string) {
	t.Helper()
	for i, title := range []string{"星辰", "稻浪", "匠心"} {
		_, id := e.SubmitWork(string(rune('a'+i))+"@example.org", workBy([]string{"省农业科学院", "东南大学", "省人民医院"}[i], title))
		org.PassFormal(id)
		ids = append(ids, id)
	}
	var settings map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &settings)
	settings["reviews_per_work"] = 2
	settings["normalize"] = false
	settings["quotas"] = []map[string]any{{"count": 1}, {"count": 0}, {"count": 0}}
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
	var judges []*client
	for i, name := range []string{"赵评委", "钱评委", "孙评委", "李评委"} {
		j, _, _ := e.InviteJudge(org, "judge"+string(rune('a'+i))+"@example.org", name, "评委单位"+name)
		judges, names = append(judges, j), append(names, name)
	}
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	e.Clock.Set(reviewWindow)
	seen := map[string]int{} // reviews of each work so far
	for _, j := range judges {
		var q struct{ Items []task }
		j.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
		for _, w := range q.Items {
			total := map[string]int{ids[0]: []int{90, 70}[seen[w.ID]], ids[1]: 80, ids[2]: 50}[w.ID]
			seen[w.ID]++
			j.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+w.ID+"/review", map[string]any{"scores": pointsFor[total], "submit": true})
		}
	}
	return ids, names
}

type rankingWithStatistics struct {
	Items []struct {
		ID       string
		Assigned int
	}
	ClosedAt   *string `json:"closed_at"`
	Statistics struct {
		Reviews     int
		Reliability []struct {
			Criterion string
			Alpha     struct{ Value *float64 }
			ICCNote   string `json:"icc_note"`
		}
		JudgeAgreement []struct{ Name, Sentence string } `json:"judge_agreement"`
		Stability      []struct {
			ID      string
			Keep    float64
			Flagged bool
		}
		Flagged []string
	}
}

// The judging desk shows the judges' agreement, names each judge with a plain sentence, flags
// the works whose 一等奖 depends on their judges, and gives exactly those works one more judge,
// reopening the closed round; the API and the scores export say the same.
func TestJudgingStatistics_FlaggedWorksGetOneMoreJudge(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		ids, names := unstableRound(t, e, org)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)

		var r rankingWithStatistics
		org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &r)
		st := r.Statistics
		if st.Reviews != 6 || len(st.Reliability) != 5 || st.Reliability[0].Criterion != "" || st.Reliability[0].Alpha.Value == nil {
			t.Errorf("statistics %+v: want 6 reviews, α of the total then of 4 criteria", st)
		}
		if !strings.HasPrefix(st.Reliability[0].ICCNote, "不适用") {
			t.Errorf("ICC note %q: each work has other judges, so ICC does not apply", st.Reliability[0].ICCNote)
		}
		if len(st.JudgeAgreement) != 4 || !slices.Contains(names, st.JudgeAgreement[0].Name) || !strings.HasPrefix(st.JudgeAgreement[0].Sentence, "该评委") {
			t.Errorf("judges' lines %+v: want the four judges by name with a sentence", st.JudgeAgreement)
		}
		flagged := slices.Sorted(slices.Values(st.Flagged))
		if want := slices.Sorted(slices.Values(ids[:2])); !slices.Equal(flagged, want) {
			t.Fatalf("flagged %v, want 星辰 and 稻浪 %v", flagged, want)
		}

		doc := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging", nil))
		if n := doc.Find("#reliability tbody tr").Length(); n != 5 {
			t.Errorf("%d reliability rows on the page, want 5", n)
		}
		if got := doc.Find("#judge-agreement tbody tr").First().Find("th").Text(); !slices.Contains(names, got) {
			t.Errorf("first judge line names %q", got)
		}
		var unstable []string
		doc.Find("#unstable-works tbody tr").Each(func(_ int, s *goquery.Selection) { unstable = append(unstable, s.AttrOr("data-id", "")) })
		if slices.Sort(unstable); !slices.Equal(unstable, flagged) {
			t.Errorf("unstable works on the page %v, want %v", unstable, flagged)
		}
		if n := doc.Find(`#ranking tr[data-id="` + ids[0] + `"] .unstable`).Length(); n != 1 {
			t.Errorf("星辰's ranking line has %d 不稳定 marks, want 1", n)
		}
		if n := doc.Find(`#ranking tr[data-id="` + ids[2] + `"] .unstable`).Length(); n != 0 {
			t.Errorf("匠心 is marked 不稳定")
		}

		book, err := excelize.OpenReader(bytes.NewReader(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/scores", nil).Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := book.GetRows("评审统计")
		if err != nil {
			t.Fatalf("no 评审统计 sheet in the scores export: %v (sheets %v)", err, book.GetSheetList())
		}
		var alpha, unstableRows int
		for _, row := range rows {
			line := strings.Join(row, "|")
			if len(row) > 2 && row[2] == "Krippendorff α" {
				alpha++
			}
			if strings.HasPrefix(line, "评奖稳定性|") && strings.Contains(line, "不稳定") {
				unstableRows++
			}
		}
		if alpha != 5 || unstableRows != 2 {
			t.Errorf("the sheet has %d α rows and %d unstable works, want 5 and 2:\n%v", alpha, unstableRows, rows)
		}

		doc = mustDoc(t, org.Must(http.StatusOK, "POST", "/admin/judging/extra-reviews", url.Values{}))
		if got := doc.Find("#extra-result").Text(); !strings.Contains(got, "已为 2 件作品各增加一位评委") || !strings.Contains(got, "重新开启") {
			t.Errorf("result %q", got)
		}
		r = rankingWithStatistics{}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &r)
		assigned := map[string]int{}
		for _, it := range r.Items {
			assigned[it.ID] = it.Assigned
		}
		if assigned[ids[0]] != 3 || assigned[ids[1]] != 3 || assigned[ids[2]] != 2 || r.ClosedAt != nil {
			t.Errorf("assigned %v, closed %v: want one more judge for the two flagged works, judging reopened", assigned, r.ClosedAt)
		}
		var log struct {
			Items []struct{ Entity, Action string }
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &log)
		var actions []string
		for _, a := range log.Items {
			actions = append(actions, a.Entity+"/"+a.Action)
		}
		if !slices.Contains(actions, "assignment/extra_reviews") || !slices.Contains(actions, "judging/reopen_judging") {
			t.Errorf("audit log %v: want the extra reviews and the reopening", actions)
		}
		// The new reviews are still to come: pressing again adds no one.
		if res := org.Do("POST", "/api/v1/admin/judging/extra-reviews", nil); res.Status != http.StatusConflict {
			t.Errorf("a second time = %d %s, want 409", res.Status, res.Body)
		}
	})
}

package http_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// scoresOf spreads a total (0–100) over the default rubric by its weights.
func scoresOf(total float64) map[string]float64 {
	return map[string]float64{"theme": total * 0.3, "orientation": total * 0.2, "timeliness": total * 0.25, "artistry": total * 0.25}
}

// A calibration work goes to every judge, first in their queue and beside their balanced
// load; it is not ranked, awarded or published, and a severe judge's low score on it lifts
// that judge's other works in the normalized ranking.
func TestCalibration_EveryJudgeScoresItFirstItIsNotRankedAndItNormalizes(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		var ids []string
		for i, unit := range []string{"甲单位", "乙单位", "丙单位", "丁单位", "戊单位"} {
			_, id := e.SubmitWork(fmt.Sprintf("c%d@example.org", i), workBy(unit, "作品"+unit))
			org.PassFormal(id)
			ids = append(ids, id)
		}
		cal, ordinary := ids[0], ids[1:]
		var settings map[string]any
		org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &settings)
		settings["reviews_per_work"], settings["normalize"] = 1, true
		settings["quotas"] = []map[string]any{{"count": 1}, {"count": 1}, {"count": 1}}
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
		severe, severeID, _ := e.InviteJudge(org, "severe@example.org", "严评委", "省科技馆")
		lenient, lenientID, _ := e.InviteJudge(org, "lenient@example.org", "宽评委", "市科协")

		if r := org.Do("PUT", "/api/v1/admin/judging/calibration", map[string]any{"work_ids": ids[:4]}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("four calibration works = %d, want 422", r.Status)
		}
		if r := org.Do("PUT", "/api/v1/admin/judging/calibration", map[string]any{"work_ids": []string{"nope"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("an unknown work as calibration = %d, want 422", r.Status)
		}
		if r := severe.Do("PUT", "/api/v1/admin/judging/calibration", map[string]any{"work_ids": []string{cal}}); r.Status != http.StatusForbidden {
			t.Errorf("a judge sets calibration works = %d, want 403", r.Status)
		}
		org.Must(http.StatusSeeOther, "POST", "/admin/judging/calibration", url.Values{"work_id": {cal, "", ""}})
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)

		e.Clock.Set(reviewWindow)
		seen := map[string]int{}
		for _, j := range []struct {
			c     *client
			total float64 // on the calibration work; 80 on every other
		}{{severe, 50}, {lenient, 90}} {
			var q struct {
				Items []struct {
					ID          string
					Calibration bool
				}
			}
			j.c.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
			if len(q.Items) == 0 || q.Items[0].ID != cal || !q.Items[0].Calibration {
				t.Fatalf("a judge's queue does not start with the calibration work: %+v", q.Items)
			}
			if n := len(q.Items) - 1; n != 2 {
				t.Errorf("a judge has %d ordinary works, want 2 of 4 (balanced beside the calibration work)", n)
			}
			home := mustDoc(t, j.c.Must(http.StatusOK, "GET", "/judge", nil))
			if first := home.Find("#queue tbody tr").First().Text(); !strings.Contains(first, "校准作品") {
				t.Errorf("the judge's first row does not say 校准作品: %q", first)
			}
			page := mustDoc(t, j.c.Must(http.StatusOK, "GET", "/judge/works/"+cal, nil))
			if note := page.Find("#calibration-note").Text(); !strings.Contains(note, "不参与排名") {
				t.Errorf("the calibration work's page says %q", note)
			}
			for _, it := range q.Items {
				total := 80.0
				if it.ID == cal {
					total = j.total
				} else {
					seen[it.ID]++
				}
				j.c.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+it.ID+"/review", map[string]any{"scores": scoresOf(total), "submit": true})
			}
		}
		for _, id := range ordinary {
			if seen[id] != 1 {
				t.Errorf("ordinary work %s has %d judges, want 1", id, seen[id])
			}
		}
		if r := org.Do("PUT", "/api/v1/admin/judging/calibration", map[string]any{"work_ids": []string{}}); r.Status != http.StatusConflict {
			t.Errorf("calibration works changed after scoring = %d, want 409", r.Status)
		}

		var ranking struct {
			Items []struct {
				ID       string
				Raw      float64
				Adjusted float64
				Totals   map[string]float64
			}
			Calibration []struct {
				ID     string
				Totals map[string]float64
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/ranking", nil).JSON(t, &ranking)
		if len(ranking.Items) != 4 {
			t.Fatalf("%d ranked works, want the 4 ordinary ones", len(ranking.Items))
		}
		if len(ranking.Calibration) != 1 || ranking.Calibration[0].ID != cal ||
			ranking.Calibration[0].Totals[severeID] != 50 || ranking.Calibration[0].Totals[lenientID] != 90 {
			t.Errorf("calibration in the ranking: %+v", ranking.Calibration)
		}
		// Both judges gave 80 to each of their works; the severe judge's 80 is worth more.
		for i, it := range ranking.Items {
			_, bySevere := it.Totals[severeID]
			if it.ID == cal || it.Raw != 80 || bySevere != (i < 2) || bySevere && it.Adjusted <= 80 || !bySevere && it.Adjusted >= 80 {
				t.Errorf("ranked #%d %s: raw %v adjusted %v, by the severe judge %v", i+1, it.ID, it.Raw, it.Adjusted, bySevere)
			}
		}
		desk := mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging", nil))
		if got := desk.Find("#calibration-works").Text(); !strings.Contains(got, "严评委：50.0") || !strings.Contains(got, "宽评委：90.0") {
			t.Errorf("the desk's calibration table: %q", got)
		}
		if desk.Find(`#ranking tr[data-id="`+cal+`"]`).Length() != 0 || desk.Find("#calibration-form").Length() != 0 {
			t.Error("the calibration work is ranked on the desk, or its choice is still offered after scoring")
		}

		book, err := excelize.OpenReader(bytes.NewReader(org.Must(http.StatusOK, "GET", "/admin/exports/sheets/scores", nil).Body))
		if err != nil {
			t.Fatalf("the scores export is not a workbook: %v", err)
		}
		defer book.Close()
		rows := mustRows(t, book, "评分明细")
		calRows := 0
		for _, row := range rows {
			if len(row) > 2 && row[0] == "校准" {
				calRows++
			}
		}
		if calRows != 2 || len(rows) != 1+4+2 {
			t.Errorf("the scores export has %d rows, %d of them 校准, want 4 ranked reviews and 2 calibration ones: %v", len(rows)-1, calRows, rows)
		}

		org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publicity", nil)
		e.Clock.Set(afterPublicity)
		org.Must(http.StatusOK, "POST", "/api/v1/admin/publication/publish", nil)
		for _, path := range []string{"/api/v1/results", "/results", "/showcase"} {
			if r := e.Client().Do("GET", path, nil); strings.Contains(string(r.Body), cal) {
				t.Errorf("GET %s shows the calibration work", path)
			}
		}
	})
}

// 回避 on a calibration work takes it out of the judge's queue, and gives it to nobody else:
// every other judge has it already.
func TestCalibration_AConflictRemovesItWithoutAReplacement(t *testing.T) {
	ffmpegtest.Require(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		org := e.Organizer()
		var ids []string
		for i, unit := range []string{"甲单位", "乙单位", "丙单位"} {
			_, id := e.SubmitWork(fmt.Sprintf("c%d@example.org", i), workBy(unit, "作品"+unit))
			org.PassFormal(id)
			ids = append(ids, id)
		}
		var settings map[string]any
		org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(t, &settings)
		settings["reviews_per_work"] = 1
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
		a, _, _ := e.InviteJudge(org, "a@example.org", "甲评委", "省科技馆")
		b, _, _ := e.InviteJudge(org, "b@example.org", "乙评委", "市科协")
		org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/calibration", map[string]any{"work_ids": []string{ids[0]}})
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
		e.Clock.Set(reviewWindow)
		queue := func(c *client) []string {
			var q struct{ Items []struct{ ID string } }
			c.Must(http.StatusOK, "GET", "/api/v1/judge/works", nil).JSON(t, &q)
			var out []string
			for _, it := range q.Items {
				out = append(out, it.ID)
			}
			return out
		}
		before := len(queue(b))
		a.Must(http.StatusNoContent, "POST", "/api/v1/judge/works/"+ids[0]+"/conflict", map[string]string{"reason": "作者是我的学生"})
		if q := queue(a); slices.Contains(q, ids[0]) || len(q) != 1 {
			t.Errorf("after 回避 the judge's queue is %v, want their one ordinary work", q)
		}
		if q := queue(b); len(q) != before || q[0] != ids[0] {
			t.Errorf("the other judge's queue changed to %v (had %d works)", q, before)
		}
		org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
		if q := queue(a); slices.Contains(q, ids[0]) {
			t.Errorf("a new assignment gives the judge back the calibration work they declined: %v", q)
		}
	})
}

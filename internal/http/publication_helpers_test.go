package http_test

import (
	"fmt"
	"net/http"
	"time"
)

// afterPublicity is past the end of a 5-day 公示 started in the review window (5月22日): the
// days count from the next day, so it ends at midnight before 5月28日.
var afterPublicity = time.Date(2022, 5, 28, 2, 0, 0, 0, time.UTC)

// ConfirmAwards enters the works (one contestant each), passes them at formal review, has one
// judge score them so that they rank in the order given, closes judging and confirms awards
// with one 一/二/三等奖 each: the first three works win, in order. The clock is left in the
// review window. It returns the contestants and the works' ids.
func (e *env) ConfirmAwards(org *client, works ...map[string]any) ([]*client, []string) {
	e.t.Helper()
	var owners []*client
	var ids []string
	for i, in := range works {
		c, id := e.SubmitWork(fmt.Sprintf("owner%d@example.org", i), in)
		org.PassFormal(id)
		owners, ids = append(owners, c), append(ids, id)
	}
	e.ScoreInOrder(org, ids, func(settings map[string]any) {
		settings["quotas"] = []map[string]any{{"count": 1}, {"count": 1}, {"count": 1}}
	})
	org.Must(http.StatusOK, "POST", "/api/v1/admin/judging/close", nil)
	org.Must(http.StatusOK, "POST", "/api/v1/admin/awards/confirm", nil)
	return owners, ids
}

// ScoreInOrder has the organizer change the judging settings (tune), invite one judge and
// assign the works, and the judge score them so that they rank in the order given. The clock
// is left in the review window.
func (e *env) ScoreInOrder(org *client, ids []string, tune func(settings map[string]any)) {
	e.t.Helper()
	var settings map[string]any
	org.Must(http.StatusOK, "GET", "/api/v1/admin/judging/settings", nil).JSON(e.t, &settings)
	tune(settings)
	org.Must(http.StatusOK, "PUT", "/api/v1/admin/judging/settings", settings)
	judge, _, _ := e.InviteJudge(org, "judge@example.org", "王评委", "省科技馆")
	org.Must(http.StatusOK, "POST", "/api/v1/admin/assignments/run", nil)
	e.Clock.Set(reviewWindow)
	for i, id := range ids {
		p := float64(i)
		scores := map[string]float64{"theme": 29 - p, "orientation": 19 - p, "timeliness": 24 - p, "artistry": 24 - p}
		judge.Must(http.StatusOK, "PUT", "/api/v1/judge/works/"+id+"/review", map[string]any{"scores": scores, "submit": true})
	}
}

// workOf is validInput with another title, employer and address.
func workOf(title, employer, address string) map[string]any {
	in := validInput()
	reg := in["registration"].(map[string]any)
	reg["title"], reg["employer"], reg["address"] = title, employer, address
	return in
}

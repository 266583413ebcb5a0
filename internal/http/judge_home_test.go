package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// /judge is a judge's home, the queue, where a judge is sent after signing in and from the
// navigation; everyone else gets a clear answer instead of a 404.
func TestJudgeHome_IsTheQueueAtJudge(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	judge, _, password := e.InviteJudge(org, "wang.judge@example.org", "王评", "东南大学")

	doc := mustDoc(t, judge.Must(http.StatusOK, "GET", "/judge", nil))
	if doc.Find("#judge-home").Length() != 1 {
		t.Fatal("/judge is not the judge's queue")
	}
	if href, _ := doc.Find(`header nav a:contains("评审")`).Attr("href"); href != "/judge" {
		t.Errorf("the judge's navigation link goes to %q, want /judge", href)
	}
	// The home page offers a judge the review, not a contestant's buttons.
	home := mustDoc(t, judge.Must(http.StatusOK, "GET", "/", nil))
	if href, _ := home.Find("main a.button").First().Attr("href"); href != "/judge" || home.Find(`main a[href="/submissions/new"], main a[href="/my"]`).Length() != 0 {
		t.Errorf("a judge's home page offers %q, want only 进入评审 (/judge)", home.Find("main a.button").Text())
	}
	if loc := judge.Must(http.StatusSeeOther, "GET", "/my", nil).Header.Get("Location"); loc != "/judge" {
		t.Errorf("a judge's /my goes to %q, want /judge", loc)
	}
	// Signing in without a page to go back to lands on the queue.
	again := e.Client()
	form := url.Values{"email": {"wang.judge@example.org"}, "password": {password}}
	if loc := again.Must(http.StatusSeeOther, "POST", "/login", form).Header.Get("Location"); loc != "/judge" {
		t.Errorf("a judge signing in goes to %q, want /judge", loc)
	}

	if loc := org.Must(http.StatusSeeOther, "GET", "/judge", nil).Header.Get("Location"); loc != "/admin/judging" {
		t.Errorf("an organizer's /judge goes to %q, want the judging desk", loc)
	}
	r := e.Client().SignUp("zhou@example.org").Do("GET", "/judge", nil)
	if r.Status != http.StatusForbidden || !strings.Contains(mustDoc(t, r).Find("main h1").Text(), "仅供评委使用") {
		t.Errorf("a contestant's /judge = %d %.300s, want 403 saying it is for judges", r.Status, r.Body)
	}
	if loc := e.Client().Must(http.StatusSeeOther, "GET", "/judge", nil).Header.Get("Location"); loc != "/login?next=%2Fjudge" {
		t.Errorf("an anonymous /judge goes to %q, want the sign-in and back", loc)
	}
}

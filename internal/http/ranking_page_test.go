package http_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// Closing a round where every work has its reviews shows no empty "评审数不足" box, and each
// work's 调整 dropdown starts on the tier it has now, also after a move.
func TestRankingPage_NoEmptyShortBoxAndDropdownsOnTheCurrentTier(t *testing.T) {
	ffmpegtest.Require(t)
	e := MustEnv(t, "sqlite+localfs")
	org := e.Organizer()
	var ids []string
	for i, title := range []string{"量子之光", "稻浪"} {
		_, id := e.SubmitWork([]string{"a@example.org", "b@example.org"}[i], workBy([]string{"甲单位", "乙单位"}[i], title))
		org.PassFormal(id)
		ids = append(ids, id)
	}
	e.ScoreInOrder(org, ids, func(settings map[string]any) {
		settings["reviews_per_work"] = 1
		settings["quotas"] = []map[string]any{{"count": 1}, {"count": 1}, {"count": 0}}
	})

	doc := mustDoc(t, org.Must(http.StatusOK, "POST", "/admin/judging/close", url.Values{}))
	if doc.Find("#short-works").Length() != 0 {
		t.Errorf("an empty 评审数不足 box is shown: %q", doc.Find("#short-works").Text())
	}
	selected := func(doc *goquery.Document) map[string]string {
		out := map[string]string{}
		doc.Find("#ranking tbody tr").Each(func(_ int, tr *goquery.Selection) {
			out[tr.AttrOr("data-id", "")] = tr.Find(`select[name="tier"] option[selected]`).AttrOr("value", "")
		})
		return out
	}
	if got := selected(doc); got[ids[0]] != "first" || got[ids[1]] != "second" {
		t.Errorf("dropdowns start on %v, want first and second", got)
	}
	org.Must(http.StatusSeeOther, "POST", "/admin/awards/"+ids[1], url.Values{"tier": {"none"}, "reason": {"与往届作品雷同"}})
	doc = mustDoc(t, org.Must(http.StatusOK, "GET", "/admin/judging", nil))
	if got := selected(doc); got[ids[0]] != "first" || got[ids[1]] != "none" {
		t.Errorf("after the move the dropdowns start on %v, want first and none", got)
	}
}

package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
)

func TestSubmission_DraftIsSavedAndShownToItsOwner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		if s.Status != "draft" {
			t.Fatalf("new submission status = %q, want draft", s.Status)
		}
		var got submission
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &got)
		if got.Registration["title"] != "实验室里的创新誓言" || got.Registration["contact_id_number"] != idZhang || got.Registration["mobile"] != "13800138000" {
			t.Fatalf("owner sees %v", got.Registration)
		}
		if len(got.Participants) != 2 || got.Participants[1].Employer != "南京大学" || got.Participants[0].Employer != "" {
			t.Fatalf("participants = %+v (an empty employer means the work's and stays empty)", got.Participants)
		}
		var list struct{ Items []submission }
		c.Must(http.StatusOK, "GET", "/api/v1/submissions", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Registration["contact_id_number"] != "" || list.Items[0].Registration["contact_id_masked"] != "1101**********002X" {
			t.Fatalf("list shows %+v; want one item, masked only", list.Items)
		}
	})
}

func TestSubmission_InvalidFieldsAreRefusedWithACodePerField(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		in := validInput()
		reg := in["registration"].(map[string]any)
		reg["contact_id_number"] = "110105194912310021" // wrong check character
		reg["mobile"] = "1380013800"
		reg["postal_code"] = "21001"
		reg["email"] = "not-an-email"
		in["participants"].([]map[string]any)[1]["id_number"] = "110105194902300011" // 2月30日
		r := c.Do("POST", "/api/v1/submissions", in)
		if r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != "invalid" {
			t.Fatalf("status %d code %q, want 422 invalid: %s", r.Status, r.ErrorCode(), r.Body)
		}
		want := map[string]string{
			"contact_id_number": "id_checksum", "mobile": "mobile_format", "postal_code": "postal_code_format",
			"email": "email_format", "participants.1.id_number": "id_birthdate",
		}
		if diff := cmp.Diff(want, r.FieldCodes()); diff != "" {
			t.Errorf("field codes (-want +got):\n%s", diff)
		}
		if !strings.Contains(string(r.Body), "校验位") {
			t.Errorf("no Chinese message for the checksum: %s", r.Body)
		}
		var list struct{ Items []submission }
		c.Must(http.StatusOK, "GET", "/api/v1/submissions", nil).JSON(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("an invalid form was saved: %+v", list.Items)
		}
	})
}

func TestSubmission_InputIsNormalized(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		in := validInput()
		reg := in["registration"].(map[string]any)
		reg["contact_id_number"] = " １１０１０５１９４９１２３１００２ｘ "
		reg["mobile"] = "+86 138-0013-8000"
		reg["title"] = "  实验室里的创新誓言\u3000"
		s := c.Create(in)
		got := map[string]string{"id": s.Registration["contact_id_number"], "mobile": s.Registration["mobile"], "title": s.Registration["title"]}
		want := map[string]string{"id": idZhang, "mobile": "13800138000", "title": "实验室里的创新誓言"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("normalized (-want +got):\n%s", diff)
		}
	})
}

func TestSubmission_DraftMayBeIncompleteButCannotBeFinal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(map[string]any{"registration": map[string]any{"title": "未完成的作品"}})
		r := c.Do("POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		if r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != "incomplete" {
			t.Fatalf("finalize incomplete = %d %s", r.Status, r.Body)
		}
		if codes := r.FieldCodes(); codes["lead_name"] != "required" || codes["participants"] != "participants_required" {
			t.Errorf("missing fields = %v", codes)
		}
		r = c.Do("POST", "/api/v1/submissions", map[string]any{"registration": map[string]any{"description": "没有标题"}})
		if r.FieldCodes()["title"] != "required" {
			t.Errorf("a draft without title was accepted: %d %s", r.Status, r.Body)
		}
	})
}

func TestSubmission_FinalOnlyWhenEveryParticipantConsented(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		p0, p1 := s.Participants[0], s.Participants[1]
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/participants/"+p0.ID+"/consent",
			map[string]any{"name": "张三", "id_number": idZhang, "agreed": true})
		r := c.Do("POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
		if r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["participants.1.consent"] != "consent_missing" {
			t.Fatalf("finalize with one consent missing = %d %s", r.Status, r.Body)
		}
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/participants/"+p1.ID+"/consent",
			map[string]any{"name": "李四", "id_number": idLi, "agreed": true})
		c.UploadAccepted(s.ID)
		var done submission
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil).JSON(t, &done)
		if done.Status != "submitted" || len(done.Missing) != 0 {
			t.Fatalf("after all consents: %+v", done)
		}
	})
}

func TestConsent_ThroughTheLinkWithoutAnAccount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		owner := e.Client().SignUp("zhang@example.org")
		s := owner.Create(nil)
		link := s.Participants[1].ConsentURL
		if link == "" {
			t.Fatal("owner gets no consent link")
		}
		path := strings.TrimPrefix(link, e.Server.URL)
		api := "/api/v1" + path
		li := e.Client() // 李四 on their own phone, not signed in
		r := li.Must(http.StatusOK, "GET", api, nil)
		if strings.Contains(string(r.Body), idLi) || strings.Contains(string(r.Body), idZhang) || !strings.Contains(string(r.Body), "公益性科普宣传") {
			t.Fatalf("consent page data leaks a number or lacks the text: %s", r.Body)
		}
		for _, tc := range []struct {
			body map[string]any
			code string
		}{
			{map[string]any{"name": "李四", "id_number": idWang, "agreed": true}, "id_mismatch"},
			{map[string]any{"name": "李五", "id_number": idLi, "agreed": true}, "name_mismatch"},
			{map[string]any{"name": "李四", "id_number": idLi, "agreed": false}, "consent_required"},
		} {
			r := li.Do("POST", api, tc.body)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), tc.code) {
				t.Errorf("consent %v = %d %s, want %s", tc.body, r.Status, r.Body, tc.code)
			}
		}
		li.Must(http.StatusOK, "POST", api, map[string]any{"name": "李四", "id_number": strings.ToLower(idLi), "agreed": true})

		var got submission
		owner.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &got)
		if got.Participants[1].Consent == nil || !got.Participants[1].Consent.At.Equal(inWindow) {
			t.Fatalf("consent not recorded with the server time: %+v", got.Participants[1].Consent)
		}
		if li.Do("GET", "/api/v1/consent/not-a-token", nil).Status != http.StatusNotFound {
			t.Error("a forged consent link is answered")
		}
	})
}

func TestSubmission_EditingNameOrNumberOrTitleAsksForConsentAgain(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.ConsentAll(s)
		c.UploadAccepted(s.ID)
		var final submission
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil).JSON(t, &final)

		// Unrelated edit: consents stay, the work stays submitted.
		in := validInput()
		in["registration"].(map[string]any)["address"] = "南京市鼓楼区湖北路85号"
		parts := in["participants"].([]map[string]any)
		parts[0]["id"], parts[1]["id"] = s.Participants[0].ID, s.Participants[1].ID
		var got submission
		in["version"] = final.Version
		c.Must(http.StatusOK, "PUT", "/api/v1/submissions/"+s.ID, in).JSON(t, &got)
		if got.Status != "submitted" || got.Participants[0].Consent == nil || got.Participants[1].Consent == nil {
			t.Fatalf("unrelated edit dropped consent or status: %+v", got)
		}
		// 李四's number changes: only 李四 signs again, and the work is a draft again.
		parts[1]["id_number"] = idWang
		in["version"] = got.Version
		got = submission{} // decode afresh: absent consents must read as nil
		c.Must(http.StatusOK, "PUT", "/api/v1/submissions/"+s.ID, in).JSON(t, &got)
		if got.Status != "draft" || got.Participants[0].Consent == nil || got.Participants[1].Consent != nil {
			t.Fatalf("after changing 李四's number: status %s, consents %v %v", got.Status, got.Participants[0].Consent, got.Participants[1].Consent)
		}
		// New title: everyone signs again.
		in["registration"].(map[string]any)["title"] = "新标题"
		in["version"] = got.Version
		got = submission{}
		c.Must(http.StatusOK, "PUT", "/api/v1/submissions/"+s.ID, in).JSON(t, &got)
		if got.Participants[0].Consent != nil {
			t.Fatal("title change kept a consent given for the old title")
		}
	})
}

func TestDeadline_IsEndOfDayInShanghaiWhateverTheServerZone(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		lastSecond := time.Date(2022, 5, 20, 15, 59, 59, 0, time.UTC) // 23:59:59 in Beijing
		e.Clock.Set(lastSecond)
		in := validInput()
		in["registration"].(map[string]any)["title"] = "最后一秒的修改"
		parts := in["participants"].([]map[string]any)
		parts[0]["id"], parts[1]["id"] = s.Participants[0].ID, s.Participants[1].ID
		in["version"] = s.Version
		c.Must(http.StatusOK, "PUT", "/api/v1/submissions/"+s.ID, in)
		in["version"] = s.Version + 1

		e.Clock.Set(lastSecond.Add(time.Second)) // 00:00:00 on 5月21日 in Beijing
		in["registration"].(map[string]any)["title"] = "太晚了"
		for _, r := range []response{
			c.Do("PUT", "/api/v1/submissions/"+s.ID, in),
			c.Do("POST", "/api/v1/submissions", validInput()),
			c.Do("POST", "/api/v1/submissions/"+s.ID+"/finalize", nil),
			c.Do("POST", "/api/v1/submissions/"+s.ID+"/participants/"+s.Participants[0].ID+"/consent", map[string]any{"name": "张三", "id_number": idZhang, "agreed": true}),
			c.Do("DELETE", "/api/v1/submissions/"+s.ID, nil),
		} {
			if r.Status != http.StatusForbidden || r.ErrorCode() != "deadline_passed" || !strings.Contains(string(r.Body), "截止") {
				t.Errorf("after the deadline: %d %s", r.Status, r.Body)
			}
		}
		var got submission
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &got)
		if got.Registration["title"] != "最后一秒的修改" || len(got.Participants) != 2 {
			t.Fatalf("saved draft changed or lost after the deadline: %+v", got.Registration)
		}
		e.Clock.Set(time.Date(2022, 5, 9, 15, 59, 59, 0, time.UTC)) // 23:59:59 on 5月9日 in Beijing
		if r := c.Do("POST", "/api/v1/submissions", validInput()); r.ErrorCode() != "not_open" {
			t.Errorf("before the window: %d %s", r.Status, r.Body)
		}
	})
}

func TestSubmission_AStaleFormCannotUndoAParticipantOrAConsent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		stale := validInput() // tab 1: the form as it was opened
		parts := stale["participants"].([]map[string]any)
		parts[0]["id"], parts[1]["id"] = s.Participants[0].ID, s.Participants[1].ID
		stale["version"] = s.Version

		// Tab 2: add 王五 and everyone signs.
		fresh := validInput()
		fresh["participants"] = append(parts[:2:2], map[string]any{"name": "王五", "id_number": idWang})
		fresh["version"] = s.Version
		var now submission
		c.Must(http.StatusOK, "PUT", "/api/v1/submissions/"+s.ID, fresh).JSON(t, &now)
		c.ConsentAll(now)

		// Tab 1 saves: refused, and nothing is lost.
		if r := c.Do("PUT", "/api/v1/submissions/"+s.ID, stale); r.Status != http.StatusConflict || r.ErrorCode() != "conflict" {
			t.Fatalf("stale save = %d %s", r.Status, r.Body)
		}
		var got submission
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &got)
		if len(got.Participants) != 3 || got.Participants[2].Consent == nil {
			t.Fatalf("after the stale save: %+v", got.Participants)
		}
	})
}

func TestConsent_ALinkOpenedBeforeAnEditDoesNotSignForSomeoneElse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		ctx := context.Background()
		target, err := e.Svc.Registration.ConsentByToken(ctx, strings.TrimPrefix(s.Participants[1].ConsentURL, e.Server.URL+"/consent/"))
		if err != nil {
			t.Fatal(err)
		}
		// The owner replaces 李四 by 王五 in the same row while 李四 has the page open.
		in := validInput()
		parts := in["participants"].([]map[string]any)
		parts[0]["id"], parts[1]["id"] = s.Participants[0].ID, s.Participants[1].ID
		parts[1]["name"], parts[1]["id_number"] = "王五", idWang
		in["version"] = s.Version
		c.Must(http.StatusOK, "PUT", "/api/v1/submissions/"+s.ID, in)

		_, err = e.Svc.Registration.GiveConsent(ctx, target, contest.ConsentInput{Name: "李四", IDNumber: idLi, Agreed: true}, false)
		if contest.ErrorCode(err) != contest.EConflict {
			t.Fatalf("consent from a page loaded before the edit: %v, want conflict", err)
		}
		var got submission
		c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID, nil).JSON(t, &got)
		if got.Participants[1].Consent != nil {
			t.Fatal("王五 shows as signed by 李四's consent")
		}
	})
}

// TestSubmissions_OneAccountEntersAtMostTheCap: an account cannot pile up works (each may hold
// a large open upload); deleting a draft frees its place.
func TestSubmissions_OneAccountEntersAtMostTheCap(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	e.Configure(func(o *contest.Options) { o.MaxWorks = 2 })
	c := e.Client().SignUp("zhang@example.org")
	first := c.Create(nil)
	c.Create(nil)
	r := c.Do("POST", "/api/v1/submissions", validInput())
	if r.Status != http.StatusConflict || !strings.Contains(r.ErrorMessage(), "最多报名2件作品") {
		t.Fatalf("a third work = %d %s, want 409 naming the cap", r.Status, r.Body)
	}
	other := e.Client().SignUp("li@example.org")
	other.Create(nil) // the cap is per account
	c.Must(http.StatusNoContent, "DELETE", "/api/v1/submissions/"+first.ID, nil)
	c.Create(nil)
}

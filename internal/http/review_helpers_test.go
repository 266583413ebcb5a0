package http_test

import "net/http"

// workBy is validInput with the lead creator as the only participant, from employer, titled
// title ("" keeps the default).
func workBy(employer, title string) map[string]any {
	in := validInput()
	reg := in["registration"].(map[string]any)
	reg["employer"] = employer
	if title != "" {
		reg["title"] = title
	}
	in["participants"] = []map[string]any{{"name": "张三", "id_type": "resident", "id_number": idZhang}}
	return in
}

// SubmitWork signs up a contestant and has them enter the work in (validInput when nil): every
// participant consents, an accepted video is uploaded, the work is submitted. It returns the
// contestant and the work's id.
func (e *env) SubmitWork(email string, in map[string]any) (*client, string) {
	e.t.Helper()
	if in == nil {
		in = validInput()
	}
	c := e.Client().SignUp(email)
	s := c.Create(in)
	c.ConsentAll(s)
	c.UploadAccepted(s.ID)
	c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/finalize", nil)
	return c, s.ID
}

// PassFormal has the organizer pass the work at formal review.
func (c *client) PassFormal(id string) {
	c.t.Helper()
	c.Must(http.StatusOK, "PUT", "/api/v1/admin/submissions/"+id+"/formal-review", map[string]string{"decision": "passed"})
}

// InviteJudge has the organizer org invite a judge, and returns the judge signed in, having
// replaced the one-time password with their own at the first sign-in, the judge's id and that
// password.
func (e *env) InviteJudge(org *client, email, name, employer string) (judge *client, id, password string) {
	e.t.Helper()
	var inv struct {
		Judge    struct{ ID string }
		Password string
	}
	org.Must(http.StatusCreated, "POST", "/api/v1/admin/judges", map[string]string{"email": email, "name": name, "employer": employer}).JSON(e.t, &inv)
	judge = e.Client()
	judge.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": inv.Password})
	own := "own-" + inv.Password
	judge.Must(http.StatusNoContent, "POST", "/api/v1/me/password", map[string]string{"current_password": inv.Password, "new_password": own})
	return judge, inv.Judge.ID, own
}

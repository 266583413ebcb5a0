package http_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/s3"
	"github.com/jskx/contest/internal/storagetest"
)

// An outage is not a bug: while the database or the storage is down, or the disk is full, the
// service answers 503 unavailable with Retry-After, saves nothing half-done, and serves again
// as soon as the part is back. A client that goes away is not a server error either.

// tcpProxy forwards a loopback port to a server. Cut drops every connection and closes the
// port, as a server that went down; Restore opens the same port again.
type tcpProxy struct {
	target, addr string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func newTCPProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{target: target, addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]bool{}}
	go p.serve(ln)
	t.Cleanup(p.Cut)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

func (p *tcpProxy) pipe(c net.Conn) {
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // cut meanwhile
		p.mu.Unlock()
		c.Close()
		u.Close()
		return
	}
	p.conns[c], p.conns[u] = true, true
	p.mu.Unlock()
	go func() { io.Copy(u, c); u.Close(); c.Close() }()
	io.Copy(c, u)
	c.Close()
	u.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, u)
	p.mu.Unlock()
}

// Cut resets every connection and refuses new ones.
func (p *tcpProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset, as from a server that died
		}
		c.Close()
	}
	clear(p.conns)
}

// Restore accepts connections on the same port again.
func (p *tcpProxy) Restore(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	var err error
	for range 50 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.ln = ln
			go p.serve(ln)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
}

// reopenDatabase restarts the env on its database opened anew at url (the same database
// through a proxy, or with other settings), as a redeploy with another CONTEST_DATABASE_URL.
func (e *env) reopenDatabase(url string) {
	e.t.Helper()
	d, err := db.Open(context.Background(), url, "", e.box, slog.New(slog.DiscardHandler))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { d.Close() })
	e.DB, e.Stores = d, d.Stores()
	e.Restart()
}

// proxiedPostgres restarts the env on its PostgreSQL database reached through a proxy.
func proxiedPostgres(t *testing.T, e *env) *tcpProxy {
	t.Helper()
	u, err := url.Parse(e.DB.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := newTCPProxy(t, u.Host)
	u.Host = p.addr
	e.reopenDatabase(u.String())
	return p
}

// sqliteLock holds SQLite's write lock from another connection (a backup, another process)
// until release is called; reads go on (WAL), writes wait for it.
func sqliteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Error(err)
			}
			conn.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// postgresLock holds an exclusive lock on a table from another connection until release is
// called: every statement on the table waits for it.
func postgresLock(t *testing.T, e *env, table string) (release func()) {
	t.Helper()
	other, err := sql.Open("pgx", e.DB.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { tx.Rollback() }) }
	t.Cleanup(release)
	return release
}

// mustUnavailable fails the test unless r is a 503 unavailable with Retry-After and a Chinese
// message containing want.
func mustUnavailable(t *testing.T, what string, r response, want string) {
	t.Helper()
	if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != contest.EUnavailable {
		t.Fatalf("%s = %d %s, want 503 unavailable", what, r.Status, r.Body)
	}
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("%s: Retry-After %q, want seconds", what, ra)
	}
	if msg := r.ErrorMessage(); !strings.Contains(msg, want) {
		t.Errorf("%s: message %q, want it to say %q", what, msg, want)
	}
}

// page GETs a page as a browser does and returns its status, Retry-After and body.
func (c *client) page(path string) (int, string, string) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.e.Server.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Retry-After"), string(b)
}

// postForm posts a page's form as a browser does and returns the status, Retry-After and page.
func (c *client) postForm(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	form.Set("_csrf", c.csrf)
	req, _ := http.NewRequest("POST", c.e.Server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Retry-After"), string(b)
}

// eventually retries check until it returns "" or the time is up, and fails with its last word.
func eventually(t *testing.T, d time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitRequestLogged waits until the log has the line of a finished request with route.
func waitRequestLogged(t *testing.T, e *env, route string) {
	t.Helper()
	eventually(t, 15*time.Second, func() string {
		for line := range strings.Lines(e.LogLines(route)) {
			if strings.Contains(line, "msg=request") {
				return ""
			}
		}
		return "the request on " + route + " was never logged:\n" + e.Log.String()
	})
}

// noServerErrors fails the test if the log has an ERROR line or a 500 for a request.
func noServerErrors(t *testing.T, e *env) {
	t.Helper()
	if lines := e.LogLines("level=ERROR", "status=500"); lines != "" {
		t.Errorf("log has server errors:\n%s", lines)
	}
}

// TestDatabaseDownAnswers503: PostgreSQL cut off mid-flight (every connection reset, the port
// closed) answers 503 unavailable with Retry-After on the API and the pages, /readyz says so,
// a sign-up tried meanwhile saves nothing, and the service serves again once the database is
// back, without a restart.
func TestDatabaseDownAnswers503(t *testing.T) {
	e := MustEnv(t, "postgres+minio")
	p := proxiedPostgres(t, e)
	c := e.Client().SignUp("zhang@example.org")
	s := c.Create(nil)
	anon := e.Client()

	p.Cut()
	for _, path := range []string{"/api/v1/contest", "/api/v1/me", "/api/v1/submissions/" + s.ID} {
		mustUnavailable(t, "GET "+path, c.Do("GET", path, nil), "系统繁忙")
	}
	mustUnavailable(t, "sign-up", anon.Do("POST", "/api/v1/auth/signup",
		map[string]string{"email": "li@example.org", "password": "secret-pass", "name": "李四"}), "系统繁忙")
	if status, retry, body := c.page("/my"); status != http.StatusServiceUnavailable || retry == "" || !strings.Contains(body, "系统繁忙") {
		t.Errorf("page /my = %d (Retry-After %q), want 503 with 系统繁忙: %.300s", status, retry, body)
	}
	if r := c.Do("GET", "/readyz", nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down = %d, want 503", r.Status)
	}
	if lines := e.LogLines("internal error"); lines != "" {
		t.Errorf("an outage was logged as an internal error:\n%s", lines)
	}

	p.Restore(t)
	eventually(t, 20*time.Second, func() string {
		if r := c.Do("GET", "/api/v1/submissions/"+s.ID, nil); r.Status != http.StatusOK {
			return fmt.Sprintf("the database is back but GET submission = %d %s", r.Status, r.Body)
		}
		return ""
	})
	// The sign-up refused during the outage left nothing behind: the same one now succeeds.
	anon.Must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]string{"email": "li@example.org", "password": "secret-pass", "name": "李四"})
	c.Must(http.StatusOK, "GET", "/readyz", nil)
}

// TestSQLiteLockedAnswers503: a write that waits for another connection's lock longer than
// the busy timeout answers 503 unavailable and saves nothing; once the lock is released the
// same write succeeds. Reads go on meanwhile.
func TestSQLiteLockedAnswers503(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	path := e.DB.URL()
	e.reopenDatabase("sqlite://" + path + "?_pragma=busy_timeout(300)")
	c := e.Client().SignUp("zhang@example.org")
	anon := e.Client()

	release := sqliteLock(t, path)
	signUp := map[string]string{"email": "li@example.org", "password": "secret-pass", "name": "李四"}
	mustUnavailable(t, "sign-up while locked", anon.Do("POST", "/api/v1/auth/signup", signUp), "系统繁忙")
	mustUnavailable(t, "new work while locked", c.Do("POST", "/api/v1/submissions", validInput()), "系统繁忙")
	// The sign-up page shows the form again with what was typed, and the message.
	status, retry, form := anon.postForm("/signup", url.Values{"email": {"wang@example.org"}, "password": {"secret-pass"}, "name": {"王五"}})
	if status != http.StatusServiceUnavailable || retry == "" || !contains(form, "系统繁忙", "wang@example.org") {
		t.Errorf("sign-up page while locked = %d (Retry-After %q), want 503 with the form and 系统繁忙: %.300s", status, retry, form)
	}
	c.Must(http.StatusOK, "GET", "/api/v1/contest", nil)

	release()
	anon.Must(http.StatusCreated, "POST", "/api/v1/auth/signup", signUp)
	c.Create(nil)
	var page struct{ Items []any }
	c.Must(http.StatusOK, "GET", "/api/v1/submissions", nil).JSON(t, &page)
	if len(page.Items) != 1 {
		t.Errorf("works after the lock: %d, want the 1 created after it (none from the refused request)", len(page.Items))
	}
}

// TestS3DownAnswers503: with the object store cut off, starting or completing an upload
// answers 503 unavailable and /readyz says so; once it is back the same upload completes with
// every byte intact.
func TestS3DownAnswers503(t *testing.T) {
	e := MustEnv(t, "postgres+minio")
	endpoint, access, secret := storagetest.MinIOConfigFromEnv(t)
	st := mustMinIO(t) // the bucket, removed at the end
	p := newTCPProxy(t, endpoint)
	ctx := context.Background()
	ps, err := s3.New(ctx, s3.Config{Endpoint: p.addr, AccessKey: access, SecretKey: secret, Bucket: st.Bucket(), MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s3.NewMultipart(ctx, ps, s3.PublicEndpoint{})
	if err != nil {
		t.Fatal(err)
	}
	e.Storage = m
	e.Restart()
	c := e.Client().SignUp("zhang@example.org")
	s := c.Create(nil)
	f := randomFile("作品.mp4", threeParts)

	p.Cut()
	start := map[string]any{"name": f.Name, "size": f.Size, "type": "video/mp4", "last_modified": f.LastModified}
	mustUnavailable(t, "start upload", c.Do("POST", "/api/v1/submissions/"+s.ID+"/video/uploads", start), "文件存储")
	if r := c.Do("GET", "/readyz", nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with storage down = %d, want 503", r.Status)
	}

	p.Restore(t)
	u := c.StartUpload(s.ID, f)
	c.SendParts(u, f, 1, 2, 3)
	p.Cut()
	mustUnavailable(t, "complete", c.Complete(u, f), "文件存储")

	p.Restore(t)
	c.Must(http.StatusOK, "GET", "/readyz", nil)
	if r := c.Complete(u, f); r.Status != http.StatusOK {
		t.Fatalf("complete once storage is back = %d %s", r.Status, r.Body)
	}
	if sum, n := c.VideoSHA256(s.ID); sum != f.SHA256(t) || n != f.Size {
		t.Fatalf("stored video sha256 %s (%d bytes), uploaded %s (%d bytes)", sum, n, f.SHA256(t), f.Size)
	}
	if lines := e.LogLines("internal error"); lines != "" {
		t.Errorf("an outage was logged as an internal error:\n%s", lines)
	}
}

// TestClientGoneIsNotAServerError: a client that gives up while its request waits (here on a
// locked table) is logged as information with status 499, never as an ERROR or a 500.
func TestClientGoneIsNotAServerError(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		// The background workers would complain of the lock this test holds; they are not
		// what it is about.
		e.stopJobs()
		var release func()
		if e.DB.Dialect() == db.SQLite {
			path := e.DB.URL()
			e.reopenDatabase("sqlite://" + path + "?_pragma=busy_timeout(2000)")
			e.stopJobs()
			release = sqliteLock(t, path)
		} else {
			release = postgresLock(t, e, "users")
		}
		anon := e.Client()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", e.Server.URL+"/api/v1/auth/signup",
			strings.NewReader(`{"email":"li@example.org","password":"secret-pass","name":"李四"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", anon.csrf)
		if res, err := anon.http.Do(req); err == nil {
			res.Body.Close()
			t.Fatalf("sign-up on a locked database answered %d within 300 ms", res.StatusCode)
		}
		waitRequestLogged(t, e, "route=/api/v1/auth/signup")
		release()
		noServerErrors(t, e)
		if e.LogLines("client went away") == "" || e.LogLines("status=499") == "" {
			t.Errorf("the client that went away is not logged as such, with status 499:\n%s", e.Log.String())
		}
		// Nothing was saved half-way: the same sign-up succeeds.
		anon.Must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]string{"email": "li@example.org", "password": "secret-pass", "name": "李四"})
	})
}

// TestClientGoneMidPartIsNotAServerError: a phone that loses its connection halfway through a
// part (local folder) is logged as information, not as an error; the part is not kept.
func TestClientGoneMidPartIsNotAServerError(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	c := e.Client().SignUp("zhang@example.org")
	s := c.Create(nil)
	f := randomFile("作品.mp4", threeParts)
	u := c.StartUpload(s.ID, f)
	targets, _ := c.Targets(u, f, 1)
	pt := targets[0]
	srv, _ := url.Parse(e.Server.URL)
	conn, err := net.Dial("tcp", srv.Host)
	if err != nil {
		t.Fatal(err)
	}
	var head strings.Builder
	head.WriteString("PUT " + pt.URL + " HTTP/1.1\r\nHost: " + srv.Host + "\r\n")
	for k, v := range pt.Headers {
		head.WriteString(k + ": " + v + "\r\n")
	}
	head.WriteString("Content-Length: " + strconv.FormatInt(u.PartSize, 10) + "\r\nX-CSRF-Token: " + c.csrf + "\r\nCookie: ")
	for i, ck := range c.http.Jar.Cookies(srv) {
		if i > 0 {
			head.WriteString("; ")
		}
		head.WriteString(ck.Name + "=" + ck.Value)
	}
	head.WriteString("\r\n\r\n")
	conn.Write([]byte(head.String()))
	conn.Write(f.Part(u, 1)[:u.PartSize/2])
	time.Sleep(200 * time.Millisecond)
	conn.(*net.TCPConn).SetLinger(0)
	conn.Close()

	waitRequestLogged(t, e, "route=/api/v1/parts/")
	noServerErrors(t, e)
	if e.LogLines("client went away") == "" {
		t.Errorf("the client that went away is not logged as such:\n%s", e.Log.String())
	}
	again := c.StartUpload(s.ID, f)
	if len(again.PartsDone) != 0 {
		t.Fatalf("a part cut off halfway was kept: %+v", again.PartsDone)
	}
}

// partSize is the size of part n of the upload's plan.
func (f videoFile) partSize(u uploadInfo, n int) int64 {
	return min(u.PartSize, f.Size-int64(n-1)*u.PartSize)
}

// reader returns the bytes of part n.
func (f videoFile) reader(u uploadInfo, n int) io.Reader {
	return io.NewSectionReader(f, int64(n-1)*u.PartSize, f.partSize(u, n))
}

// contains reports whether s contains every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// cutAfterJoin makes the next completion of a storage succeed and then runs cut: the
// database goes down between storage joining the parts and the video being recorded.
type cutAfterJoin struct{ cut func() }

func (c *cutAfterJoin) after(sum string, size int64, err error) (string, int64, error) {
	if c.cut != nil {
		c.cut()
		c.cut = nil
	}
	return sum, size, err
}

type cutLocal struct {
	*localfs.Multipart
	cutAfterJoin
}

func (s *cutLocal) CompleteMultipart(ctx context.Context, key, uploadID string, parts []contest.PartInfo) (string, int64, error) {
	return s.after(s.Multipart.CompleteMultipart(ctx, key, uploadID, parts))
}

type cutS3 struct {
	*s3.Multipart
	cutAfterJoin
}

func (s *cutS3) CompleteMultipart(ctx context.Context, key, uploadID string, parts []contest.PartInfo) (string, int64, error) {
	return s.after(s.Multipart.CompleteMultipart(ctx, key, uploadID, parts))
}

// TestCompletionResumesAfterTheDatabaseFailsToRecordIt: when storage has joined the parts but
// the database goes down before the video is recorded, the completion answers 503; once the
// database is back the same completion succeeds with the joined video, byte for byte, instead
// of the upload being lost.
func TestCompletionResumesAfterTheDatabaseFailsToRecordIt(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		var cut, restore func()
		if e.DB.Dialect() == db.SQLite {
			path := e.DB.URL()
			e.reopenDatabase("sqlite://" + path + "?_pragma=busy_timeout(300)")
			var release func()
			cut = func() { release = sqliteLock(t, path) }
			restore = func() { release() }
		} else {
			p := proxiedPostgres(t, e)
			cut, restore = p.Cut, func() { p.Restore(t) }
		}
		switch m := e.Storage.(type) {
		case *localfs.Multipart:
			e.Storage = &cutLocal{m, cutAfterJoin{cut}}
		case *s3.Multipart:
			e.Storage = &cutS3{m, cutAfterJoin{cut}}
		}
		e.Restart()
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		f := randomFile("作品.mp4", threeParts)
		u := c.StartUpload(s.ID, f)
		c.SendParts(u, f, 1, 2, 3)
		mustUnavailable(t, "complete with the database cut after the join", c.Complete(u, f), "系统繁忙")

		restore()
		eventually(t, 20*time.Second, func() string {
			if r := c.Complete(u, f); r.Status != http.StatusOK {
				return fmt.Sprintf("complete once the database is back = %d %s", r.Status, r.Body)
			}
			return ""
		})
		if sum, n := c.VideoSHA256(s.ID); sum != f.SHA256(t) || n != f.Size {
			t.Fatalf("stored video sha256 %s (%d bytes), uploaded %s (%d bytes)", sum, n, f.SHA256(t), f.Size)
		}
	})
}

package http_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/minio/minio-go/v7"
	"golang.org/x/crypto/bcrypt"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/ffmpeg"
	webhttp "github.com/jskx/contest/internal/http"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/pdf"
	"github.com/jskx/contest/internal/pii"
	"github.com/jskx/contest/internal/s3"
	"github.com/jskx/contest/internal/storagetest"
	"github.com/jskx/contest/internal/xlsx"
)

// backends are the two ways the service runs: embedded, and production-like.
var backends = []string{"sqlite+localfs", "postgres+minio"}

// env is the whole service on one backend, served on a loopback port.
type env struct {
	t       testing.TB
	DB      *db.DB
	Stores  *db.Stores // DB's stores, as the services get them
	Storage contest.Storage
	Svc     *contest.Services
	Server  *httptest.Server
	Contest contest.Contest
	Clock   *clock
	Log     *bytes.Buffer
	// Jobs are this env's background workers; JobSettings tune the next start.
	Jobs        *db.Jobs
	JobSettings db.JobSettings
	// Media, when set, replaces the real ffmpeg tools from the next start.
	Media contest.MediaTools
	// WebOptions are the HTTP server's options from the next start.
	WebOptions webhttp.Options
	box        *pii.Box
	// tune changes the services' options at every start; see Configure.
	tune func(*contest.Options)
	web  *webhttp.Server
}

// clock is the service's settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// forEachBackend runs fn as a subtest on each backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) { fn(t, MustEnv(t, b)) })
	}
}

// inWindow is a time inside the default contest's collection window (2022-05-15 10:00 Beijing).
var inWindow = time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)

// MustEnv builds the service on a backend with the notice's default contest and the clock
// inside its collection window.
func MustEnv(t testing.TB, backend string) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, Clock: &clock{t: inWindow}, Log: &bytes.Buffer{}, JobSettings: testJobSettings}
	box := dbtest.MustBox(t)
	e.box = box
	switch backend {
	case "sqlite+localfs":
		e.DB = dbtest.MustOpen(t, db.SQLite, box)
		st, err := localfs.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		e.Storage = localfs.NewMultipart(st, webhttp.PartURL)
	case "postgres+minio":
		e.DB = dbtest.MustOpen(t, db.Postgres, box)
		m, err := s3.NewMultipart(ctx, mustMinIO(t), s3.PublicEndpoint{})
		if err != nil {
			t.Fatal(err)
		}
		e.Storage = m
	}
	e.Stores = e.DB.Stores()
	e.start()
	if _, err := e.Svc.Contests.SeedContest(ctx, contest.DefaultContest()); err != nil {
		t.Fatal(err)
	}
	var err error
	if e.Contest, err = e.Svc.Contests.CurrentContest(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.Registration.EnsureOrganizer(ctx, "organizer@example.org", "organizer-pass", "组织者"); err != nil {
		t.Fatal(err)
	}
	return e
}

// start builds the services and server over the env's database and storage, with the same
// wiring function as `contest serve`.
func (e *env) start() {
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: e.Log}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The address is known before the services are built: certificates print it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	uploads := contest.DefaultUploadSettings()
	uploads.PartSize = contest.MinPartSize // small test files still have several parts
	opts := contest.Options{
		Now: e.Clock.Now, BcryptCost: bcrypt.MinCost, Uploads: uploads,
		Media:        cmp.Or[contest.MediaTools](e.Media, ffmpeg.Tools{}),
		Check:        contest.CheckSettings{DurationTolerance: contest.DefaultDurationTolerance, TempDir: e.t.TempDir()},
		Spreadsheets: xlsx.Writer{}, Certificates: mustCertificates(e.t), BaseURL: "http://" + ln.Addr().String(),
		Files: e.box,
	}
	if e.tune != nil {
		e.tune(&opts)
	}
	e.Svc = contest.New(e.Stores, e.Storage, opts)
	ready := func(ctx context.Context) error { return errors.Join(e.DB.Ping(ctx), e.Svc.Ping(ctx)) } // as `contest serve`
	e.web = webhttp.New(e.Svc, ready, log, e.WebOptions)
	e.Server = httptest.NewUnstartedServer(e.web)
	e.Server.Listener.Close()
	e.Server.Listener = ln
	e.Server.Start()
	e.t.Cleanup(e.Server.Close)
	work := db.Work{Check: e.Svc.Media.CheckVideo, Copy: e.Svc.Media.CopyVideo, Export: e.Svc.Reports.RunExport}
	if opts.Content != nil { // the content scans run in the tests that ask for them
		work.Scan = e.Svc.Media.ScanVideo
	}
	if opts.Mailer != nil { // as `contest serve` with CONTEST_SMTP_HOST
		work.Email = e.Svc.Messages.SendEmail
		work.Account = e.Svc.Accounts.SendAccountMail
	}
	if opts.SMS.Sender != nil { // as `contest serve` with CONTEST_SMS_PROVIDER
		work.SMS = e.Svc.Messages.SendSMS
	}
	jobs, err := e.DB.StartJobs(context.Background(), e.JobSettings, work, log)
	if err != nil {
		e.t.Fatal(err)
	}
	e.Jobs = jobs
	e.t.Cleanup(func() { e.stopJobs() })
}

// Routes are the routes the server registered.
func (e *env) Routes() []*echo.Route { return e.web.Routes() }

// Configure restarts the env with the services' options changed by tune, as a redeploy with
// new settings does.
func (e *env) Configure(tune func(*contest.Options)) {
	e.tune = tune
	e.Restart()
}

// certificates is the package's certificate renderer: the font is read once.
var certificates struct {
	once sync.Once
	r    *pdf.Renderer
	err  error
}

// mustCertificates returns the renderer over the installed CJK font; without the font the
// service runs without certificates, as it does in production, unless every part is required.
func mustCertificates(tb testing.TB) contest.CertificateRenderer {
	certificates.once.Do(func() { certificates.r, certificates.err = pdf.New("") })
	if certificates.err != nil {
		if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
			tb.Fatal(certificates.err)
		}
		return nil
	}
	return certificates.r
}

// testJobSettings make retries quick: a test waits seconds, not minutes, for a verdict.
var testJobSettings = db.JobSettings{Workers: 2, Timeout: time.Minute, MaxAttempts: 3,
	RetryBase: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond, PollInterval: 50 * time.Millisecond}

// stopJobs stops the env's workers once; running checks are cancelled.
func (e *env) stopJobs() {
	if e.Jobs == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Jobs.Stop(ctx); err != nil {
		e.t.Logf("stop jobs: %v", err)
	}
	e.Jobs = nil
}

// Restart stops the API server, dropping its connections, and starts a new service and server
// on the same database and storage, as a redeploy does. Clients keep their cookies.
func (e *env) Restart() {
	e.Server.CloseClientConnections()
	e.Server.Close()
	e.stopJobs()
	e.start()
}

// LogLines returns the service log's lines that contain any of the given strings.
func (e *env) LogLines(any ...string) string {
	var out []string
	for line := range strings.Lines(e.Log.String()) {
		for _, s := range any {
			if strings.Contains(line, s) {
				out = append(out, line)
				break
			}
		}
	}
	return strings.Join(out, "")
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// mustMinIO returns a store on a fresh bucket of the test MinIO, emptied and removed afterwards.
func mustMinIO(t testing.TB) *s3.Store {
	t.Helper()
	endpoint, access, secret := storagetest.MinIOConfigFromEnv(t)
	b := make([]byte, 6)
	rand.Read(b)
	ctx := context.Background()
	st, err := s3.New(ctx, s3.Config{Endpoint: endpoint, AccessKey: access, SecretKey: secret, Bucket: "test-http-" + hex.EncodeToString(b)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c := st.Client()
		for obj := range c.ListObjects(ctx, st.Bucket(), minio.ListObjectsOptions{Recursive: true}) {
			c.RemoveObject(ctx, st.Bucket(), obj.Key, minio.RemoveObjectOptions{})
		}
		c.RemoveBucket(ctx, st.Bucket())
	})
	return st
}

// client is a browser-like API client: it keeps cookies and sends the CSRF token.
type client struct {
	t    testing.TB
	e    *env
	http *http.Client
	csrf string
	// slug, when set, names the contest of every request: /api/v1/… becomes
	// /api/v1/contests/{slug}/… and a page's /… becomes /c/{slug}/… (see In).
	slug string
}

// In returns the client (the same account and cookies) with every path in the contest slug.
func (c *client) In(slug string) *client {
	cp := *c
	cp.slug = slug
	return &cp
}

// inContest puts the client's contest prefix on a site path.
func (c *client) inContest(path string) string {
	switch {
	case c.slug == "" || !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "/c/") || strings.HasPrefix(path, "/api/v1/contests"):
		return path
	case strings.HasPrefix(path, "/api/v1/"):
		return "/api/v1/contests/" + c.slug + strings.TrimPrefix(path, "/api/v1")
	}
	return "/c/" + c.slug + path
}

// Client returns a new anonymous client.
func (e *env) Client() *client {
	jar, _ := cookiejar.New(nil)
	c := &client{t: e.t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	c.Do("GET", "/healthz", nil) // healthz skips CSRF; fetch a token from a page instead
	c.Do("GET", "/api/v1/contest", nil)
	return c
}

// response is a finished request.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ErrorCode returns the error code of an error body.
func (r response) ErrorCode() string {
	var b struct{ Error struct{ Code string } }
	json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// ErrorMessage returns the Chinese message of an error body.
func (r response) ErrorMessage() string {
	var b struct{ Error struct{ Message string } }
	json.Unmarshal(r.Body, &b)
	return b.Error.Message
}

// FieldCodes returns the field → code map of an error body.
func (r response) FieldCodes() map[string]string {
	var b struct {
		Error struct {
			Fields map[string]struct{ Code string }
		}
	}
	json.Unmarshal(r.Body, &b)
	out := map[string]string{}
	for k, v := range b.Error.Fields {
		out[k] = v.Code
	}
	return out
}

// Do sends a request with a JSON body (unless body is url.Values, sent as a form).
func (c *client) Do(method, path string, body any) response {
	c.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		b.Set("_csrf", c.csrf)
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, c.e.Server.URL+c.inContest(path), rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("X-CSRF-Token", c.csrf)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw := readValidated(c.t, res)
	if tok := res.Header.Get("X-CSRF-Token"); tok != "" {
		c.csrf = tok
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// Raw sends a request with an empty JSON body (but for GET) as this client, outside the spec's
// validation (for paths the spec cannot describe), and returns the status.
func (c *client) Raw(method, path string) int {
	c.t.Helper()
	var body []byte
	if method != http.MethodGet {
		body = []byte("{}")
	}
	return c.RawBody(method, path, "application/json", body)
}

// RawBody sends data as the body of a request of this client, outside the spec's validation,
// and returns the status.
func (c *client) RawBody(method, path, contentType string, data []byte) int {
	c.t.Helper()
	var body io.Reader
	if data != nil {
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.e.Server.URL+c.inContest(path), body)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-CSRF-Token", c.csrf)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// Must sends a request and fails the test unless the status is want.
func (c *client) Must(want int, method, path string, body any) response {
	c.t.Helper()
	r := c.Do(method, path, body)
	if r.Status != want {
		c.t.Fatalf("%s %s = %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// SignUp makes a contestant account and signs the client in.
func (c *client) SignUp(email string) *client {
	c.t.Helper()
	c.Must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]string{"email": email, "password": "secret-pass", "name": "张三"})
	return c
}

// Organizer returns a client signed in as the organizer.
func (e *env) Organizer() *client {
	c := e.Client()
	c.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "organizer@example.org", "password": "organizer-pass"})
	return c
}

// Test identities: valid GB 11643 numbers (check characters computed), and their masks.
const (
	idZhang = "11010519491231002X" // the standard's own example
	idLi    = "110105198001010016"
	idWang  = "32010219900307451X"
)

// validInput is a complete 报名登记表 with two participants.
func validInput() map[string]any {
	return map[string]any{
		"registration": map[string]any{
			"title": "实验室里的创新誓言", "lead_name": "张三", "employer": "省农业科学院",
			"contact_name": "张三", "contact_id_type": "resident", "contact_id_number": idZhang,
			"mobile": "13800138000", "email": "zhang@example.org", "wechat": "zhangsan",
			"address": "南京市玄武区孝陵卫街50号", "postal_code": "210014",
			"description": "以田间地头为背景，记录青年科技工作者的一天。",
		},
		"participants": []map[string]any{
			{"name": "张三", "id_type": "resident", "id_number": idZhang},
			{"name": "李四", "id_type": "resident", "id_number": idLi, "employer": "南京大学"},
		},
	}
}

// submission is the part of the API's submission JSON the tests read.
type submission struct {
	ID           string
	Status       string
	Version      int
	Registration map[string]string
	Participants []struct {
		ID         string
		Name       string
		IDNumber   string `json:"id_number"`
		IDMasked   string `json:"id_masked"`
		Employer   string
		ConsentURL string `json:"consent_url"`
		Consent    *struct{ At time.Time }
	}
	Missing map[string]struct{ Code string }
}

// PutScan uploads the scan of the signed 作品授权书 of the work id, as the file name.
func (c *client) PutScan(id, name string, data []byte) response {
	c.t.Helper()
	return c.putScanAt("/api/v1/submissions/"+id+"/scan", name, data)
}

// putScanAt sends a scan to path as the browser's form does.
func (c *client) putScanAt(path, name string, data []byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("scan", name)
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("PUT", c.e.Server.URL+c.inContest(path), &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.csrf)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	return response{Status: res.StatusCode, Header: res.Header, Body: readValidated(c.t, res)}
}

// Create saves validInput (or body) as a new submission.
func (c *client) Create(body any) submission {
	c.t.Helper()
	if body == nil {
		body = validInput()
	}
	var s submission
	c.Must(http.StatusCreated, "POST", "/api/v1/submissions", body).JSON(c.t, &s)
	return s
}

// ConsentAll has every participant of s consent through the owner's device.
func (c *client) ConsentAll(s submission) {
	c.t.Helper()
	for _, p := range s.Participants {
		c.Must(http.StatusOK, "POST", "/api/v1/submissions/"+s.ID+"/participants/"+p.ID+"/consent",
			map[string]any{"name": p.Name, "id_number": p.IDNumber, "agreed": true})
	}
}

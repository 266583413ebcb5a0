package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	mailer "github.com/jskx/contest/internal/smtp"
)

// BenchmarkMailAtTheDeadline queues MAILBENCH_N (default 5 000) e-mail notifications in one
// transaction, as an event that tells everyone at once does, into a fresh database of each
// dialect, and lets the production job settings deliver them to Mailpit with each number of
// mail workers in MAILBENCH_WORKERS (default 2,16) (MAILBENCH_DIALECTS: sqlite,postgres). In the same run it measures Mailpit's own
// acceptance rate for a raw SMTP client (net/smtp, a connection per mail as ours) and for our
// SMTP client (internal/smtp) at the same concurrency. Run by hand, once (scripts/mail-bench.sh
// starts a private Mailpit):
//
//	go test -run '^$' -bench MailAtTheDeadline -benchtime 1x -timeout 1h ./internal/db/
func BenchmarkMailAtTheDeadline(b *testing.B) {
	smtpAddr, api := os.Getenv("CONTEST_TEST_SMTP_ADDR"), strings.TrimRight(os.Getenv("CONTEST_TEST_MAILPIT_API"), "/")
	if smtpAddr == "" || api == "" {
		b.Skip("no Mailpit: run scripts/mail-bench.sh, or set CONTEST_TEST_SMTP_ADDR and CONTEST_TEST_MAILPIT_API")
	}
	n := 5000
	if v := os.Getenv("MAILBENCH_N"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	workers := []int{db.DefaultMailWorkers, 16}
	if v := os.Getenv("MAILBENCH_WORKERS"); v != "" {
		workers = nil
		for f := range strings.SplitSeq(v, ",") {
			w, _ := strconv.Atoi(f)
			workers = append(workers, w)
		}
	}
	host, port, _ := net.SplitHostPort(smtpAddr)
	p, _ := strconv.Atoi(port)
	m, err := mailer.New(mailer.Settings{Host: host, Port: p, TLS: mailer.TLSNone, From: "全国大学生微视频大赛组委会 <noreply@contest.example.org>"})
	if err != nil {
		b.Fatal(err)
	}
	dialects := []string{db.SQLite, db.Postgres}
	if v := os.Getenv("MAILBENCH_DIALECTS"); v != "" {
		dialects = strings.Split(v, ",")
	}
	for _, dialect := range dialects {
		for _, w := range workers {
			b.Run(fmt.Sprintf("%s/workers=%d", dialect, w), func(b *testing.B) {
				raw := rawRate(b, smtpAddr, api, n, w)
				client := clientRate(b, m, api, n, w)
				q := queueRun(b, dialect, m, api, n, w)
				b.ReportMetric(q.rate, "mails/s")
				b.ReportMetric(raw, "raw-mails/s")
				b.ReportMetric(q.rate/raw, "×raw")
				b.Logf("%s, %d mail workers, %d mails: raw SMTP %.0f/s, our SMTP client %.0f/s, queued %.0f/s (%.2f × raw, %.2f × client); "+
					"queueing %v; queue→sent p50 %v p99 %v; failed %d; Mailpit holds %d; %d jobs running and %d sending at most; %v a send, of which SMTP %v",
					dialect, w, n, raw, client, q.rate, q.rate/raw, q.rate/client, q.insert.Round(time.Millisecond),
					q.p50.Round(time.Millisecond), q.p99.Round(time.Millisecond), q.failed, q.arrived, q.running, q.sending, q.perSend.Round(100*time.Microsecond), q.perSMTP.Round(100*time.Microsecond))
				if q.failed != 0 || q.arrived != n {
					b.Errorf("%d failed, %d of %d arrived", q.failed, q.arrived, n)
				}
			})
		}
	}
}

// run is a fresh tag for this run's recipients, so that counting in a shared Mailpit counts
// only them.
func runDomain(what string) string {
	return fmt.Sprintf("%s-%d.example.org", what, time.Now().UnixNano())
}

// rawRate sends n small mails with net/smtp, c at a time, and returns Mailpit's acceptance rate.
func rawRate(b *testing.B, addr, api string, n, c int) float64 {
	domain := runDomain("raw")
	body := "Subject: =?UTF-8?B?5rWL6K+V?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + strings.Repeat("=E6=82=A8=E5=A5=BD=EF=BC=9A\r\n", 40)
	return timed(b, api, domain, n, c, func(i int) error {
		to := fmt.Sprintf("r%05d@%s", i, domain)
		return smtp.SendMail(addr, nil, "noreply@contest.example.org", []string{to},
			[]byte("From: noreply@contest.example.org\r\nTo: "+to+"\r\n"+body))
	})
}

// clientRate sends n notifications' mails with our SMTP client, c at a time.
func clientRate(b *testing.B, m *mailer.Mailer, api string, n, c int) float64 {
	domain := runDomain("client")
	return timed(b, api, domain, n, c, func(i int) error {
		note := benchNote(fmt.Sprintf("u%05d", i))
		return m.Send(context.Background(), contest.NotificationMail(note, "考生", fmt.Sprintf("c%05d@%s", i, domain), "https://contest.example.org"))
	})
}

// timed runs send(0…n-1) on c goroutines, checks that Mailpit holds all n for domain, and
// returns the mails per second.
func timed(b *testing.B, api, domain string, n, c int, send func(i int) error) float64 {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := time.Now()
	for range c {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := send(i); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	if got := mailpitCount(b, api, domain); failed.Load() != 0 || got != n {
		b.Fatalf("%d failed, Mailpit holds %d of %d", failed.Load(), got, n)
	}
	return float64(n) / d.Seconds()
}

type queueResult struct {
	rate     float64
	insert   time.Duration
	p50, p99 time.Duration
	failed   int
	arrived  int
	running  int           // the most jobs River showed running at once
	sending  int           // the most sends in flight at once
	perSend  time.Duration // the mean time of one send (SendEmail: read, SMTP, record)
	perSMTP  time.Duration // of which the SMTP conversation
}

// timedMailer adds up the time spent in the SMTP client.
type timedMailer struct {
	m    contest.Mailer
	busy atomic.Int64
}

func (t *timedMailer) Send(ctx context.Context, m contest.Mail) error {
	start := time.Now()
	defer func() { t.busy.Add(int64(time.Since(start))) }()
	return t.m.Send(ctx, m)
}

// queueRun queues n notifications with e-mail in one transaction in a fresh database and runs
// the mail workers (w per replica, one replica) until every delivery has settled.
func queueRun(b *testing.B, dialect string, m *mailer.Mailer, api string, n, w int) queueResult {
	ctx := context.Background()
	d := dbtest.MustOpen(b, dialect, dbtest.MustBox(b))
	d.SetEmailDelivery(true)
	domain := runDomain("queue")
	notes := make([]contest.Notification, n)
	for i := range notes {
		u := &contest.User{ID: contest.NewID(), Email: fmt.Sprintf("q%05d@%s", i, domain), Name: fmt.Sprintf("考生%05d", i),
			Role: contest.RoleContestant, PasswordHash: "-", CreatedAt: time.Now()}
		if err := d.Stores().CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		notes[i] = benchNote(u.ID)
	}
	tm := &timedMailer{m: m}
	svc := contest.New(d.Stores(), nil, contest.Options{Mailer: tm, BaseURL: "https://contest.example.org"})
	s := db.DefaultJobSettings()
	s.MailWorkers = w
	// The sends in flight at once and their time, to tell the queue's share from the sends'.
	var inFlight, most atomic.Int64
	var busy atomic.Int64 // nanoseconds spent in sends
	send := func(ctx context.Context, a contest.EmailArgs, attempt int, final bool) error {
		now := inFlight.Add(1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		start := time.Now()
		defer func() { busy.Add(int64(time.Since(start))); inFlight.Add(-1) }()
		return svc.Messages.SendEmail(ctx, a, attempt, final)
	}
	jobs, err := d.StartJobs(ctx, s, db.Work{
		Check: func(context.Context, contest.VideoCheckArgs, int, bool) error { return nil },
		Email: send,
	}, db.Discard())
	if err != nil {
		b.Fatal(err)
	}
	defer jobs.Stop(ctx)

	start := time.Now()
	if err := d.InsertNotifications(ctx, notes); err != nil {
		b.Fatal(err)
	}
	committed := time.Now()
	var res queueResult
	for deadline := time.Now().Add(30 * time.Minute); ; time.Sleep(250 * time.Millisecond) {
		rows, err := d.RawRows(ctx, "SELECT count(*) AS n FROM notification_deliveries WHERE state IN ('sent', 'failed')")
		if err != nil {
			b.Fatal(err)
		}
		settled, _ := strconv.Atoi(fmt.Sprint(rows[0]["n"]))
		if rows, err = d.RawRows(ctx, "SELECT count(*) AS n FROM river_job WHERE state = 'running'"); err != nil {
			b.Fatal(err)
		}
		running, _ := strconv.Atoi(fmt.Sprint(rows[0]["n"]))
		res.running = max(res.running, running)
		if settled == n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d settled after 30 minutes", settled, n)
		}
	}
	list, err := d.Stores().ListDeliveries(ctx, n+1, "")
	if err != nil || len(list) != n {
		b.Fatalf("%d deliveries for %d notifications: %v", len(list), n, err)
	}
	res.insert, res.arrived = committed.Sub(start), mailpitCount(b, api, domain)
	ps := d.PoolStats()
	b.Logf("pool: max %d, waits %d for %v in all, %d closed as idle beyond the idle limit", ps.MaxOpenConnections, ps.WaitCount, ps.WaitDuration, ps.MaxIdleClosed)
	res.sending, res.perSend, res.perSMTP = int(most.Load()), time.Duration(busy.Load()/int64(n)), time.Duration(tm.busy.Load()/int64(n))
	var lat []time.Duration
	var last time.Time
	for _, r := range list {
		if r.State != contest.DeliverySent {
			res.failed++
			continue
		}
		lat = append(lat, r.SentAt.Sub(r.CreatedAt))
		if r.SentAt.After(last) {
			last = *r.SentAt
		}
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		res.p50, res.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	res.rate = float64(len(lat)) / last.Sub(committed).Seconds()
	return res
}

// benchNote is a notification of the length of a real one (the results' message).
func benchNote(recipient string) contest.Notification {
	return contest.Notification{ID: contest.NewID(), Recipient: recipient, Kind: contest.NoteResults,
		EventKey: "bench:" + contest.NewID(), Subject: "评选结果已发布：《实验室里的创新誓言》",
		Body: "第十届全国大学生微视频大赛评选结果已正式发布。\n您的作品《实验室里的创新誓言》荣获二等奖。\n获奖证书可在作品页下载，证书编号 JSKX-2026-000123。",
		Link: "/submissions/" + recipient, CreatedAt: time.Now()}
}

// mailpitCount is how many mails Mailpit holds addressed to domain.
func mailpitCount(b *testing.B, api, domain string) int {
	b.Helper()
	res, err := http.Get(api + "/api/v1/search?limit=1&query=" + url.QueryEscape("to:@"+domain))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		MessagesCount int `json:"messages_count"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		b.Fatal(err)
	}
	return out.MessagesCount
}

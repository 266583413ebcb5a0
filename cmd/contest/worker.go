package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/pdf"
)

// worker runs the background jobs and the housekeeping without HTTP, so that checks can run on
// replicas of their own: `contest worker` beside replicas started with CONTEST_WORKERS=0.
func worker(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("worker", args, getenv)
	if err != nil {
		return usageError{err}
	}
	if cfg.Jobs.Workers < 1 {
		return usageError{fmt.Errorf("CONTEST_WORKERS: a worker needs at least 1")}
	}
	log := newLogger(cfg, stderr)
	log.Info("starting worker", "config", cfg.String(), "workers", cfg.Jobs.Workers, "copy_workers", cfg.Jobs.CopyWorkers)
	// A worker has no public port: its metrics (job durations, queues) only on CONTEST_METRICS_ADDR.
	a, extra, metrics, err := startCommand(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	defer metrics.stop()
	// Certificates print the public address; without one, the address serve would listen on.
	addr, _ := net.ResolveTCPAddr("tcp", cfg.Addr)
	if addr == nil {
		addr = &net.TCPAddr{Port: 8080}
	}
	var warning string
	if extra.BaseURL, warning = certificateBase(cfg, siteURL(cfg, addr)); warning != "" {
		log.Warn(warning)
	}
	if err := a.wire(extra); err != nil {
		return err
	}
	stop, err := a.startJobs(ctx)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(stdout, "后台任务已启动 / worker started: %d checks and %d copies at once\n", cfg.Jobs.Workers, cfg.Jobs.CopyWorkers)
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}

// startJobs starts this replica's job workers and queues the housekeeping (River's elected
// leader queues it, so it runs once across replicas). The workers get a context of their own:
// stop lets running jobs finish until the shutdown timeout, then cancels the rest, which run
// again later here or on another replica.
func (a *app) startJobs(ctx context.Context) (stop func(), err error) {
	work := db.Work{Check: a.svc.Media.CheckVideo, Copy: a.svc.Media.CopyVideo, Scan: a.svc.Media.ScanVideo, Export: a.svc.Reports.RunExport,
		Housekeeping: a.housekeeping(), ObserveJob: a.observeJob}
	if a.cfg.SMTPHost != "" {
		work.Email = a.svc.Messages.SendEmail
		work.Account = a.svc.Accounts.SendAccountMail
	}
	if a.cfg.SMS.Provider != "" {
		work.SMS = a.svc.Messages.SendSMS
	}
	jobs, err := a.db.StartJobs(context.WithoutCancel(ctx), a.cfg.Jobs, work, a.log.With("component", "jobs"))
	if err != nil {
		return nil, err
	}
	return func() {
		jctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
		defer cancel()
		if err := jobs.Stop(jctx); err != nil {
			a.log.Warn("stopping jobs", "err", err)
		}
	}, nil
}

// housekeeping are the tasks run every CONTEST_HOUSEKEEPING_INTERVAL, once across replicas:
// each is harmless if it ever runs twice.
func (a *app) housekeeping() []db.Task {
	return []db.Task{
		{Name: "expired_sessions", Run: func(ctx context.Context) (int, error) {
			n, err := a.db.Stores().DeleteExpiredSessions(ctx, time.Now())
			return int(n), err
		}},
		// organizer.txt is on the embedded default's one machine (or its shared folder).
		{Name: "organizer_txt", Run: func(ctx context.Context) (int, error) { return 0, a.forgetFirstPassword(ctx) }},
		{Name: "seal_consent_tokens", Run: a.db.SealConsentTokens},
		{Name: "abandoned_uploads", Run: a.svc.Media.SweepUploads},
		{Name: "old_exports", Run: a.svc.Reports.SweepExports},
		// The counts per status follow every change this version makes; one an older replica
		// made during an upgrade is corrected here (and logged: it should not happen otherwise).
		{Name: "recount_submissions", Run: a.db.RecountSubmissions},
		// A check is queued in the transaction that records its video, so none is lost; but
		// videos uploaded before checks existed have none.
		{Name: "lost_checks", Run: func(ctx context.Context) (int, error) {
			return a.db.RequeueChecks(ctx, time.Now().Add(-a.lostCheckAfter()), 500)
		}},
		// A content scan is queued with its accepted verdict; videos accepted before scans
		// existed, and scans whose job was lost, get theirs here, a few at a time (each decodes
		// a whole video).
		{Name: "unscanned_videos", Run: func(ctx context.Context) (int, error) {
			return a.db.Stores().RequeueScans(ctx, time.Now().Add(-a.lostCheckAfter()), 50)
		}},
		// Reminders and digests: each is made once per recipient and moment, however often
		// this runs; it runs more often than the rest so that a reminder is on time.
		{Name: "reminders", Run: a.svc.Messages.RunReminders, Interval: a.cfg.ReminderInterval},
	}
}

// lostCheckAfter is how long after being queued a check still checking must have been lost:
// well beyond all its attempts, timeouts and waits between them.
func (a *app) lostCheckAfter() time.Duration {
	j := a.cfg.Jobs
	return time.Duration(j.MaxAttempts)*(j.CheckTimeout+j.RetryMax) + time.Hour
}

// warnMissingTools says in the log and on the terminal when ffprobe or ffmpeg is missing.
func warnMissingTools(log *slog.Logger, stderr io.Writer) {
	for _, tool := range []string{"ffprobe", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			log.Warn(tool+" not found: uploaded videos cannot be checked and will show 检查出错 until it is installed (Debian: apt-get install ffmpeg)", "tool", tool)
			fmt.Fprintf(stderr, "警告：未找到 %s，上传的视频无法检查。请安装 ffmpeg（Debian/Ubuntu: sudo apt-get install ffmpeg）后重启服务。\n", tool)
		}
	}
}

// startCommand does what serve and worker do first: it checks the media tools and the fonts,
// opens (and migrates) the database, and starts the replica's metrics, which the jobs and the
// password-hash queue report to. The caller closes a and stops metrics.
func startCommand(ctx context.Context, cfg config, log *slog.Logger, stderr io.Writer) (a *app, extra contest.Options, metrics replicaMetrics, err error) {
	warnMissingTools(log, stderr)
	extra = commandOptions(cfg, log, stderr)
	if a, err = openData(ctx, cfg, log); err != nil {
		return nil, extra, metrics, err
	}
	if metrics, err = a.serveMetrics(); err != nil {
		a.close()
		return nil, extra, metrics, err
	}
	a.observeJob = metrics.ObserveJob
	extra.ObserveHashWait = metrics.ObserveHashWait
	return a, extra, metrics, nil
}

// commandOptions are the options of the commands that run jobs: the certificate renderer. The
// fonts (about 9 MB) are read and checked here, once; migrate and the other commands do without.
func commandOptions(cfg config, log *slog.Logger, stderr io.Writer) contest.Options {
	var extra contest.Options
	if r, err := pdf.NewWithFallback(cfg.CertFont, cfg.CertFallbackFont); err != nil {
		// Everything else works; certificates say they are unavailable until a font is set.
		log.Warn("certificates unavailable", "err", err)
		fmt.Fprintln(stderr, "警告：未找到可用的中文证书字体，获奖证书暂不能生成。请安装 fonts-arphic-gbsn00lp（Debian/Ubuntu: sudo apt-get install fonts-arphic-gbsn00lp fonts-droid-fallback）或设置 CONTEST_CERT_FONT 后重启服务。")
	} else {
		extra.Certificates = r
	}
	return extra
}

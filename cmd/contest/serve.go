package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	webhttp "github.com/jskx/contest/internal/http"
	"github.com/jskx/contest/internal/pdf"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("serve", args, getenv)
	if err != nil {
		return usageError{err}
	}
	log := newLogger(cfg, stderr)
	log.Info("starting", "config", cfg.String())
	for _, tool := range []string{"ffprobe", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			log.Warn(tool+" not found: uploaded videos cannot be checked and will show 检查出错 until it is installed (Debian: apt-get install ffmpeg)", "tool", tool)
			fmt.Fprintf(stderr, "警告：未找到 %s，上传的视频无法检查。请安装 ffmpeg（Debian/Ubuntu: sudo apt-get install ffmpeg）后重启服务。\n", tool)
		}
	}
	var extra contest.Options
	// The fonts (about 9 MB) are read and checked here, once, by the command that draws
	// certificates; migrate and the other commands do without.
	if r, err := pdf.NewWithFallback(cfg.CertFont, cfg.CertFallbackFont); err != nil {
		// Everything else works; certificates say they are unavailable until a font is set.
		log.Warn("certificates unavailable", "err", err)
		fmt.Fprintln(stderr, "警告：未找到可用的中文证书字体，获奖证书暂不能生成。请安装 fonts-arphic-gbsn00lp（Debian/Ubuntu: sudo apt-get install fonts-arphic-gbsn00lp fonts-droid-fallback）或设置 CONTEST_CERT_FONT 后重启服务。")
	} else {
		extra.Certificates = r
	}
	// Migrations run before the port opens: no connection waits on them.
	a, err := openData(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	// Before the services are wired: they report to it (the password-hash queue, the jobs).
	metrics, err := a.serveMetrics()
	if err != nil {
		return err
	}
	defer metrics.stop()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	url := siteURL(cfg, ln.Addr())
	var warning string
	extra.BaseURL, warning = certificateBase(cfg, url)
	if warning != "" {
		log.Warn(warning)
	}
	if err := a.wire(extra); err != nil {
		return err
	}
	if err := a.seed(ctx, stdout); err != nil {
		return err
	}
	web := webhttp.New(a.svc, a.ready, log, webhttp.Options{SecureCookies: cfg.secureCookies(), BaseURL: cfg.BaseURL,
		TrustedProxies: cfg.TrustedProxies, Metrics: metrics.Registry(), MetricsHandler: metrics.public})
	srv := &http.Server{
		Handler:           web,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		// No overall read or write timeout: large uploads and downloads take long on weak
		// networks; handlers bound their own work.
	}
	fmt.Fprintf(stdout, "\n服务已启动 / listening: %s\n组织者登录 / organizer sign-in: %s/login\n\n", url, url)

	// The workers get a context of their own: a signal stops them through Stop, which lets
	// running checks finish, rather than by cancelling them at once.
	jobs, err := a.db.StartJobs(context.WithoutCancel(ctx), cfg.Jobs, db.Work{Check: a.svc.Media.CheckVideo, Export: a.svc.Reports.RunExport}, log.With("component", "jobs"))
	if err != nil {
		return err
	}
	defer func() { // before a.close() closes the database under them
		jctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		// Running checks may finish until the timeout; the rest are cancelled and run again later.
		if err := jobs.Stop(jctx); err != nil {
			log.Warn("stopping jobs", "err", err)
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go a.housekeep(ctx)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// siteURL is what to open in a browser: the base URL, or the listener's address.
func siteURL(cfg config, addr net.Addr) string {
	if cfg.BaseURL != "" {
		return strings.TrimRight(cfg.BaseURL, "/")
	}
	host, port, _ := net.SplitHostPort(addr.String())
	if host == "::" || host == "0.0.0.0" || host == "" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// housekeep removes expired sessions and week-old packages, aborts abandoned uploads and
// queues lost video checks every 15 minutes until ctx ends. Every replica does it; both are harmless twice.
func (a *app) housekeep(ctx context.Context) {
	t := time.NewTicker(15 * time.Minute)
	defer t.Stop()
	for {
		if n, err := a.db.Stores().DeleteExpiredSessions(ctx, time.Now()); err != nil && ctx.Err() == nil {
			a.log.Warn("session cleanup", "err", err)
		} else if n > 0 {
			a.log.Info("expired sessions removed", "count", n)
		}
		if err := a.forgetFirstPassword(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("organizer.txt", "err", err)
		}
		if n, err := a.db.SealConsentTokens(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("seal consent tokens", "err", err)
		} else if n > 0 {
			a.log.Info("consent tokens sealed", "count", n)
		}
		if n, err := a.svc.Media.SweepUploads(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("upload cleanup", "err", err)
		} else if n > 0 {
			a.log.Info("abandoned uploads removed", "count", n)
		}
		if n, err := a.svc.Reports.SweepExports(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("export cleanup", "err", err)
		} else if n > 0 {
			a.log.Info("old export packages removed", "count", n)
		}
		// A check is queued in the transaction that records its video, so none is lost; but
		// videos uploaded before checks existed have none.
		if n, err := a.db.RequeueChecks(ctx, time.Now().Add(-a.lostCheckAfter()), 500); err != nil && ctx.Err() == nil {
			a.log.Warn("requeue video checks", "err", err)
		} else if n > 0 {
			a.log.Info("video checks queued again", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// lostCheckAfter is how long after being queued a check still checking must have been lost:
// well beyond all its attempts, timeouts and waits between them.
func (a *app) lostCheckAfter() time.Duration {
	j := a.cfg.Jobs
	return time.Duration(j.MaxAttempts)*(j.Timeout+j.RetryMax) + time.Hour
}

// certificateBase is the address certificates print in their QR codes (BASE_URL/verify/…), or ""
// when none can be trusted, with a warning to log. The embedded default (a trial on one machine)
// uses the address it listens on; production needs the public address, and a loopback one
// (http://localhost:8080, a forgotten default) would send every QR code to the reader's own
// phone.
func certificateBase(cfg config, url string) (base, warning string) {
	switch {
	case cfg.embedded() && cfg.BaseURL == "":
		return url, "CONTEST_BASE_URL is not set: certificates' QR codes point to " + url + "; set it when the site is public"
	case cfg.embedded():
		return url, ""
	case cfg.BaseURL == "":
		return "", "CONTEST_BASE_URL is not set: certificates cannot be issued (their QR codes need the public address)"
	case isLoopback(url):
		return "", "CONTEST_BASE_URL " + url + " is this machine's own address: certificates cannot be issued until it is the public address"
	}
	return url, ""
}

// isLoopback reports whether a URL's host is this machine (localhost, 127.0.0.0/8, ::1).
func isLoopback(raw string) bool {
	u, err := neturl.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

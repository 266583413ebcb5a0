package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strings"
	"syscall"
	"time"

	"github.com/jskx/contest/internal/demo"
	webhttp "github.com/jskx/contest/internal/http"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("serve", args, getenv)
	if err != nil {
		return usageError{err}
	}
	return runServer(ctx, cfg, nil, stdout, stderr)
}

// runServer is `contest serve`, and with a demo clock `contest demo` (nil in production: no
// demo clock, no route to move it, no demo data).
func runServer(ctx context.Context, cfg config, clock *demo.Clock, stdout, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	log.Info("starting", "config", cfg.String(), "demo", clock != nil)
	// A busy port fails the start before anything is created or printed (the first organizer
	// and its password); the port opens for good after the migrations: no connection waits on them.
	if err := checkAddr(cfg.Addr); err != nil {
		return err
	}
	a, extra, metrics, err := startCommand(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	defer metrics.stop()
	ln, err := listen(cfg.Addr)
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
	if clock != nil {
		extra.Now = clock.Now
	}
	if err := a.wire(extra); err != nil {
		return err
	}
	// CONTEST_WORKERS=0: this replica only answers HTTP; `contest worker` replicas run the jobs.
	// They start before the demo is seeded: its videos are checked by them.
	if cfg.Jobs.Workers > 0 {
		stopJobs, err := a.startJobs(ctx)
		if err != nil {
			return err
		}
		defer stopJobs() // before a.close() closes the database under them
	}
	opts := webhttp.Options{SecureCookies: cfg.secureCookies(), BaseURL: cfg.BaseURL,
		TrustedProxies: cfg.TrustedProxies, Metrics: metrics.Registry(), MetricsHandler: metrics.public}
	if clock == nil {
		if err := a.seed(ctx, stdout); err != nil {
			return err
		}
	} else if opts.Demo, err = a.seedDemo(ctx, clock, stdout); err != nil {
		return err
	}
	web := webhttp.New(a.svc, a.ready, log, opts)
	srv := &http.Server{
		Handler:           web,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		// No overall read or write timeout: large uploads and downloads take long on weak
		// networks; handlers bound their own work.
	}
	fmt.Fprintf(stdout, "\n服务已启动 / listening: %s\n组织者登录 / organizer sign-in: %s/login\n\n", url, url)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go a.watchFirstPassword(ctx)

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

// listen opens addr for the service, saying in Chinese what to do when the port is taken.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("端口 %s 已被占用，请用 -addr（或 CONTEST_ADDR）指定其他端口 / %w", addr, err)
	}
	return ln, err
}

// checkAddr tells whether the service can listen on addr, closing the port again at once.
func checkAddr(addr string) error {
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	return ln.Close()
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

package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/smtp"
)

// config is the whole configuration, read from CONTEST_* environment variables and overridden
// by flags. Secrets may also come from files (CONTEST_X_FILE). See docs/configuration.md.
type config struct {
	Addr    string
	BaseURL string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	DataDir        string
	CertFont       string // TrueType CJK font for certificates; "" for Debian's fonts-arphic-gbsn00lp
	// CertFallbackFont draws what CertFont lacks; "" for Debian's fonts-droid-fallback if present.
	CertFallbackFont string
	DatabaseURL      string
	SecretKey        string
	// PreviousSecretKey is the key being replaced during a key rotation (CONTEST_PREVIOUS_SECRET_KEY):
	// values sealed under it still open until `contest reseal` has moved them.
	PreviousSecretKey string
	S3Endpoint        string
	S3AccessKey       string
	S3SecretKey       string
	S3Bucket          string
	S3Region          string
	S3UseSSL          bool
	// S3PublicEndpoint is where browsers reach the store when it differs from S3Endpoint
	// (part URLs are signed for the host the browser uses).
	S3PublicEndpoint string
	S3PublicUseSSL   bool
	// SMTP sends the notifications by e-mail; SMTPHost "" sends none (site messages only).
	SMTPHost        string
	SMTPPort        int
	SMTPTLS         string // none, starttls or tls
	SMTPUser        string
	SMTPPassword    string
	SMTPFrom        string
	SMTPTimeout     time.Duration
	UploadPartBytes int64
	UploadGrace     time.Duration
	UploadAbandon   time.Duration
	// MaxWorks is how many works one account may enter in a contest.
	MaxWorks int
	// ReminderInterval is how often the due reminders and digests are looked for.
	ReminderInterval time.Duration
	// HashWorkers password hashes run at once; one waits in line at most HashWait.
	HashWorkers int
	HashWait    time.Duration
	// Jobs tune the background jobs (Workers 0: serve runs none); DurationTolerance is the seconds above the
	// maximum duration still accepted.
	Jobs              db.JobSettings
	DurationTolerance float64
	AdminEmail        string
	AdminPassword     string
	CookieSecure      string // auto, true or false
	LogLevel          string
	LogFormat         string
	ShutdownTimeout   time.Duration
	Migrate           bool // apply migrations at start-up
	// MetricsAddr serves /metrics on an address of its own (off when empty); MetricsToken, when
	// set, is required there as a bearer token and serves /metrics on the public port too.
	MetricsAddr, MetricsToken string

	// SMS sends the important notifications by SMS too (sms.go); Provider "" sends none.
	SMS smsConfig
}

// embedded reports whether the service runs on the embedded default (SQLite, local folder).
func (c config) embedded() bool { return c.DatabaseURL == "" || !isPostgres(c.DatabaseURL) }

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// secureCookies resolves CookieSecure: auto means "when the base URL is https".
func (c config) secureCookies() bool {
	switch c.CookieSecure {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	return strings.HasPrefix(c.BaseURL, "https://")
}

// String prints the configuration with secrets masked, for the start-up log.
func (c config) String() string {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "***"
	}
	db := c.DatabaseURL
	if i := strings.Index(db, "@"); i > 0 && isPostgres(db) {
		db = db[:strings.Index(db, "://")+3] + "***" + db[i:]
	}
	return fmt.Sprintf("addr=%s base_url=%s data_dir=%s database=%q s3_endpoint=%s s3_bucket=%s s3_secret=%s secret_key=%s previous_secret_key=%s admin_email=%s log=%s/%s metrics_addr=%s metrics_token=%s sms_provider=%s sms_secret_key=%s",
		c.Addr, c.BaseURL, c.DataDir, db, c.S3Endpoint, c.S3Bucket, mask(c.S3SecretKey), mask(c.SecretKey), mask(c.PreviousSecretKey), c.AdminEmail, c.LogLevel, c.LogFormat, c.MetricsAddr, mask(c.MetricsToken),
		c.SMS.Provider, mask(c.SMS.SecretKey))
}

// smtpSettings are the e-mail settings.
func (c config) smtpSettings() smtp.Settings {
	return smtp.Settings{Host: c.SMTPHost, Port: c.SMTPPort, TLS: c.SMTPTLS, User: c.SMTPUser, Password: c.SMTPPassword, From: c.SMTPFrom,
		Timeout: c.SMTPTimeout}
}

// loadConfig reads the environment through getenv, then the flags in args. extra, if given,
// adds a command's own flags before parsing.
func loadConfig(name string, args []string, getenv func(string) string, extra ...func(*flag.FlagSet)) (config, *flag.FlagSet, error) {
	env := func(key, def string) string {
		if v := getenv("CONTEST_" + key); v != "" {
			return v
		}
		return def
	}
	c := config{
		Addr: env("ADDR", ":8080"), BaseURL: env("BASE_URL", ""), DataDir: env("DATA_DIR", "data"),
		S3Endpoint: env("S3_ENDPOINT", ""), S3AccessKey: env("S3_ACCESS_KEY", ""),
		S3Bucket: env("S3_BUCKET", "contest"), S3Region: env("S3_REGION", ""),
		S3PublicEndpoint: env("S3_PUBLIC_ENDPOINT", ""),
		AdminEmail:       env("ADMIN_EMAIL", ""), CookieSecure: env("COOKIE_SECURE", "auto"),
		LogLevel: env("LOG_LEVEL", "info"), LogFormat: env("LOG_FORMAT", "text"),
		CertFont: env("CERT_FONT", ""), CertFallbackFont: env("CERT_FALLBACK_FONT", ""),
		MetricsAddr: env("METRICS_ADDR", ""),
		SMTPHost:    env("SMTP_HOST", ""), SMTPTLS: env("SMTP_TLS", "starttls"), SMTPUser: env("SMTP_USER", ""),
		SMTPFrom: env("SMTP_FROM", ""),
	}
	var errs []error
	for key, dst := range map[string]*string{
		"DATABASE_URL": &c.DatabaseURL, "SECRET_KEY": &c.SecretKey, "PREVIOUS_SECRET_KEY": &c.PreviousSecretKey,
		"S3_SECRET_KEY": &c.S3SecretKey, "ADMIN_PASSWORD": &c.AdminPassword,
		"METRICS_TOKEN": &c.MetricsToken, "SMTP_PASSWORD": &c.SMTPPassword,
	} {
		v, err := secret(getenv, "CONTEST_"+key)
		errs = append(errs, err)
		*dst = v
	}
	var err error
	if c.S3UseSSL, err = strconv.ParseBool(env("S3_USE_SSL", "false")); err != nil {
		errs = append(errs, fmt.Errorf("CONTEST_S3_USE_SSL: %w", err))
	}
	if c.S3PublicUseSSL, err = strconv.ParseBool(env("S3_PUBLIC_USE_SSL", strconv.FormatBool(c.S3UseSSL))); err != nil {
		errs = append(errs, fmt.Errorf("CONTEST_S3_PUBLIC_USE_SSL: %w", err))
	}
	if p := env("SMTP_PORT", ""); p != "" {
		if c.SMTPPort, err = strconv.Atoi(p); err != nil || c.SMTPPort < 1 || c.SMTPPort > 65535 {
			errs = append(errs, fmt.Errorf("CONTEST_SMTP_PORT: want a port number"))
		}
	}
	if c.SMTPTimeout, err = time.ParseDuration(env("SMTP_TIMEOUT", "30s")); err != nil || c.SMTPTimeout < time.Second || c.SMTPTimeout > 5*time.Minute {
		errs = append(errs, fmt.Errorf("CONTEST_SMTP_TIMEOUT: want a duration from 1s to 5m, such as 30s"))
	}
	if c.SMTPHost != "" {
		if _, err := smtp.New(c.smtpSettings()); err != nil {
			errs = append(errs, fmt.Errorf("CONTEST_SMTP_*: %w", err))
		}
	}
	var smsErrs []error
	c.SMS, smsErrs = loadSMSConfig(getenv)
	errs = append(errs, smsErrs...)
	def := contest.DefaultUploadSettings()
	if c.UploadPartBytes, err = strconv.ParseInt(env("UPLOAD_PART_BYTES", strconv.FormatInt(def.PartSize, 10)), 10, 64); err != nil || c.UploadPartBytes < contest.MinPartSize || c.UploadPartBytes > contest.MaxPartSize {
		errs = append(errs, fmt.Errorf("CONTEST_UPLOAD_PART_BYTES: want a byte count from %d (5 MiB) to %d (5 GiB)", contest.MinPartSize, int64(contest.MaxPartSize)))
	}
	if c.UploadGrace, err = time.ParseDuration(env("UPLOAD_GRACE", def.Grace.String())); err != nil || c.UploadGrace < 0 {
		errs = append(errs, fmt.Errorf("CONTEST_UPLOAD_GRACE: want a duration such as 30m"))
	}
	if c.UploadAbandon, err = time.ParseDuration(env("UPLOAD_ABANDON_AFTER", def.AbandonAfter.String())); err != nil || c.UploadAbandon < time.Hour {
		errs = append(errs, fmt.Errorf("CONTEST_UPLOAD_ABANDON_AFTER: want a duration of at least 1h, such as 24h"))
	}
	if c.TrustedProxies, err = parseCIDRs(env("TRUSTED_PROXIES", "")); err != nil {
		errs = append(errs, fmt.Errorf("CONTEST_TRUSTED_PROXIES: %w", err))
	}
	if c.MaxWorks, err = strconv.Atoi(env("MAX_WORKS_PER_ACCOUNT", strconv.Itoa(contest.DefaultMaxWorks))); err != nil || c.MaxWorks < 1 || c.MaxWorks > 1000 {
		errs = append(errs, fmt.Errorf("CONTEST_MAX_WORKS_PER_ACCOUNT: want a number from 1 to 1000"))
	}
	if c.HashWorkers, err = strconv.Atoi(env("HASH_WORKERS", strconv.Itoa(runtime.GOMAXPROCS(0)))); err != nil || c.HashWorkers < 1 || c.HashWorkers > 256 {
		errs = append(errs, fmt.Errorf("CONTEST_HASH_WORKERS: want a number from 1 to 256"))
	}
	if c.HashWait, err = time.ParseDuration(env("HASH_WAIT", contest.DefaultHashWait.String())); err != nil || c.HashWait < 100*time.Millisecond || c.HashWait > 5*time.Minute {
		errs = append(errs, fmt.Errorf("CONTEST_HASH_WAIT: want a duration from 100ms to 5m, such as 10s"))
	}
	jobs := db.DefaultJobSettings()
	c.Jobs = jobs
	// CONTEST_MEDIA_WORKERS is the name from before CONTEST_WORKERS.
	workers := env("WORKERS", env("MEDIA_WORKERS", strconv.Itoa(jobs.Workers)))
	if c.Jobs.Workers, err = strconv.Atoi(workers); err != nil || c.Jobs.Workers < 0 || c.Jobs.Workers > 64 {
		errs = append(errs, fmt.Errorf("CONTEST_WORKERS: want a number from 0 (serve runs no jobs) to 64"))
	}
	if c.Jobs.CopyWorkers, err = strconv.Atoi(env("COPY_WORKERS", strconv.Itoa(jobs.CopyWorkers))); err != nil || c.Jobs.CopyWorkers < 1 || c.Jobs.CopyWorkers > 64 {
		errs = append(errs, fmt.Errorf("CONTEST_COPY_WORKERS: want a number from 1 to 64"))
	}
	if c.Jobs.ScanWorkers, err = strconv.Atoi(env("SCAN_WORKERS", "1")); err != nil || c.Jobs.ScanWorkers < 1 || c.Jobs.ScanWorkers > 64 {
		errs = append(errs, fmt.Errorf("CONTEST_SCAN_WORKERS: want a number from 1 to 64"))
	}
	if c.Jobs.CheckTimeout, err = time.ParseDuration(env("CHECK_TIMEOUT", jobs.CheckTimeout.String())); err != nil || c.Jobs.CheckTimeout < time.Second {
		errs = append(errs, fmt.Errorf("CONTEST_CHECK_TIMEOUT: want a duration of at least 1s, such as 45s"))
	}
	if c.Jobs.Timeout, err = time.ParseDuration(env("JOB_TIMEOUT", jobs.Timeout.String())); err != nil || c.Jobs.Timeout < time.Second {
		errs = append(errs, fmt.Errorf("CONTEST_JOB_TIMEOUT: want a duration of at least 1s, such as 15m"))
	}
	if c.ReminderInterval, err = time.ParseDuration(env("REMINDER_INTERVAL", "10m")); err != nil || c.ReminderInterval < time.Second || c.ReminderInterval > 30*time.Minute {
		errs = append(errs, fmt.Errorf("CONTEST_REMINDER_INTERVAL: want a duration from 1s to 30m (the 2-hour reminder is sent within 30 minutes of its moment), such as 10m"))
	}
	if c.Jobs.HousekeepingInterval, err = time.ParseDuration(env("HOUSEKEEPING_INTERVAL", jobs.HousekeepingInterval.String())); err != nil || c.Jobs.HousekeepingInterval < time.Second {
		errs = append(errs, fmt.Errorf("CONTEST_HOUSEKEEPING_INTERVAL: want a duration of at least 1s, such as 15m"))
	}
	if c.Jobs.MailWorkers, err = strconv.Atoi(env("MAIL_WORKERS", strconv.Itoa(jobs.MailWorkers))); err != nil || c.Jobs.MailWorkers < 1 || c.Jobs.MailWorkers > 64 {
		errs = append(errs, fmt.Errorf("CONTEST_MAIL_WORKERS: want a number from 1 to 64"))
	}
	c.Jobs.MailTimeout = db.MailTimeoutFor(c.SMTPTimeout)
	if c.Jobs.MaxAttempts, err = strconv.Atoi(env("JOB_ATTEMPTS", strconv.Itoa(jobs.MaxAttempts))); err != nil || c.Jobs.MaxAttempts < 1 || c.Jobs.MaxAttempts > 25 {
		errs = append(errs, fmt.Errorf("CONTEST_JOB_ATTEMPTS: want a number from 1 to 25"))
	}
	if c.Jobs.RetryBase, err = time.ParseDuration(env("JOB_RETRY_BASE", jobs.RetryBase.String())); err != nil || c.Jobs.RetryBase <= 0 {
		errs = append(errs, fmt.Errorf("CONTEST_JOB_RETRY_BASE: want a positive duration such as 10s"))
	}
	if c.DurationTolerance, err = strconv.ParseFloat(env("DURATION_TOLERANCE", strconv.FormatFloat(contest.DefaultDurationTolerance, 'f', -1, 64)), 64); err != nil || c.DurationTolerance < 0 || c.DurationTolerance > 10 {
		errs = append(errs, fmt.Errorf("CONTEST_DURATION_TOLERANCE: want seconds from 0 to 10, such as 0.5"))
	}
	if c.Migrate, err = strconv.ParseBool(env("MIGRATE", "true")); err != nil {
		errs = append(errs, fmt.Errorf("CONTEST_MIGRATE: %w", err))
	}
	if c.ShutdownTimeout, err = time.ParseDuration(env("SHUTDOWN_TIMEOUT", "20s")); err != nil {
		errs = append(errs, fmt.Errorf("CONTEST_SHUTDOWN_TIMEOUT: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return c, nil, err
	}

	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (CONTEST_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL of the site, e.g. https://contest.example.org (CONTEST_BASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "folder for the embedded database, files and key (CONTEST_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres:// URL, or a SQLite file path; empty: DATA_DIR/contest.db (CONTEST_DATABASE_URL)")
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", c.S3Endpoint, "S3/MinIO host:port; empty: files in DATA_DIR/files (CONTEST_S3_ENDPOINT)")
	fs.StringVar(&c.S3Bucket, "s3-bucket", c.S3Bucket, "bucket name (CONTEST_S3_BUCKET)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (CONTEST_LOG_LEVEL)")
	fs.BoolVar(&c.Migrate, "migrate", c.Migrate, "apply database migrations at start-up (CONTEST_MIGRATE)")
	for _, add := range extra {
		add(fs)
	}
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	if c.S3Endpoint != "" && (c.S3AccessKey == "" || c.S3SecretKey == "") {
		return c, fs, errors.New("CONTEST_S3_ACCESS_KEY and CONTEST_S3_SECRET_KEY are required with CONTEST_S3_ENDPOINT")
	}
	if !c.embedded() && c.SecretKey == "" {
		return c, fs, errors.New("CONTEST_SECRET_KEY is required with PostgreSQL: every replica must share it (generate one with `openssl rand -base64 32`)")
	}
	return c, fs, nil
}

// secret reads KEY, or the file named by KEY_FILE (Docker and Kubernetes secrets).
func secret(getenv func(string) string, key string) (string, error) {
	if v := getenv(key); v != "" {
		return v, nil
	}
	if path := getenv(key + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", key, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// parseCIDRs reads a comma-separated list of address ranges (10.0.0.0/8) or single addresses.
func parseCIDRs(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			ip := net.ParseIP(item)
			if ip == nil {
				return nil, fmt.Errorf("%q is not an address or range", item)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address range such as 10.0.0.0/8", item)
		}
		out = append(out, n)
	}
	return out, nil
}

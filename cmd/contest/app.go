package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/ffmpeg"
	webhttp "github.com/jskx/contest/internal/http"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/pii"
	"github.com/jskx/contest/internal/s3"
	"github.com/jskx/contest/internal/smtp"
	"github.com/jskx/contest/internal/tesseract"
	"github.com/jskx/contest/internal/xlsx"
)

// app is the wired service: database, storage and the domain's services.
type app struct {
	cfg     config
	log     *slog.Logger
	db      *db.DB
	box     *pii.Box // seals personal data: the database's columns and stored scans
	storage contest.Storage
	svc     *contest.Services
	// observeJob, if set (metrics), is told how long each job ran, by kind.
	observeJob func(kind string, d time.Duration, err error)
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	// Every line logged while serving a request carries its request_id.
	if cfg.LogFormat == "json" {
		return slog.New(webhttp.LogHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(webhttp.LogHandler(slog.NewTextHandler(w, opts)))
}

// openApp opens the database and the storage and wires the services over them (openData, then
// wire).
func openApp(ctx context.Context, cfg config, log *slog.Logger, extra contest.Options) (*app, error) {
	a, err := openData(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := a.wire(extra); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// openData opens the database (migrating it or checking its version) and the storage; the
// services are not wired yet.
func openData(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	box, err := personalBox(cfg)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir, box, log)
	if err != nil {
		return nil, err
	}
	if cfg.Migrate {
		n, err := d.Migrate(ctx)
		if err != nil {
			d.Close()
			return nil, err
		}
		if n > 0 {
			log.Info("database migrated", "applied", n, "dialect", d.Dialect())
		}
	} else if err := d.CheckVersion(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.CheckKey(ctx); err != nil {
		d.Close()
		return nil, err
	}
	storage, err := openStorage(ctx, cfg)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("storage: %w", err)
	}
	return &app{cfg: cfg, log: log, db: d, box: box, storage: storage}, nil
}

// wire builds the services over the app's database and storage with the configured options;
// extra carries what only some commands have (serve's certificate renderer and public
// address). contest.New is the one wiring function, here and in the tests.
func (a *app) wire(extra contest.Options) error {
	opts, err := serviceOptions(a.cfg, a.log, extra)
	if err != nil {
		return err
	}
	opts.Files = a.box
	if a.cfg.SMTPHost != "" {
		m, err := smtp.New(a.cfg.smtpSettings())
		if err != nil {
			return err
		}
		opts.Mailer = m
		a.db.SetEmailDelivery(true)
	}
	if opts.SMS, err = a.cfg.SMS.settings(a.log); err != nil {
		return err
	}
	if opts.SMS.Sender != nil {
		a.db.SetSMSDelivery(a.cfg.SMS.kinds())
	}
	a.svc = contest.New(a.db.Stores(), a.storage, opts)
	return nil
}

// serviceOptions are the services' options from the configuration, with extra's renderer and
// public address.
func serviceOptions(cfg config, log *slog.Logger, extra contest.Options) (contest.Options, error) {
	o := extra
	o.Uploads = contest.DefaultUploadSettings()
	o.Uploads.PartSize, o.Uploads.Grace, o.Uploads.AbandonAfter = cfg.UploadPartBytes, cfg.UploadGrace, cfg.UploadAbandon
	o.Check = contest.CheckSettings{DurationTolerance: cfg.DurationTolerance, TempDir: filepath.Join(cfg.DataDir, "tmp")}
	if err := os.MkdirAll(o.Check.TempDir, 0o750); err != nil {
		return o, err
	}
	removeStaleTemp(o.Check.TempDir, 2*cfg.Jobs.Timeout, log)
	if mediaToolsInstalled() {
		o.Media = ffmpeg.Tools{}
		o.Content = ffmpeg.Tools{}
	}
	// The content scan reads text with Tesseract, on this server; without it (or its Chinese
	// model) scans still find duplicates and measure the sound, and say so.
	o.OCR = &tesseract.Reader{}
	o.Spreadsheets = xlsx.Writer{}
	o.MaxWorks = cfg.MaxWorks
	o.HashWorkers, o.HashWait = cfg.HashWorkers, cfg.HashWait
	return o, nil
}

// openStorage opens the bucket, or the local folder on the embedded default, with its multipart
// side for video uploads.
func openStorage(ctx context.Context, cfg config) (contest.Storage, error) {
	if cfg.S3Endpoint == "" {
		store, err := localfs.New(filepath.Join(cfg.DataDir, "files"))
		if err != nil {
			return nil, err
		}
		return localfs.NewMultipart(store, webhttp.PartURL), nil
	}
	store, err := s3.New(ctx, s3.Config{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
		Bucket: cfg.S3Bucket, Region: cfg.S3Region, UseSSL: cfg.S3UseSSL})
	if err != nil {
		return nil, err
	}
	return s3.NewMultipart(ctx, store, s3.PublicEndpoint{Endpoint: cfg.S3PublicEndpoint, UseSSL: cfg.S3PublicUseSSL})
}

// personalBox is the box of the configured keys: the master key, and the previous one during a
// rotation.
func personalBox(cfg config) (*pii.Box, error) {
	key, err := masterKey(cfg)
	if err != nil {
		return nil, err
	}
	var previous [][]byte
	if cfg.PreviousSecretKey != "" {
		k, err := pii.ParseKey(cfg.PreviousSecretKey)
		if err != nil {
			return nil, fmt.Errorf("CONTEST_PREVIOUS_SECRET_KEY: %w", err)
		}
		if bytes.Equal(k, key) {
			return nil, errors.New("CONTEST_PREVIOUS_SECRET_KEY is CONTEST_SECRET_KEY: a rotation needs the new key in CONTEST_SECRET_KEY and the old one in CONTEST_PREVIOUS_SECRET_KEY")
		}
		previous = append(previous, k)
	}
	return pii.New(key, previous...)
}

// masterKey returns the personal-data key: from config, or on the embedded default from
// DATA_DIR/secret.key, created on first start.
func masterKey(cfg config) ([]byte, error) {
	if cfg.SecretKey != "" {
		k, err := pii.ParseKey(cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("CONTEST_SECRET_KEY: %w", err)
		}
		return k, nil
	}
	return pii.LoadOrCreateKey(filepath.Join(cfg.DataDir, "secret.key"))
}

// ready reports whether the database and storage answer.
func (a *app) ready(ctx context.Context) error {
	return errors.Join(a.db.Ping(ctx), a.svc.Ping(ctx))
}

func (a *app) close() error { return a.db.Close() }

// seed creates the first contest and organizer when there are none. The embedded default gets
// the demo contest, open now, and an organizer with a generated password that is printed once.
func (a *app) seed(ctx context.Context, out io.Writer) error {
	if err := a.forgetFirstPassword(ctx); err != nil {
		return err
	}
	c := contest.DefaultContest()
	if a.cfg.embedded() {
		c = contest.DemoContest(a.svc.Now())
	}
	if created, err := a.svc.Contests.SeedContest(ctx, c); err != nil {
		return err
	} else if created {
		a.log.Info("contest created", "name", c.Name)
	}
	if a.cfg.AdminEmail != "" {
		if a.cfg.AdminPassword == "" {
			return errors.New("CONTEST_ADMIN_PASSWORD (or _FILE) is required with CONTEST_ADMIN_EMAIL")
		}
		created, err := a.svc.Registration.EnsureOrganizer(ctx, a.cfg.AdminEmail, a.cfg.AdminPassword, "")
		if err != nil {
			return fmt.Errorf("organizer %s: %w", a.cfg.AdminEmail, err)
		}
		if created {
			fmt.Fprintf(out, "组织者账号已创建 / organizer created: %s\n", a.cfg.AdminEmail)
		}
		return nil
	}
	n, err := a.svc.Registration.CountOrganizers(ctx)
	if err != nil || n > 0 {
		return err
	}
	if !a.cfg.embedded() {
		fmt.Fprintln(out, "还没有组织者账号：运行 `contest organizer -email …` 或设置 CONTEST_ADMIN_EMAIL / CONTEST_ADMIN_PASSWORD")
		return nil
	}
	const email = "admin@contest.local"
	password := contest.NewPassword()
	if _, err := a.svc.Registration.EnsureOrganizer(ctx, email, password, "组织者"); err != nil {
		return err
	}
	path := filepath.Join(a.cfg.DataDir, "organizer.txt")
	if err := os.WriteFile(path, []byte("email: "+email+"\npassword: "+password+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.Chmod(path, 0o600); err != nil { // a file left from before keeps its mode
		return err
	}
	fmt.Fprintf(out, "\n首位组织者账号 / first organizer account (also saved in %s until you change this password):\n  邮箱 email:    %s\n  密码 password: %s\n", path, email, password)
	fmt.Fprintln(out, "请登录后在“修改密码”中设置新密码；修改后该文件会被删除。")
	return nil
}

// forgetFirstPassword deletes organizer.txt once the first organizer has changed the password
// it holds: a password on disk is only for the first sign-in.
func (a *app) forgetFirstPassword(ctx context.Context) error {
	path := filepath.Join(a.cfg.DataDir, "organizer.txt")
	saved, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	var email, password string
	for line := range strings.Lines(string(saved)) {
		if v, ok := strings.CutPrefix(line, "email: "); ok {
			email = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(line, "password: "); ok {
			password = strings.TrimSpace(v)
		}
	}
	still, err := a.svc.Registration.PasswordIs(ctx, email, password)
	if err != nil || still {
		return err
	}
	a.log.Info("the first organizer's password was changed: organizer.txt deleted")
	return os.Remove(path)
}

// watchFirstPassword deletes organizer.txt once its password was changed, checking every
// housekeeping interval until ctx ends. The file is on the machine of the replica that wrote it:
// this replica checks it itself, whether or not it runs jobs or leads the housekeeping (which
// checks too, for a folder shared by several replicas).
func (a *app) watchFirstPassword(ctx context.Context) {
	t := time.NewTicker(a.cfg.Jobs.HousekeepingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := a.forgetFirstPassword(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("organizer.txt", "err", err)
		}
	}
}

// mediaToolsInstalled reports whether ffprobe and ffmpeg are on PATH.
func mediaToolsInstalled() bool {
	for _, tool := range []string{"ffprobe", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			return false
		}
	}
	return true
}

// removeStaleTemp deletes what checks left in dir when their server died: entries older than
// a check can run (replicas may share the folder, so a fresh one may be another's).
func removeStaleTemp(dir string, age time.Duration, log *slog.Logger) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				log.Warn("removing a stale temporary file", "path", e.Name(), "err", err)
			}
		}
	}
}

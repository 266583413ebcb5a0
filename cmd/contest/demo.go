package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jskx/contest/internal/demo"
)

// demoDataDir is the demo's own data folder, apart from the service's ./data.
const demoDataDir = "demo-data"

// runDemo is `contest demo`: the service on the embedded default in a folder of its own
// (demo-data), filled on first start with an example contest, with a clock an organizer moves
// to each stage from the settings page. It never runs on PostgreSQL or S3, never reads the
// service's data folder, key or organizer settings, and sends no e-mail.
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	for _, key := range []string{"CONTEST_DATABASE_URL", "CONTEST_DATABASE_URL_FILE", "CONTEST_S3_ENDPOINT"} {
		if getenv(key) != "" {
			return usageError{fmt.Errorf("contest demo runs only on its own SQLite database and folder: unset %s", key)}
		}
	}
	cfg, _, err := loadConfig("demo", args, demoEnv(getenv))
	if err != nil {
		return usageError{err}
	}
	if cfg.DatabaseURL != "" || cfg.S3Endpoint != "" {
		return usageError{fmt.Errorf("contest demo runs only on its own SQLite database and folder: drop -database-url and -s3-endpoint")}
	}
	cfg.Jobs.Workers = max(cfg.Jobs.Workers, 1) // the demo's videos are checked by its own jobs
	if err := checkAddr(cfg.Addr); err != nil { // before its folder and clock are made
		return err
	}
	if err := demo.CheckFolder(cfg.DataDir); err != nil {
		return usageError{err}
	}
	if err := os.MkdirAll(filepath.Join(cfg.DataDir, "tmp"), 0o750); err != nil {
		return err
	}
	clock, err := demo.OpenClock(cfg.DataDir)
	if err != nil {
		return err
	}
	return runServer(ctx, cfg, clock, stdout, stderr)
}

// demoEnv is the environment the demo reads: the service's data folder, key, organizer,
// e-mail and SMS settings are left out, so that a demo started on a production machine touches none of
// them.
func demoEnv(getenv func(string) string) func(string) string {
	return func(key string) string {
		switch {
		case key == "CONTEST_DATA_DIR":
			return demoDataDir
		case strings.HasPrefix(key, "CONTEST_SECRET_KEY"), strings.HasPrefix(key, "CONTEST_ADMIN_"),
			strings.HasPrefix(key, "CONTEST_SMTP_"), strings.HasPrefix(key, "CONTEST_SMS_"), strings.HasPrefix(key, "CONTEST_METRICS_"):
			return ""
		}
		return getenv(key)
	}
}

// seedDemo fills the demo on its first start (the background jobs must be running: they check
// the videos) and prints its accounts.
func (a *app) seedDemo(ctx context.Context, clock *demo.Clock, out io.Writer) (*demo.Demo, error) {
	d := demo.New(a.svc, clock, a.db.Stores(), a.cfg.DataDir)
	if !demo.Seeded(a.cfg.DataDir) {
		fmt.Fprintln(out, "正在生成演示数据（示例视频、报名、评委与分配），约需一分钟… / seeding the demo…")
		if err := d.Seed(ctx); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	if err := d.PrintAccounts(out); err != nil {
		return nil, err
	}
	fmt.Fprintln(out, "演示模式：时间可调（组织者在“活动设置”页跳到评审期、公示期、公示期满），数据仅供体验。")
	return d, nil
}

// Command contest runs the short-video contest service. Subcommands:
//
//	contest serve      run the web service (default)
//	contest worker     run the background jobs only (video checks, packages, housekeeping)
//	contest migrate    apply database migrations and exit
//	contest organizer  create an organizer account
//	contest probe      check video files against the contest's media rules
//	contest demo       run an example contest with a clock to move through its stages
//	contest backup     copy the database and every stored file into a folder
//	contest restore    write such a folder into an empty database and storage
//
// With no configuration it runs on SQLite and the ./data folder; see docs/configuration.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Shanghai on machines without a zone database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "contest:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ error }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

const usage = `用法 / usage: contest <command> [flags]

commands:
  serve       run the web service (default); CONTEST_WORKERS=0 leaves the jobs to workers
  worker      run the background jobs only, no HTTP (video checks, packages, housekeeping)
  migrate     apply database migrations and exit
  reseal      seal the personal data again under a new CONTEST_SECRET_KEY, the old one in
              CONTEST_PREVIOUS_SECRET_KEY (a key rotation, while the service runs)
  organizer   create an organizer account: contest organizer -email a@b.cn [-password …]
  probe       check video files against the contest's rules: contest probe [--json] FILE...
              (exit status 0: all pass, 1: some rejected, 2: usage error)
  demo        run an example contest (SQLite + ./demo-data only) with contestants, judges and
              scores, and a clock an organizer moves to each stage: contest demo [-addr :8080]
  backup      copy the database and every stored file into a new folder, while the service
              runs: contest backup -out DIR (the key is not copied: keep it apart)
  restore     write a backup into an EMPTY database and storage, under the same key:
              contest restore -from DIR

Run "contest <command> -h" for the flags of a command. The flags of serve, worker, migrate,
organizer, backup and restore also have CONTEST_* environment variables; see docs/configuration.md.
`

// run is the whole program; tests call it too. Only main exits.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "worker":
		return worker(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "reseal":
		return reseal(ctx, args, getenv, stdout, stderr)
	case "organizer":
		return organizer(ctx, args, getenv, stdout, stderr)
	case "probe":
		return probe(ctx, args, stdout, stderr)
	case "demo":
		return runDemo(ctx, args, getenv, stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, getenv, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Errorf("unknown command %q", cmd)}
}

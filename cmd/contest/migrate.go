package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/jskx/contest/internal/contest"
)

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("migrate", args, getenv)
	if err != nil {
		return usageError{err}
	}
	cfg.Migrate = true
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.close()
	fmt.Fprintf(stdout, "schema up to date (%s)\n", a.db.Dialect())
	return nil
}

func organizer(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, fs, err := loadConfig("organizer", nil, getenv)
	if err != nil {
		return usageError{err}
	}
	fs = flag.NewFlagSet("organizer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the organizer's email (required)")
	password := fs.String("password", "", "password; empty: generate one and print it")
	name := fs.String("name", "组织者", "display name")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "as for serve")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "as for serve")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *email == "" {
		return usageError{fmt.Errorf("-email is required")}
	}
	if *password == "" {
		*password = generatePassword()
		fmt.Fprintf(stdout, "password: %s\n", *password)
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.close()
	created, err := a.svc.EnsureOrganizer(ctx, *email, *password, *name)
	if err != nil {
		if f := contest.ErrorFields(err); f != nil {
			return fmt.Errorf("%s: %v", contest.ErrorMessage(err), f)
		}
		return err
	}
	if !created {
		return fmt.Errorf("an account with %s exists already", *email)
	}
	fmt.Fprintf(stdout, "organizer %s created\n", *email)
	return nil
}

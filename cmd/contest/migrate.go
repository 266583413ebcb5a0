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
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr), contest.Options{})
	if err != nil {
		return err
	}
	defer a.close()
	fmt.Fprintf(stdout, "schema up to date (%s)\n", a.db.Dialect())
	return nil
}

func organizer(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var email, password, name string
	cfg, _, err := loadConfig("organizer", args, getenv, func(fs *flag.FlagSet) {
		fs.SetOutput(stderr)
		fs.StringVar(&email, "email", "", "the organizer's email (required)")
		fs.StringVar(&password, "password", "", "password; empty: generate one and print it")
		fs.StringVar(&name, "name", "组织者", "display name")
	})
	if err != nil {
		return usageError{err}
	}
	if email == "" {
		return usageError{fmt.Errorf("-email is required")}
	}
	generated := password == ""
	if generated {
		password = contest.NewPassword()
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr), contest.Options{})
	if err != nil {
		return err
	}
	defer a.close()
	created, err := a.svc.Registration.EnsureOrganizer(ctx, email, password, name)
	if err != nil {
		if f := contest.ErrorFields(err); f != nil {
			return fmt.Errorf("%s: %v", contest.ErrorMessage(err), f)
		}
		return err
	}
	if !created {
		return fmt.Errorf("an account with %s exists already", email)
	}
	fmt.Fprintf(stdout, "organizer %s created\n", email)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	return nil
}

#!/usr/bin/env bash
# E-mail at the deadline on this machine: MAILBENCH_N (default 5 000) notifications queued in
# one transaction are delivered to a private Mailpit by the mail workers, on SQLite and on
# PostgreSQL, beside Mailpit's own acceptance rate for a raw SMTP client in the same run
# (internal/db/mail_bench_test.go, BenchmarkMailAtTheDeadline; docs/benchmarks.md).
#
#   scripts/mail-bench.sh [-n 5000] [-workers 2,16]
#
# Needs: Go, curl, a Mailpit binary (scripts/deps.sh installs it) and a PostgreSQL the URL in
# CONTEST_TEST_POSTGRES_URL reaches with the right to create databases (default
# postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); each run gets a fresh database,
# dropped at the end, and Mailpit is stopped.
set -euo pipefail

die() {
	printf 'mail-bench.sh: ERROR: %s\n' "$*" >&2
	exit 1
}

n=5000
workers=2,16
while (($#)); do
	case $1 in
	-n) n=$2; shift 2 ;;
	-workers) workers=$2; shift 2 ;;
	*) die "unknown argument $1 (usage: $0 [-n N] [-workers 2,16])" ;;
	esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
command -v go >/dev/null 2>&1 || die "go not found"
state=$(mktemp -d "${TMPDIR:-/tmp}/mail-bench.XXXXXX")
trap '"$repo/scripts/mailpit.sh" stop "$state"; rm -rf "$state"' EXIT
"$repo/scripts/mailpit.sh" start "$state" >/dev/null
# shellcheck disable=SC1091
source "$state/env"
export CONTEST_TEST_POSTGRES_URL=${CONTEST_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
export CONTEST_TEST_REQUIRE_ALL=1 MAILBENCH_N=$n MAILBENCH_WORKERS=$workers

printf 'machine: %s, %s cores, %s\n' "$(uname -sm)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
printf 'load average at the start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
cd "$repo"
go test -run '^$' -bench MailAtTheDeadline -benchtime 1x -timeout 2h ./internal/db/

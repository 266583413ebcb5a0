#!/usr/bin/env bash
# The project's test command:  ./scripts/test.sh [extra go test args, e.g. -run TestX -v]
#
#  1. installs missing tools (scripts/deps.sh: chromium, ffmpeg, fonts, poppler-utils, MinIO,
#     axe-core, ...)
#  2. makes sure PostgreSQL answers on 127.0.0.1:5432 and database `test` exists
#  3. starts a private MinIO on a free loopback port and a private Mailpit (SMTP + HTTP API)
#     on free loopback ports (both stopped again on exit)
#  4. runs `go vet ./...` and `go test -count=1 -timeout 20m ./...` with every backend required
#     (CONTEST_TEST_REQUIRE_ALL=1: a test that lacks a backend fails instead of skipping); on a
#     full run the tests of internal/http run in two processes beside the other packages
#
# To use services of your own instead, set before running:
#   CONTEST_TEST_POSTGRES_URL   e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable
#   CONTEST_TEST_S3_ENDPOINT, CONTEST_TEST_S3_ACCESS_KEY, CONTEST_TEST_S3_SECRET_KEY
#   CONTEST_TEST_CHROMIUM       path of a Chromium/Chrome binary
#   CONTEST_TEST_SMTP_ADDR, CONTEST_TEST_MAILPIT_API   a Mailpit's SMTP host:port and API URL
#   CONTEST_TEST_AXE            path of an axe.min.js (axe-core) for the accessibility check
#   CONTEST_TEST_SCREENSHOTS    where the browser tests save their screenshots (the pages at
#                               phone, tablet and desktop widths); default test-artifacts/screenshots
# SKIP_DEPS=1 skips step 1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
	printf '\ntest.sh: ERROR: %s\n' "$*" >&2
	exit 1
}

command -v go >/dev/null 2>&1 || die "go not found in PATH (expected /usr/local/go/bin)"

# ---------------------------------------------------------------------------------------------
step "1/6 dependencies"
# ---------------------------------------------------------------------------------------------
if [[ "${SKIP_DEPS:-}" == 1 ]]; then
	info "SKIP_DEPS=1: not checking"
else
	"$root/scripts/deps.sh" || die "scripts/deps.sh failed (see above)"
fi

# ---------------------------------------------------------------------------------------------
step "2/6 PostgreSQL"
# ---------------------------------------------------------------------------------------------
pg_host=127.0.0.1
pg_port=5432
pg_admin_url="postgres://postgres@$pg_host:$pg_port/postgres?sslmode=disable"

pg_ready() { pg_isready -q -h "$pg_host" -p "$pg_port" -t 2 >/dev/null 2>&1; }
pg_query() { psql "$pg_admin_url" -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"; }

if [[ -n "${CONTEST_TEST_POSTGRES_URL:-}" ]]; then
	info "using CONTEST_TEST_POSTGRES_URL from the environment"
else
	{ command -v pg_isready && command -v psql; } >/dev/null 2>&1 ||
		die "psql/pg_isready not found; run scripts/deps.sh (installs postgresql-client)"

	if pg_ready; then
		info "answering on $pg_host:$pg_port"
	else
		info "not answering on $pg_host:$pg_port; starting the local cluster(s)"
		command -v pg_ctlcluster >/dev/null 2>&1 ||
			die "PostgreSQL does not answer on $pg_host:$pg_port and pg_ctlcluster is not installed; install postgresql (scripts/deps.sh does) or set CONTEST_TEST_POSTGRES_URL"
		started=false
		for conf in /etc/postgresql/*/*/postgresql.conf; do
			[[ -f "$conf" ]] || continue
			cluster_dir=$(dirname "$conf")
			cluster=$(basename "$cluster_dir")
			version=$(basename "$(dirname "$cluster_dir")")
			info "pg_ctlcluster $version $cluster start"
			if pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start; then
				started=true
			else
				info "(failed; the cluster may already be running on another port)"
			fi
		done
		$started || die "could not start any PostgreSQL cluster under /etc/postgresql (need root, or start it yourself)"
		for _ in $(seq 1 30); do
			pg_ready && break
			sleep 1
		done
		pg_ready || die "PostgreSQL started but does not answer on $pg_host:$pg_port after 30 s (is a cluster configured for port $pg_port?)"
		info "answering on $pg_host:$pg_port"
	fi

	# The tests connect as user postgres without a password. A freshly installed Debian cluster
	# asks for one (scram-sha-256) on TCP, so as root we trust loopback TCP connections.
	if ! pg_query 'select 1' >/dev/null 2>&1; then
		hba=""
		for f in /etc/postgresql/*/main/pg_hba.conf; do
			[[ -f "$f" ]] && hba=$f
		done
		if ((EUID == 0)) && [[ -n "$hba" ]]; then
			version=$(basename "$(dirname "$(dirname "$hba")")")
			info "cannot log in as postgres without a password; adding trust for loopback TCP to $hba"
			tmp=$(mktemp)
			{
				echo "# added by scripts/test.sh: the test suite connects over loopback TCP without a password"
				echo "host    all             all             127.0.0.1/32            trust"
				echo "host    all             all             ::1/128                 trust"
				cat "$hba"
			} >"$tmp"
			cat "$tmp" >"$hba" # keeps owner and mode of pg_hba.conf
			rm -f "$tmp"
			pg_ctlcluster --skip-systemctl-redirect "$version" main reload ||
				die "pg_ctlcluster $version main reload failed"
			sleep 1
		fi
		if ! pg_query 'select 1' >/dev/null; then
			die "cannot connect to $pg_admin_url as user postgres without a password; allow trust auth for 127.0.0.1 in pg_hba.conf, or set CONTEST_TEST_POSTGRES_URL"
		fi
	fi

	if [[ "$(pg_query "select 1 from pg_database where datname = 'test'")" != 1 ]]; then
		info "creating database test"
		pg_query 'create database test' || die "could not create database test"
	else
		info "database test exists"
	fi
	export CONTEST_TEST_POSTGRES_URL="postgres://postgres@$pg_host:$pg_port/test?sslmode=disable"
fi
info "CONTEST_TEST_POSTGRES_URL=$CONTEST_TEST_POSTGRES_URL"

# ---------------------------------------------------------------------------------------------
step "3/6 MinIO"
# ---------------------------------------------------------------------------------------------
minio_state=""
mailpit_state=""
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	local rc=$?
	if [[ -n "$mailpit_state" ]]; then
		"$root/scripts/mailpit.sh" stop "$mailpit_state" || true
		rm -rf "$mailpit_state"
	fi
	if [[ -n "$minio_state" ]]; then
		"$root/scripts/minio.sh" stop "$minio_state" || true
		rm -rf "$minio_state"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n "${CONTEST_TEST_S3_ENDPOINT:-}" ]]; then
	info "using CONTEST_TEST_S3_ENDPOINT=$CONTEST_TEST_S3_ENDPOINT from the environment"
else
	minio_state=$(mktemp -d "${TMPDIR:-/tmp}/contest-minio.XXXXXX")
	"$root/scripts/minio.sh" start "$minio_state" >/dev/null || die "could not start MinIO (see above)"
	# shellcheck disable=SC1091
	source "$minio_state/env"
	info "running on $CONTEST_TEST_S3_ENDPOINT (pid $(<"$minio_state/pid"), data in $minio_state/data)"
fi

step "4/6 Mailpit"
if [[ -n "${CONTEST_TEST_SMTP_ADDR:-}" ]]; then
	info "using CONTEST_TEST_SMTP_ADDR=$CONTEST_TEST_SMTP_ADDR from the environment"
else
	mailpit_state=$(mktemp -d "${TMPDIR:-/tmp}/contest-mailpit.XXXXXX")
	"$root/scripts/mailpit.sh" start "$mailpit_state" >/dev/null || die "could not start Mailpit (see above)"
	# shellcheck disable=SC1091
	source "$mailpit_state/env"
	info "SMTP on $CONTEST_TEST_SMTP_ADDR, API on $CONTEST_TEST_MAILPIT_API (pid $(<"$mailpit_state/pid"))"
fi

# ---------------------------------------------------------------------------------------------
step "5/6 go vet ./..."
# ---------------------------------------------------------------------------------------------
export CONTEST_TEST_REQUIRE_ALL=1
if [[ -z "${CONTEST_TEST_CHROMIUM:-}" ]]; then
	CONTEST_TEST_CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
fi
[[ -n "$CONTEST_TEST_CHROMIUM" ]] || die "chromium not found; run scripts/deps.sh or set CONTEST_TEST_CHROMIUM"
export CONTEST_TEST_CHROMIUM
export CONTEST_TEST_S3_ENDPOINT CONTEST_TEST_S3_ACCESS_KEY CONTEST_TEST_S3_SECRET_KEY
if [[ -z "${CONTEST_TEST_AXE:-}" ]]; then
	# shellcheck source=scripts/lib/axe.sh
	source "$root/scripts/lib/axe.sh"
	CONTEST_TEST_AXE=$(axe_path) # downloaded by scripts/deps.sh
fi
export CONTEST_TEST_AXE
# The browser tests' screenshots are kept as the run's artifacts (older ones are replaced).
CONTEST_TEST_SCREENSHOTS=${CONTEST_TEST_SCREENSHOTS:-$root/test-artifacts/screenshots}
mkdir -p "$CONTEST_TEST_SCREENSHOTS"
find "$CONTEST_TEST_SCREENSHOTS" -maxdepth 1 -name '*.png' -delete
export CONTEST_TEST_SCREENSHOTS
export CONTEST_TEST_SMTP_ADDR CONTEST_TEST_MAILPIT_API
info "CONTEST_TEST_S3_ENDPOINT=$CONTEST_TEST_S3_ENDPOINT CONTEST_TEST_CHROMIUM=$CONTEST_TEST_CHROMIUM CONTEST_TEST_REQUIRE_ALL=1"

if ! go vet ./...; then
	die "go vet failed"
fi

# ---------------------------------------------------------------------------------------------
step "6/6 go test -count=1 -timeout 20m ./... $*"
# ---------------------------------------------------------------------------------------------
rc=0
if ! docker info >/dev/null 2>&1; then
	info "NOTICE: no container engine here: docker-compose.yml is checked, not brought up (TestCompose_UpWhereAContainerEngineRuns skips)"
fi
if [[ $# -eq 0 ]]; then
	# internal/http holds most of the suite's time, and much of it is waiting (browsers, jobs
	# polled, retries backing off): its tests run in two processes beside the other packages.
	# Each test has its own database, bucket, server and mail addresses, so they do not meet.
	mapfile -t http_tests < <(go test -list '^Test' ./internal/http | grep '^Test' | sort)
	shard() { # shard N: every other test, from the Nth, as a -run pattern
		local i out=()
		for ((i = $1; i < ${#http_tests[@]}; i += 2)); do out+=("${http_tests[i]}"); done
		local IFS='|'
		printf '^(%s)$' "${out[*]}"
	}
	others=$(go list ./... | grep -v '/internal/http$')
	# shellcheck disable=SC2086 # the package list is split on purpose
	go test -count=1 -timeout 20m $others &
	p0=$!
	go test -count=1 -timeout 20m -run "$(shard 0)" ./internal/http &
	p1=$!
	go test -count=1 -timeout 20m -run "$(shard 1)" ./internal/http &
	p2=$!
	for p in $p0 $p1 $p2; do wait "$p" || rc=$?; done
else
	go test -count=1 -timeout 20m ./... "$@" || rc=$?
fi
# A short fuzz pass over the parsers of untrusted input (only on a full run, not with -run X).
if [[ $rc -eq 0 && $# -eq 0 ]]; then
	# Budgets are execution counts (about 10 s each here), not durations: Go 1.26's fuzz
	# coordinator can report "context deadline exceeded" when a duration runs out
	# (go.dev/issue/75804, fixed in Go 1.27), failing a run that found nothing.
	printf "\n==> fuzz: ID numbers, MP4 ftyp boxes, ffprobe output (about 10 s each)\n"
	go test -run '^$' -fuzz FuzzValidateIDNumber -fuzztime 200000x ./internal/contest/ || rc=$?
	go test -run '^$' -fuzz FuzzParseFtyp -fuzztime 60000x ./internal/ffmpeg/ || rc=$?
	go test -run '^$' -fuzz FuzzParseProbe -fuzztime 40000x ./internal/ffmpeg/ || rc=$?
fi
info "screenshots of the pages: $CONTEST_TEST_SCREENSHOTS ($(find "$CONTEST_TEST_SCREENSHOTS" -name '*.png' | wc -l) files)"
if ((rc == 0)); then
	printf '\n==> PASS\n'
else
	printf '\n==> FAIL (go test exit status %d)\n' "$rc" >&2
fi
exit "$rc"

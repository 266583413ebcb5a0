#!/usr/bin/env bash
# Deadline night on this machine: a province's contestants in the last hour, against the
# production setup — PostgreSQL, MinIO and two `contest serve` replicas behind the load tool
# acting as their load balancer and trusted proxy — then the summary of cmd/loadtest.
#
#   scripts/deadline-night.sh [-n 1000] [-ramp 60s] [-- more loadtest flags]
#
# Needs: Go, curl, openssl, psql, ffmpeg, a MinIO binary (scripts/deps.sh builds it) and a
# PostgreSQL the URL in CONTEST_TEST_POSTGRES_URL reaches with the right to create databases
# (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). It creates a fresh
# database and a private MinIO in a temporary folder, starts the replicas with the production
# settings (docs/configuration.md), runs
#   loadtest -baseline -n N             the CPU floor of N password hashes on this machine
#   loadtest -base R1 -base R2 -n N -ramp RAMP -forwarded -organizer …
# (the tool also samples GET /api/v1/contest and a signed-in contestant's 我的作品 during the
# crush), and stops and removes everything at the end. The summary (text and JSON) and the
# replicas' logs are kept in OUT_DIR (default: a new folder under /tmp, printed). Other CONTEST_*
# settings in the environment reach both replicas (e.g. CONTEST_MEDIA_WORKERS=4).
set -euo pipefail

die() {
	printf 'deadline-night.sh: ERROR: %s\n' "$*" >&2
	exit 1
}

n=1000
ramp=60s
extra=()
while (($#)); do
	case $1 in
	-n) n=$2; shift 2 ;;
	-ramp) ramp=$2; shift 2 ;;
	--) shift; extra=("$@"); break ;;
	*) die "unknown argument $1 (usage: $0 [-n N] [-ramp 60s] [-- loadtest flags])" ;;
	esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
for tool in go curl openssl psql ffmpeg; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs what is missing)"
done

# One run at a time on a machine: two crushes at once measure nothing. The lock's descriptor is
# closed for every process started below (9>&-), so a server left running never holds it.
exec 9>"${TMPDIR:-/tmp}/deadline-night.lock"
flock -n 9 || die "another deadline-night run holds ${TMPDIR:-/tmp}/deadline-night.lock"

work=$(mktemp -d "${TMPDIR:-/tmp}/deadline-night.XXXXXX")
out=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/deadline-night-out.XXXXXX")}
mkdir -p "$out"
admin_url=${CONTEST_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
dbname="deadline_night_$(date +%Y%m%d%H%M%S)_$$"
# The same server and options, another database: replace the URL's path.
db_url=$(printf '%s' "$admin_url" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$dbname#")
pids=()
db_created=false
minio_started=false

stop_pid() {
	local pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 250); do # the replicas' shutdown timeout is 20 s
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	set +e
	for pid in "${pids[@]}"; do stop_pid "$pid"; done
	if $minio_started; then "$repo/scripts/minio.sh" stop "$work/minio" >/dev/null 2>&1; fi
	if $db_created; then psql "$admin_url" -qAtc "DROP DATABASE IF EXISTS \"$dbname\" WITH (FORCE)" >/dev/null 2>&1; fi
	for i in 1 2; do [[ -f "$work/replica$i.log" ]] && cp "$work/replica$i.log" "$out/"; done
	rm -rf "$work"
	echo "summary and logs kept in $out"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building"
(cd "$repo" && go build -o "$work/bin/contest" ./cmd/contest && go build -o "$work/bin/loadtest" ./cmd/loadtest)

echo "== PostgreSQL: database $dbname"
psql "$admin_url" -qAtc "CREATE DATABASE \"$dbname\"" 9>&- || die "cannot create a database through $admin_url"
db_created=true

echo "== MinIO"
"$repo/scripts/minio.sh" start "$work/minio" 9>&- >/dev/null
minio_started=true
# shellcheck disable=SC1091
source "$work/minio/env"

free_port() {
	local port=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
	echo "$port"
}
port1=$(free_port 18081)
port2=$(free_port $((port1 + 1)))

openssl rand -base64 32 >"$work/secret.key"
openssl rand -hex 16 >"$work/organizer.password"
chmod 600 "$work/secret.key" "$work/organizer.password"
organizer=organizer@deadline-night.test

# The production settings (docs/configuration.md); the load tool is the replicas' proxy.
export CONTEST_DATABASE_URL=$db_url
export CONTEST_SECRET_KEY_FILE=$work/secret.key
export CONTEST_S3_ENDPOINT=$CONTEST_TEST_S3_ENDPOINT
export CONTEST_S3_ACCESS_KEY=$CONTEST_TEST_S3_ACCESS_KEY
export CONTEST_S3_SECRET_KEY=$CONTEST_TEST_S3_SECRET_KEY
export CONTEST_S3_BUCKET=deadline-night
export CONTEST_S3_REGION=us-east-1
export CONTEST_BASE_URL=http://127.0.0.1:$port1
export CONTEST_TRUSTED_PROXIES=127.0.0.1/32
export CONTEST_ADMIN_EMAIL=$organizer
export CONTEST_ADMIN_PASSWORD_FILE=$work/organizer.password
export CONTEST_COOKIE_SECURE=false

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

start_replica() { # INDEX PORT
	local i=$1 port=$2
	mkdir -p "$work/replica$i"
	CONTEST_ADDR=127.0.0.1:$port CONTEST_DATA_DIR=$work/replica$i \
		setsid "$work/bin/contest" serve >"$work/replica$i.log" 2>&1 </dev/null 9>&- &
	pids+=($!)
	local deadline=$((SECONDS + 60))
	until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null; do
		kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/replica$i.log" >&2; die "replica $i exited"; }
		((SECONDS < deadline)) || die "replica $i did not become ready within 60 s"
		sleep 0.2
	done
	echo "replica $i: http://127.0.0.1:$port (pid ${pids[-1]})"
}

echo "== replicas"
start_replica 1 "$port1" # migrates the fresh database first
start_replica 2 "$port2"

echo "== baseline: the CPU floor of $n password hashes on $(nproc) cores"
"$work/bin/loadtest" -baseline -n "$n" -json "$out/baseline.json" 9>&- | tee "$out/baseline.txt"

echo "== deadline night: $n contestants within $ramp"
set +e
LOADTEST_ORGANIZER_PASSWORD=$(<"$work/organizer.password") "$work/bin/loadtest" \
	-base "http://127.0.0.1:$port1" -base "http://127.0.0.1:$port2" -n "$n" -ramp "$ramp" -forwarded \
	-organizer "$organizer" -json "$out/summary.json" "${extra[@]}" 9>&- | tee "$out/summary.txt"
rc=${PIPESTATUS[0]}
set -e

echo
for i in 1 2; do
	printf 'replica %d log: %s ERROR lines, %s answers with status 5xx\n' "$i" \
		"$(grep -c 'level=ERROR' "$work/replica$i.log" || true)" "$(grep -cE 'status=5[0-9][0-9]' "$work/replica$i.log" || true)"
done
exit "$rc"

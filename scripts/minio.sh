#!/usr/bin/env bash
# Starts and stops a private, throw-away MinIO server for the tests.
#
#   scripts/minio.sh start STATE_DIR   start MinIO on a free 127.0.0.1 port with its data in
#                                      STATE_DIR/data and random root credentials; waits until it
#                                      is healthy, then writes STATE_DIR/env (shell `export` lines
#                                      for CONTEST_TEST_S3_*) and prints them.
#   scripts/minio.sh stop STATE_DIR    stop the server started with that STATE_DIR.
#
# The binary is $MINIO_BIN, else `minio` from $(go env GOBIN) / $(go env GOPATH)/bin / PATH
# (scripts/deps.sh builds it). MINIO_PORT picks the first port to try (default 19000).
set -euo pipefail

die() {
	printf 'minio.sh: ERROR: %s\n' "$*" >&2
	exit 1
}

usage() { die "usage: $0 start|stop STATE_DIR"; }

# shellcheck source=lib/server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/server.sh"

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

start() {
	local state=$1 bin port user password pid log url attempt
	bin=$(find_go_bin minio "${MINIO_BIN:-}")
	[[ -n "$bin" && -x "$bin" ]] || die "minio binary not found; run scripts/deps.sh (builds it with go install) or set MINIO_BIN"
	command -v curl >/dev/null 2>&1 || die "curl not found; run scripts/deps.sh"
	mkdir -p "$state/data"
	[[ ! -f "$state/pid" ]] || die "$state/pid exists: a MinIO from this STATE_DIR may still be running (scripts/minio.sh stop $state)"

	user="test$(random_hex 6)"
	password=$(random_hex 16)
	log="$state/minio.log"
	port=${MINIO_PORT:-19000}

	# Another process may grab the port between the check and MinIO's bind, so a failed start
	# caused by a busy address is retried on the next port.
	for attempt in 1 2 3 4 5; do
		port=$(free_port "$port")
		url="http://127.0.0.1:$port"
		: >"$log"
		# setsid: the server is in its own process group, so a Ctrl-C aimed at the tests reaches
		# it only through the caller's trap, which stops it cleanly.
		MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$password \
			MINIO_BROWSER=off MINIO_UPDATE=off \
			setsid "$bin" server --quiet --address "127.0.0.1:$port" "$state/data" >>"$log" 2>&1 </dev/null &
		pid=$!
		echo "$pid" >"$state/pid"

		local deadline=$((SECONDS + 60)) healthy=false
		while ((SECONDS < deadline)); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if curl -fsS -o /dev/null --max-time 2 "$url/minio/health/live" 2>/dev/null; then
				healthy=true
				break
			fi
			sleep 0.2
		done
		if $healthy; then
			cat >"$state/env" <<EOF
export CONTEST_TEST_S3_ENDPOINT=127.0.0.1:$port
export CONTEST_TEST_S3_ACCESS_KEY=$user
export CONTEST_TEST_S3_SECRET_KEY=$password
EOF
			cat "$state/env"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null && grep -qi 'address already in use\|bind' "$log" && ((attempt < 5)); then
			rm -f "$state/pid"
			port=$((port + 1))
			continue
		fi
		stop_server "$state"
		{
			echo "----- MinIO log ($log) -----"
			cat "$log"
			echo "----- end of MinIO log -----"
		} >&2
		if ((SECONDS >= deadline)); then
			die "MinIO at $url did not answer /minio/health/live within 60 s"
		fi
		die "MinIO exited before it answered on $url"
	done
	die "MinIO could not bind a port after 5 attempts"
}

(($# == 2)) || usage
case $1 in
start) start "$2" ;;
stop) stop_server "$2" ;;
*) usage ;;
esac

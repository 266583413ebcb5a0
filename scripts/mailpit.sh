#!/usr/bin/env bash
# Starts and stops a private, throw-away Mailpit (a real SMTP server whose HTTP API lets the
# tests read what arrived) for the tests.
#
#   scripts/mailpit.sh start STATE_DIR   start Mailpit on free 127.0.0.1 ports (SMTP and HTTP),
#                                        its mailbox in memory; waits until the API answers, then
#                                        writes STATE_DIR/env (shell `export` lines for
#                                        CONTEST_TEST_SMTP_ADDR and CONTEST_TEST_MAILPIT_API) and
#                                        prints them.
#   scripts/mailpit.sh stop STATE_DIR    stop the server started with that STATE_DIR.
#
# The binary is $MAILPIT_BIN, else `mailpit` from $(go env GOBIN) / $(go env GOPATH)/bin / PATH
# (scripts/deps.sh installs it). MAILPIT_PORT picks the first port to try (default 11025).
set -euo pipefail

die() {
	printf 'mailpit.sh: ERROR: %s\n' "$*" >&2
	exit 1
}

usage() { die "usage: $0 start|stop STATE_DIR"; }

# shellcheck source=lib/server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/server.sh"

start() {
	local state=$1 bin smtp http pid log attempt
	bin=$(find_go_bin mailpit "${MAILPIT_BIN:-}")
	[[ -n "$bin" && -x "$bin" ]] || die "mailpit binary not found; run scripts/deps.sh (installs it with go install) or set MAILPIT_BIN"
	command -v curl >/dev/null 2>&1 || die "curl not found; run scripts/deps.sh"
	mkdir -p "$state"
	[[ ! -f "$state/pid" ]] || die "$state/pid exists: a Mailpit from this STATE_DIR may still be running (scripts/mailpit.sh stop $state)"
	log="$state/mailpit.log"
	smtp=${MAILPIT_PORT:-11025}

	# A port taken between the check and Mailpit's bind makes Mailpit exit: tried again on the
	# next ports.
	for attempt in 1 2 3 4 5; do
		smtp=$(free_port "$smtp")
		http=$(free_port $((smtp + 1)))
		: >"$log"
		# --database '': messages in memory only; --max 0: keep everything the tests send.
		setsid "$bin" --smtp "127.0.0.1:$smtp" --listen "127.0.0.1:$http" --database "" \
			--max 0 --smtp-auth-accept-any --smtp-auth-allow-insecure --disable-version-check \
			>>"$log" 2>&1 </dev/null &
		pid=$!
		echo "$pid" >"$state/pid"
		local deadline=$((SECONDS + 30)) ready=false
		while ((SECONDS < deadline)); do
			kill -0 "$pid" 2>/dev/null || break
			if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$http/api/v1/info" 2>/dev/null &&
				port_in_use "$smtp"; then
				ready=true
				break
			fi
			sleep 0.2
		done
		if $ready; then
			cat >"$state/env" <<EOT
export CONTEST_TEST_SMTP_ADDR=127.0.0.1:$smtp
export CONTEST_TEST_MAILPIT_API=http://127.0.0.1:$http
EOT
			cat "$state/env"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null && ((attempt < 5)); then
			rm -f "$state/pid"
			smtp=$((http + 1))
			continue
		fi
		stop_server "$state"
		{
			echo "----- Mailpit log ($log) -----"
			cat "$log"
			echo "----- end of Mailpit log -----"
		} >&2
		die "Mailpit did not answer on http://127.0.0.1:$http within 30 s"
	done
	die "Mailpit could not bind its ports after 5 attempts"
}

(($# == 2)) || usage
case $1 in
start) start "$2" ;;
stop) stop_server "$2" ;;
*) usage ;;
esac

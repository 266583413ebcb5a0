# Helpers shared by scripts/minio.sh and scripts/mailpit.sh, which start and stop private,
# throw-away servers for the tests. Sourced, not run.

# find_go_bin NAME OVERRIDE: the binary $OVERRIDE when set, else NAME from $(go env GOBIN) /
# $(go env GOPATH)/bin (where scripts/deps.sh installs it) or PATH; empty when there is none.
find_go_bin() {
	local name=$1 override=$2 gobin
	if [[ -n "$override" ]]; then
		printf '%s\n' "$override"
		return
	fi
	if command -v go >/dev/null 2>&1; then
		gobin=$(go env GOBIN)
		[[ -n "$gobin" ]] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
		if [[ -x "$gobin/$name" ]]; then
			printf '%s\n' "$gobin/$name"
			return
		fi
	fi
	command -v "$name" 2>/dev/null || true
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # free_port FROM: the first port from FROM that nobody listens on
	local port=$1
	while port_in_use "$port"; do
		port=$((port + 1))
		((port < 65535)) || die "no free port found"
	done
	printf '%s\n' "$port"
}

# stop_server STATE_DIR: stops the server whose pid is in STATE_DIR/pid, with up to 5 s for a
# clean shutdown, then kill -9.
stop_server() {
	local state=$1 pid
	[[ -f "$state/pid" ]] || return 0
	pid=$(<"$state/pid")
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$state/pid"
}

#!/usr/bin/env bash
# Installs what the test suite needs and is missing; installed things are left alone.
#
#   Debian packages: chromium (headless browser tests), ffmpeg (media tests), tesseract-ocr +
#                    tesseract-ocr-chi-sim (the content scan's OCR),
#                    fonts-arphic-gbsn00lp + fonts-droid-fallback (certificate fonts: GB2312, and
#                    a fallback for rarer characters) + poppler-utils + poppler-data (certificate tests),
#                    ca-certificates, curl, tzdata, and PostgreSQL when none is available.
#   MinIO server:    built once with `go install github.com/minio/minio@...` into
#                    $(go env GOBIN) or $(go env GOPATH)/bin and reused afterwards (~5 min cold).
#   Mailpit:         a real SMTP server for the e-mail tests, installed once with
#                    `go install github.com/axllent/mailpit@v1.33.1` next to MinIO (~1 min cold).
#   axe-core:        the accessibility rules the browser tests run (axe.min.js), a pinned npm
#                    tarball checked against its sha512, cached in
#                    ${XDG_CACHE_HOME:-~/.cache}/contest-test/axe-core-VERSION/ (never committed).
#
# Called by scripts/test.sh; can be run on its own. Needs root (or sudo) only when a Debian
# package is missing. Environment:
#   CONTEST_TEST_POSTGRES_URL  when set, a PostgreSQL elsewhere is used: no server is installed
#   CONTEST_TEST_S3_ENDPOINT   when set, an S3 store elsewhere is used: MinIO is not built
#   MINIO_BIN                  use this MinIO binary instead of building one
#   CONTEST_TEST_SMTP_ADDR     when set, an SMTP server elsewhere is used: Mailpit is not installed
#   MAILPIT_BIN                use this Mailpit binary instead of installing one
#   CONTEST_TEST_AXE           when set, this axe.min.js is used: nothing is downloaded
set -euo pipefail

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
	printf 'deps.sh: ERROR: %s\n' "$*" >&2
	exit 1
}

# A MinIO version known to build with Go 1.26, used when @latest cannot be resolved
# (github.com/minio/minio has no semver tags, so `go list -m -versions` lists nothing).
MINIO_PINNED_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

# ---------------------------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------------------------
pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=()
want_cmd_pkg() { # want_cmd_pkg COMMAND PACKAGE: the package is wanted when the command is absent
	if ! command -v "$1" >/dev/null 2>&1; then
		missing+=("$2")
	fi
}
want_pkg() { # want_pkg PACKAGE: for packages without a command of their own
	if command -v dpkg-query >/dev/null 2>&1; then
		pkg_installed "$1" || missing+=("$1")
	fi
}

step "checking system packages"
want_cmd_pkg curl curl
want_cmd_pkg chromium chromium
want_cmd_pkg ffmpeg ffmpeg
want_cmd_pkg tesseract tesseract-ocr # the content scan reads text on screen
want_pkg tesseract-ocr-chi-sim        # its Simplified Chinese model
want_cmd_pkg pdftoppm poppler-utils
want_pkg fonts-arphic-gbsn00lp
want_pkg fonts-droid-fallback # rarer characters in names (喆, 堃) and 〇
want_pkg poppler-data # CJK CMaps, so poppler reads Chinese text in PDFs
want_pkg ca-certificates
want_pkg tzdata

# PostgreSQL: a server is installed only when none is configured, none answers on
# 127.0.0.1:5432 and no Debian cluster exists; psql (the client) is always wanted, test.sh
# uses it to create the database `test`.
pg_answers() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -h 127.0.0.1 -p 5432 -t 3
	else
		(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
	fi
}
if [[ -z "${CONTEST_TEST_POSTGRES_URL:-}" ]]; then
	if ! pg_answers && ! { command -v pg_ctlcluster >/dev/null 2>&1 && compgen -G '/etc/postgresql/*/*/postgresql.conf' >/dev/null; }; then
		missing+=(postgresql)
	fi
fi
if ! command -v psql >/dev/null 2>&1 && [[ " ${missing[*]-} " != *" postgresql "* ]]; then
	missing+=(postgresql-client)
fi

if ((${#missing[@]} == 0)); then
	info "all present"
else
	info "missing: ${missing[*]}"
	command -v apt-get >/dev/null 2>&1 ||
		die "apt-get not found; install these packages by hand: ${missing[*]}"
	sudo=()
	if ((EUID != 0)); then
		command -v sudo >/dev/null 2>&1 ||
			die "not root and sudo not found; install these packages by hand: ${missing[*]}"
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	step "apt-get update"
	"${sudo[@]}" apt-get update -q || die "apt-get update failed"
	step "apt-get install ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed"
	# Re-check, so a package that did not provide what we need is reported here and not as a
	# confusing test failure later.
	for cmd in curl chromium ffmpeg pdftoppm psql; do
		command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is still missing after apt-get install"
	done
	for p in fonts-arphic-gbsn00lp fonts-droid-fallback poppler-data ca-certificates tzdata; do
		pkg_installed "$p" || die "package $p is still missing after apt-get install"
	done
fi

# ---------------------------------------------------------------------------------------------
# MinIO server binary
# ---------------------------------------------------------------------------------------------
minio_bin_path() {
	# Where `go install` puts (or has put) the binary.
	local gobin
	gobin=$(go env GOBIN)
	if [[ -z "$gobin" ]]; then
		gobin="$(go env GOPATH | cut -d: -f1)/bin"
	fi
	printf '%s/minio\n' "$gobin"
}

if [[ -n "${CONTEST_TEST_S3_ENDPOINT:-}" ]]; then
	step "MinIO: CONTEST_TEST_S3_ENDPOINT is set, not building a server"
elif [[ -n "${MINIO_BIN:-}" ]]; then
	step "MinIO: using MINIO_BIN=$MINIO_BIN"
	[[ -x "$MINIO_BIN" ]] || die "MINIO_BIN=$MINIO_BIN is not an executable file"
else
	command -v go >/dev/null 2>&1 || die "go not found in PATH (expected /usr/local/go/bin)"
	bin=$(minio_bin_path)
	if [[ -x "$bin" ]]; then
		step "MinIO: reusing $bin"
	else
		step "MinIO: building $bin with go install (takes ~5 minutes the first time)"
		log=$(mktemp "${TMPDIR:-/tmp}/minio-install.XXXXXX.log")
		built=false
		# Built outside the project so its go.mod plays no part; GOFLAGS is replaced so flags
		# meant for the project (e.g. -mod=...) cannot break the build.
		for version in latest "$MINIO_PINNED_VERSION"; do
			info "go install github.com/minio/minio@$version (log: $log)"
			if (cd "${TMPDIR:-/tmp}" && GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$version") >>"$log" 2>&1; then
				built=true
				break
			fi
			info "failed; last lines of the log:"
			tail -n 5 "$log" | sed 's/^/      /'
		done
		if ! $built; then
			tail -n 40 "$log" >&2 || true
			die "could not build MinIO (see $log); set MINIO_BIN to an existing minio binary to skip the build"
		fi
		[[ -x "$bin" ]] || die "go install succeeded but $bin does not exist"
		rm -f "$log"
		info "built $bin"
	fi
fi

# ---------------------------------------------------------------------------------------------
# Mailpit (SMTP server with an HTTP API, for the e-mail tests)
# ---------------------------------------------------------------------------------------------
MAILPIT_VERSION=v1.33.1
if [[ -n "${CONTEST_TEST_SMTP_ADDR:-}" ]]; then
	step "Mailpit: CONTEST_TEST_SMTP_ADDR is set, not installing a server"
elif [[ -n "${MAILPIT_BIN:-}" ]]; then
	step "Mailpit: using MAILPIT_BIN=$MAILPIT_BIN"
	[[ -x "$MAILPIT_BIN" ]] || die "MAILPIT_BIN=$MAILPIT_BIN is not an executable file"
else
	command -v go >/dev/null 2>&1 || die "go not found in PATH (expected /usr/local/go/bin)"
	bin="$(dirname "$(minio_bin_path)")/mailpit"
	if [[ -x "$bin" ]]; then
		step "Mailpit: reusing $bin"
	else
		step "Mailpit: go install github.com/axllent/mailpit@$MAILPIT_VERSION (about a minute the first time)"
		log=$(mktemp "${TMPDIR:-/tmp}/mailpit-install.XXXXXX.log")
		if ! (cd "${TMPDIR:-/tmp}" && GOFLAGS=-buildvcs=false go install "github.com/axllent/mailpit@$MAILPIT_VERSION") >>"$log" 2>&1; then
			tail -n 40 "$log" >&2 || true
			die "could not install Mailpit (see $log); set MAILPIT_BIN to an existing mailpit binary to skip it"
		fi
		[[ -x "$bin" ]] || die "go install succeeded but $bin does not exist"
		rm -f "$log"
		info "installed $bin"
	fi
fi

# ---------------------------------------------------------------------------------------------
# axe-core (accessibility rules for the browser tests; test.sh exports CONTEST_TEST_AXE)
# ---------------------------------------------------------------------------------------------
# shellcheck source=scripts/lib/axe.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/axe.sh"
if [[ -n "${CONTEST_TEST_AXE:-}" ]]; then
	step "axe-core: using CONTEST_TEST_AXE=$CONTEST_TEST_AXE"
	[[ -f "$CONTEST_TEST_AXE" ]] || die "CONTEST_TEST_AXE=$CONTEST_TEST_AXE is not a file"
else
	axe=$(axe_path)
	if [[ -f "$axe" ]]; then
		step "axe-core: reusing $axe"
	else
		step "axe-core: downloading $AXE_VERSION from the npm registry"
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/axe-core.XXXXXX")
		url="https://registry.npmjs.org/axe-core/-/axe-core-$AXE_VERSION.tgz"
		curl -fsSL --retry 3 -o "$tmp/axe.tgz" "$url" || { rm -rf "$tmp"; die "could not download $url"; }
		# The registry gives the sha512 in base64 (Subresource Integrity form); sha512sum prints hex.
		want=$(printf '%s' "${AXE_INTEGRITY#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
		got=$(sha512sum "$tmp/axe.tgz" | cut -d' ' -f1)
		[[ "$got" == "$want" ]] || { rm -rf "$tmp"; die "$url has sha512 $got, expected $want ($AXE_INTEGRITY)"; }
		tar -xzf "$tmp/axe.tgz" -C "$tmp" package/axe.min.js || { rm -rf "$tmp"; die "no package/axe.min.js in $url"; }
		mkdir -p "$(dirname "$axe")"
		mv "$tmp/package/axe.min.js" "$axe"
		rm -rf "$tmp"
		info "saved $axe"
	fi
fi

step "dependencies ready"

#!/bin/sh
# Installs the Debian packages cfunc needs to build, run and test.
# Costs one dpkg-query when everything is present; works as root or via sudo.
# Extra packages (wrk for benchmarks, clang for fuzzing) can be named as arguments.
set -eu

# --browser: what the dashboard's browser tests need on top: Debian's
# chromium, and Node.js with npm (npm installs playwright-core from the
# lockfile in dashboard/tests/). A Node.js that is already there with its
# npm (another distribution's package) is used as it is.
if [ "${1:-}" = "--browser" ]; then
	shift
	set -- chromium "$@"
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		set -- nodejs npm "$@"
	fi
fi

# Everything `make`, `make run` and `make test` use beyond a minimal Debian:
# the compilers and C library headers (gcc only recommends libc6-dev, and
# recommends are not installed; g++ builds the C++ ABI test app), the
# libraries, and the tools the tests call (shellcheck: make check-shell).
PKGS="gcc g++ libc6-dev make pkg-config libh2o-evloop-dev libsodium-dev libjansson-dev \
libsqlite3-dev libssl-dev curl jq procps tzdata shellcheck $*"

# npm ships inside some nodejs builds (NodeSource's): then it is no package
# of its own, and asking apt for Debian's would fight that nodejs.
case " $PKGS " in *" npm "*)
	command -v npm >/dev/null 2>&1 && PKGS=$(echo " $PKGS " | sed 's/ npm / /') ;;
esac

# shellcheck disable=SC2086 # $PKGS is a list of package names, one word each
installed=" $(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $PKGS 2>/dev/null |
	awk '$2 == "ii" { printf "%s ", $1 }')"
missing=""
for p in $PKGS; do
	case "$installed" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "setup: installing$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "setup: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists: update once, then install.
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086 # $missing is a list of package names, one word each
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2

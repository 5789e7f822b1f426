#!/bin/sh
# fresh-check: proves that `make test` works on a Debian 12 machine where
# nothing is installed but what a minimal Debian has, plus make and git.
#
#   sh scripts/fresh-check.sh [root|user|run ...]     (make fresh-check)
#
# 1. A minimal Debian 12 root is made once with debootstrap (variant minbase,
#    plus make, git and sudo) under build/fresh/base and reused afterwards.
# 2. For each way of running asked for ("root": make test as root; "user":
#    make test as a user with password-less sudo; "run": make run as that
#    user, probed with a request to /api/hello and then stopped; all three by
#    default), the base is copied to build/fresh/run, a clean
#    `git archive HEAD` is unpacked in it, and the command runs there under
#    chroot with /proc, /sys, /dev, /dev/pts, a /dev/shm tmpfs and a /tmp
#    tmpfs mounted. Every package the project needs is installed in that
#    copy by the project's own scripts/setup.sh, which is the point.
# 3. Downloaded .deb files are kept in build/fresh/apt-cache (bind-mounted),
#    so a second check installs without downloading again; the base is never
#    touched, so each run starts as fresh as the first.
#
# Prints each run's last line (the "N passed, N failed" of make test); the
# very last line printed is that of the last run. Exits non-zero when any
# run fails. Needs root (debootstrap, mount, chroot): uses sudo otherwise.
set -eu

cd "$(dirname "$0")/.."
REPO=$(pwd)
FRESH=${FRESH_DIR:-$REPO/build/fresh}
SUITE=${FRESH_SUITE:-bookworm}
MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
SECURITY=${FRESH_SECURITY:-http://deb.debian.org/debian-security}
MODES=${*:-run root user}

if [ "$(id -u)" -ne 0 ]; then
	exec sudo FRESH_DIR="$FRESH" FRESH_SUITE="$SUITE" FRESH_MIRROR="$MIRROR" \
		FRESH_SECURITY="$SECURITY" sh "$0" "$@"
fi

sh scripts/setup.sh debootstrap
BASE=$FRESH/base
RUN=$FRESH/run
CACHE=$FRESH/apt-cache
mkdir -p "$FRESH" "$CACHE/partial"

# --- the base: made once, complete only when the stamp is there
if [ ! -f "$BASE/.fresh-complete" ]; then
	echo "fresh-check: debootstrap $SUITE (minbase + make git sudo) into $BASE" >&2
	rm -rf "$BASE"
	debootstrap --variant=minbase --include=make,git,sudo "$SUITE" "$BASE" "$MIRROR" \
		>"$FRESH/debootstrap.log" 2>&1 || {
		tail -n 30 "$FRESH/debootstrap.log" >&2
		echo "fresh-check: debootstrap failed (log: $FRESH/debootstrap.log)" >&2
		exit 1
	}
	cat >"$BASE/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY $SUITE-security main
EOF
	# The base's own package lists are left out: a fresh machine has none,
	# and setup.sh must cope with that (it runs apt-get update).
	rm -rf "$BASE/var/lib/apt/lists/"* "$BASE/var/cache/apt/archives/"*.deb
	chroot "$BASE" useradd -m -s /bin/sh dev
	echo 'dev ALL=(ALL) NOPASSWD:ALL' >"$BASE/etc/sudoers.d/dev"
	chmod 0440 "$BASE/etc/sudoers.d/dev"
	touch "$BASE/.fresh-complete"
fi

MOUNTED=""
unmount_all() {
	for m in $MOUNTED; do umount -l "$m" 2>/dev/null || true; done
	MOUNTED=""
}
trap unmount_all EXIT INT TERM

mount_in() { # mount_in <target below $RUN> <mount args...>
	_t=$RUN$1
	shift
	mkdir -p "$_t"
	mount "$@" "$_t"
	MOUNTED="$_t $MOUNTED"
}

run_once() { # run_once root|user
	unmount_all
	rm -rf "$RUN"
	cp -a "$BASE" "$RUN"
	cp /etc/resolv.conf "$RUN/etc/resolv.conf" 2>/dev/null || true
	# The network's trust, like resolv.conf: where the way out inspects TLS,
	# every machine on it trusts that CA, so a fresh one would too. It is
	# handed to Node.js (npm) by file name; nothing of the project's.
	ca_env=""
	if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
		mkdir -p "$RUN/etc/ssl/certs"
		cp /etc/ssl/certs/ca-certificates.crt "$RUN/etc/ssl/certs/network-trust.pem"
		ca_env="NODE_EXTRA_CA_CERTS=/etc/ssl/certs/network-trust.pem"
	fi
	mount_in /proc -t proc proc
	mount_in /sys -t sysfs sysfs
	mount_in /dev --bind /dev
	mount_in /dev/pts -t devpts devpts
	mount_in /dev/shm -t tmpfs -o mode=1777 tmpfs
	mount_in /tmp -t tmpfs -o mode=1777 tmpfs
	mount_in /var/cache/apt/archives --bind "$CACHE"

	case $1 in
	root) home=/root; as="sh -c" ;;
	# setpriv, not su: su puts the command in a session of its own, out of
	# reach of the process-group signal that ends `make run` below.
	user | run) home=/home/dev; as="setpriv --reuid=dev --regid=dev --init-groups sh -c" ;;
	*) echo "fresh-check: unknown mode '$1' (root, user or run)" >&2; return 2 ;;
	esac
	mkdir -p "$RUN$home/cfunc"
	git archive HEAD | tar -x -C "$RUN$home/cfunc"
	[ "$home" = /home/dev ] && chroot "$RUN" chown -R dev:dev "$home/cfunc"
	[ "$1" = run ] && { probe_make_run "$home" "$as"; return; }

	log=$FRESH/make-test-$1.log
	echo "fresh-check: make test as $1 in a fresh Debian $SUITE root (log: $log)" >&2
	set +e
	# shellcheck disable=SC2086 # $as is a command with its arguments (su ... -c or sh -c); $ca_env is empty or one word
	chroot "$RUN" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$home" LANG=C.UTF-8 $ca_env $as "cd $home/cfunc && make test" >"$log" 2>&1
	rc=$?
	set -e
	grep -E '^(not ok|failing:)' "$log" | head -n 40 >&2 || true
	last=$(tail -n 1 "$log")
	echo "fresh-check ($1): exit $rc"
	[ "$rc" -ne 0 ] && tail -n 30 "$log" >&2
	echo "$last"
	return "$rc"
}

# probe_make_run <home> <as>: `make run` in the fresh root, in a process group
# of its own; once the host listens, GET /api/hello must answer as the sample
# does; then that group (make and the host it started) is stopped.
probe_make_run() {
	log=$FRESH/make-run.log
	port=${FRESH_RUN_PORT:-7071}
	echo "fresh-check: make run as user in a fresh Debian $SUITE root (log: $log)" >&2
	# shellcheck disable=SC2086 # $2 is a command with its arguments (su ... -c or sh -c); $ca_env is empty or one word
	setsid chroot "$RUN" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$1" LANG=C.UTF-8 $ca_env $2 "cd $1/cfunc && make run" >"$log" 2>&1 &
	pid=$!
	deadline=$(($(date +%s) + ${FRESH_RUN_SECONDS:-900}))
	while ! grep -q 'Now listening on' "$log" && kill -0 "$pid" 2>/dev/null &&
		[ "$(date +%s)" -lt "$deadline" ]; do
		sleep 1
	done
	got=$(chroot "$RUN" curl -s --max-time 10 "http://127.0.0.1:$port/api/hello?name=fresh" 2>&1)
	# dash's kill takes no process group: procps' does (setup.sh installs it).
	/bin/kill -TERM -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ "$got" = "Hello, fresh!" ]; then
		echo "fresh-check (run): make run served GET /api/hello: $got"
		return 0
	fi
	tail -n 30 "$log" >&2
	echo "fresh-check (run): make run did not serve GET /api/hello (got: $got)"
	return 1
}

status=0
for m in $MODES; do
	run_once "$m" || status=1
done
unmount_all
exit "$status"

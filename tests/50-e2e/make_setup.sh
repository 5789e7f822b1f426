#!/bin/sh
# The fresh-machine failure, replayed in miniature: the packages' pkg-config
# data appears only while `setup` runs, as on a machine where setup.sh has
# just installed them. The link must still get every -l flag, and a package
# that stays missing must stop the build with pkg-config's message rather
# than an empty link line. (make fresh-check proves the real thing.)
. "$(dirname "$0")/../lib.sh"

stub=$T_DIR/bin
mkdir -p "$stub"
marker=$T_DIR/installed
real=$(command -v pkg-config)
cat >"$stub/pkg-config" <<SH
#!/bin/sh
# Answers like pkg-config once "installed" exists, and as a machine
# without the packages before.
[ -e "$marker" ] && exec "$real" "\$@"
echo "Package libh2o-evloop was not found in the pkg-config search path." >&2
exit 1
SH
chmod +x "$stub/pkg-config"

build=$T_DIR/build
cd "$CFUNC_ROOT" || exit 1
make -s BUILD="$build" OPT=-O0 PKG_CONFIG="$stub/pkg-config" SETUP="touch $marker" \
	"$build/cfunc" >"$T_DIR/make.log" 2>&1
is "$?" "0" "the host builds when the packages appear only during setup"
[ -x "$build/cfunc" ] || sed 's/^/#   /' "$T_DIR/make.log" | tail -20
is "$("$build/cfunc" --version 2>/dev/null | head -1 | grep -c .)" "1" "and the binary runs"
for lib in h2o-evloop sodium jansson sqlite3 crypto; do
	like "$(ldd "$build/cfunc" 2>/dev/null)" "lib$lib" "linked against lib$lib"
done

# A package that never appears: a clear stop naming pkg-config, no link.
rm -f "$marker"
build2=$T_DIR/build2
make -s BUILD="$build2" OPT=-O0 PKG_CONFIG="$stub/pkg-config" SETUP="true" \
	"$build2/cfunc" >"$T_DIR/make2.log" 2>&1
rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "a package still missing after setup fails the build"
like "$(cat "$T_DIR/make2.log")" "pkg-config --cflags .* failed: Package libh2o-evloop was not found" \
	"the failure quotes pkg-config"
ok "$([ ! -e "$build2/cfunc" ]; echo $?)" "no host is linked without the libraries"

done_testing

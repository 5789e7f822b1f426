# cfunc - one GNU Makefile, objects under build/.
#   make            host (build/cfunc) and every sample (build/samples/<app>.so)
#   make run        set-up, build, start the host on 127.0.0.1:7071
#   make test       set-up, build, check-layers, check-shell, run every test; last line "N passed, N failed"
#   make check-layers   builds, then fails naming file:line when a layer includes or calls what it
#                   must not, or naming the files that call each other round a loop
#   make check-shell    shellcheck over every shell script (tests, bench, scripts)
#   make SANITIZE=address,undefined test    the same under sanitizers
#   make bench      benchmarks (not tests), figures go to BENCHMARKS.md
#   make bench-dashboard   the dashboard at 100,000 instances (one of them)
#   make fresh-check   make test inside a fresh minimal Debian 12 root (slow;
#                   run it whenever set-up, dependencies or this file change)

BUILD    ?= build
CC       ?= gcc
SANITIZE ?=
OPT      ?= -O2
PKGS      = libh2o-evloop libsodium jansson sqlite3 libcrypto

CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -pthread \
            -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes
# Project code includes by layer ("runtime/engine.h", "host/http/server.h")
# from the root; apps see include/ alone, so no private header is in reach.
PROJECT_INC = -I. -Iinclude
APP_INC     = -Iinclude
DEPFLAGS  = -MMD -MP
LDLIBS   += -pthread -ldl -lm
ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
endif
# The packages' flags are asked of pkg-config when a recipe first needs them,
# never while make reads this file: on a fresh machine that is before `setup`
# has installed anything, and the flags would silently be empty. `pkg` runs
# pkg-config once per make and stops the build with its message if a package
# is still missing.
# $1 is cflags or libs, $2 the variable naming the packages.
pkg = $(if $(PKG_$1_$2_CACHE),,$(eval PKG_$1_$2_CACHE := $(call pkg_query,$1,$2)))$(PKG_$1_$2_CACHE)
PKG_CONFIG ?= pkg-config
pkg_query = $(or $(shell $(PKG_CONFIG) --$1 $($2) 2>&1 || echo ':failed'),:empty)
pkg_check = $(if $(findstring :failed,$1),$(error pkg-config --$2 $($3) failed: $(subst :failed,,$1) (run scripts/setup.sh)),$(filter-out :empty,$1))
PKG_CFLAGS = $(call pkg_check,$(call pkg,cflags,PKGS),cflags,PKGS)
PKG_LIBS   = $(call pkg_check,$(call pkg,libs,PKGS),libs,PKGS)
CFLAGS   += $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS)
# The runtime archive's own libraries: no h2o, no libdl. Its unit tests link
# with these alone, so a layering mistake fails the link.
# No jansson: the runtime checks JSON text with common/json_check.c and reads
# and writes its own records with common/json_read.c and json_write.c (see
# check-layers).
RT_PKGS    = libsodium sqlite3 libcrypto
RT_LIBS    = $(call pkg_check,$(call pkg,libs,RT_PKGS),libs,RT_PKGS) -pthread -lm
SO_CFLAGS = -fPIC -fvisibility=hidden

# Two archives, one per side of the line the layers draw: common/ + runtime/
# (the durable engine and what every layer uses) and the rest of the host
# (bindings/, management/, host/).
RT_SRCS   = $(wildcard common/*.c) $(wildcard runtime/*.c)
RT_OBJS   = $(RT_SRCS:%.c=$(BUILD)/obj/%.o)
RTLIB     = $(BUILD)/libcfunc-runtime.a
HOST_SRCS = $(wildcard bindings/*.c) $(wildcard management/*.c) \
            $(filter-out host/main.c,$(shell find host -name '*.c'))
LIB_SRCS  = $(RT_SRCS) $(HOST_SRCS)
LIB_OBJS  = $(HOST_SRCS:%.c=$(BUILD)/obj/%.o)
LIB       = $(BUILD)/libcfunc.a $(RTLIB)
HOST      = $(BUILD)/cfunc

SAMPLES   = $(patsubst samples/%/,%,$(wildcard samples/*/))
SAMPLE_SO = $(SAMPLES:%=$(BUILD)/samples/%.so)

UNIT_SRCS = $(sort $(shell find tests/00-unit -name '*.c') $(wildcard tests/10-replay/*.c))
UNIT_BINS = $(UNIT_SRCS:%.c=$(BUILD)/%)
# Tests of common/ and runtime/ (and the replay tests) link the runtime
# archive alone.
RT_TEST_BINS = $(filter $(BUILD)/tests/00-unit/common/% $(BUILD)/tests/00-unit/runtime/% \
                 $(BUILD)/tests/10-replay/%,$(UNIT_BINS))
ABI_SRCS  = $(wildcard tests/20-abi/*.c)
ABI_SO    = $(ABI_SRCS:tests/20-abi/%.c=$(BUILD)/tests/20-abi/%.so)
SCRIPTS   = $(sort $(wildcard tests/20-abi/*.sh) $(wildcard tests/50-e2e/*.sh))

.PHONY: all host samples tests setup run test npm-client check-layers check-shell clean bench bench-http bench-durable bench-entities bench-dashboard crash-long fuzz fresh-check
all: setup host samples

# SETUP is overridable so tests/50-e2e/make_setup.sh can stand in for apt.
SETUP ?= sh scripts/setup.sh
setup:
	@$(SETUP)

host: $(HOST)
samples: $(SAMPLE_SO)
tests: $(UNIT_BINS) $(ABI_SO)

# Objects are rebuilt when the flags change (e.g. SANITIZE on/off). Every
# compile and link depends on this stamp, and the stamp on `setup`: nothing
# is compiled before the packages are there.
$(BUILD)/.cflags: FORCE setup
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $@
FORCE:

$(BUILD)/obj/%.o: %.c $(BUILD)/.cflags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PROJECT_INC) $(DEPFLAGS) -c -o $@ $<

$(RTLIB): $(RT_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libcfunc.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(HOST): $(BUILD)/obj/host/main.o $(LIB) $(BUILD)/.cflags
	$(CC) $(LDFLAGS) -o $@ $(filter-out %/.cflags,$^) $(LDLIBS)

# One .so per sample folder, built against include/cfunc.h alone.
.SECONDEXPANSION:
$(BUILD)/samples/%.so: $$(wildcard samples/%/*.c) include/cfunc.h $(BUILD)/.cflags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(APP_INC) $(SO_CFLAGS) -shared -o $@.tmp $(filter %.c,$^) && mv $@.tmp $@

$(RT_TEST_BINS): $(BUILD)/tests/%: tests/%.c $(RTLIB) tests/tap.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PROJECT_INC) $(DEPFLAGS) -Itests -o $@ $< $(RTLIB) $(LDFLAGS) $(RT_LIBS)

$(BUILD)/tests/%: tests/%.c $(LIB) tests/tap.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PROJECT_INC) $(DEPFLAGS) -Itests -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

# ABI test apps: deliberately broken plugins. Some leave symbols unresolved.
$(BUILD)/tests/20-abi/%.so: tests/20-abi/%.c include/cfunc.h $(BUILD)/.cflags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(APP_INC) $(SO_CFLAGS) -shared -o $@ $<
# crashy_v2 is crashy.c rebuilt with another version string; crashy_v3 and
# crashy_shadow with other functions (#include).
$(BUILD)/tests/20-abi/crashy_v2.so: tests/20-abi/crashy.c
$(BUILD)/tests/20-abi/crashy_v3.so: tests/20-abi/crashy.c
$(BUILD)/tests/20-abi/crashy_shadow.so: tests/20-abi/crashy.c
# replay_v2.c is replay_v1.c with two calls changed (#include).
$(BUILD)/tests/20-abi/replay_v2.so: tests/20-abi/replay_v1.c

# ---- ABI from other languages: cfunc.h in ISO C99 and in C++17 -------------
# Two test apps built with nothing but the public header and the strictest
# flags of each language; tests/20-abi/abi_api.sh loads and runs them.
CXX          ?= g++
ABI_LANG_SO   = $(BUILD)/tests/20-abi/lang/c99_app.so $(BUILD)/tests/20-abi/lang/cxx_app.so
ABI_LANG_WARN = -Wall -Wextra -Werror -pedantic -fPIC -fvisibility=hidden -shared $(APP_INC)
tests: $(ABI_LANG_SO)

$(BUILD)/tests/20-abi/lang/c99_app.so: tests/20-abi/lang/c99_app.c include/cfunc.h
	@mkdir -p $(@D)
	$(CC) -std=c99 -O2 -g $(ABI_LANG_WARN) -o $@ $<

$(BUILD)/tests/20-abi/lang/cxx_app.so: tests/20-abi/lang/cxx_app.cpp include/cfunc.h
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g $(ABI_LANG_WARN) -o $@ $<
# ---- end of ABI from other languages ---------------------------------------

run: all
	$(HOST) start

# The layer rules (no h2o or dlfcn.h in runtime/ and bindings/, dlopen only in
# the loader) are part of the tests, so a crossing fails `make test`.
# Rule 6 (no call loops between files) reads the objects: build them first.
check-layers: all
	@sh scripts/check-layers.sh . $(BUILD)/obj

# shellcheck over the test scripts, benchmarks and scripts/ (settings in
# .shellcheckrc), so a quoting slip in a test fails `make test` too.
check-shell: setup
	@sh scripts/check-shell.sh

test: all tests check-layers check-shell dashboard-test-deps
	@CFUNC=$(abspath $(HOST)) CFUNC_ROOT=$(CURDIR) CFUNC_BUILD=$(abspath $(BUILD)) \
	  sh tests/run.sh $(UNIT_BINS) $(SCRIPTS)

# The dashboard's browser tests (tests/50-e2e/dashboard*.sh) drive Debian's
# chromium with playwright-core, installed from dashboard/tests/package-lock.json
# into build/dashboard-tests/node_modules (never into the source tree).
DASH_TEST_DIR = $(BUILD)/dashboard-tests
.PHONY: dashboard-test-deps
dashboard-test-deps: $(DASH_TEST_DIR)/node_modules/.installed
$(DASH_TEST_DIR)/node_modules/.installed: dashboard/tests/package.json dashboard/tests/package-lock.json
	@sh scripts/setup.sh --browser
	@mkdir -p $(DASH_TEST_DIR)
	cp dashboard/tests/package.json dashboard/tests/package-lock.json $(DASH_TEST_DIR)/
	cd $(DASH_TEST_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# Microsoft's durable-functions npm client for tests/50-e2e/npm_client.sh,
# pinned by the committed tests/npm/package-lock.json and installed on demand
# into $(BUILD)/npm (node and npm from Debian, through setup).
NPM_DIR = $(BUILD)/npm
npm-client: $(NPM_DIR)/node_modules/.package-lock.json
$(NPM_DIR)/node_modules/.package-lock.json: tests/npm/package.json tests/npm/package-lock.json
	@$(SETUP) nodejs npm
	@mkdir -p $(NPM_DIR)
	cp tests/npm/package.json tests/npm/package-lock.json $(NPM_DIR)/
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error
test: npm-client

# The long crash test, on demand: 30 rounds of 200 starts with kill -9.
crash-long: all tests
	@CFUNC=$(abspath $(HOST)) CFUNC_BUILD=$(abspath $(BUILD)) CRASH_ROUNDS=30 CRASH_STARTS=200 \
	  sh tests/run.sh tests/50-e2e/crash.sh

# A clean `git archive HEAD` tested in a minimal Debian 12 chroot, as root and
# as a user with sudo: proves the two commands work where nothing is installed.
fresh-check:
	@sh scripts/fresh-check.sh $(FRESH_MODES)

bench: bench-http bench-durable bench-entities

bench-http: all
	@sh scripts/setup.sh wrk
	sh bench/http.sh

# The dashboard at 100,000 instances and with a 10,000-event history.
bench-dashboard: all
	@sh scripts/setup.sh jq bc
	sh bench/dashboard.sh

bench-durable: all tests
	@sh scripts/setup.sh wrk sqlite3
	sh bench/durable.sh

bench-entities: all
	@sh scripts/setup.sh wrk sqlite3
	sh bench/entities.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/tests -name '*.d' 2>/dev/null)

# ---- fuzzing: libFuzzer targets fuzz/<name>.c under ASan + UBSan (clang) ----
#   make fuzz-build                   build/fuzz/<name> for every fuzz/*.c
#   make fuzz [FUZZ_SECONDS=60]       runs each target in turn for that long;
#                                     fails if any of them finds a crash
#   make fuzz FUZZ_TARGETS=router     only some targets
#   make fuzz-seeds                   regenerates fuzz/corpus/history from fuzz/gen_history_seeds.c
# Seeds live in fuzz/corpus/<name>/ and are copied into the working corpus
# build/fuzz/corpus/<name>/ (which keeps what libFuzzer finds); crashing
# inputs go to build/fuzz/artifacts/<name>-*, logs to build/fuzz/<name>.log.
# Project sources are compiled again with clang (never the gcc objects) into
# build/fuzz/libcfunc-fuzz.a; each target pulls what it needs from it.
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_FLAGS    ?= -timeout=10 -rss_limit_mb=2048
FUZZ_DIR       = $(BUILD)/fuzz
FUZZ_ALL       = $(patsubst fuzz/%.c,%,$(filter-out fuzz/gen_%.c,$(wildcard fuzz/*.c)))
FUZZ_TARGETS  ?= $(FUZZ_ALL)
FUZZ_GCC_ONLY  = -Wlogical-op -Wduplicated-cond -Wduplicated-branches -Wjump-misses-init \
                 -fanalyzer -Wformat-signedness -Wstrict-overflow=% -fno-semantic-interposition
FUZZ_SAN       = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS    = -g -O1 $(FUZZ_SAN) \
                 $(filter-out -O% -g -fsanitize=% -fno-sanitize-recover=% -fno-omit-frame-pointer \
                   $(FUZZ_GCC_ONLY),$(CFLAGS))
FUZZ_OBJS      = $(LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_LIB       = $(FUZZ_DIR)/libcfunc-fuzz.a
FUZZ_BINS      = $(FUZZ_ALL:%=$(FUZZ_DIR)/%)

.PHONY: fuzz-build fuzz-setup fuzz-seeds
fuzz-setup:
	@sh scripts/setup.sh clang libclang-rt-dev

fuzz-build: $(FUZZ_BINS)
# clang and its fuzzer runtime first (order-only: never forces a rebuild).
$(FUZZ_OBJS) $(FUZZ_BINS): | fuzz-setup

$(FUZZ_DIR)/.cflags: FORCE setup
	@mkdir -p $(@D)
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' | cmp -s - $@ || echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' > $@

$(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_DIR)/.cflags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PROJECT_INC) -fsanitize=fuzzer-no-link $(DEPFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/%: fuzz/%.c $(FUZZ_LIB) $(FUZZ_DIR)/.cflags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PROJECT_INC) -fsanitize=fuzzer $(DEPFLAGS) -MT $@ -MF $@.d -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/artifacts
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  if [ -d fuzz/corpus/$$t ]; then cp fuzz/corpus/$$t/* $(FUZZ_DIR)/corpus/$$t/ 2>/dev/null; fi; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS)s (log $(FUZZ_DIR)/$$t.log)"; \
	  if UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(FUZZ_DIR)/$$t $(FUZZ_FLAGS) \
	       -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	       -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- $(FUZZ_DIR)/corpus/$$t \
	       >$(FUZZ_DIR)/$$t.log 2>&1; then \
	    grep -E '^#[0-9]+[[:space:]]+DONE' $(FUZZ_DIR)/$$t.log | tail -1 | sed "s/^/fuzz: $$t: /"; \
	  else \
	    tail -n 60 $(FUZZ_DIR)/$$t.log; echo "fuzz: $$t FAILED (see above)"; failed="$$failed $$t"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in:$$failed; inputs in $(FUZZ_DIR)/artifacts/"; exit 1; fi; \
	echo "fuzz: no crashes"

$(FUZZ_DIR)/gen_history_seeds: fuzz/gen_history_seeds.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PROJECT_INC) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

fuzz-seeds: $(FUZZ_DIR)/gen_history_seeds
	$(FUZZ_DIR)/gen_history_seeds fuzz/corpus/history

-include $(shell find $(FUZZ_DIR) -name '*.d' 2>/dev/null)

# ---- templates, dashboard, install, uninstall (cfunc new, pkg-config cfunc) -
#   make install [PREFIX=/usr/local] [DESTDIR=]   $(PREFIX)/bin/cfunc,
#        $(PREFIX)/include/cfunc.h, $(PREFIX)/share/pkgconfig/cfunc.pc
#   make uninstall                                 removes exactly those
# The `cfunc new` templates (templates/) and the dashboard's front end
# (dashboard/, served under /admin/dashboard/) are compiled into the binary
# by scripts/gen-embed.sh; the dashboard's own tests, README and npm files
# stay out of it.
PREFIX        ?= /usr/local
EMBED_SH       = scripts/gen-embed.sh
TEMPLATE_SRCS  = $(shell find templates -type f 2>/dev/null)
TEMPLATES_C    = $(BUILD)/gen/templates.c
TEMPLATES_OBJ  = $(BUILD)/obj/gen/templates.o
DASHBOARD_SKIP = README.md tests package.json package-lock.json node_modules
DASHBOARD_SRCS = $(shell find dashboard -type f ! -path 'dashboard/tests/*' ! -path '*/node_modules/*' 2>/dev/null)
DASHBOARD_C    = $(BUILD)/gen/dashboard_files.c
DASHBOARD_OBJ  = $(BUILD)/obj/gen/dashboard_files.o
CFUNC_VERSION  = $(shell sed -n 's/^\#define CFUNC_VERSION "\(.*\)"/\1/p' host/version.h)

$(TEMPLATES_C): $(EMBED_SH) $(TEMPLATE_SRCS) Makefile
	@mkdir -p $(@D)
	sh $(EMBED_SH) --group templates host/cli/templates.h host_template_files README >$@.tmp && mv $@.tmp $@

$(DASHBOARD_C): $(EMBED_SH) $(DASHBOARD_SRCS) Makefile
	@mkdir -p $(@D)
	sh $(EMBED_SH) dashboard host/endpoints/dashboard.h host_dashboard_files $(DASHBOARD_SKIP) >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c host/embed.h $(BUILD)/.cflags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PROJECT_INC) -c -o $@ $<

$(TEMPLATES_OBJ): host/cli/templates.h
$(DASHBOARD_OBJ): host/endpoints/dashboard.h
$(HOST): $(TEMPLATES_OBJ) $(DASHBOARD_OBJ)

# Rewritten when PREFIX or the version changes (the FORCE rule compares).
$(BUILD)/cfunc.pc: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$${prefix}/include' '' \
	  'Name: cfunc' 'Description: the app header (cfunc.h) of the cfunc function host' \
	  'Version: $(CFUNC_VERSION)' 'Cflags: -I$${includedir}' >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

.PHONY: install uninstall
install: $(HOST) $(BUILD)/cfunc.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/pkgconfig
	install -m 0755 $(HOST) $(DESTDIR)$(PREFIX)/bin/cfunc
	install -m 0644 include/cfunc.h $(DESTDIR)$(PREFIX)/include/cfunc.h
	install -m 0644 $(BUILD)/cfunc.pc $(DESTDIR)$(PREFIX)/share/pkgconfig/cfunc.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/cfunc $(DESTDIR)$(PREFIX)/include/cfunc.h \
	  $(DESTDIR)$(PREFIX)/share/pkgconfig/cfunc.pc
# ---- end of templates, dashboard, install, uninstall ----------------------

# cfunc - one GNU Makefile, objects under build/.
#   make            host (build/cfunc) and every sample (build/samples/<app>.so)
#   make run        set-up, build, start the host on 127.0.0.1:7071
#   make test       set-up, build, run every test; last line "N passed, N failed"
#   make SANITIZE=address,undefined test    the same under sanitizers
#   make bench      benchmarks (not tests), figures go to BENCHMARKS.md

BUILD    ?= build
CC       ?= gcc
SANITIZE ?=
OPT      ?= -O2
PKGS      = libh2o-evloop libsodium jansson sqlite3 libcrypto

CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -pthread \
            -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
            -Ibindings -Iruntime -Ihost
DEPFLAGS  = -MMD -MP
LDLIBS   += -pthread -ldl -lm
ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS   += $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS)
SO_CFLAGS = -fPIC -fvisibility=hidden

LIB_SRCS  = $(wildcard runtime/*.c) $(wildcard bindings/*.c) \
            $(filter-out host/main.c,$(wildcard host/*.c))
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB       = $(BUILD)/libcfunc.a
HOST      = $(BUILD)/cfunc

SAMPLES   = $(patsubst samples/%/,%,$(wildcard samples/*/))
SAMPLE_SO = $(SAMPLES:%=$(BUILD)/samples/%.so)

UNIT_SRCS = $(wildcard tests/00-unit/*/*.c) $(wildcard tests/10-replay/*.c)
UNIT_BINS = $(UNIT_SRCS:%.c=$(BUILD)/%)
ABI_SRCS  = $(wildcard tests/20-abi/*.c)
ABI_SO    = $(ABI_SRCS:tests/20-abi/%.c=$(BUILD)/tests/20-abi/%.so)
SCRIPTS   = $(sort $(wildcard tests/20-abi/*.sh) $(wildcard tests/50-e2e/*.sh))

.PHONY: all host samples tests setup run test clean bench bench-http bench-durable crash-long fuzz
all: setup host samples

setup:
	@sh scripts/setup.sh

host: $(HOST)
samples: $(SAMPLE_SO)
tests: $(UNIT_BINS) $(ABI_SO)

# Objects are rebuilt when the flags change (e.g. SANITIZE on/off).
$(BUILD)/.cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $@
FORCE:

$(BUILD)/obj/%.o: %.c $(BUILD)/.cflags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(HOST): $(BUILD)/obj/host/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# One .so per sample folder, built against bindings/cfunc.h alone.
.SECONDEXPANSION:
$(BUILD)/samples/%.so: $$(wildcard samples/%/*.c) bindings/cfunc.h $(BUILD)/.cflags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SO_CFLAGS) -shared -o $@.tmp $(filter %.c,$^) && mv $@.tmp $@

$(BUILD)/tests/%: tests/%.c $(LIB) tests/tap.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Itests -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

# ABI test apps: deliberately broken plugins. Some leave symbols unresolved.
$(BUILD)/tests/20-abi/%.so: tests/20-abi/%.c bindings/cfunc.h $(BUILD)/.cflags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SO_CFLAGS) -shared -o $@ $<

run: all
	$(HOST) start

test: all tests
	@CFUNC=$(abspath $(HOST)) CFUNC_ROOT=$(CURDIR) CFUNC_BUILD=$(abspath $(BUILD)) \
	  sh tests/run.sh $(UNIT_BINS) $(SCRIPTS)

# The long crash test, on demand: 30 rounds of 200 starts with kill -9.
crash-long: all tests
	@CFUNC=$(abspath $(HOST)) CFUNC_BUILD=$(abspath $(BUILD)) CRASH_ROUNDS=30 CRASH_STARTS=200 \
	  sh tests/run.sh tests/50-e2e/crash.sh

bench: bench-http bench-durable

bench-http: all
	@sh scripts/setup.sh wrk
	sh bench/http.sh

bench-durable: all tests
	@sh scripts/setup.sh wrk sqlite3
	sh bench/durable.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/tests -name '*.d' 2>/dev/null)

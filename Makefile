# Jouda - build, run and test. GNU make + pkg-config.
#   make            build ./jouda (release)
#   make run        install missing Debian packages, build, create the demo database, serve
#   make test       install test packages, build every variant, run every test
.DEFAULT_GOAL := all
SHELL := /bin/bash

PKGS    := libmicrohttpd jansson libsodium sqlite3 libpq zlib libzip xlsxwriter cairo pangocairo md4c liboath libqrencode
CC      ?= cc
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wformat=2 -Wno-missing-field-initializers
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

SRC      := $(sort $(wildcard src/*/*.c))
LIB_SRC  := $(filter-out src/cli/main.c,$(SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
PO       := $(wildcard po/*.po)
MO       := $(patsubst po/%.po,locale/%.mo,$(PO))
HDRS     := $(wildcard src/*/*.h)

# Variants: release (./jouda) and asan (build/asan/jouda).
REL_CFLAGS  := $(CSTD) $(WARN) -O2 -g $(PKG_CFLAGS)
ASAN_CFLAGS := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined $(PKG_CFLAGS)

REL_OBJ  := $(patsubst src/%.c,build/rel/%.o,$(SRC))
ASAN_OBJ := $(patsubst src/%.c,build/asan/%.o,$(SRC))
REL_LIBOBJ  := $(patsubst src/%.c,build/rel/%.o,$(LIB_SRC))
ASAN_LIBOBJ := $(patsubst src/%.c,build/asan/%.o,$(LIB_SRC))
UNIT_REL  := $(patsubst tests/unit/%.c,build/rel/tests/%,$(UNIT_SRC))
UNIT_ASAN := $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))
FUZZ_BIN  := $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

.PHONY: all asan unit fuzz locale run test deps deps-test clean bench mutants
all: jouda locale

locale: $(MO)
locale/%.mo: po/%.po
	@mkdir -p locale
	msgfmt --check -o $@ $<

build/rel/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -c -o $@ $<
build/asan/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -c -o $@ $<

jouda: $(REL_OBJ)
	$(CC) $(REL_CFLAGS) -o $@ $^ $(PKG_LIBS)
build/asan/jouda: $(ASAN_OBJ)
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(PKG_LIBS)
asan: build/asan/jouda locale

build/rel/tests/%: tests/unit/%.c $(REL_LIBOBJ) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -Isrc -o $@ $< $(REL_LIBOBJ) $(PKG_LIBS) $(CMOCKA_LIBS)
build/asan/tests/%: tests/unit/%.c $(ASAN_LIBOBJ) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -Isrc -o $@ $< $(ASAN_LIBOBJ) $(PKG_LIBS) $(CMOCKA_LIBS)
unit: $(UNIT_REL) $(UNIT_ASAN) locale

# libFuzzer drivers: clang; the library is compiled once with coverage
# instrumentation (fuzzer-no-link) and linked into every driver.
FUZZ_CFLAGS := $(CSTD) -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(PKG_CFLAGS)
FUZZ_OBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIB_SRC))
build/fuzz/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<
build/fuzz/%: fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -Isrc -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS)
fuzz: $(FUZZ_BIN)
# the instrumented objects are kept between builds (not intermediate files)
.SECONDARY: $(FUZZ_OBJ)

deps:
	@scripts/deps.sh run
deps-test:
	@scripts/deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

test: deps-test
	@$(MAKE) --no-print-directory -j2 all asan unit fuzz
	@tests/run-all.sh

mutants: deps-test
	@$(MAKE) --no-print-directory all
	@tests/mutants/run.sh

bench: deps-test
	@$(MAKE) --no-print-directory all
	@bench/run.sh

clean:
	rm -rf build jouda locale

# The référentiels shipped with the program are built into it (src/ref/ref_builtin.c).
REF_DATA := $(wildcard data/referentiels/*.json)
build/rel/ref/ref_builtin.o build/asan/ref/ref_builtin.o build/fuzz/obj/ref/ref_builtin.o: $(REF_DATA)

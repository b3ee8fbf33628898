# Thin wrapper over Meson.  `make` installs missing packages, builds, prints
# the table of checks and draws the figures; `make check` runs the tests.
BUILD ?= build
ASAN ?= build-asan
ELBOLAB = $(BUILD)/src/cli/elbolab
# WERROR=true (CI sets it) turns every compiler warning into an error.  It
# applies when a build folder is set up: use a fresh BUILD / ASAN folder.
WERROR ?= false
TIDY_JOBS ?= 2

.PHONY: all deps build table plots check serve sanitize valgrind bench tidy clean

all: table plots

deps:
	@sh scripts/deps.sh

$(BUILD)/build.ninja:
	@sh scripts/deps.sh
	meson setup $(BUILD) -Dwerror=$(WERROR)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

table: build
	$(ELBOLAB) check

plots: build
	@if command -v gnuplot >/dev/null 2>&1; then \
	    $(ELBOLAB) plot all --out $(BUILD)/plots --format png; \
	else \
	    echo "plots: gnuplot is not installed; run 'apt-get install gnuplot-nox' (as root) to draw the figures"; \
	fi

check: build
	meson test -C $(BUILD) --print-errorlogs

# the page that checks a derivation as it is typed (PORT=0 picks a free port)
PORT ?= 8080
serve: build
	$(ELBOLAB) serve --port $(PORT)

$(ASAN)/build.ninja:
	@sh scripts/deps.sh
	meson setup $(ASAN) -Dwerror=$(WERROR) -Db_sanitize=address,undefined -Db_lundef=false \
	    -Dbuildtype=debug

sanitize: deps $(ASAN)/build.ninja
	meson compile -C $(ASAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    meson test -C $(ASAN) --print-errorlogs

VALGRIND = valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --quiet

valgrind: build
	meson test -C $(BUILD) --setup=valgrind --print-errorlogs
	ELBOLAB_WRAPPER="$(VALGRIND)" sh tests/cli.sh $(ELBOLAB)

bench: build
	meson test -C $(BUILD) --benchmark --verbose

# clang-tidy (.clang-tidy) over src/ with the build's compile_commands.json.
# It reports; it does not fail on findings, and CI does not run it.
tidy: build
	@command -v run-clang-tidy >/dev/null 2>&1 || \
	    { echo "tidy: clang-tidy is not installed; run 'apt-get install clang-tidy' (as root)"; exit 1; }
	run-clang-tidy -p $(BUILD) -quiet -j $(TIDY_JOBS) '^$(CURDIR)/src/'

clean:
	rm -rf $(BUILD) $(ASAN)

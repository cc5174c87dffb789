# Shared set-up of the linker/ suites: the tools under test and a
# stand-in runtime directory (EMBER_LIBDIR) built from fake_rt.c.

bats_require_minimum_version 1.5.0

BATS_LIB_DIR=${BATS_LIB_DIR:-/usr/lib/bats}
load "$BATS_LIB_DIR/bats-support/load"
load "$BATS_LIB_DIR/bats-assert/load"

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# EMBER_BUILD: the build tree under test (make test sets it; build/san
# with SANITIZE=1).
LINKER_BUILD=${EMBER_BUILD:-build}
[[ $LINKER_BUILD == /* ]] || LINKER_BUILD=$ROOT/$LINKER_BUILD
EMBER_CC=$LINKER_BUILD/bin/ember-cc
INSPECT=$LINKER_BUILD/bin/ember-inspect

setup_file() {
	local f fake=$BATS_FILE_TMPDIR/fake
	for f in "$EMBER_CC" "$INSPECT"; do
		[ -x "$f" ] || {
			echo "missing $f: run make first" >&2
			return 1
		}
	done
	mkdir -p "$fake/musl/include" "$fake/musl/lib"
	gcc -O2 -fno-pie -ffunction-sections -fdata-sections \
		-c "$BATS_TEST_DIRNAME/fake_rt.c" -o "$fake/fake_rt.o"
	ar rcs "$fake/libember.a" "$fake/fake_rt.o"
	for f in libc libm libpthread; do
		ar rcs "$fake/musl/lib/$f.a"
	done
	cp "$ROOT/linker/ember.ld" "$fake/"
	export EMBER_LIBDIR=$fake
}

# build ARGS...: ember-cc must succeed.
build() {
	run "$EMBER_CC" "$@"
	[ "$status" -eq 0 ] || fail "ember-cc $* failed ($status): $output"
}

# assert_one_line PREFIX: stderr (run --separate-stderr) is one line
# starting with PREFIX.
assert_one_line() {
	[ "${#stderr_lines[@]}" -eq 1 ] ||
		fail "expected one line on stderr, got: $stderr"
	[[ "${stderr_lines[0]}" == "$1"* ]] ||
		fail "stderr does not start with '$1': $stderr"
}

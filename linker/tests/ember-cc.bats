#!/usr/bin/env bats
# ember-cc and linker/ember.ld: the image layout, the manifest note, gcc
# compatibility and error handling. Uses a stand-in runtime
# (linker/tests/fake_rt.c, empty libc.a) so it tests the toolchain alone;
# the real runtime is exercised by the apps and the monitor suites.

load linker_common

hello_src() {
	cat >hello.c <<'EOF'
static const char msg[] = "hello";
int unused_function(void) { return 42; }
int main(void) { return msg[1]; }
EOF
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	hello_src
}

@test "an image is a static ELF at 1 MiB with R, RX and RW segments, no W+X" {
	build -O2 -o hello hello.c
	run readelf -hlW hello
	assert_success
	assert_output --regexp "Type: +EXEC"
	local loads
	loads=$(grep -E '^ +LOAD' <<<"$output" | awk '{print $3, $(NF-1)}')
	assert_equal "$(awk '{print $2}' <<<"$loads" | tr '\n' ' ')" "R E RW "
	assert_equal "$(head -1 <<<"$loads" | awk '{print $1}')" \
		0x0000000000100000
	refute_output --regexp "LOAD.* RWE "
	assert_output --regexp "TLS "
	assert_output --regexp "NOTE "
	assert_output --regexp "GNU_STACK( +0x0+){5} RW "
	refute_output --regexp "INTERP|DYNAMIC"
}

@test "the entry point is the runtime's _ember_start" {
	build -o hello hello.c
	local entry start
	entry=$(readelf -hW hello | awk '/Entry point/ {print $4}')
	start=$(nm hello | awk '$3 == "_ember_start" {print $1}')
	assert_equal "$((entry))" "$((16#$start))"
}

@test "segments are page aligned and the ELF headers are loaded" {
	build -o hello hello.c
	run readelf -lW hello
	# first LOAD starts at file offset 0 (ELF + program headers)
	assert_output --regexp "LOAD +0x000000 0x0000000000100000"
	local addr
	for addr in $(awk '/^ +LOAD/ {print $3}' <<<"$output"); do
		[ $((addr % 4096)) -eq 0 ] || fail "LOAD at $addr not page aligned"
	done
}

@test "unused functions are dropped (--gc-sections)" {
	build -O2 -o hello hello.c
	run nm hello
	assert_output --partial " main"
	refute_output --partial "unused_function"
}

@test "no comment, dynamic or build-id sections" {
	build -o hello hello.c
	run readelf -SW hello
	assert_success
	refute_output --regexp "\.comment|\.dynamic|\.interp|\.gnu\.hash|build-id|\.dynsym"
}

@test "the manifest note is EMBER type 1 with struct ember_manifest" {
	build -o hello hello.c
	run readelf -nW hello
	assert_success
	# descsz = sizeof(struct ember_manifest) = 1072
	assert_output --regexp "EMBER +0x00000430"
	run readelf -x .note.ember hello
	# namesz 6, descsz 0x430, type 1, "EMBER\0\0\0", abi_version 1
	assert_output --partial "06000000 30040000 01000000 454d4245"
	assert_output --partial "52000000 01000000"
}

@test "-ember-mem, -ember-net and -ember-arg go into the manifest" {
	build -ember-mem=128M -ember-net -ember-arg=one -ember-arg='two words' \
		-o hello hello.c
	run "$INSPECT" --json hello
	assert_success
	assert_equal "$(jq -r .abi_version <<<"$output")" 1
	assert_equal "$(jq -r .memory_default <<<"$output")" 134217728
	assert_equal "$(jq -r .network_required <<<"$output")" true
	assert_equal "$(jq -c .default_args <<<"$output")" '["one","two words"]'
	local stats
	stats=$(nm hello | awk '$3 == "ember_guest_stats" {print $1}')
	assert_equal "$(jq -r .guest_stats <<<"$output")" "$((16#$stats))"
}

@test "without -ember options the manifest asks for nothing" {
	build -o hello hello.c
	run "$INSPECT" --json hello
	assert_success
	assert_equal "$(jq -r .memory_default <<<"$output")" 0
	assert_equal "$(jq -r .network_required <<<"$output")" false
	assert_equal "$(jq -c .default_args <<<"$output")" '[]'
}

@test "-c, -S and -E do not link" {
	build -c hello.c -o hello.o
	run readelf -hW hello.o
	assert_output --regexp "Type: +REL"
	build -S hello.c -o hello.s
	grep -q "main:" hello.s
	echo 'int x = __ember__;' >m.c
	run "$EMBER_CC" -E m.c
	assert_success
	assert_output --partial "int x = 1;"
}

@test "objects, archives, -x, -D, -I and -Wl, pass through" {
	mkdir inc
	echo '#define ANSWER 42' >inc/answer.h
	printf '#include "answer.h"\nint f(void) { return ANSWER + K; }\n' >f.c
	echo 'int f(void); int main(void) { return f(); }' >m.txt
	build -Iinc -DK=1 -c f.c -o f.o
	ar rcs libf.a f.o
	build -x c m.txt -x none -L. -lf -Wl,-Map,img.map -o img
	[ -s img.map ] || fail "-Wl,-Map was not passed to the linker"
	nm img | grep -Eq " T f$" || fail "f is not in the image"
}

@test "main may come from an archive" {
	build -c hello.c -o hello.o
	ar rcs libmain.a hello.o
	build -o img -L. -lmain
	nm img | grep -Eq " T main$" || fail "main is not in the image"
}

@test "-lm and -lpthread resolve in the runtime's musl directory" {
	build -o hello hello.c -lm -lpthread -Wl,--trace
	assert_output --partial "$EMBER_LIBDIR/musl/lib/libm.a"
	refute_output --regexp "/usr/lib/x86_64-linux-gnu/libm"
}

@test "bad -ember-mem values: one line, exit 1" {
	local v
	for v in 3M 12X 64MB "" M 9G 99999999999999999999G 4097; do
		run --separate-stderr "$EMBER_CC" "-ember-mem=$v" -o hello hello.c
		assert_equal "$status" 1
		assert_one_line "ember-cc: bad -ember-mem=$v"
	done
	[ ! -e hello ] || fail "an image was written despite the error"
}

@test "default arguments longer than the manifest holds are refused" {
	local long
	long=$(head -c 1100 /dev/zero | tr '\0' a)
	run --separate-stderr "$EMBER_CC" "-ember-arg=$long" -o hello hello.c
	assert_equal "$status" 1
	assert_one_line "ember-cc: -ember-arg: the default arguments exceed 1024"
}

@test "unknown -ember options and -shared are refused" {
	run --separate-stderr "$EMBER_CC" -ember-bogus -o hello hello.c
	assert_equal "$status" 1
	assert_one_line "ember-cc: unknown option -ember-bogus"
	run --separate-stderr "$EMBER_CC" -shared -o hello hello.c
	assert_equal "$status" 1
	assert_one_line "ember-cc: -shared is not supported"
}

@test "a missing runtime is one clear line" {
	EMBER_LIBDIR=$BATS_TEST_TMPDIR/nowhere run --separate-stderr \
		"$EMBER_CC" -o hello hello.c
	assert_equal "$status" 1
	assert_one_line "ember-cc: runtime not found in $BATS_TEST_TMPDIR/nowhere: run make, or set EMBER_LIBDIR"
}

@test "a missing compiler is one clear line" {
	EMBER_CC_BACKEND=no-such-compiler run --separate-stderr \
		"$EMBER_CC" -o hello hello.c
	assert_failure
	assert_one_line "ember-cc: cannot run no-such-compiler"
}

@test "the compiler's exit status passes through" {
	cat >cc7 <<'EOF'
#!/bin/sh
case "$1" in -print-file-name=*) exec gcc "$@";; esac
exit 7
EOF
	chmod +x cc7
	EMBER_CC_BACKEND=$PWD/cc7 run "$EMBER_CC" -o hello hello.c
	assert_equal "$status" 7
	EMBER_CC_BACKEND=$PWD/cc7 run "$EMBER_CC" -c hello.c
	assert_equal "$status" 7
	echo 'int main(void) { return undeclared; }' >bad.c
	run "$EMBER_CC" -o bad bad.c
	assert_equal "$status" 1
	assert_output --partial "undeclared"
}

@test "the temporary directory is removed after a link, a failure and a signal" {
	mkdir tmp
	TMPDIR=$PWD/tmp build -o hello hello.c
	echo 'int main(void) { return undeclared; }' >bad.c
	TMPDIR=$PWD/tmp run "$EMBER_CC" -o bad bad.c
	assert_failure
	cat >slowcc <<'EOF'
#!/bin/sh
case "$1" in -print-file-name=*) exec gcc "$@";; esac
exec sleep 30
EOF
	chmod +x slowcc
	TMPDIR=$PWD/tmp EMBER_CC_BACKEND=$PWD/slowcc "$EMBER_CC" -o x hello.c &
	local pid=$! i
	for i in $(seq 100); do
		[ -n "$(ls tmp)" ] && break
		sleep 0.05
	done
	[ -n "$(ls tmp)" ] || fail "ember-cc made no temporary directory"
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	assert_equal "$st" 143 # killed by SIGTERM, like the compiler
	assert_equal "$(ls -A tmp)" ""
}

@test "IFUNCs are refused at link time" {
	cat >ifunc.c <<'EOF'
static int impl(void) { return 1; }
static void *resolve(void) { return impl; }
int f(void) __attribute__((ifunc("resolve")));
int main(void) { return f(); }
EOF
	run "$EMBER_CC" -o ifunc ifunc.c
	assert_failure
	assert_output --partial "dynamic relocations (IFUNC?) are not supported"
}

@test "make CC=ember-cc builds a multi-file project" {
	mkdir proj
	cd proj
	echo 'int add(int a, int b);' >add.h
	printf '#include "add.h"\nint add(int a, int b) { return a + b; }\n' >add.c
	printf '#include "add.h"\nint main(void) { return add(2, 3); }\n' >main.c
	printf 'prog: main.o add.o\n\t$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)\n' >Makefile
	run make CC="$EMBER_CC" CFLAGS="-O2 -Wall -Werror" \
		LDFLAGS="-ember-mem=32M" LDLIBS=-lm
	assert_success
	run "$INSPECT" --json prog
	assert_success
	assert_equal "$(jq -r .memory_default <<<"$output")" 33554432
}

@test "ember-cc finds the runtime next to itself (build tree and installed)" {
	mkdir -p tree/bin tree/lib inst/bin inst/lib/ember
	cp "$EMBER_CC" tree/bin/
	cp "$EMBER_CC" inst/bin/
	cp -R "$EMBER_LIBDIR"/. tree/lib/
	cp -R "$EMBER_LIBDIR"/. inst/lib/ember/
	env -u EMBER_LIBDIR tree/bin/ember-cc -o a hello.c
	env -u EMBER_LIBDIR inst/bin/ember-cc -o b hello.c
	rm inst/lib/ember/libember.a tree/lib/libember.a
	run --separate-stderr env -u EMBER_LIBDIR inst/bin/ember-cc -o c hello.c
	assert_equal "$status" 1
	assert_one_line "ember-cc: runtime not found in $PWD/inst/lib:"
}

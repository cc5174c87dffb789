#!/usr/bin/env bats
# The image builder: ember-cc as a drop-in C compiler for an ordinary
# Makefile project, -c, the -ember-* manifest options (checked with
# ember-inspect and by their effect), the image format, and the absence
# of any system call instruction in the images.

load helpers/common

setup() {
	require_file "$EMBER_CC"
	WORK=$BATS_TEST_TMPDIR
}

# build_fixture DIR [MAKE-ARGS...]: copy tests/fixtures/multifile to DIR
# and run make there.
build_fixture() {
	local dir=$1
	shift
	cp -r "$ROOT/tests/fixtures/multifile" "$dir"
	run make -C "$dir" "$@"
	[ "$status" -eq 0 ] || fail "make $* failed: $output"
}

@test "make CC=ember-cc builds a multi-file project (-I -D ar -L -l) that boots" {
	require_file "$VMM"
	build_fixture "$WORK/ember" CC="$EMBER_CC" OUT=greet.ember
	run_vmm "$WORK/ember/greet.ember" -- ada "bob"
	assert_success
	assert_output "Hello, ADA! (5 letters)
Hello, BOB! (5 letters)
greeted 2"
}

@test "the same project built natively prints exactly what the image prints" {
	require_file "$VMM"
	build_fixture "$WORK/native"
	build_fixture "$WORK/ember" CC="$EMBER_CC" OUT=greet.ember
	local native
	native=$("$WORK/native/greet" x yz)
	run_vmm "$WORK/ember/greet.ember" -- x yz
	assert_success
	assert_output "$native"
}

@test "-c compiles only: a relocatable object, then linking it boots" {
	require_file "$VMM"
	ember_cc -O2 -c -o "$WORK/hello.o" "$ROOT/apps/hello.c"
	run readelf -h "$WORK/hello.o"
	assert_output --regexp 'Type: +REL '
	ember_cc -o "$WORK/hello.ember" "$WORK/hello.o"
	run_vmm "$WORK/hello.ember"
	assert_success
	assert_output "Hello from Ember!"
}

@test "an image is a static ELF64 x86-64 executable at 1 MiB, W^X, with symbols" {
	local img=$APPS/hello.ember
	require_file "$img"
	run readelf -hlW "$img"
	assert_success
	assert_output --regexp 'Class: +ELF64'
	assert_output --regexp 'Type: +EXEC '
	assert_output --regexp 'Machine: +Advanced Micro Devices X86-64'
	refute_output --partial "INTERP"
	refute_output --partial "DYNAMIC"
	# Lowest PT_LOAD at 1 MiB; no segment both writable and executable.
	run bash -c "readelf -lW '$img' | awk '\$1 == \"LOAD\"'"
	assert_line --index 0 --regexp '^ *LOAD +0x[0-9a-f]+ 0x0+100000 '
	refute_output --regexp 'RWE'
	# The manifest note is there, and symbols for crash reports.
	run readelf -nW "$img"
	assert_output --partial "EMBER"
	run nm "$img"
	assert_line --regexp '^[0-9a-f]+ [Tt] main$'
}

@test "-ember-mem, -ember-net and -ember-arg are shown by ember-inspect" {
	require_file "$INSPECT"
	ember_cc -O2 -ember-mem=16M -ember-net -ember-arg=first \
		-ember-arg="second arg" -o "$WORK/m.ember" "$ROOT/apps/hello.c"
	run "$INSPECT" "$WORK/m.ember"
	assert_success
	assert_line --regexp '^memory +16 MiB'
	assert_line --regexp '^network +required'
	assert_line --regexp '^arguments +"first" "second arg"$'
	# And an image without them does not claim them.
	run "$INSPECT" "$APPS/hello.ember"
	assert_success
	refute_line --regexp '^memory +16 MiB'
	assert_line --regexp '^network +not required'
	assert_line --regexp '^arguments +\(none\)'
}

@test "-ember-mem sets the default guest memory; --mem overrides it" {
	require_file "$VMM"
	ember_cc -O2 -ember-mem=8M -o "$WORK/oom8.ember" "$ROOT/apps/oom.c"
	run_vmm "$WORK/oom8.ember"
	assert_success
	local mib=${output#oom: malloc failed after }
	mib=${mib%% *}
	[ "$mib" -lt 8 ] || fail "allocated $mib MiB with an 8 MiB default"
	run_vmm --mem 32M "$WORK/oom8.ember"
	assert_success
	mib=${output#oom: malloc failed after }
	mib=${mib%% *}
	[ "$mib" -ge 16 ] || fail "allocated only $mib MiB with --mem 32M"
}

@test "bad -ember-* options: one 'ember-cc: ' line, non-zero exit" {
	run --separate-stderr "$EMBER_CC" -ember-bogus -o "$WORK/x.ember" \
		"$ROOT/apps/hello.c"
	assert_failure
	assert_one_line_error "ember-cc: " "ember-bogus"
	run --separate-stderr "$EMBER_CC" -ember-mem=lots \
		-o "$WORK/x.ember" "$ROOT/apps/hello.c"
	assert_failure
	assert_one_line_error "ember-cc: " "-ember-mem"
	[ ! -e "$WORK/x.ember" ] || fail "an image was written anyway"
}

@test "a compile error fails ember-cc and writes no image" {
	printf 'int main(void) { return undeclared; }\n' >"$WORK/bad.c"
	run "$EMBER_CC" -o "$WORK/bad.ember" "$WORK/bad.c"
	assert_failure
	assert_output --partial "undeclared"
	[ ! -e "$WORK/bad.ember" ] || fail "an image was written anyway"
}

@test "unused functions are not linked (--gc-sections)" {
	cat >"$WORK/gc.c" <<-'EOF'
		#include <stdio.h>
		void ember_test_unused_function(void) { puts("never"); }
		int main(void) { return 0; }
	EOF
	ember_cc -O2 -o "$WORK/gc.ember" "$WORK/gc.c"
	run nm "$WORK/gc.ember"
	assert_success
	refute_output --partial "ember_test_unused_function"
	assert_line --regexp '^[0-9a-f]+ [Tt] main$'
}

@test "no syscall, sysenter or int 0x80 instruction in any image in build/apps" {
	local imgs=("$APPS"/*.ember)
	[ -e "${imgs[0]}" ] || fail "no images in $APPS"
	run "$ROOT/tools/check-no-syscall.sh" "${imgs[@]}"
	assert_success
}

@test "the syscall check does find a syscall instruction when there is one" {
	# Proves the test above can fail: an image with one on purpose.
	cat >"$WORK/sys.c" <<-'EOF'
		int main(void)
		{
			long r = 39; /* getpid */
			__asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
			return (int)r;
		}
	EOF
	ember_cc -O2 -o "$WORK/sys.ember" "$WORK/sys.c"
	run "$ROOT/tools/check-no-syscall.sh" "$WORK/sys.ember"
	assert_failure 1
	assert_output --partial "syscall"
}

@test "debug sections only with -g; the symbol table always (crash reports)" {
	cat >"$WORK/dbg.c" <<-'EOF'
		int main(void) { return 0; }
	EOF
	ember_cc -O2 -o "$WORK/nodebug.ember" "$WORK/dbg.c"
	run readelf -SW "$WORK/nodebug.ember"
	refute_output --partial ".debug_info"
	assert_output --partial ".symtab"
	ember_cc -O2 -g -o "$WORK/debug.ember" "$WORK/dbg.c"
	run readelf -SW "$WORK/debug.ember"
	assert_output --partial ".debug_info"
	# -g0 after -g turns it off again, as with gcc.
	ember_cc -O2 -g -g0 -o "$WORK/g0.ember" "$WORK/dbg.c"
	run readelf -SW "$WORK/g0.ember"
	refute_output --partial ".debug_info"
}

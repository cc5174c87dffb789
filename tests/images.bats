#!/usr/bin/env bats
# Image validation: bad images, generated here from the good hello image
# (tests/helpers/mkbad.c breaks one rule at a time), each get exit 125
# and exactly one "ember-vmm: " line naming the problem. Also
# ember-inspect on good and bad images.

load helpers/common

setup() {
	require_file "$VMM" "$APPS/hello.ember" "$MKBAD"
	GOOD=$APPS/hello.ember
	BAD=$BATS_TEST_TMPDIR/bad.ember
}

# bad OP [ARG]: write $BAD from the good image broken by mkbad OP.
bad() {
	"$MKBAD" "$GOOD" "$BAD" "$@" || fail "mkbad $* failed"
}

# rejects REGEX: booting $BAD fails with one line matching REGEX.
rejects() {
	run_vmm "$BAD"
	assert_vmm_error "$1"
}

@test "the unmodified image boots (the baseline for every test below)" {
	cp "$GOOD" "$BAD"
	run_vmm "$BAD"
	assert_success
	assert_output "Hello from Ember!"
}

@test "an empty file" {
	: >"$BAD"
	rejects "not an elf"
}

@test "a text file, not an ELF" {
	printf 'Hello, I am not an image\n' >"$BAD"
	rejects "not an elf"
}

@test "a bad ELF magic number" {
	bad magic
	rejects "not an elf"
}

@test "truncated inside the ELF header" {
	bad truncate-header
	rejects "truncated.*elf header"
}

@test "truncated inside the program headers" {
	bad truncate-phdrs
	rejects "truncated.*program header"
}

@test "truncated in the middle of a segment" {
	bad truncate-segment
	rejects "truncated.*segment"
}

@test "truncated at many lengths: never boots, never crashes the monitor" {
	local size n
	size=$(stat -c %s "$GOOD")
	for n in 1 4 16 63 64 65 120 200 4096 $((size / 3)) $((size - 1)); do
		bad truncate "$n"
		run_vmm "$BAD"
		assert_equal "$status" "$EXIT_ERROR"
		assert_one_line_error "ember-vmm: " "."
	done
}

@test "a 32-bit ELF" {
	bad class32
	rejects "64-bit"
}

@test "a big-endian ELF" {
	bad bigendian
	rejects "little-endian"
}

@test "another machine (aarch64)" {
	bad machine
	rejects "another cpu.*x86-64"
}

@test "ET_DYN (a PIE or shared library)" {
	bad type-dyn
	rejects "position-independent|shared"
}

@test "ET_REL (an object file)" {
	bad type-rel
	rejects "relocatable"
}

@test "bit-flipped e_phoff: program headers past the end of the file" {
	bad flip-phoff
	rejects "truncated|program header"
}

@test "bit-flipped e_phentsize" {
	bad flip-phentsize
	rejects "program header"
}

@test "bit-flipped e_phnum" {
	bad flip-phnum
	rejects "truncated|program header"
}

@test "bit-flipped e_version" {
	bad flip-version
	rejects "elf version"
}

@test "overlapping segments" {
	bad overlap
	rejects "overlap"
}

@test "a writable and executable segment (W+X)" {
	bad wx
	rejects "writable and executable|w\^x"
}

@test "entry point in a data segment" {
	bad entry-data
	rejects "entry point.*executable"
}

@test "entry point outside every segment" {
	bad entry-outside
	rejects "entry point.*0x40000000"
}

@test "a segment below 1 MiB" {
	bad low-segment
	rejects "0x80000.*below 1 mib"
}

@test "a segment beyond the largest guest memory" {
	bad high-segment
	rejects "0x10000000000.*8 gib"
}

@test "a segment that is not page aligned" {
	bad unaligned-segment
	rejects "0x40000123.*(page aligned|alignment)"
}

@test "a segment with more file bytes than the file has" {
	bad filesz-past-eof
	rejects "truncated.*segment"
}

@test "a segment with more file bytes than memory bytes" {
	bad memsz-lt-filesz
	rejects "more file bytes than memory"
}

@test "no manifest note" {
	bad no-manifest
	rejects "no ember manifest"
}

@test "a manifest for another ABI version" {
	bad abi 99
	rejects "abi 99"
}

@test "a plain static Linux executable (no manifest, linked at 4 MiB)" {
	printf 'void _start(void){for(;;);}\n' >"$BATS_TEST_TMPDIR/plain.c"
	gcc -static -nostdlib -no-pie -o "$BAD" "$BATS_TEST_TMPDIR/plain.c" ||
		fail "cannot build the plain executable with gcc"
	run_vmm "$BAD"
	assert_vmm_error "."
}

@test "a directory" {
	run_vmm "$BATS_TEST_TMPDIR"
	assert_vmm_error "not a regular file"
}

@test "an unreadable file" {
	if [ "$(id -u)" -eq 0 ]; then
		skip "running as root: file permissions do not apply"
	fi
	cp "$GOOD" "$BAD"
	chmod 000 "$BAD"
	rejects "permission denied"
}

@test "memory too small for the image (--mem 4M, 8 MiB of bss)" {
	require_file "$EMBER_CC"
	big_image "$BAD"
	run_vmm --mem 4M "$BAD"
	assert_vmm_error "needs at least [0-9]+ mib.*--mem"
	# ...and the same image boots with enough memory.
	run_vmm --mem 32M "$BAD"
	assert_success
	assert_output "big: ok"
}

@test "manifest default memory too small for the image (-ember-mem=4M)" {
	require_file "$EMBER_CC"
	big_image "$BAD" -ember-mem=4M
	run_vmm "$BAD"
	assert_vmm_error "needs at least [0-9]+ mib.*--mem"
}

# big_image OUT [EMBER-CC-FLAGS]: an image with 8 MiB of bss.
big_image() {
	local out=$1
	shift
	cat >"$BATS_TEST_TMPDIR/big.c" <<-'EOF'
		#include <stdio.h>
		volatile char big[8 << 20]; /* volatile: not optimised away */
		int main(void)
		{
			big[sizeof(big) - 1] = 1;
			printf("big: %s\n", big[sizeof(big) - 1] ? "ok" : "bad");
			return 0;
		}
	EOF
	ember_cc -O2 "$@" -o "$out" "$BATS_TEST_TMPDIR/big.c"
}

@test "ember-inspect prints the manifest and the segments of a good image" {
	require_file "$INSPECT"
	run --separate-stderr "$INSPECT" "$GOOD"
	assert_success
	assert_line --regexp '^abi version +1$'
	assert_line --regexp '^segments +3$'
	# The three loadable segments from 1 MiB up, with their W^X flags.
	assert_line --regexp '^ +0x0+100000 +0x[0-9a-f]+ +R-- '
	assert_line --regexp '^ +0x[0-9a-f]+ +0x[0-9a-f]+ +R-X '
	assert_line --regexp '^ +0x[0-9a-f]+ +0x[0-9a-f]+ +RW- '
	assert_line --regexp "^file size +$(stat -c %s "$GOOD") bytes"
}

@test "ember-inspect on a bad image: one 'ember-inspect: ' line, non-zero exit" {
	require_file "$INSPECT"
	bad wx
	run --separate-stderr "$INSPECT" "$BAD"
	assert_failure
	assert_one_line_error "ember-inspect: " "writable and executable|w\^x"
}

@test "ember-inspect on a missing file: one line, non-zero exit" {
	require_file "$INSPECT"
	run --separate-stderr "$INSPECT" "$BATS_TEST_TMPDIR/none.ember"
	assert_failure
	assert_one_line_error "ember-inspect: " "none\.ember"
}

#!/usr/bin/env bash
# check-no-syscall.sh FILE...: prove that no system call instruction is left
# in ELF files or static archives (.a) meant for an Ember guest.
#
# An Ember guest has no kernel: a `syscall`, `sysenter` or `int $0x80` there
# faults instead of reaching Linux, so every one of them is a bug (a musl
# path we did not replace, or code that bypasses libc). Each file is
# disassembled with objdump -d; every hit is listed with its file (archive
# member), function and address.
# Exit status: 0 none found, 1 found, 2 usage error or unreadable file.
set -euo pipefail

die() {
	echo "check-no-syscall: $*" >&2
	exit 2
}

(($# > 0)) || die "usage: check-no-syscall.sh ELF-OR-ARCHIVE..."
command -v objdump >/dev/null || die "objdump not found: install binutils"

# Prints one line per system call instruction in $1.
find_syscalls() {
	local file=$1 dis
	dis=$(objdump -d --no-show-raw-insn "$file" 2>&1) ||
		die "$file: objdump cannot disassemble it (${dis##*: })"
	awk -v file="$file" '
		/^In archive / { next }
		/:[ \t]+file format / { member = $1; sub(/:$/, "", member); next }
		/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/^<|>:$/, "", fn); next }
		/^ *[0-9a-f]+:\t/ {
			split($0, f, "\t")
			if (f[2] ~ /^(syscall|sysenter|int +\$0x80)( |$)/) {
				addr = f[1]; gsub(/[ :]/, "", addr)
				where = (member == file) ? file : file "(" member ")"
				printf "%s: %s at 0x%s in %s\n", where, f[2], addr, fn
			}
		}' <<<"$dis"
}

found=0
for file in "$@"; do
	[[ -r $file ]] || die "$file: no such readable file"
	hits=$(find_syscalls "$file")
	if [[ -n $hits ]]; then
		echo "$hits" >&2
		found=$((found + $(wc -l <<<"$hits")))
	fi
done

if ((found > 0)); then
	echo "check-no-syscall: $found system call instruction(s) found in $# files" >&2
	exit 1
fi
echo "no syscall instruction in $# files"

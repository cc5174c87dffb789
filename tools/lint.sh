#!/usr/bin/env bash
# make lint (part of make test): our C sources must be clang-format clean
# (.clang-format at the root) and cppcheck clean. Fixtures that exist to
# fail on purpose are left out. Prints one line per problem, exits 1 if any.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files --cached --others --exclude-standard \
	'*.c' '*.h' | grep -v '^tests/fixtures/' | while read -r f; do
	[[ -e $f ]] && echo "$f"
done)
((${#files[@]})) || { echo "lint: no C files found" >&2; exit 1; }

status=0
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/lint-format.$$; then
	grep -E '^[^ ].*: (error|warning):' /tmp/lint-format.$$ |
		cut -d: -f1 | sort | uniq -c |
		awk '{ print "lint: " $2 ": " $1 " lines not clang-format clean (run clang-format -i " $2 ")" }'
	status=1
fi
rm -f /tmp/lint-format.$$

c_files=()
for f in "${files[@]}"; do
	[[ $f == *.c ]] && c_files+=("$f")
done
# Our own code only: lwIP and musl sources are not in the tree.
if ! cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	--enable=warning,portability,performance -D__x86_64__ \
	-Iunikernel-rt/include -Imonitor -Iunikernel-rt \
	--suppress=missingIncludeSystem "${c_files[@]}"; then
	echo "lint: cppcheck found problems (above)"
	status=1
fi
exit $status

#!/usr/bin/env bats
# ember-inspect: the text and JSON reports, and its errors. Images are
# built with ember-cc and the stand-in runtime (linker_common.bash).

load linker_common

setup() {
	cd "$BATS_TEST_TMPDIR"
	echo 'int main(void) { return 3; }' >hello.c
	build -ember-mem=96M -ember-net -ember-arg=--port -ember-arg='8 0' \
		-o hello hello.c
}

@test "the text report shows manifest, entry, segments and sizes" {
	run "$INSPECT" hello
	assert_success
	assert_line "image         hello"
	assert_line "abi version   1"
	assert_line "memory        96 MiB"
	assert_line "network       required"
	assert_line 'arguments     "--port" "8 0"'
	local entry
	entry=$(readelf -hW hello | awk '/Entry point/ {print $4}')
	assert_line "entry         $entry"
	assert_line "segments      3"
	assert_line --regexp "^  0x0000000000100000 0x[0-9a-f]{16} R-- "
	assert_line --regexp "^  0x[0-9a-f]{16} 0x[0-9a-f]{16} R-X "
	assert_line --regexp "^  0x[0-9a-f]{16} 0x[0-9a-f]{16} RW- "
	assert_line --regexp "^file size     $(stat -c %s hello) bytes"
}

@test "an image without options shows the monitor's defaults" {
	build -o plain hello.c
	run "$INSPECT" plain
	assert_success
	assert_line "memory        monitor default (64 MiB)"
	assert_line "network       not required"
	assert_line "arguments     (none)"
}

@test "--json matches the ELF file" {
	run "$INSPECT" --json hello
	assert_success
	local json=$output
	assert_equal "$(jq -r .image <<<"$json")" hello
	assert_equal "$(jq -r .memory_default <<<"$json")" $((96 << 20))
	assert_equal "$(jq -c .default_args <<<"$json")" '["--port","8 0"]'
	assert_equal "$(jq -r '[.segments[].flags] | join(" ")' <<<"$json")" \
		"R-- R-X RW-"
	assert_equal "$(jq -r .file_size <<<"$json")" "$(stat -c %s hello)"
	local entry memsz
	entry=$(readelf -hW hello | awk '/Entry point/ {print $4}')
	assert_equal "$(jq -r .entry <<<"$json")" "$((entry))"
	memsz=0
	for m in $(readelf -lW hello | awk '/^ +LOAD/ {print $6}'); do
		memsz=$((memsz + m))
	done
	assert_equal "$(jq -r .loaded_size <<<"$json")" "$memsz"
	assert_equal "$(jq -r .span_start <<<"$json")" $((0x100000))
}

@test "JSON strings are escaped" {
	build -ember-arg='quote " back \ tab	end' -o esc hello.c
	run "$INSPECT" --json esc
	assert_success
	assert_equal "$(jq -r '.default_args[0]' <<<"$output")" \
		'quote " back \ tab	end'
}

@test "invalid images: the loader's one line, exit 1" {
	echo "not an image" >text
	gcc -o native hello.c
	local img
	for img in missing text native; do
		run --separate-stderr "$INSPECT" "$img"
		assert_equal "$status" 1
		assert_one_line "ember-inspect: $img: "
		assert_equal "$output" ""
	done
}

@test "usage errors exit 2; --help and --version exit 0" {
	run --separate-stderr "$INSPECT"
	assert_equal "$status" 2
	assert_one_line "ember-inspect: give exactly one IMAGE"
	run --separate-stderr "$INSPECT" hello hello
	assert_equal "$status" 2
	run --separate-stderr "$INSPECT" --bogus hello
	assert_equal "$status" 2
	assert_one_line "ember-inspect: unknown option --bogus"
	run "$INSPECT" --help
	assert_success
	assert_output --partial "exit status"
	run "$INSPECT" --version
	assert_success
	assert_output --regexp "^ember-inspect [0-9.]+ \(Ember ABI 1\)$"
}

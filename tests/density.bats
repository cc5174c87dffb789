#!/usr/bin/env bats
# Density, short form (make bench measures 100 VMs, tools/bench-soak.sh):
# tools/density.sh boots 10 httpd VMs at once, each on its own tap on a
# bridge in a namespace it makes; every one must answer GET / with 200,
# and every one must exit 143 on SIGTERM, leaving no process behind. The
# CPU and memory figures it prints are not checked here (they are the
# benchmark's); --idle 1 only exercises their measurement.

load helpers/common
load helpers/net

setup() {
	require_backend
	local why
	why=$(net_unavailable)
	[ -z "$why" ] || skip "$why"
	require_file "$VMM" "$APPS/httpd.ember"
	export EMBER_BACKEND=$BACKEND
}

@test "density: 10 httpd VMs at once, each on its own tap: all answer, all exit 143 on SIGTERM" {
	# SIGTERM first: density.sh then stops its VMs and removes its
	# namespace.
	run timeout -k 10 120 "$ROOT/tools/density.sh" -n 10 --idle 1 \
		--json "$BATS_TEST_TMPDIR/density.json"
	assert_success
	assert_line --regexp '^density: 10 httpd VMs .*; 10 of 10 answered GET / with 200$'
	assert_line "density: 10 of 10 exited with 143 on SIGTERM; processes left in the namespace: 0"
	run jq -e '.answered == 10 and .exited_143 == 10 and
		(.pss_kib_per_vm | type) == "number"' "$BATS_TEST_TMPDIR/density.json"
	assert_success
	run bash -c "ip netns list | grep -c '^emdens-' || true"
	assert_output 0
}

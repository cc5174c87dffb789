#!/usr/bin/env bats
# tools/ember-net: namespaces made and removed completely, idempotence,
# --veth and --nat, and one line with a documented status per error.
# Root and `ip netns` are needed; without them the tests skip and say why.

load helpers/common
load helpers/net

setup() {
	local why
	why=$(net_unavailable)
	[ -z "$why" ] || skip "$why"
	NS=emn-$$-$BATS_TEST_NUMBER
}

teardown() {
	[ -n "${NS:-}" ] || return 0
	"$NET_TOOL" down "$NS" --force >/dev/null 2>&1 || true
}

# run_net ARGS...: ember-net with stdout and stderr apart.
run_net() {
	run --separate-stderr "$NET_TOOL" "$@"
}

@test "ember-net --help documents the commands, options and exit statuses" {
	run_net --help
	assert_success
	local w
	for w in up down env list --subnet --nat --veth --force root \
		"Exit status"; do
		assert_output --partial -- "$w"
	done
}

@test "up: a namespace with tap0 at .1; prints the ember-vmm flags; again: same; down removes it all" {
	run_net up "$NS" --subnet 10.216.3.0/24
	assert_success
	assert_output --partial "--net tap0 --ip 10.216.3.2/24 --gw 10.216.3.1"
	assert_output --partial "ip netns exec $NS"
	run ip -n "$NS" -br addr show tap0
	assert_output --partial "10.216.3.1/24"
	run ip -n "$NS" -d link show tap0
	assert_output --partial "tun type tap"
	# Idempotent: the same settings again only print them.
	run_net up "$NS" --subnet 10.216.3.0/24
	assert_success
	assert_output --partial "--net tap0 --ip 10.216.3.2/24 --gw 10.216.3.1"
	run_net env "$NS"
	assert_success
	assert_line "EMBER_GUEST_IP=10.216.3.2"
	assert_line "EMBER_VMM_FLAGS='--net tap0 --ip 10.216.3.2/24 --gw 10.216.3.1'"
	run_net list
	assert_output --regexp "^$NS +10.216.3.0/24"
	run_net down "$NS"
	assert_success
	run ip netns list
	refute_output --partial "$NS"
	run_net down "$NS"
	assert_success
	assert_output "ember-net: $NS is not up: nothing to remove"
}

@test "up with other settings than the namespace has: one line, status 3" {
	"$NET_TOOL" up "$NS" --subnet 10.216.4.0/24 >/dev/null
	run_net up "$NS" --subnet 10.216.5.0/24
	assert_equal "$status" 3
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "${stderr_lines[0]}" "ember-net: $NS is already up with other settings (10.216.4.0/24): run 'ember-net down $NS' first"
}

@test "--veth: the guest address in NAME-g behind a veth pair, reachable from NAME" {
	run_net up "$NS" --veth --subnet 10.216.6.0/24
	assert_success
	run ip netns exec "$NS" ping -c 1 -W 2 10.216.6.2
	assert_success
	run_net down "$NS"
	assert_success
	run ip netns list
	refute_output --partial "$NS"
}

@test "--nat: bridge, host veth as the gateway, masquerade rule; down removes them" {
	command -v nft >/dev/null || command -v iptables >/dev/null ||
		skip "neither nft nor iptables: --nat cannot be tested (make deps installs nftables)"
	run_net up "$NS" --nat --subnet 10.216.7.0/24
	assert_success
	assert_output --partial "--gw 10.216.7.254"
	local tag
	tag=$(printf '%s' "$NS" | md5sum | cut -c1-8)
	run ip -br addr show "emb$tag"
	assert_output --partial "10.216.7.254/24"
	run ip -n "$NS" -d link show tap0
	assert_output --partial "master br0"
	# The namespace reaches the host through the bridge and the veth.
	run ip netns exec "$NS" ping -c 1 -W 2 10.216.7.254
	assert_success
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" 1
	run_net down "$NS"
	assert_success
	run ip link show "emb$tag"
	assert_failure
	if command -v nft >/dev/null; then
		run nft list table ip "ember_$tag"
		assert_failure
	fi
}

@test "down refuses while processes run in the namespace; --force stops them" {
	"$NET_TOOL" up "$NS" >/dev/null
	ip netns exec "$NS" sleep 60 &
	local pid=$!
	run_net down "$NS"
	assert_equal "$status" 3
	assert_equal "${#stderr_lines[@]}" 1
	assert_output ""
	[[ ${stderr_lines[0]} == "ember-net: processes still run in namespace $NS (pids $pid)"* ]]
	run_net down "$NS" --force
	assert_success
	run kill -0 "$pid"
	assert_failure
}

@test "bad usage: one line each, status 1" {
	local args
	for args in "" "bogus" "up" "up bad/name" "up $NS --subnet 10.0.0/24" \
		"up $NS --subnet 10.0.0.0/31" "up $NS --bogus" "down $NS --bogus" \
		"env" "list extra"; do
		# shellcheck disable=SC2086 # split the argument list
		run_net $args
		assert_equal "$status" 1
		assert_equal "${#stderr_lines[@]}" 1
		[[ ${stderr_lines[0]} == "ember-net: "* ]] || fail "not one ember-net line for '$args': $stderr"
	done
}

@test "not root: one line saying so, status 2" {
	command -v setpriv >/dev/null || skip "setpriv missing"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$NET_TOOL" up "$NS"
	assert_equal "$status" 2
	assert_equal "$stderr" "ember-net: must run as root: it creates network namespaces and devices (try sudo)"
}

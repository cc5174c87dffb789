#!/usr/bin/env bash
# run-demo.sh: the body of `make run` (everything is built first).
#
# Boots build/apps/httpd.ember with networking in a network namespace it
# makes with tools/ember-net, shows one request being served (curl -i
# from the namespace), stops the VM and removes the namespace. Where
# networking is not possible (not root, no /dev/net/tun or `ip netns`, a
# monitor or runtime without networking), says why in one line and boots
# build/apps/hello.ember instead. KVM is the product; without a usable
# /dev/kvm the process backend stands in, and it says so.
set -euo pipefail
cd "$(dirname "$0")/.."

VMM=build/bin/ember-vmm
NET=tools/ember-net
PORT=8080

if [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; then
	backend=kvm
else
	echo "make run: /dev/kvm is not available here; booting with --backend=process"
	backend=process
fi

why=""
if [[ $EUID -ne 0 ]]; then
	why="not root (network namespaces and taps need root)"
elif [[ ! -c /dev/net/tun ]]; then
	why="/dev/net/tun is missing"
elif ! ip netns list >/dev/null 2>&1; then
	why="'ip netns' does not work here"
elif ! "$VMM" --help 2>/dev/null | grep -- '--net' >/dev/null; then
	why="this ember-vmm has no network device yet"
elif ! nm build/apps/httpd.ember 2>/dev/null | grep ' ember_net_syscall$' >/dev/null; then
	why="the runtime has no network stack yet"
elif ! command -v curl >/dev/null; then
	why="curl is missing (make deps)"
fi
if [[ -n $why ]]; then
	echo "make run: no networking: $why; booting hello instead"
	exec "$VMM" --backend="$backend" build/apps/hello.ember
fi

ns=ember-run-$$
vmm_pid=""
cleanup() {
	if [[ -n $vmm_pid ]]; then
		kill -TERM "$vmm_pid" 2>/dev/null || true
		wait "$vmm_pid" 2>/dev/null || true
	fi
	"$NET" down "$ns" --force >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$NET" up "$ns"
eval "$("$NET" env "$ns")"
out=$(mktemp)
trap 'cleanup; rm -f "$out"' EXIT
echo "+ ip netns exec $ns $VMM --backend=$backend $EMBER_VMM_FLAGS build/apps/httpd.ember -- -p $PORT"
# shellcheck disable=SC2086 # EMBER_VMM_FLAGS is a list of flags
ip netns exec "$ns" "$VMM" --backend="$backend" $EMBER_VMM_FLAGS \
	build/apps/httpd.ember -- -p "$PORT" >"$out" 2>&1 &
vmm_pid=$!
for ((i = 0; i < 200; i++)); do
	grep -q "listening on" "$out" && break
	kill -0 "$vmm_pid" 2>/dev/null || break
	sleep 0.025
done
cat "$out"
grep -q "listening on" "$out" || {
	echo "make run: httpd did not start" >&2
	exit 1
}
echo "+ ip netns exec $ns curl -si http://$EMBER_GUEST_IP:$PORT/"
ip netns exec "$ns" curl -si --max-time 10 "http://$EMBER_GUEST_IP:$PORT/"
echo "+ kill -TERM (ember-vmm); ember-net down $ns"

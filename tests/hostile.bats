#!/usr/bin/env bats
# Hostile guests (issue #4, item 2): images from tests/hostile/ that
# attack ember-vmm on purpose through a real boot: wild pointers and
# lengths in every hypercall, bad ports and access widths, hostile
# virtqueues and register accesses (a hand-rolled driver on the
# virtio-mmio window), a TX flood, endless loops, stack overflow, memory
# exhaustion, a fault inside the exception handler, W^X and privileged
# instructions.
#
# For every attack: the monitor stays in control and says what happened
# in exactly one "ember-vmm: " line (checked against what it must say),
# exits with its documented status (126 for a crash or bad hypercall,
# 124 for --timeout, 143 for SIGTERM; a device the guest broke stops
# with one line while the VM goes on, and the guest, which then resets
# it and proves it works, exits 0), and leaves nothing behind: no
# process of its session, no tap (device tests run in a network
# namespace made and deleted here), no file in its working or
# temporary directory.
#
# The backend is the usual one (kvm when /dev/kvm is usable, else
# process); where the two word a diagnosis differently, both wordings
# are accepted. Device tests need root, /dev/net/tun and ip netns, and
# skip saying so without them.

load helpers/common

HOSTILE=$BUILD/tests/hostile

setup() {
	require_backend
	require_file "$VMM" "$HOSTILE/hc.ember" "$HOSTILE/vq.ember" \
		"$HOSTILE/mmio.ember" "$HOSTILE/flood.ember" "$HOSTILE/cpu.ember"
	NS=
	BG=
	WORK=$BATS_TEST_TMPDIR/work
	mkdir -p "$WORK/tmp"
}

teardown() {
	[ -z "${BG:-}" ] || kill_child "$BG"
	if [ -n "${NS:-}" ]; then
		ip netns del "$NS" 2>/dev/null || true
	fi
}

# Root, /dev/net/tun and a fresh network namespace $NS, or skip loudly.
require_netns() {
	[ "$(id -u)" -eq 0 ] ||
		skip "not root: device attacks need a network namespace and a tap (run as root)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun on this host: no tap devices"
	command -v ip >/dev/null || skip "no ip command (iproute2)"
	NS=ember-hostile-$$-$BATS_TEST_NUMBER
	ip netns add "$NS" || { NS= && skip "cannot create a network namespace"; }
}

# hostile IMAGE CASE [VMM OPTIONS...]: boot build/tests/hostile/IMAGE
# with argv[1] = CASE, in $WORK with TMPDIR=$WORK/tmp, in a session of
# its own (setsid: its id is the monitor's pid, recorded in $WORK/sid),
# and inside $NS with --net tap0 when a namespace was made. Then checks
# that nothing is left behind. Sets bats' $status, $output, $stderr...
hostile() {
	local image=$1 case=$2
	shift 2
	local net=()
	[ -z "$NS" ] || net=(ip netns exec "$NS")
	local dev=()
	[ -z "$NS" ] || dev=(--net tap0)
	CASE="$image $case"
	rm -f "$WORK/sid"
	TMPDIR=$WORK/tmp run --separate-stderr timeout -s KILL "$VMM_GUARD_SEC" \
		setsid bash -c 'cd "$0" && echo $$ >sid && exec "$@"' "$WORK" \
		"${net[@]}" "$VMM" --backend="$BACKEND" "${dev[@]}" "$@" \
		"$HOSTILE/$image.ember" -- "$case"
	assert_nothing_left
}

# No process of the monitor's session, no file but those named
# (relative to $WORK) in $WORK, nothing in its TMPDIR, no link but lo in
# the namespace.
assert_nothing_left() {
	local sid left i
	sid=$(cat "$WORK/sid" 2>/dev/null) || fail "$CASE: the monitor never started"
	for ((i = 0; i < 20; i++)); do
		left=$(pgrep -a -s "$sid" || true)
		[ -z "$left" ] && break
		sleep 0.05
	done
	[ -z "$left" ] || fail "$CASE: processes left behind:
$left"
	left=$(cd "$WORK" && find . -mindepth 1 ! -name sid ! -name tmp \
		! -name "${KEEP:-sid}" -print)
	[ -z "$left" ] || fail "$CASE: files left behind: $left"
	if [ -n "$NS" ]; then
		left=$(ip -n "$NS" -o link show | grep -v ': lo:' || true)
		[ -z "$left" ] || fail "$CASE: links left in the namespace: $left"
	fi
}

# The monitor's own headline lines: "ember-vmm: " and then not a space
# (the KVM backend continues a report with "ember-vmm:   rax ...").
headlines() {
	grep -E '^ember-vmm: [^ ]' <<<"$stderr" || true
}

# assert_one_line REGEX: exactly one headline, matching REGEX (extended,
# case-insensitive); every other stderr line is a report's indented
# detail; the guest did not get through.
assert_one_line() {
	local regex=$1 heads n line
	heads=$(headlines)
	n=$(grep -c . <<<"$heads" || true)
	[ "$n" -eq 1 ] || fail "$CASE: expected one ember-vmm line, got $n:
$stderr"
	shopt -s nocasematch
	[[ $heads =~ $regex ]] || {
		shopt -u nocasematch
		fail "$CASE: '$heads' does not match /$regex/"
	}
	shopt -u nocasematch
	line=$(grep -vE '^ember-vmm: [^ ]|^(ember-vmm:)?  |^$' <<<"$stderr" || true)
	[ -z "$line" ] || fail "$CASE: unexpected stderr lines: $line"
	[[ $output != *"not stopped"* ]] || fail "$CASE: $output"
}

# expect_crash CASE REGEX (after hostile): 126 and one line.
expect_crash() {
	[ "$status" -eq "$EXIT_CRASH" ] ||
		fail "$CASE: status $status, expected $EXIT_CRASH; stdout: $output; stderr: $stderr"
	assert_one_line "$1"
}

# expect_device_stop REGEX: the device stopped with one line naming
# REGEX, the VM went on, the guest reset the device, sent a frame
# through it and exited 0.
expect_device_stop() {
	[ "$status" -eq 0 ] ||
		fail "$CASE: status $status, expected 0; stdout: $output; stderr: $stderr"
	assert_one_line "^ember-vmm: network device stopped: .*$1.*; the guest driver must reset it$"
	[[ $output == *"device stopped (status 0x"* ]] || fail "$CASE: $output"
	[[ $output == *"device works again after reset"* ]] ||
		fail "$CASE: $output"
}

# expect_ok PATTERN: exit 0, not a word from the monitor, and the
# guest's own line containing PATTERN.
expect_ok() {
	[ "$status" -eq 0 ] ||
		fail "$CASE: status $status, expected 0; stdout: $output; stderr: $stderr"
	[ -z "$(headlines)" ] || fail "$CASE: unexpected monitor lines: $stderr"
	[[ $output == *"$1"* ]] || fail "$CASE: no '$1' in: $output"
}

# crash_table IMAGE [OPTIONS --] < "CASE REGEX" lines: expect_crash each.
crash_table() {
	local image=$1 c re
	while read -r c re; do
		[ -n "$c" ] || continue
		hostile "$image" "$c"
		expect_crash "$re"
	done
}

device_table() {
	local image=$1 c re
	while read -r c re; do
		[ -n "$c" ] || continue
		hostile "$image" "$c"
		expect_device_stop "$re"
	done
}

# ---- (a) hypercalls ---------------------------------------------------

@test "hypercall argument structs at NULL, unmapped, monitor-owned, read-only, guard and end-of-memory addresses: one line, 126" {
	local w="outside the guest's own writable memory" r="outside the guest's own readable memory"
	crash_table hc <<EOF
console-struct-null CONSOLE: argument struct 0x0\+32 is $w
console-struct-sys CONSOLE: argument struct 0x1000\+32 is $w
console-struct-pt CONSOLE: argument struct 0x20800\+32 is $w
console-struct-bootinfo CONSOLE: argument struct 0x10000\+32 is $w
console-struct-rodata CONSOLE: argument struct 0x[0-9a-f]+\+32 is $w
console-struct-guard CONSOLE: argument struct 0x3eff000\+32 is $w
console-struct-end CONSOLE: argument struct 0x3fffff8\+32 is $w
console-struct-unmapped CONSOLE: argument struct 0xfffff000\+32 is $w
exit-struct-null EXIT: argument struct 0x0\+8 is $r
exit-struct-pt EXIT: argument struct 0x20000\+8 is $r
block-struct-sys BLOCK: argument struct 0x1010\+16 is $w
protect-struct-bootinfo PROTECT: argument struct 0x10100\+32 is $w
fsbase-struct-null SET_FS_BASE: argument struct 0x8\+16 is $w
crash-struct-null crash report at 0x0 is outside guest memory
crash-struct-end crash report at 0x3ffffc0 is outside guest memory
EOF
}

@test "console buffers at NULL, kernel, monitor-owned, guard and past-the-end addresses, wrapping, UINT64_MAX and oversized lengths, bad fds: one line, 126" {
	crash_table hc <<'EOF'
console-buf-null CONSOLE: buffer 0x0\+16 is outside guest memory
console-buf-kernel CONSOLE: buffer 0xffff800000000000\+16 is outside
console-buf-sys CONSOLE: buffer 0x1000\+64 is outside
console-buf-pt CONSOLE: buffer 0x20000\+64 is outside
console-buf-guard CONSOLE: buffer 0x3eff010\+16 is outside
console-buf-past-end CONSOLE: buffer 0x3fffff8\+16 is outside
console-buf-wrap CONSOLE: buffer 0xfffffffffffffff0\+32 is outside
console-len-max CONSOLE: length 18446744073709551615 is over the limit of 1048576 bytes
console-len-over CONSOLE: length 1048577 is over the limit of 1048576 bytes
console-fd-0 CONSOLE: fd 0 is not 1 \(stdout\) or 2 \(stderr\)
console-fd-3 CONSOLE: fd 3 is not 1
console-fd-max CONSOLE: fd 4294967295 is not 1
block-forever guest blocked forever with nothing to wake it
EOF
}

@test "what the ABI answers with an error (protect, set_fs_base) or allows (empty and edge console writes): the guest goes on" {
	hostile hc protect-ok
	expect_ok "protect-ok: 15 checks passed"
	hostile hc fsbase-ok
	expect_ok "fsbase-ok: 4 checks passed"
	hostile hc console-edges-ok
	expect_ok "console-edges-ok: 3 checks passed"
}

@test "crash reports made of garbage (unknown vector, too many frames, wild addresses, no such signal): printed as numbers, one line, 126" {
	crash_table hc <<'EOF'
crash-garbage ^ember-vmm: guest crashed with unknown vector 3735928559 in 0x0$
crash-pf-edge ^ember-vmm: guest crashed: page fault at
crash-abort-bad-signal ^ember-vmm: guest aborted by signal 100000 \(SIG\?\)
EOF
	# 32 frames at most, whatever nframes says.
	hostile hc crash-garbage
	run grep -c '^    #' <<<"$stderr"
	assert_output 33
}

@test "bad ports, outb/outw, in and string I/O on the hypercall ports: one line, 126" {
	crash_table hc <<'EOF'
port-below I/O port 0x4ff
port-above I/O port 0x506
port-ffff I/O port 0xffff
port-imm port 0x80
outb-hc port 0x501.*(1-byte|size 1)
outw-hc port 0x501.*(2-byte|size 2)
inl-hc (read I/O port 0x500|port 0x500 with in).*(4-byte|size 4)
inb-hc (read I/O port 0x501|port 0x501 with in).*(1-byte|size 1)
outsb-hc (used string I/O on I/O port 0x500 with a 1-byte access|port 0x500 with out of size 1 \(count 4\))
EOF
}

# ---- (b) virtqueues ---------------------------------------------------

@test "virtqueue loops, chains leaving the queue, indirect and wrong-direction descriptors, avail entries and indices out of range, far ahead or behind: the device stops, the VM goes on" {
	require_netns
	device_table vq <<'EOF'
desc-loop transmit queue: the chain at descriptor 0 is longer than the queue of 8 \(a loop\?\)
desc-self-loop the chain at descriptor 0 is longer than the queue of 8
chain-past-queue descriptor 0 chains to 8, outside the queue of 8
indirect descriptor 0 is indirect, a feature the device did not offer
tx-writable descriptor 0 is device-writable in a transmit queue
head-out-of-range available ring entry 0 names descriptor 200, outside the queue of 8
avail-far-ahead available index 1000 is 1000 entries ahead of the device's 0
avail-behind available index 1 is 65535 entries ahead of the device's 2
EOF
}

@test "virtqueue buffers at NULL, monitor-owned pages, the boot info, the guard page, past the end, in the kernel half, wrapping, 4 GiB long: the device stops" {
	require_netns
	device_table vq <<'EOF'
desc-null descriptor 0 buffer 0x0\+72 is outside the guest's own memory
desc-sys descriptor 0 buffer 0x1000\+72 is outside
desc-pt descriptor 0 buffer 0x20000\+72 is outside
desc-bootinfo descriptor 0 buffer 0x10000\+72 is outside
desc-guard descriptor 0 buffer 0x3eff000\+72 is outside
desc-past-end descriptor 0 buffer 0x3fffff8\+72 is outside
desc-kernel descriptor 0 buffer 0xffff800000000000\+72 is outside
desc-wrap descriptor 0 buffer 0xfffffffffffffff0\+72 is outside
desc-len-huge descriptor 0 buffer 0x[0-9a-f]+\+4294967295 is outside
EOF
}

@test "receive buffers in the image's code and read-only data, the boot info, monitor pages, too short, device-readable: the device stops before writing" {
	require_netns
	device_table vq <<'EOF'
rx-text receive queue: descriptor 0 buffer 0x[0-9a-f]+000\+1526 is outside the guest's own memory
rx-rodata receive queue: descriptor 0 buffer 0x[0-9a-f]+\+1526 is outside
rx-bootinfo receive queue: descriptor 0 buffer 0x10000\+1526 is outside
rx-sys receive queue: descriptor 0 buffer 0x1000\+1526 is outside
rx-short receive queue: a buffer of 8 bytes cannot hold the 12-byte header
rx-readonly-desc receive queue: descriptor 0 is device-readable in a receive queue
EOF
}

@test "rings on monitor pages, the boot info, read-only data, misaligned, wrapping, past the end; queue sizes 0, 3, 512: refused at QueueReady" {
	require_netns
	device_table vq <<'EOF'
ring-desc-sys queue 1: a ring is outside the guest's own memory \(descriptors 0x1000,
ring-used-bootinfo queue 1: a ring is outside .*device area 0x10000,
ring-used-rodata queue 1: a ring is outside .*device area 0x[0-9a-f]+,
ring-misaligned queue 1: misaligned rings \(descriptors 0x[0-9a-f]+8,
ring-wrap queue 1: a ring is outside .*descriptors 0xfffffffffffff000,
ring-past-end queue 1: a ring is outside .*device area 0x3fffff0,
qsize-0 queue 1: queue size 0 is not a power of 2 in 1..256
qsize-3 queue 1: queue size 3 is not a power of 2
qsize-512 queue 1: queue size 512 is not a power of 2
EOF
}

@test "a frame over every descriptor of the queue, frames too short and too long (dropped and counted), 66,000 frames wrapping both indices: accepted" {
	require_netns
	KEEP=stats.json
	hostile vq tx-odd-frames-ok --stats="$WORK/stats.json"
	expect_ok "tx-odd-frames-ok: 4 chains returned"
	run jq -c '[.net.tx_packets, .net.tx_dropped]' "$WORK/stats.json"
	assert_output "[2,2]"
	hostile vq index-wrap-ok --stats="$WORK/stats.json"
	expect_ok "index-wrap-ok: 66048 frames, indices wrapped"
	run jq '.net.tx_packets + .net.tx_dropped' "$WORK/stats.json"
	assert_output 66048
}

# ---- (c) register accesses --------------------------------------------

@test "MMIO at undefined and read-only registers, 8-, 2- and 1-byte and unaligned accesses to 32-bit registers, configuration writes: the device stops" {
	require_netns
	local w="registers take aligned 32-bit accesses"
	device_table mmio <<EOF
reg-undefined-write the driver wrote 0x1 to register 0x0fc, which is read-only or does not exist
reg-readonly-write the driver wrote 0x0 to register 0x000, which is read-only
width8-write the driver wrote 8 bytes at register offset 0x70; $w
width8-read the driver read 8 bytes at register offset 0x0; $w
width1-write the driver wrote 1 bytes at register offset 0x70; $w
width2-read the driver read 2 bytes at register offset 0x0; $w
unaligned-read the driver read 4 bytes at register offset 0x72; $w
config-write the driver wrote to the device configuration at 0x100, which is read-only
config-unaligned the driver read 2 bytes at register offset 0x101
EOF
}

@test "MMIO steps out of order: QueueReady before FEATURES_OK, DRIVER_OK without it, a ready queue changed, status bits cleared or device-only, late features, bad queue numbers" {
	require_netns
	device_table mmio <<'EOF'
ready-early the driver enabled queue 1 before FEATURES_OK
driver-ok-early the driver set DRIVER_OK without FEATURES_OK
change-ready-queue the driver changed queue 1 while it is ready
clear-status-bits the driver cleared status bits \(0xf -> 0x1\) without a reset
device-status-bits the driver wrote status 0x41 with bits only the device may set
features-changed-late the driver changed its features after FEATURES_OK
queue-sel-bad the driver configured queue 5
queue-ready-2 the driver wrote 2 to QueueReady of queue 1
notify-bad-queue the driver notified queue 7
EOF
}

@test "MMIO reads of the whole window and refused features are not errors" {
	require_netns
	hostile mmio reads-ok
	expect_ok "reads-ok: 1028 reads"
	hostile mmio features-refused-ok
	expect_ok "features-refused-ok: FEATURES_OK refused twice"
}

@test "a device broken and reset in a loop: five lines, one saying the rest are not reported, then silence" {
	require_netns
	CASE="mmio stop-storm"
	hostile mmio stop-storm
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run grep -c '^ember-vmm: network device stopped: ' <<<"$stderr"
	assert_output 5
	run grep -c '^ember-vmm: network device stopped again: .*; further stops are not reported$' <<<"$stderr"
	assert_output 1
	assert_equal "$(headlines | wc -l)" 6
}

@test "MMIO past the end of the window, executing the window, the window without a device: a page fault, one line, 126" {
	require_netns
	crash_table mmio <<'EOF'
window-end guest crashed: page fault at address (0x200000ffc|0x200001000)
exec-window guest crashed: page fault at address 0x200000000 \(executing
EOF
	ip netns del "$NS"
	NS=
	crash_table mmio <<'EOF'
no-device guest crashed: page fault at address 0x200000000 \(read of (unmapped|protected) memory\)
EOF
}

@test "[process] an instruction on the window the decoder cannot emulate: one line, 126" {
	[ "$BACKEND" = process ] || skip "KVM emulates every instruction itself"
	require_netns
	crash_table mmio <<'EOF'
undecodable guest accessed the network device at 0x200000070 with an instruction ember-vmm cannot emulate
EOF
}

# ---- (d) TX flood -----------------------------------------------------

@test "TX flood for 1 s: every frame the guest queued is sent or dropped, and counted" {
	require_netns
	KEEP=stats.json
	hostile flood 1 --stats="$WORK/stats.json"
	[ "$status" -eq 0 ] || fail "status $status: $output $stderr"
	[ -z "$(headlines)" ] || fail "unexpected monitor lines: $stderr"
	[[ $output =~ ^hostile:\ flood:\ ([0-9]+)\ frames ]] || fail "$output"
	local frames=${BASH_REMATCH[1]}
	[ "$frames" -gt 1000 ] || fail "only $frames frames in 1 s"
	run jq '.net.tx_packets + .net.tx_dropped' "$WORK/stats.json"
	assert_output "$frames"
}

@test "TX flood: --timeout still stops it (124, one line)" {
	require_netns
	local t0=$SECONDS
	hostile flood 30 --timeout 0.5
	[ "$status" -eq "$EXIT_TIMEOUT" ] || fail "status $status: $stderr"
	assert_one_line "^ember-vmm: timeout: the guest ran longer than --timeout 0.5s; killed$"
	[ $((SECONDS - t0)) -le 5 ] || fail "took $((SECONDS - t0)) s"
}

# start_hostile IMAGE CASE [OPTIONS...]: like hostile, in the
# background; $BG is the monitor's pid (and its session's id).
start_hostile() {
	local image=$1 case=$2
	shift 2
	local net=()
	[ -z "$NS" ] || net=(ip netns exec "$NS" "$VMM" --net tap0)
	[ -n "$NS" ] || net=("$VMM")
	CASE="$image $case"
	(cd "$WORK" && TMPDIR=$WORK/tmp exec setsid bash -c 'echo $$ >sid && exec "$@"' _ \
		"${net[@]}" --backend="$BACKEND" "$@" "$HOSTILE/$image.ember" \
		-- "$case" >"$BATS_TEST_TMPDIR/bg.out" 2>"$BATS_TEST_TMPDIR/bg.err") &
	BG=$!
}

# stop_with_sigterm: SIGTERM to the monitor after 0.5 s; it must end
# within 3 s with 143 and one line.
stop_with_sigterm() {
	local i
	sleep 0.5
	kill -0 "$BG" || fail "$CASE: ended before SIGTERM: $(cat "$BATS_TEST_TMPDIR/bg.err")"
	kill -TERM "$(cat "$WORK/sid")"
	for ((i = 0; i < 60; i++)); do
		kill -0 "$BG" 2>/dev/null || break
		sleep 0.05
	done
	local st=0
	kill -0 "$BG" 2>/dev/null && fail "$CASE: still running 3 s after SIGTERM"
	wait "$BG" || st=$?
	BG=
	[ "$st" -eq 143 ] || fail "$CASE: status $st after SIGTERM"
	stderr=$(cat "$BATS_TEST_TMPDIR/bg.err")
	output=$(cat "$BATS_TEST_TMPDIR/bg.out")
	assert_one_line "^ember-vmm: stopped by SIGTERM; the VM was shut down$"
	assert_nothing_left
}

@test "TX flood: SIGTERM stops it promptly (143, one line), the tap is gone" {
	require_netns
	start_hostile flood 30
	stop_with_sigterm
}

# ---- (e) loops, stack, memory, the exception handler ------------------

@test "endless loops, with and without hypercalls: --timeout ends them (124, one line)" {
	local c
	for c in spin hc-storm; do
		hostile cpu "$c" --timeout 0.3
		[ "$status" -eq "$EXIT_TIMEOUT" ] || fail "$CASE: status $status"
		assert_one_line "^ember-vmm: timeout: the guest ran longer than --timeout 0.3s; killed$"
	done
}

@test "endless loop: SIGTERM ends it (143, one line)" {
	start_hostile cpu spin
	stop_with_sigterm
}

@test "stack overflow: one line, 126" {
	crash_table cpu <<'EOF'
stack-overflow ^ember-vmm: guest crashed: stack overflow \(page fault at address 0x[0-9a-f]+\) in recurse
EOF
}

@test "memory exhaustion: malloc and mmap until ENOMEM, then a clean exit" {
	hostile cpu oom-small --mem 8M
	expect_ok "oom-small: "
	assert_regex "$output" 'oom-small: [0-9]{4,} blocks, then ENOMEM'
	hostile cpu oom-mmap --mem 8M
	expect_ok "oom-mmap: "
	assert_regex "$output" 'oom-mmap: [0-9]+ MiB, then ENOMEM'
}

@test "a fault inside the exception handler, and the handler entered on a monitor page as its stack: one line, 126" {
	crash_table cpu <<'EOF'
handler-fault ^ember-vmm: guest (crashed inside its exception handler|crashed: page fault|triple-faulted)
handler-bad-rsp ^ember-vmm: guest (crashed: page fault at address 0x17f8|triple-faulted)
EOF
}

# ---- (f) W^X, monitor pages, privileged instructions -------------------

@test "W^X: executing data, heap, stack and boot info, writing code, read-only data and boot info: one line, 126" {
	crash_table cpu <<'EOF'
exec-data page fault at address 0x[0-9a-f]+ \(executing non-executable memory\)
exec-heap page fault at address 0x[0-9a-f]+ \(executing non-executable memory\)
exec-stack page fault at address 0x[0-9a-f]+ \(executing non-executable memory\)
exec-bootinfo page fault at address 0x10000 \(executing non-executable memory\)
write-code page fault at address 0x[0-9a-f]+ \(write to read-only memory\) in write_code
write-rodata page fault at address 0x[0-9a-f]+ \(write to read-only memory\) in write_rodata
write-bootinfo page fault at address 0x10008 \(write to read-only memory\)
EOF
	hostile cpu no-exec-memory-ok
	expect_ok "no-exec-memory-ok: refused 3 times"
}

@test "monitor-owned pages and the kernel half: executing, writing, reading: one line, 126" {
	crash_table cpu <<'EOF'
exec-sys page fault at address 0x1000 \(executing
exec-kernel page fault at address 0xffffffff81000000 \(executing
exec-noncanonical general protection fault \(#GP\)
write-sys page fault at address 0x1100 \(
read-pt page fault at address 0x20000 \(read of
EOF
}

@test "privileged and system call instructions (hlt, mov to cr3, wrmsr, lidt, syscall, int 0x80, ud2): one line, 126" {
	crash_table cpu <<'EOF'
priv-hlt general protection fault \(#GP\) in priv_hlt
priv-cr3 general protection fault \(#GP\) in priv_cr3
priv-wrmsr general protection fault \(#GP\) in priv_wrmsr
priv-lidt general protection fault \(#GP\) in priv_lidt
insn-syscall (executed a syscall instruction|invalid opcode)
insn-int80 (general protection fault|int \$0x80)
insn-ud2 invalid opcode \(#UD\) in insn_ud2
EOF
}

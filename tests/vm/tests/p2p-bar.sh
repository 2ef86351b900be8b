# SPDX-License-Identifier: GPL-2.0
# P2P through a device BAR that nvmet-dda publishes itself (the ivshmem
# device stands in for a NIC BAR): provider add with bad and good input,
# mode require on that provider with fio crc32c verify and exact counters,
# provider del refused while I/O holds its buffers, a policy naming a deleted
# provider falling back under prefer, a small pool running dry (fallbacks
# counted, an event multicast), and provider del at the end. The refusal and
# the dry pool use the SSD's namespace 2, which QEMU throttles, so that
# buffers are outstanding by construction rather than by luck of timing.
# vcpus: 2 (under tests/vm/run -j it gets a VM of its own with two vCPUs,
# after the others: on one, soft-RoCE's work for the eight commands held
# out kept ddactl waiting for minutes, nvmet-rdma alike)
# timeout: 540
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:p2pbar
TRANSPORT=dda

cleanup() {
	[ -n "${mpid:-}" ] && kill "$mpid" 2>/dev/null
	transport_cleanup
}
trap cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
slow=$(slow_ssd)
bdf=$(ivshmem_bdf)
# BAR 2 is ivshmem-plain's memory; sysfs "resource" line 3: start end flags.
read -r start end _ < <(sed -n 3p "/sys/bus/pci/devices/$bdf/resource")
barsize=$((end - start + 1))
echo "ivshmem $bdf, BAR 2: $barsize bytes"

# expect_fail CODE TEXT CMD...: CMD exits with CODE and says TEXT.
expect_fail() {
	local want=$1 text=$2 rc=0 err
	shift 2
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	echo "exit $rc: $err"
	[ "$rc" -eq "$want" ] || fail "$*: exit $rc, want $want"
	[[ ${err,,} == *"${text,,}"* ]] || fail "$*: message '$err' lacks '$text'"
}

step "bad provider input is refused and changes nothing"
expect_fail 3 "no such PCI function" ddactl provider add 0000:7f:1f.7
expect_fail 2 "multiple" ddactl provider add "$bdf" bar 2 offset 1M
expect_fail 5 "does not fit" ddactl provider add "$bdf" bar 2 offset $((barsize >> 20))M
expect_fail 4 "bound to another driver" ddactl provider add "$(ssd_bdf)"
[ "$(ddactl -j provider show | jq '[.[]? // .providers[]? | select(.kind == "bar")] | length')" = 0 ] ||
	fail "a failed provider add left a provider behind"

step "provider add $bdf (largest BAR)"
ddactl provider add "$bdf"
ddactl provider
expect_eq "kind" "$(p2p_prov "$bdf" kind)" bar
expect_eq "bar" "$(p2p_prov "$bdf" bar)" 2
expect_eq "size" "$(p2p_prov "$bdf" size)" "$barsize"
expect_eq "driver" "$(basename "$(readlink -f "/sys/bus/pci/devices/$bdf/driver")")" nvmet_dda_bar
expect_eq "sysfs published" "$(cat "/sys/bus/pci/devices/$bdf/p2pmem/published")" 1
expect_fail 5 "already a provider" ddactl provider add "$bdf"

step "target: $NQN on $ssd and $slow, offload require on $bdf"
target_no_inline "$NQN" "$ssd" "$slow"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
slowdev=$(fabric_dev "$NQN" 2)
expect_fail 3 "no such provider" ddactl offload set "$NQN" 1 mode require provider 0000:7f:1f.7
ddactl offload set "$NQN" 1 mode require provider "$bdf"

declare -A s0 s1
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 4k 16 2 1M bar-4k
run_fio "$dev" randrw 128k 16 2 8M bar-128k
moved=$(($(fio_bytes bar-4k) + $(fio_bytes bar-128k)))
p2p_snap s1 "$NQN" 1
ddactl stats
expect_eq "namespace p2p_bytes" "$((s1[p2p_bytes] - s0[p2p_bytes]))" "$moved"
expect_eq "namespace host_bytes" "$((s1[host_bytes] - s0[host_bytes]))" 0
expect_eq "provider p2p_bytes" "$(p2p_prov "$bdf" p2p_bytes)" "$moved"

step "provider del while I/O holds its buffers: refused"
# Namespace 2 is the throttled one: at QD8 and 8 I/Os per second each read
# waits about a second in the SSD with its P2P buffer, so buffers are
# outstanding for the whole run, not just now and then (two deep left
# moments with none, and a provider del then went through).
ddactl offload set "$NQN" 2 mode require provider "$bdf"
# Runs until stopped: three refusals take longer than a fixed run on a
# slow guest.
fio_load "$slowdev" randread 128k 8 300 bar-load &
fpid=$!
held() { [ "$(p2p_prov "$bdf" outstanding_bytes)" -gt 0 ]; }
wait_for 30 held || fail "no P2P buffer outstanding under I/O to the throttled namespace"
for i in 1 2 3; do
	rc=0
	err=$(ddactl provider del "$bdf" 2>&1) || rc=$?
	echo "provider del under I/O ($i): exit $rc: $err"
	[ "$rc" -eq 4 ] || fail "provider del with buffers outstanding: exit $rc, want 4 (busy)"
	grep -q "in use" <<<"$err" || fail "provider del refusal does not say the buffers are in use"
	expect_eq "provider still listed" "$(p2p_prov "$bdf" kind)" bar
done
kill -INT "$fpid"
# fio ends with 128 when interrupted; its JSON says whether I/O failed.
rc=0
wait "$fpid" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 128 ] || fail "fio load on the throttled namespace failed (exit $rc)"
sed -n '/^{/,$p' /tmp/bar-load.raw | jq -e 'all(.jobs[]; .error == 0)' >/dev/null ||
	fail "the load on the throttled namespace saw an I/O error"
loaded=$(sed -n '/^{/,$p' /tmp/bar-load.raw | jq '[.jobs[].read.io_bytes] | add')
echo "the load read $loaded bytes from the throttled namespace"
[ "$loaded" -gt 0 ] || fail "the load moved nothing"
drained() { [ "$(p2p_prov "$bdf" outstanding_bytes)" = 0 ]; }
wait_for 10 drained || fail "P2P buffers still outstanding after the load"
ddactl offload del "$NQN" 2

step "provider del when idle; prefer falls back (unreachable)"
ddactl offload set "$NQN" 1 mode prefer
ddactl provider del "$bdf"
ddactl provider
[ -z "$(ddactl -j provider show | jq -r --arg b "$bdf" '(.[]? // .providers[]?) | select(.provider == $b) | .provider')" ] ||
	fail "deleted provider still listed"
[ ! -e "/sys/bus/pci/devices/$bdf/driver" ] || fail "nvmet_dda_bar still bound to $bdf"
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 64k 8 2 2M bar-gone
p2p_snap s1 "$NQN" 1
expect_eq "unreachable fallbacks" "$((s1[fb_unreachable] - s0[fb_unreachable]))" "$(fio_ios bar-gone)"
expect_eq "p2p after del" "$((s1[p2p_bytes] - s0[p2p_bytes]))" 0

step "a 2 MiB pool runs dry: fallbacks and an event"
# Reads of 4 MiB against the throttled namespace: the host splits each into
# four commands of 1 MiB (our MDTS) that reach the target together and
# wait there for a second, so one read alone asks for twice the pool and it
# runs dry however few reads the host keeps out (with 1 MiB reads at QD16
# a loaded guest once kept one out at a time and the pool never ran dry).
ddactl provider add "$bdf" bar 2 size 2M
expect_eq "small size" "$(p2p_prov "$bdf" size)" $((2 << 20))
ddactl offload set "$NQN" 2 mode prefer provider "$bdf"
ddactl -j monitor -c 1 >/tmp/bar-event.json &
mpid=$!
nap 1
p2p_snap s0 "$NQN" 2
fio_load "$slowdev" randread 4M 4 6 bar-dry || fail "fio on the throttled namespace failed"
sed -n '/^{/,$p' /tmp/bar-dry.raw >/tmp/bar-dry.json
p2p_snap s1 "$NQN" 2
ddactl stats
dry=$((s1[fb_exhausted] - s0[fb_exhausted]))
p2p=$((s1[p2p_bytes] - s0[p2p_bytes]))
host=$((s1[host_bytes] - s0[host_bytes]))
echo "exhausted fallbacks $dry, p2p bytes $p2p, host bytes $host"
[ "$dry" -gt 0 ] || fail "no exhausted fallback with a 2 MiB pool"
[ "$p2p" -gt 0 ] || fail "no P2P at all with a 2 MiB pool"
expect_eq "bytes accounted" "$((p2p + host))" "$(fio_bytes bar-dry)"
[ "$(p2p_prov "$bdf" alloc_failed)" -gt 0 ] || fail "provider counted no failed allocation"
wait_for 10 test -s /tmp/bar-event.json || fail "no pool-dry event"
wait "$mpid" || fail "ddactl monitor failed"
mpid=
cat /tmp/bar-event.json
expect_eq "event provider" "$(jq -r .provider /tmp/bar-event.json)" "$bdf"
expect_eq "event subsys" "$(jq -r .subsys /tmp/bar-event.json)" "$NQN"

host_disconnect "$NQN"
ddactl offload del "$NQN" 1
ddactl offload del "$NQN" 2
ddactl provider del "$bdf"

# SPDX-License-Identifier: GPL-2.0
# Device faults under I/O: the ivshmem provider is removed from the PCI bus
# while verified I/O uses it (the I/O finishes, the provider disappears,
# a namespace configured with prefer falls back, another with require
# fails cleanly; both use the provider again once it is back), and the
# backing NVMe SSD is
# removed under I/O (clean errors, no hang). Both come back with a rescan.
# timeout: 600
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:faultdev
TRANSPORT=dda

# nvmet must let go of the removed SSD's disk before the rescan, or the
# new controller finds its namespace still in use and adds no disk.
cleanup() {
	transport_cleanup
	echo 1 >/sys/bus/pci/rescan
	wait_for 30 local_ssd_find || true
}
trap cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
bar=$(ivshmem_bdf)
ssdpci=$(ssd_bdf)
# Two namespaces on the SSD: 1 prefers the BAR, 2 requires it.
target_no_inline "$NQN" "$ssd" "$ssd"
ddactl provider add "$bar"
ddactl offload set "$NQN" 1 mode prefer provider "$bar"
ddactl offload set "$NQN" 2 mode require provider "$bar"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
dev2=$(fabric_dev "$NQN" 2)

step "the ivshmem provider is removed from the bus under verified I/O"
avail=/sys/bus/pci/devices/$bar/p2pmem/available
read -r idle <"$avail"
run_fio "$dev" randrw 128k 16 2 48M fault-bar &
fpid=$!
# Remove the device the moment its pool is in use (read without forking).
inuse=
for _ in $(seq 1 1200); do
	read -r a <"$avail"
	if [ "$a" -lt "$idle" ]; then
		inuse=$((idle - a))
		echo 1 >"/sys/bus/pci/devices/$bar/remove"
		break
	fi
	nap 0.05
done
[ -n "$inuse" ] || fail "no P2P buffer of $bar in use"
echo "removed $bar with $inuse bytes of its pool in use"
[ ! -e "/sys/bus/pci/devices/$bar" ] || fail "$bar still on the bus"
wait "$fpid" || fail "verified fio failed across the provider removal"
ddactl provider
[ -z "$(ddactl -j provider show | jq -r --arg b "$bar" '.[] | select(.provider == $b) | .provider')" ] ||
	fail "removed provider still listed"
declare -A s0 s1
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 64k 8 1 2M fault-bar-prefer
p2p_snap s1 "$NQN" 1
expect_eq "prefer falls back (unreachable)" "$((s1[fb_unreachable] - s0[fb_unreachable]))" "$(fio_ios fault-bar-prefer)"
rc=0
dd if="$dev2" of=/dev/null bs=64k count=4 iflag=direct status=none 2>/tmp/fault-dd.err || rc=$?
cat /tmp/fault-dd.err
[ "$rc" -ne 0 ] || fail "require on a removed provider: read succeeded"
p2p_snap s1 "$NQN" 2
[ "${s1[require_failed]}" -gt 0 ] || fail "require_failed did not count"
rc=0
ddactl offload set "$NQN" 1 mode require 2>/tmp/fault-set.err || rc=$?
cat /tmp/fault-set.err
expect_eq "offload set naming the removed provider: exit" "$rc" 3
echo 1 >/sys/bus/pci/rescan
wait_for 10 test -e "/sys/bus/pci/devices/$bar" || fail "$bar not back after rescan"
ddactl provider add "$bar"
run_fio "$dev" randrw 64k 8 1 2M fault-bar-back
[ "$(p2p_prov "$bar" p2p_ios)" -gt 0 ] || fail "no P2P through $bar after it came back"
dd if="$dev2" of=/dev/null bs=64k count=4 iflag=direct status=none ||
	fail "require: no read through $bar after it came back"

step "the backing SSD is removed under I/O"
ddactl offload set "$NQN" 1 mode prefer provider cmb
fio --name=fault-ssd --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
	--bs=64k --iodepth=16 --size=16M --time_based --runtime=30 \
	--output-format=json --output=/tmp/fault-ssd.raw >/dev/null 2>&1 &
fpid=$!
nap 4
echo 1 >"/sys/bus/pci/devices/$ssdpci/remove"
start=$(date +%s)
rc=0
wait "$fpid" || rc=$?
took=$(($(date +%s) - start))
echo "fio after the SSD removal: exit $rc after ${took}s"
[ "$rc" -ne 0 ] || fail "fio saw no error with the SSD gone"
[ "$took" -lt 60 ] || fail "I/O hung for ${took}s after the SSD removal"
p2p_settle "$NQN" 1
expect_eq "outstanding P2P bytes" "$(p2p_ns "$NQN" 1 outstanding_bytes)" 0
host_disconnect "$NQN"
nvmet_clear
echo 1 >/sys/bus/pci/rescan
wait_for 30 local_ssd_find || fail "the SSD did not come back after rescan"
echo "the SSD is back as $(local_ssd)"

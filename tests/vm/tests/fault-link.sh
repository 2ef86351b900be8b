# SPDX-License-Identifier: GPL-2.0
# Link faults under verified I/O (P2P on the CMB, mode prefer): the
# soft-RoCE netdev goes down and up (the host loses its queues, reconnects,
# and fio's crc32c verify finds no error); then the rxe device is removed
# under I/O and added again. Host and target share that one rxe device in
# this VM, so its removal also deletes the host's controller (nvme-rdma
# does that on device removal): there the test checks that the target tears
# its queues down cleanly, listens again when the device is back, and that
# data written before the fault verifies after a new connect.
# timeout: 600
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:faultlink
TRANSPORT=dda

trap transport_cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
target_port 1 ipv4
echo 0 >"$NVMET_CFS/ports/1/param_inline_data_size"
target_setup "$NQN" 1 "$ssd"
ddactl offload set "$NQN" 1 mode prefer provider cmb
host_connect "$NQN" "$DDA_ADDR4" 4420 --reconnect-delay=1 --ctrl-loss-tmo=300
dev=$(fabric_dev "$NQN" 1)
ctrl=$(fabric_ctrl "$NQN")

# fault NAME CMD-DOWN CMD-UP: verified fio; the fault hits it after 4 s.
fault() {
	local name=$1 down=$2 up=$3 fpid n0 n1
	n0=$(dmesg | grep -c "${ctrl#/dev/}: Successfully reconnected" || true)
	run_fio "$dev" randrw 64k 16 2 24M "fault-$name" &
	fpid=$!
	sleep 4
	kill -0 "$fpid" 2>/dev/null || fail "$name: fio ended before the fault"
	step "$name: $down"
	eval "$down"
	sleep 6
	step "$name: $up"
	eval "$up"
	wait "$fpid" || fail "$name: verified fio failed across the fault"
	wait_for 60 grep -q live "/sys/class/nvme/${ctrl#/dev/}/state" ||
		fail "$name: controller not live again"
	n1=$(dmesg | grep -c "${ctrl#/dev/}: Successfully reconnected" || true)
	echo "$name: reconnects $n0 -> $n1"
	[ "$n1" -gt "$n0" ] || fail "$name: the host never reconnected; the fault did not bite"
}

fault netdev "ip link set $DDA_IF down" "ip link set $DDA_IF up"
step "rxe: reference data, then the device goes away under I/O"
run_fio "$dev" randwrite 64k 8 1 4M fault-ref
fio --name=fault-rxe --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
	--bs=64k --iodepth=16 --size=16M --offset=32M --time_based --runtime=60 \
	--output-format=json --output=/tmp/fault-rxe.raw >/dev/null 2>&1 &
fpid=$!
sleep 4
rdma link delete "$DDA_RXE"
rc=0
wait "$fpid" || rc=$?
echo "fio across the device removal: exit $rc (the host controller is gone)"
wait_for 30 ctrl_gone "$NQN" || fail "host controller still there without its device"
wait_for 30 dmesg_has "RDMA device gone, will listen again" ||
	fail "target did not report losing its listener"
expect_eq "outstanding P2P bytes" "$(p2p_ns "$NQN" 1 outstanding_bytes)" 0
rdma link add "$DDA_RXE" type rxe netdev "$DDA_IF"
wait_for 30 host_discover "$DDA_ADDR4" 4420 || fail "target does not serve again after rxe is back"
host_connect "$NQN" "$DDA_ADDR4" 4420 --reconnect-delay=1 --ctrl-loss-tmo=300
dev=$(fabric_dev "$NQN" 1)
fio --name=fault-ref --filename="$dev" --direct=1 --ioengine=libaio --rw=randwrite \
	--bs=64k --iodepth=8 --size=4096k --offset_increment=4096k --numjobs=1 \
	--verify=crc32c --verify_only --verify_fatal=1 >/tmp/fault-verify.out 2>&1 ||
	{ cat /tmp/fault-verify.out; fail "data written before the rxe removal does not verify"; }
run_fio "$dev" randrw 64k 16 2 4M fault-rxe-after
ddactl stats show "$NQN" 1
[ "$(p2p_ns "$NQN" 1 p2p_ios)" -gt 0 ] || fail "no I/O went through P2P"
expect_eq "outstanding P2P bytes" "$(p2p_ns "$NQN" 1 outstanding_bytes)" 0
host_disconnect "$NQN"

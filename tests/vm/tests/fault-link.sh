# SPDX-License-Identifier: GPL-2.0
# Link faults under verified I/O (P2P on the CMB, mode prefer).
#
# 1. The soft-RoCE netdev goes down for 6 s and up again while fio runs
#    with crc32c verify. The host must reconnect and fio finish without a
#    verify error; the target must give back every P2P buffer. (The test
#    kernel carries tests/vm/kernel-patches/rxe-ud-no-route.patch: without
#    it 6.1's rdma_rxe fails QP1 on a MAD sent while the link is down and no
#    host can connect through that device again, on any target.)
# 2. The rxe device is removed under I/O and added again. Host and target
#    share it, so its removal also deletes the host's controller (nvme-rdma
#    does that on device removal): the target tears its queues down, listens
#    again when the device is back, and data written before the fault
#    verifies after a new connect.
# timeout: 600
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:faultlink
TRANSPORT=dda

trap transport_cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
p2p_target "$NQN" prefer cmb "$ssd"

connect() {
	host_connect "$NQN" "$DDA_ADDR4" 4420 --reconnect-delay=1 --ctrl-loss-tmo=60
	dev=$(fabric_dev "$NQN" 1)
	ctrl=$(fabric_ctrl "$NQN")
}

# Verify the reference data (4 MiB at offset 0) written by ref_write.
ref_write() {
	run_fio "$dev" randwrite 64k 8 1 4M fault-ref
}

ref_verify() {
	fio --name=fault-ref --filename="$dev" --direct=1 --ioengine=libaio --rw=randwrite \
		--bs=64k --iodepth=8 --size=4096k --offset_increment=4096k --numjobs=1 \
		--verify=crc32c --verify_only --verify_fatal=1 --allow_file_create=0 \
		>/tmp/fault-verify.out 2>&1 ||
		{ cat /tmp/fault-verify.out; fail "$1: data written before the fault does not verify"; }
	echo "$1: data written before the fault verifies"
}

# I/O that the fault hits, at 32 MiB and up: verified (VERIFY=1, must
# survive a reconnect) or plain time-based load.
load_start() { # TAG VERIFY
	local opts=(--size=16M --time_based --runtime=60)
	[ "$2" = 1 ] && opts=(--size=24M --verify=crc32c --do_verify=1 --verify_fatal=1)
	fio --name="$1" --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
		--bs=64k --iodepth=16 --offset=32M --allow_file_create=0 "${opts[@]}" \
		--output-format=json --output="/tmp/$1.raw" >/dev/null 2>&1 &
	fpid=$!
	nap 4
	kill -0 "$fpid" 2>/dev/null || fail "$1: fio ended before the fault"
}

connect
step "netdev: down and up under verified I/O"
ref_write
n0=$(reconnects "${ctrl#/dev/}")
load_start fault-netdev 1
ip link set "$DDA_IF" down
nap 6
ip link set "$DDA_IF" up
wait_for 120 reconnected "${ctrl#/dev/}" "$n0" ||
	fail "netdev: the host did not reconnect within 120 s of the link coming back"
echo "netdev: the host reconnected"
wait "$fpid" || { cat /tmp/fault-netdev.raw; fail "netdev: verified fio failed across the fault"; }
ref_verify netdev
wait_for 30 p2p_idle "$NQN" 1 || fail "netdev: P2P buffers still outstanding after the fault"

step "rxe: reference data, then the device goes away under I/O"
dmesg --clear
ref_write
load_start fault-rxe 0
rdma link delete "$DDA_RXE"
rc=0
wait "$fpid" || rc=$?
echo "fio across the device removal: exit $rc (the host controller is gone)"
wait_for 30 ctrl_gone "$NQN" || fail "host controller still there without its device"
wait_for 30 dmesg_has "RDMA device gone, will listen again" ||
	fail "target did not report losing its listener"
wait_for 30 p2p_idle "$NQN" 1 ||
	fail "P2P buffers still outstanding after the device removal"
rdma link add "$DDA_RXE" type rxe netdev "$DDA_IF"
wait_for 30 host_discover "$DDA_ADDR4" 4420 >/dev/null || fail "target does not serve again after rxe is back"
connect
ref_verify rxe
run_fio "$dev" randrw 64k 16 2 4M fault-rxe-after
ddactl stats show "$NQN" 1
[ "$(p2p_ns "$NQN" 1 p2p_ios)" -gt 0 ] || fail "no I/O went through P2P"
p2p_settle "$NQN" 1
expect_eq "outstanding P2P bytes" "$(p2p_ns "$NQN" 1 outstanding_bytes)" 0
host_disconnect "$NQN"

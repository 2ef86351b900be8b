# SPDX-License-Identifier: GPL-2.0
# A failed RDMA work request fails the whole controller, as in nvmet-rdma.
# The fault attribute /sys/kernel/debug/nvmet_dda/fail_rkey (test kernels
# only) sends one command's RDMA READ (a host write's data, here in the
# CMB under prefer) with a wrong remote key; the host's soft-RoCE refuses it
# (remote access error) and the READ completes with that error on the
# target. The target must log it, fail the controller (nvmet core's "ctrl N
# fatal error occurred!" for the host's controller ID: not just the one
# queue), give back the command's P2P buffer, and the host must reconnect
# the controller as a whole, with all its I/O queues, and finish its
# verified writes.
# timeout: 300
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:wcerr
TRANSPORT=dda

fault_attr fail_rkey "send a wrong remote key"
rxe_up
ssd=$(local_ssd)
# Without in-capsule data (p2p_target): every write's data comes by RDMA READ.
p2p_target "$NQN" prefer cmb "$ssd"
# Two I/O queues on one vCPU: one for reads, one for writes.
host_connect "$NQN" "$DDA_ADDR4" 4420 --nr-io-queues=1 --nr-write-queues=1 \
	--reconnect-delay=1 --ctrl-loss-tmo=60
dev=$(fabric_dev "$NQN" 1)
ctrl=$(fabric_ctrl "$NQN")
name=${ctrl#/dev/}

# The controller's I/O queues as the host counts them (the queue_count
# attribute of 6.2 and later is not in 6.1; the blk-mq hardware contexts
# of its namespace are).
io_queues() {
	ls -d /sys/block/"${dev#/dev/}"/mq/[0-9]* | wc -l
}
q0=$(io_queues)
echo "$name: controller ID $(cat "/sys/class/nvme/$name/cntlid"), $q0 I/O queues"
[ "$q0" -ge 2 ] || fail "want at least 2 I/O queues for this test, have $q0"

step "no faults: verified writes, no errors"
run_fio "$dev" randwrite 64k 8 2 2M wc-clean
! dmesg_has "RDMA READ failed" || fail "a READ failed without a fault injected"

step "one READ with a wrong key: the controller fails and comes back whole"
dmesg --clear
cntlid=$(cat "/sys/class/nvme/$name/cntlid")
n0=$(reconnects "$name")
fault_inject 1
run_fio "$dev" randwrite 64k 8 2 4M wc-fault
fault_stop
expect_eq "faults left to inject" "$(cat "$FA/times")" 0
wait_for 60 reconnected "$name" "$n0" ||
	fail "the host did not reconnect after the target failed its controller"
dmesg | grep -E 'RDMA READ failed|fatal error|Successfully reconnected' || true
expect_eq "READs failed" "$(dmesg | grep -c 'RDMA READ failed: remote access error')" 1
dmesg_has "ctrl $cntlid fatal error occurred!" ||
	fail "controller $cntlid was not failed as a whole (no fatal error from nvmet)"
# nvme-rdma logs the I/O queues it creates for each (re)connect.
expect_eq "reconnects creating $q0 I/O queues" \
	"$(dmesg | grep -c "nvme $name: creating $q0 I/O queues")" 1
wait_for 30 p2p_idle "$NQN" 1 || fail "P2P buffers still outstanding after the fatal error"

step "after the reconnect: verified writes and reads, no errors"
dmesg --clear
run_fio "$dev" randrw 64k 8 2 2M wc-after
! dmesg_has "RDMA READ failed" || fail "a READ failed after the fault was off"
host_disconnect "$NQN"

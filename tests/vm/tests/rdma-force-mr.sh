# SPDX-License-Identifier: GPL-2.0
# RDMA READ and WRITE through memory registrations. An iWARP NIC (or any
# device under ib_core's force_mr) makes rdma_rw put every data buffer in
# an MR from the queue pair's pool, which nvmet-dda sizes with
# rdma_rw_mr_factor(); soft-RoCE otherwise posts plain SGE lists, so the
# rest of the suite never takes this path. Here ib_core is loaded again
# with force_mr=1 (in the guest) and verified randrw at 4k, 128k and 1M
# runs on two namespaces of the SSD: 1 in P2P memory (require cmb: the
# CMB's pages registered), 2 in host memory (policy off). The target's
# queues must own MRs while connected (none without force_mr on RoCE),
# every byte of namespace 1 must go through P2P, and fio verifies all data.
# timeout: 480
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:forcemr
TRANSPORT=dda

# Unload ib_core and everything above it (so that it can be loaded again
# with other parameters); fails when it stays.
ib_stack_unload() {
	modprobe -r rdma_ucm rdma_rxe nvme_rdma rdma_cm iw_cm ib_cm ib_uverbs \
		ib_core 2>/dev/null || :
	if module_loaded ib_core; then
		lsmod >&2
		fail "ib_core stays loaded; cannot set its parameters"
	fi
}

# MRs whose protection domain the target allocated (rdma res names the
# kernel owner of a resource in brackets).
target_mrs() {
	rdma res show mr | grep -c '\[nvmet_dda\]' || :
}

cleanup() {
	transport_cleanup
	# The tests after this one get ib_core as modprobe loads it.
	ib_stack_unload
}
trap cleanup EXIT
rxe_down
ib_stack_unload
modprobe ib_core force_mr=1
transport_load
rxe_up
ssd=$(local_ssd)

step "target: $NQN, namespace 1 require cmb, namespace 2 off"
target_no_inline "$NQN" "$ssd" "$ssd"
ddactl offload set "$NQN" 1 mode require provider cmb
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
dev2=$(fabric_dev "$NQN" 2)
mrs=$(target_mrs)
echo "MRs of the target's queues: $mrs"
[ "$mrs" -gt 0 ] ||
	fail "the target's queues own no MR: ib_core's force_mr did not take (rdma res show mr: $(rdma res show mr | head -n 5))"

declare -A s0 s1
p2p_snap s0 "$NQN" 1
moved=0
for c in "4k 16 1M" "128k 8 8M" "1M 4 8M"; do
	read -r bs qd size <<<"$c"
	step "P2P through MRs: randrw bs=$bs iodepth=$qd"
	run_fio "$dev" randrw "$bs" "$qd" 2 "$size" "mr-p2p-$bs"
	moved=$((moved + $(fio_bytes "mr-p2p-$bs")))
	step "host memory through MRs: randrw bs=$bs iodepth=$qd"
	run_fio "$dev2" randrw "$bs" "$qd" 2 "$size" "mr-host-$bs"
done
p2p_settle "$NQN" 1
p2p_snap s1 "$NQN" 1
expect_eq "P2P bytes of namespace 1" "$((s1[p2p_bytes] - s0[p2p_bytes]))" "$moved"
expect_eq "host-memory bytes of namespace 1" "$((s1[host_bytes] - s0[host_bytes]))" 0
expect_eq "outstanding P2P bytes" "${s1[outstanding_bytes]}" 0
host_disconnect "$NQN"

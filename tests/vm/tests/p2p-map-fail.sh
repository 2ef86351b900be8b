# SPDX-License-Identifier: GPL-2.0
# The RDMA device cannot map a command's P2P buffer (rdma_rw_ctx_init()
# fails, as it does for a NIC the P2P memory is not reachable from):
# injected with the fault attribute /sys/kernel/debug/nvmet_dda/fail_p2p_map
# (test kernels only). Under prefer each such command moves to host memory:
# fio verifies, the fallbacks are counted as unreachable, exactly as many as
# were injected, and never as P2P. Under require each fails with Do Not
# Retry: the host does not retry it, so every failed read is exactly one
# require_failed. Without faults both modes place everything in the CMB.
# timeout: 420
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:mapfail
TRANSPORT=dda

fault_attr fail_p2p_map "fail the P2P map step"
rxe_up
ssd=$(local_ssd)
# Without in-capsule data (p2p_target): it would sit in host-memory receive buffers.
p2p_target "$NQN" prefer cmb "$ssd"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
declare -A s0 s1
delta() { echo $((s1[$1] - s0[$1])); }

step "no faults: prefer puts every command in the CMB"
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 64k 8 1 2M mf-clean
p2p_snap s1 "$NQN" 1
expect_eq "p2p ios" "$(delta p2p_ios)" "$(fio_ios mf-clean)"

step "prefer, every map fails: host memory, data intact, counted as unreachable"
fault_inject -1
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 64k 8 1 4M mf-all
p2p_settle "$NQN" 1
p2p_snap s1 "$NQN" 1
fault_stop
echo "p2p $(delta p2p_ios) host $(delta host_ios) unreachable $(delta fb_unreachable)"
ios=$(fio_ios mf-all)
expect_eq "p2p ios" "$(delta p2p_ios)" 0
expect_eq "host ios" "$(delta host_ios)" "$ios"
expect_eq "unreachable fallbacks" "$(delta fb_unreachable)" "$ios"
expect_eq "host bytes" "$(delta host_bytes)" "$(fio_bytes mf-all)"
expect_eq "outstanding P2P bytes" "${s1[outstanding_bytes]}" 0
expect_eq "CMB available back" "$(p2p_prov "$(ssd_bdf)" available)" \
	"$(cat "/sys/bus/pci/devices/$(ssd_bdf)/p2pmem/available")"

step "prefer, 7 maps fail: exactly 7 fallbacks, the rest P2P"
fault_inject 7
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 64k 8 1 4M mf-some
p2p_snap s1 "$NQN" 1
fault_stop
ios=$(fio_ios mf-some)
echo "p2p $(delta p2p_ios) host $(delta host_ios) of $ios"
expect_eq "unreachable fallbacks" "$(delta fb_unreachable)" 7
expect_eq "host ios" "$(delta host_ios)" 7
expect_eq "p2p ios" "$(delta p2p_ios)" $((ios - 7))
expect_eq "bytes accounted" "$(($(delta p2p_bytes) + $(delta host_bytes)))" "$(fio_bytes mf-some)"

step "require, 3 maps fail: 3 reads fail once each (Do Not Retry)"
ddactl offload set "$NQN" 1 mode require
fault_inject 3
p2p_snap s0 "$NQN" 1
for i in 1 2 3; do
	rc=0
	dd if="$dev" of=/dev/null bs=64k count=1 skip=$((i * 7)) iflag=direct \
		status=none 2>/tmp/mf-dd.err || rc=$?
	echo "read $i: exit $rc: $(cat /tmp/mf-dd.err)"
	[ "$rc" -ne 0 ] || fail "read $i succeeded though its P2P buffer could not be mapped"
done
p2p_snap s1 "$NQN" 1
fault_stop
# A status without DNR would be retried by the host (nvme_core.max_retries,
# 5): each read would then count several times, or succeed on a retry.
expect_eq "require_failed" "$(delta require_failed)" 3
expect_eq "host ios under require" "$(delta host_ios)" 0
expect_eq "p2p ios" "$(delta p2p_ios)" 0
dmesg | grep -E "cannot map .* of P2P memory" | tail -n 1

step "require, no more faults: reads and writes go through the CMB"
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 64k 8 1 2M mf-after
p2p_snap s1 "$NQN" 1
expect_eq "p2p ios" "$(delta p2p_ios)" "$(fio_ios mf-after)"
expect_eq "require_failed" "$(delta require_failed)" 0
host_disconnect "$NQN"

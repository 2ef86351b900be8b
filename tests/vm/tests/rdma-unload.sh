# SPDX-License-Identifier: GPL-2.0
# Unloading: the transport module is pinned while a port uses it; right
# after a disconnect and teardown (queues may still be releasing) it unloads
# cleanly, twice, and loads again.
# variants: dda upstream
# timeout: 300
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:unload

trap transport_cleanup EXIT
mod=$(transport_module)
rxe_up
mapfile -t nullb < <(nullb_load 1)

for cycle in 1 2; do
	step "cycle $cycle: load $mod, export, connect, I/O"
	transport_load
	target_setup "$NQN" 1 "${nullb[0]}"
	host_connect "$NQN"
	run_fio "$(fabric_dev "$NQN" 1)" randwrite 4k 16 1 1 "unload$cycle"

	step "cycle $cycle: $mod is pinned by the enabled port"
	rc=0
	modprobe -r "$mod" 2>/tmp/rmmod.err || rc=$?
	cat /tmp/rmmod.err
	[ "$rc" -ne 0 ] || fail "$mod unloaded under an enabled port"
	grep -q "^$mod " /proc/modules || fail "$mod gone though modprobe -r failed"

	step "cycle $cycle: disconnect, tear down, unload at once"
	host_disconnect "$NQN"
	nvmet_clear
	modprobe -r nvme-rdma
	modprobe -r "$mod"
	# modprobe -r takes unused dependencies along; nvmet may be gone already.
	if grep -q '^nvmet ' /proc/modules; then modprobe -r nvmet; fi
	for m in "$mod" nvmet nvme_rdma nvme_fabrics; do
		! grep -q "^$m " /proc/modules || fail "$m still loaded"
	done
	[ ! -d "$NVMET_CFS" ] || fail "nvmet configfs still there"
done
# The RDMA device outlived both transports.
rdma link show | grep -q "$DDA_RXE" || fail "$DDA_RXE went away"

# SPDX-License-Identifier: GPL-2.0
# fio randrw with crc32c verify over rdma, 2 jobs, at 4k, 128k and 1M and
# queue depths 1 to 64, on a namespace backed by the local NVMe SSD.
# variants: dda upstream
# timeout: 420
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:fio

trap transport_cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
step "target: $NQN on $ssd"
target_setup "$NQN" 1 "$ssd"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)

# bs iodepth size-per-job: every size at several depths, 2 jobs each. Small:
# TCG + KASAN + soft-RoCE moves only a few MiB/s. A job's depth is bounded
# by its block count, so 128k at QD64 gets 64 blocks.
while read -r bs qd mb; do
	step "randrw bs=$bs iodepth=$qd 2x$mb"
	run_fio "$dev" randrw "$bs" "$qd" 2 "$mb" "fio-$bs-qd$qd"
done <<'CASES'
4k 1 256k
4k 16 512k
128k 16 4M
128k 64 8M
1M 1 8M
1M 16 16M
CASES

host_disconnect "$NQN"

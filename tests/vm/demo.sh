# SPDX-License-Identifier: GPL-2.0
# Guest side of `make demo`: what an operator sees on a target.
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

echo "== nvmet-dda demo: $(uname -r), $(nproc) vCPUs, in QEMU"
echo "== PCI devices behind the switch"
for d in /sys/bus/pci/devices/*; do
	case "$(cat "$d/class")" in
	0x010802) echo "  $(basename "$d") NVMe SSD, p2pmem published=$(cat "$d/p2pmem/published" 2>/dev/null || echo 0) size=$(cat "$d/p2pmem/size" 2>/dev/null || echo 0)" ;;
	0x050000) echo "  $(basename "$d") ivshmem (a RAM-backed BAR standing in for a NIC BAR)" ;;
	esac
done
echo "== modprobe nvmet-dda"
modprobe nvmet-dda
dmesg | grep nvmet_dda | tail -n 1
echo "== ddactl info"
ddactl info

NQN=nqn.2026-11.io.nvmet-dda:demo
TRANSPORT=dda
trap transport_cleanup EXIT
modprobe nvme-rdma
rxe_up >/dev/null
ssd=$(local_ssd)
echo "== the target: $NQN on $ssd, served over soft-RoCE by nvmet-dda"
target_no_inline "$NQN" "$ssd" >/dev/null
echo "== P2P providers"
ddactl provider
echo "== offload: namespace 1 requires the SSD's own CMB"
ddactl offload set "$NQN" 1 mode require provider cmb
ddactl offload
echo "== host side: plain nvme-cli"
host_connect "$NQN" >/dev/null
nvme list
dev=$(fabric_dev "$NQN" 1)
p0=$(p2p_ns "$NQN" 1 p2p_bytes)
h0=$(p2p_ns "$NQN" 1 host_bytes)
echo "== fio randrw 128k, 2 jobs, crc32c verify, on $dev"
run_fio "$dev" randrw 128k 16 2 8M demo | tail -n 2
echo "== ddactl stats: bytes placed in P2P memory vs target DRAM"
ddactl stats
p2p=$(($(p2p_ns "$NQN" 1 p2p_bytes) - p0))
host=$(($(p2p_ns "$NQN" 1 host_bytes) - h0))
echo "== fio moved $(fio_bytes demo) bytes; of them P2P $p2p, target DRAM $host: $((100 * p2p / (p2p + host)))% through P2P"
host_disconnect "$NQN" >/dev/null

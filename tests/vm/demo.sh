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
echo "== ddactl -j -p info"
ddactl -j -p info
modprobe -r nvmet-dda

# SPDX-License-Identifier: GPL-2.0
# P2P through the SSD's own CMB: offload mode require on provider cmb, fio
# randrw with crc32c verify from the host; every data byte went through P2P
# memory (namespace and provider counters equal the bytes fio moved), and the
# pool's available bytes drop while I/O is in flight and come back after
# (seen on the throttled namespace, whose commands hold their buffers for
# seconds whatever the number of CPUs).
# timeout: 480
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:p2pcmb
TRANSPORT=dda

trap transport_cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
slow=$(slow_ssd)
bdf=$(ssd_bdf)

step "the CMB of $bdf is listed as a provider"
ddactl provider
expect_eq "kind" "$(p2p_prov "$bdf" kind)" cmb
size=$(p2p_prov "$bdf" size)
expect_eq "size (sysfs)" "$size" "$(cat "/sys/bus/pci/devices/$bdf/p2pmem/size")"
[ "$size" -ge $((32 << 20)) ] || fail "CMB pool is only $size bytes"

step "target: $NQN on $ssd and $slow, offload require/cmb, no in-capsule data"
# In-capsule write data lands in host-memory receive buffers whatever the
# policy (counted as fb_inline); with inline_data_size 0 every byte is placed.
target_no_inline "$NQN" "$ssd" "$slow"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
slowdev=$(fabric_dev "$NQN" 2)
ddactl offload set "$NQN" 1 mode require provider cmb
ddactl offload set "$NQN" 2 mode require provider cmb
ddactl offload show
expect_eq "rule mode" "$(ddactl -j offload show "$NQN" 1 | jq -r '.[0].mode // .rules[0].mode')" require

declare -A s0 s1
p2p_snap s0 "$NQN" 1
p0=$(p2p_prov "$bdf" p2p_bytes)

run_fio "$dev" randrw 4k 16 2 1M p2p-4k
run_fio "$dev" randrw 128k 8 2 8M p2p-128k
run_fio "$dev" randrw 1M 4 2 8M p2p-1m
moved=$(($(fio_bytes p2p-4k) + $(fio_bytes p2p-128k) + $(fio_bytes p2p-1m)))
ios=$(($(fio_ios p2p-4k) + $(fio_ios p2p-128k) + $(fio_ios p2p-1m)))

p2p_snap s1 "$NQN" 1
ddactl stats
step "counters: $moved bytes in $ios commands moved by fio"
expect_eq "namespace p2p_bytes" "$((s1[p2p_bytes] - s0[p2p_bytes]))" "$moved"
expect_eq "namespace p2p_ios" "$((s1[p2p_ios] - s0[p2p_ios]))" "$ios"
expect_eq "namespace host_bytes" "$((s1[host_bytes] - s0[host_bytes]))" 0
expect_eq "namespace require_failed" "${s1[require_failed]}" 0
expect_eq "provider p2p_bytes" "$(($(p2p_prov "$bdf" p2p_bytes) - p0))" "$moved"
p2p_settle "$NQN" 1 "$bdf"
expect_eq "outstanding after I/O" "$(p2p_ns "$NQN" 1 outstanding_bytes)" 0
expect_eq "in-capsule writes" "$((s1[fb_inline] - s0[fb_inline]))" 0

step "available drops while I/O is in flight"
idle=$(p2p_prov "$bdf" available)
expect_eq "available (sysfs)" "$idle" "$(cat "/sys/bus/pci/devices/$bdf/p2pmem/available")"
# At 8 I/Os per second the throttled namespace keeps what it was given
# taken for seconds (4 MiB of QD32 on a quiet machine; 256 KiB when a
# second VM shared the cores and the host kept only two reads out).
fio_load "$slowdev" randread 128k 32 10 p2p-load &
fpid=$!
low=$idle
high=0
n=0
# sysfs is read without a fork (the pool's own count, which ddactl reports
# too); every tenth sample also asks ddactl for outstanding bytes.
while kill -0 "$fpid" 2>/dev/null; do
	read -r a <"/sys/bus/pci/devices/$bdf/p2pmem/available"
	[ "$a" -lt "$low" ] && low=$a
	if [ $((n % 10)) -eq 0 ]; then
		read -r a o < <(ddactl -j provider show "$bdf" |
			jq -r '.[0] | "\(.available) \(.outstanding_bytes)"')
		[ "$a" -lt "$low" ] && low=$a
		[ "$o" -gt "$high" ] && high=$o
	fi
	n=$((n + 1))
	nap 0.05
done
wait "$fpid" || fail "fio load failed"
loadios=$(sed -n '/^{/,$p' /tmp/p2p-load.raw | jq '.jobs[0].read.total_ios')
echo "available: idle $idle, lowest seen $low; outstanding: highest seen $high;" \
	"$n samples; fio read $loadios times"
[ "$low" -lt "$idle" ] || fail "available never dropped below $idle during I/O"
p2p_settle "$NQN" 2 "$bdf"
expect_eq "available after I/O" "$(p2p_prov "$bdf" available)" "$idle"
expect_eq "outstanding after I/O" "$(p2p_prov "$bdf" outstanding_bytes)" 0
hwm=$(p2p_prov "$bdf" outstanding_hwm)
[ "$hwm" -ge "$high" ] && [ "$hwm" -ge $((idle - low)) ] ||
	fail "high-water mark $hwm below what was seen in use ($high, $((idle - low)))"
host_disconnect "$NQN"

step "with 4k in-capsule data, small writes stay in host memory: fb_inline"
nvmet_clear
target_port 1 ipv4
echo 4096 >"$NVMET_CFS/ports/1/param_inline_data_size"
target_setup "$NQN" 1 "$ssd"
ddactl offload set "$NQN" 1 mode require provider cmb
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
p2p_snap s0 "$NQN" 1
run_fio "$dev" randwrite 4k 8 1 512k p2p-inline
p2p_snap s1 "$NQN" 1
w=$(jq '[.jobs[].write.total_ios] | add' /tmp/p2p-inline.json)
r=$(jq '[.jobs[].read.total_ios] | add' /tmp/p2p-inline.json)
echo "writes $w, verify reads $r; fb_inline $((s1[fb_inline] - s0[fb_inline])), p2p_ios $((s1[p2p_ios] - s0[p2p_ios]))"
expect_eq "in-capsule writes counted" "$((s1[fb_inline] - s0[fb_inline]))" "$w"
expect_eq "host bytes are the in-capsule writes" "$((s1[host_bytes] - s0[host_bytes]))" "$((w * 4096))"
expect_eq "reads through P2P" "$((s1[p2p_ios] - s0[p2p_ios]))" "$r"
host_disconnect "$NQN"

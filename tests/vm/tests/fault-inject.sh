# SPDX-License-Identifier: GPL-2.0
# Injected faults on the target during I/O: fail_make_request on the backing
# SSD (errors reach the host as NVMe statuses, P2P buffers all come back,
# data written before stays intact), and rmmod of nvmet-dda with a port
# enabled and a host connected (refused while pinned, clean after).
# timeout: 480
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:faultinj
TRANSPORT=dda
FI=/sys/kernel/debug/fail_make_request

cleanup() {
	[ -n "${disk:-}" ] && echo 0 >"/sys/block/$disk/make-it-fail" 2>/dev/null
	echo 0 >"$FI/probability" 2>/dev/null || true
	transport_cleanup
}
trap cleanup EXIT
[ -d "$FI" ] || skip "no $FI (CONFIG_FAIL_MAKE_REQUEST)"
transport_load
rxe_up
ssd=$(local_ssd)
disk=$(basename "$ssd")
p2p_target "$NQN" prefer cmb "$ssd"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)

step "write a verified reference region"
run_fio "$dev" randwrite 64k 8 1 4M fault-ref
cp /tmp/fault-ref.json /tmp/fault-ref.keep

step "fail_make_request on $disk: every bio fails (the host retries, then errors)"
echo 100 >"$FI/probability"
echo -1 >"$FI/times"
echo 0 >"$FI/verbose"
echo 1 >"/sys/block/$disk/make-it-fail"
rc=0
fio --name=fault-fmr --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
	--bs=64k --iodepth=16 --size=8M --offset=64M --continue_on_error=io \
	--output-format=json --output=/tmp/fault-fmr.raw >/dev/null 2>&1 || rc=$?
echo 0 >"/sys/block/$disk/make-it-fail"
echo 0 >"$FI/probability"
sed -n '/^{/,$p' /tmp/fault-fmr.raw >/tmp/fault-fmr.json
errs=$(jq '[.jobs[].total_err] | add' /tmp/fault-fmr.json)
echo "fio exit $rc, $errs I/O errors seen by the host"
[ "$errs" -gt 0 ] || fail "no error reached the host"
dmesg | grep -E "nvme[0-9]+n[0-9]+: I/O|critical|blk_update_request|I/O error" | tail -n 3 || true
p2p_settle "$NQN" 1 "$(ssd_bdf)"
expect_eq "outstanding P2P bytes" "$(p2p_ns "$NQN" 1 outstanding_bytes)" 0
expect_eq "CMB available back" "$(p2p_prov "$(ssd_bdf)" available)" \
	"$(cat "/sys/bus/pci/devices/$(ssd_bdf)/p2pmem/available")"

step "failslab in the per-CPU kernel workers (where the target's data path runs)"
FS=/sys/kernel/debug/failslab
# Only the per-CPU workers (kworker/N:M, N:MH): the target's CQ runs on
# ib-comp-wq (IB_POLL_WORKQUEUE), which is per-CPU, and its data path with
# it. Not the unbound ones (kworker/uN:M): on 6.12 soft-RoCE does its packet
# processing there (rxe_wq; 6.1 uses tasklets), and a failed allocation in
# the emulated NIC can lose a completion or a CM message, which a real NIC
# never does; the host's reconnect work then waits for its CM event for
# ever (nvme_rdma_wait_for_cm() has no timeout).
kworkers() { pgrep '^kworker/[0-9]+:' 2>/dev/null || ps -eo pid=,comm= | awk '$2 ~ /^kworker\/[0-9]+:/ { print $1 }'; }
mark() { local p; for p in $(kworkers); do echo "$1" >"/proc/$p/make-it-fail" 2>/dev/null || true; done; }
echo N >"$FS/ignore-gfp-wait"
echo Y >"$FS/task-filter"
echo 1 >"$FS/verbose"
echo -1 >"$FS/times"
f0=$(dmesg | grep -c "FAULT_INJECTION: forcing a failure" || true)
echo 5 >"$FS/probability"
mark 1
# Failing for 15 s at most, however long fio then waits: a failed
# allocation can make the host reset the controller (6.12), and its
# reconnects must then find allocations that work.
{ sleep 15; echo 0 >"$FS/probability"; } &
timer=$!
fio --name=fault-slab --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
	--bs=64k --iodepth=16 --size=8M --offset=96M --time_based --runtime=8 \
	--continue_on_error=all --output-format=json --output=/tmp/fault-slab.raw \
	>/dev/null 2>&1 &
fpid=$!
# A stuck step says why, long before the test's time limit.
if ! wait_for 150 proc_gone "$fpid"; then
	stuck_report
	fail "fio still waits 150 s after the failslab step began"
fi
rc=0
wait "$fpid" || rc=$?
kill "$timer" 2>/dev/null || true
wait "$timer" 2>/dev/null || true
echo 0 >"$FS/probability"
mark 0
echo Y >"$FS/ignore-gfp-wait"
echo N >"$FS/task-filter"
failed=$(($(dmesg | grep -c "FAULT_INJECTION: forcing a failure" || true) - f0))
echo "fio exit $rc; failslab failures forced (ratelimited log): $failed"
[ "$failed" -gt 0 ] || fail "failslab never fired in the kernel workers"
ctrl=$(fabric_ctrl "$NQN")
wait_for 60 grep -q live "/sys/class/nvme/${ctrl#/dev/}/state" ||
	fail "controller not live after failslab"
wait_for 30 p2p_idle "$NQN" 1 ||
	fail "P2P buffers still outstanding after failslab"

step "the reference region still verifies"
fio --name=fault-ref --filename="$dev" --direct=1 --ioengine=libaio --rw=randwrite \
	--bs=64k --iodepth=8 --size=4M --offset_increment=4096k --numjobs=1 \
	--verify=crc32c --verify_only --verify_fatal=1 >/tmp/fault-verify.out 2>&1 ||
	{ cat /tmp/fault-verify.out; fail "reference data does not verify after the faults"; }
run_fio "$dev" randrw 64k 8 1 2M fault-after

step "rmmod with a port enabled and a host connected"
rc=0
out=$(modprobe -r nvmet-dda 2>&1) || rc=$?
echo "modprobe -r nvmet-dda: exit $rc: $out"
[ "$rc" -ne 0 ] || fail "nvmet-dda unloaded under a connected host"
grep -q '^nvmet_dda ' /proc/modules || fail "nvmet-dda is gone"
run_fio "$dev" randrw 64k 8 1 1M fault-still
host_disconnect "$NQN"
nvmet_clear
modprobe -r nvme-rdma
modprobe -r nvmet-dda || fail "nvmet-dda does not unload after teardown"

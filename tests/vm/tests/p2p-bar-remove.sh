# SPDX-License-Identifier: GPL-2.0
# A BAR provider goes away while I/O holds its buffers (the throttled SSD
# namespace keeps them in flight for seconds). provider del answers "in
# use" at once. An unbind through sysfs waits, in the kernel's P2P
# teardown, for the pages still in use; meanwhile a provider add of the same
# function waits for it too, and every other netlink request answers at
# once: ours (root and nobody, do and dump) and another genetlink family's
# (nlctrl, which takes the genetlink mutex). Then the function's
# driver_override is cleared after a plain sysfs unbind and after the
# module unloads with the provider bound.
# timeout: 480
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:barremove
TRANSPORT=dda
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
QUICK_MS=3000	# what "at once" allows under TCG on a busy machine

bg=()
cleanup() {
	local p
	for p in "${bg[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	transport_cleanup
}
trap cleanup EXIT
transport_load
rxe_up
slow=$(slow_ssd)
bdf=$(ivshmem_bdf)
dev_dir=/sys/bus/pci/devices/$bdf
override() { cat "$dev_dir/driver_override"; }
bound() { [ -e "$dev_dir/driver" ]; }
cp "$(command -v ddactl)" /tmp/ddactl-nobody
chmod 755 /tmp/ddactl-nobody

# quick WHAT CMD...: CMD succeeds within QUICK_MS.
quick() {
	local what=$1 t0 ms rc=0
	shift
	t0=$(date +%s%N)
	timeout 60 "$@" >/tmp/quick.out 2>&1 || rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "$what: exit $rc after $ms ms"
	[ "$rc" -eq 0 ] || { cat /tmp/quick.out; fail "$what failed (exit $rc)"; }
	[ "$ms" -le "$QUICK_MS" ] || fail "$what took $ms ms (waited for the PCI function?)"
}

step "a BAR provider on $bdf; the throttled namespace prefers it"
ddactl provider add "$bdf"
expect_eq "driver_override while a provider" "$(override)" nvmet_dda_bar
target_port 1 ipv4
echo 0 >"$NVMET_CFS/ports/1/param_inline_data_size"
target_setup "$NQN" 1 "$slow"
ddactl offload set "$NQN" 1 mode prefer provider "$bdf"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
# At 8 I/Os per second, 64 reads in flight (8 MiB) hold their buffers for
# up to 8 seconds each.
fio_load "$dev" randread 128k 64 40 brm-load >/dev/null &
fpid=$!
bg+=("$fpid")
held() { [ "$(p2p_prov "$bdf" outstanding_bytes)" -gt $((2 << 20)) ]; }
wait_for 30 held || fail "not enough P2P buffers outstanding under I/O"
echo "outstanding: $(p2p_prov "$bdf" outstanding_bytes) bytes"

step "provider del while buffers are out: in use, at once"
t0=$(date +%s%N)
rc=0
err=$(ddactl provider del "$bdf" 2>&1) || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "provider del: exit $rc after $ms ms: $err"
expect_eq "provider del exit" "$rc" 4
grep -q "in use" <<<"$err" || fail "provider del does not say the buffers are in use"
[ "$ms" -le "$QUICK_MS" ] || fail "provider del took $ms ms"
expect_eq "provider still listed" "$(p2p_prov "$bdf" kind)" bar

step "sysfs unbind with buffers out: it waits; netlink does not"
echo "$bdf" >/sys/bus/pci/drivers/nvmet_dda_bar/unbind &
upid=$!
bg+=("$upid")
# The provider leaves the list first; the kernel then waits for the pages.
gone() { [ -z "$(ddactl -j provider show | jq -r --arg b "$bdf" '(.[]? // .providers[]?) | select(.provider == $b) | .provider')" ]; }
wait_for 10 gone || fail "the provider is still listed during its unbind"
kill -0 "$upid" 2>/dev/null || fail "the unbind did not wait (no buffers out any more?); nothing to test"
# A provider add of the same function needs its device lock: it waits.
ddactl provider add "$bdf" >/tmp/brm-add.out 2>&1 &
apid=$!
bg+=("$apid")
nap 1
kill -0 "$apid" 2>/dev/null || { cat /tmp/brm-add.out; fail "provider add did not wait for the unbind"; }
quick "ddactl info" ddactl info
quick "ddactl provider show" ddactl provider show
quick "ddactl provider show (nobody)" "${NOBODY[@]}" /tmp/ddactl-nobody provider show
quick "ddactl provider show $(ssd_bdf)" ddactl provider show "$(ssd_bdf)"
quick "ddactl offload show" ddactl offload show
quick "ddactl stats show (nobody)" "${NOBODY[@]}" /tmp/ddactl-nobody stats show
quick "genl ctrl list (another family)" genl ctrl list
kill -0 "$upid" 2>/dev/null ||
	fail "the unbind ended before the requests were through: they did not run while it waited"
echo "all answered while the unbind was waiting for its pages"
wait_for 120 sh -c "! kill -0 $upid" || fail "the unbind never ended"
wait "$upid" || fail "the sysfs unbind failed"
rc=0
wait "$apid" || rc=$?
cat /tmp/brm-add.out
expect_eq "provider add after the unbind: exit" "$rc" 0
expect_eq "provider back" "$(p2p_prov "$bdf" kind)" bar

step "the load ends cleanly; nothing outstanding"
wait "$fpid" || fail "the load failed"
bg=()
sed -n '/^{/,$p' /tmp/brm-load.raw | jq -e 'all(.jobs[]; .error == 0)' >/dev/null ||
	fail "the load saw an I/O error"
expect_eq "outstanding" "$(p2p_prov "$bdf" outstanding_bytes)" 0

step "a plain sysfs unbind clears driver_override"
echo "$bdf" >/sys/bus/pci/drivers/nvmet_dda_bar/unbind
cleared() { [ "$(override)" != nvmet_dda_bar ]; }
wait_for 10 cleared || fail "driver_override still '$(override)' after the unbind"
echo "driver_override: $(override)"
! bound || fail "$bdf bound again"

step "module unload with the provider bound clears driver_override"
ddactl provider add "$bdf"
expect_eq "driver_override" "$(override)" nvmet_dda_bar
host_disconnect "$NQN"
nvmet_clear
modprobe -r nvme-rdma
modprobe -r nvmet-dda || fail "nvmet-dda does not unload"
! bound || fail "$bdf still bound after the unload"
cleared || fail "driver_override still '$(override)' after the unload"
echo "driver_override after unload: $(override)"

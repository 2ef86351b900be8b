# SPDX-License-Identifier: GPL-2.0
# A BAR provider goes away while I/O holds its buffers (the throttled SSD
# namespace keeps them in flight for many seconds). provider del answers
# "in use" without waiting for them. An unbind through sysfs waits, in the
# kernel's P2P teardown, for the pages still in use; meanwhile a provider
# add of the same function waits for it too, and every other netlink
# request is answered before the unbind ends: ours (root and nobody, do and
# dump, and a provider add of another function while that add waits) and
# another genetlink family's (nlctrl, which takes the genetlink mutex). Then the function's driver_override is cleared after a plain
# sysfs unbind and after the module unloads with the provider bound.
# vcpus: 2 (under tests/vm/run -j it gets a VM of its own with two vCPUs,
# after the others: with one, soft-RoCE's work for the commands held out
# starves the requests whose timing it checks)
# timeout: 480
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:barremove
TRANSPORT=dda
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

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
listed() { [ -n "$(ddactl -j provider show | jq -r --arg b "$bdf" '(.[]? // .providers[]?) | select(.provider == $b) | .provider')" ]; }
unlisted() { ! listed; }
# Under TCG on a busy machine one command may take seconds: this test
# orders events rather than timing them. Microseconds, without a fork.
now() { echo "${EPOCHREALTIME/./}"; }
# stamp FILE [WORDS]: the time (after WORDS) into FILE in one write.
stamp() {
	local f=$1
	shift
	echo "$* $(now)" >"$f"
}

step "a BAR provider on $bdf; the throttled namespace prefers it"
ddactl provider add "$bdf"
expect_eq "driver_override while a provider" "$(override)" nvmet_dda_bar
target_no_inline "$NQN" "$slow"
ddactl offload set "$NQN" 1 mode prefer provider "$bdf"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
# At 8 I/Os per second, 2 x 127 reads in flight (up to 32 MiB) hold their
# buffers for up to 30 seconds each.
# 254 commands of 128 KiB on a namespace that does 8 I/Os a second: each
# waits about 32 s, so the unbind below lasts long enough for a slow guest
# to ask its questions; the host waits 120 s for an I/O, not its default 30
# (past which it aborted them and the load saw errors).
echo 120000 >"/sys/block/${dev#/dev/}/queue/io_timeout"
fio --name=brm-load --filename="$dev" --direct=1 --ioengine=libaio \
	--rw=randread --bs=128k --iodepth=127 --numjobs=2 --size=32M \
	--time_based --runtime=900 --output-format=json \
	--output=/tmp/brm-load.raw >/dev/null 2>&1 &
fpid=$!
bg+=("$fpid")
held() { [ "$(p2p_prov "$bdf" outstanding_bytes)" -gt $((8 << 20)) ]; }
held_some() { [ "$(p2p_prov "$bdf" outstanding_bytes)" -gt 0 ]; }
wait_for 60 held || fail "not enough P2P buffers outstanding under I/O"
echo "outstanding: $(p2p_prov "$bdf" outstanding_bytes) bytes"

# While that many commands are out, soft-RoCE keeps a one-vCPU guest's CPU
# busy (nvmet-rdma alike): a ddactl there took longer than the unbind below.
# This test orders events, so from here the test and all it starts run
# SCHED_FIFO, above the load; the kernel work of a request runs in the
# requester's context and gets that priority too.
chrt -f -p 10 $$

step "provider del while buffers are out: in use, without waiting for them"
rc=0
err=$(ddactl provider del "$bdf" 2>&1) || rc=$?
echo "provider del: exit $rc: $err"
expect_eq "provider del exit" "$rc" 4
grep -q "in use" <<<"$err" || fail "provider del does not say the buffers are in use"
kill -0 "$fpid" 2>/dev/null || fail "the load ended: provider del may have waited for it"
held_some || fail "no buffers out any more: provider del may have waited for them"
listed || fail "provider gone after a refused del"

step "sysfs unbind with buffers out: it waits; netlink does not"
rm -f /tmp/brm-*.end
(
	echo "$bdf" >/sys/bus/pci/drivers/nvmet_dda_bar/unbind
	stamp /tmp/brm-unbind.end
) &
upid=$!
bg+=("$upid")
# The provider leaves the list first; the kernel then waits for the pages.
wait_for 30 unlisted || fail "the provider is still listed during its unbind"
[ ! -e /tmp/brm-unbind.end ] ||
	fail "the unbind did not wait (no buffers out any more?): nothing to test"
# A provider add of the same function needs its device lock: it waits.
added_at=$(now)
(
	rc=0
	ddactl provider add "$bdf" >/tmp/brm-add.out 2>&1 || rc=$?
	stamp /tmp/brm-add.end "$rc"
) &
apid=$!
bg+=("$apid")
# That add waits for this function alone: wait until it sleeps there, then
# a provider add of another function (the SSD, bound to nvme: refused) is
# among the requests answered before the unbind ends.
adding() {
	local p
	for p in $(pgrep -f "^ddactl provider add $bdf"); do
		[[ $(<"/proc/$p/wchan") == *dda_bar_add* ]] && return 0
	done 2>/dev/null
	return 1
}
wait_for 60 adding || fail "the provider add of $bdf is not waiting for the function"
ssd=$(ssd_bdf)
# Requests of every kind, all at once; each notes when it was answered.
asked() { # NAME CMD...
	local name=$1
	shift
	if timeout 300 "$@" >"/tmp/brm-$name.out" 2>&1; then
		stamp "/tmp/brm-$name.end" ok
	else
		stamp "/tmp/brm-$name.end" "failed-$?"
	fi
}
reqs=(info provider-show provider-show-nobody provider-show-cmb offload-show
	stats-show-nobody genl-ctrl add-other)
asked info ddactl info &
asked provider-show ddactl provider show &
asked provider-show-nobody "${NOBODY[@]}" /tmp/ddactl-nobody provider show &
asked provider-show-cmb ddactl provider show "$(ssd_bdf)" &
asked offload-show ddactl offload show &
asked stats-show-nobody "${NOBODY[@]}" /tmp/ddactl-nobody stats show &
asked genl-ctrl genl ctrl list &
asked add-other sh -c 'ddactl provider add "$1" 2>&1 | grep "bound to another driver"' sh "$ssd" &
# All ended: every file written (each in one write, so whole once not empty).
ended() {
	local f
	for f in unbind add "${reqs[@]}"; do
		[ -s "/tmp/brm-$f.end" ] || return 1
	done
}
wait_for 400 ended || fail "not everything ended: $(echo /tmp/brm-*.end)"
read -r unbound </tmp/brm-unbind.end
for r in "${reqs[@]}"; do
	read -r how t <"/tmp/brm-$r.end"
	[ "$how" = ok ] || { cat "/tmp/brm-$r.out"; fail "$r failed ($how)"; }
	echo "$r: answered $(((unbound - t) / 1000)) ms before the unbind ended"
	[ "$t" -lt "$unbound" ] ||
		fail "$r was answered only after the unbind ended: it waited for the PCI function"
done
read -r rc t <"/tmp/brm-add.end"
cat /tmp/brm-add.out
echo "provider add: exit $rc, $(((t - unbound) / 1000)) ms after the unbind ended"
expect_eq "provider add after the unbind: exit" "$rc" 0
# The unbind's stamp is written after its write(2) returns, and the add may
# run first once the device lock is free: half a second of slack, which
# means something only when the unbind kept the add waiting much longer.
[ $((unbound - added_at)) -gt 3000000 ] ||
	fail "the unbind ended $(((unbound - added_at) / 1000)) ms after the add began: too soon to tell whether the add waited"
[ "$t" -ge $((unbound - 500000)) ] || fail "provider add did not wait for the unbind"
wait "$upid" "$apid"
listed || fail "provider not back after the add"

chrt -o -p 0 $$

step "the load ends cleanly; nothing outstanding"
kill -INT "$fpid"
# fio ends with 128 when interrupted; its JSON says whether I/O failed.
rc=0
wait "$fpid" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 128 ] || fail "the load failed (fio exit $rc)"
bg=()
sed -n '/^{/,$p' /tmp/brm-load.raw | jq -e 'all(.jobs[]; .error == 0)' >/dev/null ||
	fail "the load saw an I/O error"
p2p_settle "$NQN" 1 "$bdf"
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

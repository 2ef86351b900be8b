# SPDX-License-Identifier: GPL-2.0
# Remove the port while a host is connected and I/O runs: the host loses the
# controller and its reconnect attempts fail; nvme disconnect then cleans up,
# and a new port on the same address serves again.
# variants: dda upstream
# timeout: 300
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:port-remove

fio_pid=
stop_fio() {
	[ -n "$fio_pid" ] && kill "$fio_pid" 2>/dev/null && wait "$fio_pid" 2>/dev/null
	return 0
}
trap 'stop_fio; transport_cleanup' EXIT
transport_load
rxe_up
mapfile -t nullb < <(nullb_load 1)
target_setup "$NQN" 1 "${nullb[0]}"

step "connect (reconnect every 1 s, give up after 60 s) and start I/O"
host_connect "$NQN" "$DDA_ADDR4" 4420 --reconnect-delay=1 --ctrl-loss-tmo=60
ctrl=$(fabric_ctrl "$NQN")
c=/sys/class/nvme/${ctrl#/dev/}
dev=$(fabric_dev "$NQN" 1)
fio --name=busy --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
	--bs=4k --iodepth=16 --size=64M --time_based --runtime=200 \
	--output=/tmp/busy.out &
fio_pid=$!
# I/O is flowing when the device's completed-read count moves.
reads() { awk '{ print $1 }' "/sys/block/${dev#/dev/}/stat"; }
r0=$(reads)
moving() { [ "$(reads)" -gt "$((r0 + 100))" ]; }
wait_for 60 moving || fail "fio does not get I/O done"

step "remove the port under I/O"
rm "$NVMET_CFS/ports/1/subsystems/$NQN"
rmdir "$NVMET_CFS/ports/1"
not_live() { [ "$(cat "$c/state")" != live ]; }
wait_for 30 not_live || fail "controller still live after its port went away"
echo "host controller state: $(cat "$c/state")"
failed_reconnect() { dmesg | grep -q "${ctrl#/dev/}: Failed reconnect attempt"; }
wait_for 60 failed_reconnect || fail "no failed reconnect attempt logged"
dmesg | grep "${ctrl#/dev/}:" | tail -n 5
state=$(cat "$c/state")
case "$state" in
connecting | resetting) ;;
*) fail "host controller state '$state', want connecting" ;;
esac
kill -0 "$fio_pid" 2>/dev/null || fail "fio ended before the disconnect (I/O should wait for reconnect)"

step "nvme disconnect cleans up; fio sees its I/O fail"
host_disconnect "$NQN"
rc=0
wait_for 60 proc_gone "$fio_pid" || fail "fio still running after disconnect"
wait "$fio_pid" || rc=$?
fio_pid=
tail -n 5 /tmp/busy.out || true
[ "$rc" -ne 0 ] || fail "fio exited 0 though its device went away"

step "a new port on the same address serves again"
target_port 1 ipv4
nvmet_link 1 "$NQN"
transport_check_serving
host_connect "$NQN"
run_fio "$(fabric_dev "$NQN" 1)" randwrite 4k 16 1 1 after-remove
host_disconnect "$NQN"

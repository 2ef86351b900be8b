# SPDX-License-Identifier: GPL-2.0
# Discover, connect, disconnect and reconnect over rdma; data written before
# a disconnect reads back after the reconnect; discovery lists what is
# exported, and changes when a second subsystem is.
# variants: dda upstream
# timeout: 300
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

A=nqn.2026-11.io.nvmet-dda:connect-a
B=nqn.2026-11.io.nvmet-dda:connect-b

trap transport_cleanup EXIT
transport_load
rxe_up
mapfile -t nullb < <(nullb_load 2)

step "target: $A on ${nullb[0]}, port 1 ($DDA_ADDR4:4420)"
target_setup "$A" 1 "${nullb[0]}"

step "discover: only $A"
got=$(discovered "$DDA_ADDR4" 4420)
echo "$got"
expect_eq "discovery" "$got" "$A rdma ipv4 $DDA_ADDR4 4420"

step "export $B on the same port; discover lists both"
nvmet_subsys "$B"
nvmet_allow_host "$B" "$HOSTNQN"
nvmet_ns "$B" 1 "${nullb[1]}"
nvmet_link 1 "$B"
got=$(discovered "$DDA_ADDR4" 4420)
echo "$got"
expect_eq "discovery" "$got" "$(printf '%s\n' "$A rdma ipv4 $DDA_ADDR4 4420" "$B rdma ipv4 $DDA_ADDR4 4420" | sort)"

step "connect $A"
host_connect "$A"
ctrl=$(fabric_ctrl "$A")
c=/sys/class/nvme/${ctrl#/dev/}
expect_eq "transport" "$(cat "$c/transport")" rdma
expect_eq "state" "$(cat "$c/state")" live
grep -q "traddr=$DDA_ADDR4,trsvcid=4420" "$c/address" || fail "address: $(cat "$c/address")"
expect_eq "hostnqn" "$(cat "$c/hostnqn")" "$HOSTNQN"
dev=$(fabric_dev "$A" 1)
expect_eq "size (bytes)" "$(blockdev --getsize64 "$dev")" "$(blockdev --getsize64 "${nullb[0]}")"
run_fio "$dev" randwrite 4k 16 1 2 connect

step "disconnect, reconnect (3 times); the data stays"
for i in 1 2 3; do
	host_disconnect "$A"
	host_connect "$A"
	dev=$(fabric_dev "$A" 1)
	expect_eq "state after reconnect $i" "$(cat /sys/class/nvme/"$(basename "$(fabric_ctrl "$A")")"/state)" live
done
fio --name=connect --filename="$dev" --direct=1 --ioengine=libaio \
	--rw=randwrite --bs=4k --iodepth=16 --size=2M \
	--verify=crc32c --verify_only=1 --verify_fatal=1 \
	--output-format=json --output=/tmp/verify.raw ||
	fail "data written before the disconnects does not verify"
sed -n '/^{/,$p' /tmp/verify.raw | jq -e '.jobs[0].error == 0 and .jobs[0].read.io_kbytes == 2048' >/dev/null ||
	fail "verify-only pass did not read back 2 MiB cleanly"

step "connect $B as well: two controllers"
host_connect "$B"
[ "$(fabric_ctrl "$A")" != "$(fabric_ctrl "$B")" ] || fail "one controller for two subsystems"
run_fio "$(fabric_dev "$B" 1)" randwrite 4k 16 1 1 connect-b
host_disconnect "$A"
host_disconnect "$B"

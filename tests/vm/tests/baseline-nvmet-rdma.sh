# SPDX-License-Identifier: GPL-2.0
# Harness proof: upstream nvmet-rdma over soft-RoCE, end to end. Discover,
# connect, fio randwrite 4k with crc32c verify, disconnect.
# timeout: 600
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:baseline

cleanup() {
	nvme disconnect -n "$NQN" >/dev/null 2>&1 || true
	nvmet_clear
	rxe_down
	modprobe -r nvme-rdma nvmet-rdma nvmet 2>/dev/null || true
}
trap cleanup EXIT

ssd=$(local_ssd)
step "target: upstream nvmet-rdma, namespace on $ssd"
modprobe nvmet
modprobe nvmet-rdma
modprobe nvme-rdma
rxe_up
nvmet_subsys "$NQN"
nvmet_allow_host "$NQN" "$HOSTNQN"
nvmet_ns "$NQN" 1 "$ssd"
nvmet_port 1 rdma ipv4 "$DDA_ADDR4" 4420
nvmet_link 1 "$NQN"

step "discover"
disc=$(nvme discover -t rdma -a "$DDA_ADDR4" -s 4420 --hostnqn="$HOSTNQN" --hostid="$HOSTID")
echo "$disc"
grep -q "subnqn: *$NQN" <<<"$disc" || fail "discovery log lacks $NQN"

step "connect"
nvme connect -t rdma -n "$NQN" -a "$DDA_ADDR4" -s 4420 \
	--hostnqn="$HOSTNQN" --hostid="$HOSTID"
wait_for 20 fabric_dev "$NQN" 1 || fail "no block device for $NQN"
dev=$(fabric_dev "$NQN" 1)
echo "fabric namespace: $dev"
expect_eq "transport" "$(cat /sys/block/"${dev#/dev/}"/device/transport)" rdma

step "fio randwrite 4k, crc32c verify"
fio --name=baseline --filename="$dev" --direct=1 --ioengine=libaio \
	--rw=randwrite --bs=4k --size=32M --iodepth=16 \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --verify_backlog=1024 \
	--output-format=json --output=/tmp/fio.json
rk=$(jq '.jobs[0].read.io_kbytes' /tmp/fio.json)
wk=$(jq '.jobs[0].write.io_kbytes' /tmp/fio.json)
errs=$(jq '.jobs[0].error' /tmp/fio.json)
echo "written ${wk} KiB, verified ${rk} KiB, errors ${errs}"
expect_eq "fio errors" "$errs" 0
expect_eq "bytes written" "$wk" 32768
[ "$rk" -ge 32768 ] || fail "verify read only ${rk} KiB"

step "disconnect"
nvme disconnect -n "$NQN" | grep -q 'disconnected 1 controller' ||
	fail "disconnect did not report one controller"
gone() { ! fabric_dev "$NQN"; }
wait_for 10 gone || fail "controller for $NQN still present"

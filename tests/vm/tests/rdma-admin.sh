# SPDX-License-Identifier: GPL-2.0
# Admin commands through the fabric: identify controller and namespace,
# SMART log, error log, changed-namespace notice and log.
# variants: dda upstream
# timeout: 300
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:admin
SERIAL=ddaadmin0001

trap transport_cleanup EXIT
transport_load
rxe_up
mapfile -t nullb < <(nullb_load 1)
file=$(tmpfs_file admin2.img 32)
step "target: $NQN, ns 1 on ${nullb[0]}"
nvmet_subsys "$NQN"
echo "$SERIAL" >"$NVMET_CFS/subsystems/$NQN/attr_serial"
nvmet_allow_host "$NQN" "$HOSTNQN"
nvmet_ns "$NQN" 1 "${nullb[0]}"
target_port 1 ipv4
nvmet_link 1 "$NQN"
transport_check_serving
host_connect "$NQN"
ctrl=$(fabric_ctrl "$NQN")
dev=$(fabric_dev "$NQN" 1)

step "id-ctrl"
nvme id-ctrl "$ctrl" -o json >/tmp/id-ctrl.json
jq -c '{subnqn, sn, mn, cntlid, nn, sgls, ioccsz, iorcsz, msdbd, maxcmd, kas}' /tmp/id-ctrl.json
expect_eq "subnqn" "$(jq -r .subnqn /tmp/id-ctrl.json)" "$NQN"
expect_eq "sn" "$(jq -r '.sn | sub(" +$"; "")' /tmp/id-ctrl.json)" "$SERIAL"
expect_eq "cntlid" "$(jq -r .cntlid /tmp/id-ctrl.json)" "$(cat "/sys/class/nvme/${ctrl#/dev/}/cntlid")"
# nvmet reports its namespace limit, not the count.
expect_eq "nn" "$(jq -r .nn /tmp/id-ctrl.json)" 1024
# Keyed SGL data blocks (bit 2): nvme-rdma refuses a controller without.
jq -e '(.sgls / 4 | floor) % 2 == 1' /tmp/id-ctrl.json >/dev/null || fail "sgls lacks keyed SGLs"
jq -e '.ioccsz >= 4 and .iorcsz == 1' /tmp/id-ctrl.json >/dev/null || fail "ioccsz/iorcsz"

step "id-ns"
nvme id-ns "$ctrl" -n 1 -o json >/tmp/id-ns.json
jq -c '{nsze, ncap, nuse, flbas, lbaf: .lbafs}' /tmp/id-ns.json
lbads=$(jq '.lbafs[.flbas % 16].ds' /tmp/id-ns.json)
nsze=$(jq .nsze /tmp/id-ns.json)
expect_eq "nsze * 2^lbads" "$((nsze << lbads))" "$(blockdev --getsize64 "${nullb[0]}")"
expect_eq "ncap" "$(jq .ncap /tmp/id-ns.json)" "$nsze"
expect_eq "host size" "$(blockdev --getsize64 "$dev")" "$((nsze << lbads))"
# An inactive namespace identifies as all zero.
nvme id-ns "$ctrl" -n 7 -o json >/tmp/id-ns7.json
expect_eq "nsze of inactive nsid 7" "$(jq .nsze /tmp/id-ns7.json)" 0

step "smart-log: writes through the fabric are counted"
nvme smart-log "$ctrl" -o json >/tmp/smart0.json
jq -c '{critical_warning, data_units_read, data_units_written, host_read_commands, host_write_commands}' /tmp/smart0.json
expect_eq "critical_warning" "$(jq .critical_warning /tmp/smart0.json)" 0
dd if=/dev/urandom of="$dev" bs=1M count=8 oflag=direct status=none
nvme smart-log "$ctrl" -o json >/tmp/smart1.json
jq -c '{data_units_written, host_write_commands}' /tmp/smart1.json
# 8 MiB = 16384 sectors = at least 16 units of 1000 sectors.
du=$(($(jq -r ".data_units_written | tonumber" /tmp/smart1.json) - $(jq -r ".data_units_written | tonumber" /tmp/smart0.json)))
[ "$du" -ge 16 ] || fail "data_units_written grew by $du after 8 MiB, want >= 16"

step "error log: an unknown admin opcode is logged"
nvme error-log "$ctrl" -o json >/tmp/err0.json
n0=$(jq '[.errors[].error_count] | max' /tmp/err0.json)
rc=0
nvme admin-passthru "$ctrl" --opcode=0xc1 >/tmp/passthru.out 2>&1 || rc=$?
cat /tmp/passthru.out
[ "$rc" -ne 0 ] || fail "vendor opcode 0xc1 succeeded"
nvme error-log "$ctrl" -o json >/tmp/err1.json
jq -c '.errors[0]' /tmp/err1.json
expect_eq "error_count" "$(jq '.errors[0].error_count' /tmp/err1.json)" "$((n0 + 1))"
expect_eq "error sqid" "$(jq '.errors[0].sqid' /tmp/err1.json)" 0
# Invalid Command Opcode (sct 0, sc 1); nvme-cli versions differ in whether
# they shift out the phase bit.
jq -e '.errors[0].status_field as $s | ($s % 256 == 1) or (($s / 2 | floor) % 256 == 1)' \
	/tmp/err1.json >/dev/null || fail "error status is not Invalid Opcode"

step "changed namespace: adding ns 2 reaches the host (AEN), log readable"
nvmet_ns "$NQN" 2 "$file"
wait_for 30 fabric_dev "$NQN" 2 || fail "namespace 2 did not appear on the host"
expect_eq "ns 2 size" "$(blockdev --getsize64 "$(fabric_dev "$NQN" 2)")" $((32 << 20))
nvme get-log "$ctrl" --log-id=4 --log-len=4096 --raw-binary >/tmp/changed-ns.bin
expect_eq "changed ns log length" "$(stat -c %s /tmp/changed-ns.bin)" 4096
# The host consumed the log on the AEN (no RAE), so it is empty now, or
# still lists nsid 2.
first=$(od -An -tu4 -N4 /tmp/changed-ns.bin | tr -d ' ')
[ "$first" = 0 ] || [ "$first" = 2 ] || fail "changed ns log starts with $first"

step "removing ns 2 reaches the host as well"
echo 0 >"$NVMET_CFS/subsystems/$NQN/namespaces/2/enable"
rmdir "$NVMET_CFS/subsystems/$NQN/namespaces/2"
ns2_gone() { ! fabric_dev "$NQN" 2; }
wait_for 30 ns2_gone || fail "namespace 2 still on the host"

host_disconnect "$NQN"

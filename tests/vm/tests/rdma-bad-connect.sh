# SPDX-License-Identifier: GPL-2.0
# Connects the target must refuse or bound: an unknown subsystem NQN, a host
# the subsystem does not allow, a port nobody listens on, and queue sizes
# beyond what the transport supports.
# variants: dda upstream
# timeout: 300
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:bad-connect

trap transport_cleanup EXIT
transport_load
rxe_up
mapfile -t nullb < <(nullb_load 1)
nvmet_subsys "$NQN"
nvmet_ns "$NQN" 1 "${nullb[0]}"
target_port 1 ipv4
nvmet_link 1 "$NQN"
transport_check_serving

# Try a connect that must fail; print what the host said.
refused() { # WHAT NQN [NVME-CONNECT-OPTION...]
	local what=$1 nqn=$2 rc=0
	shift 2
	nvme connect -t rdma -n "$nqn" -a "$DDA_ADDR4" -s 4420 \
		--hostnqn="$HOSTNQN" --hostid="$HOSTID" "$@" >/tmp/connect.out 2>&1 || rc=$?
	cat /tmp/connect.out
	[ "$rc" -ne 0 ] || fail "$what: connect succeeded"
	! fabric_ctrl "$nqn" >/dev/null || fail "$what: a controller exists"
	# A refused connect leaves no controller of any fabric behind.
	local c
	for c in $(fabric_ctrls); do
		fail "$what: controller $c ($(cat "/sys/class/nvme/$c/subsysnqn")) left"
	done
}

step "unknown subsystem NQN"
dmesg --clear
refused "unknown NQN" nqn.2026-11.io.nvmet-dda:no-such-subsystem
dmesg | grep -i nvme | tail -n 3

step "host not allowed (allow_any_host=0, host not linked)"
expect_eq "allow_any_host" "$(cat "$NVMET_CFS/subsystems/$NQN/attr_allow_any_host")" 0
dmesg --clear
refused "host not allowed" "$NQN"
dmesg | grep -qi "not allowed" || fail "target did not log the refused host"
dmesg | grep -i "not allowed" | tail -n 1

step "no listener on port 4421"
nvmet_allow_host "$NQN" "$HOSTNQN"
refused "no listener" "$NQN" -s 4421

step "the same host, once allowed, connects"
host_connect "$NQN"
host_disconnect "$NQN"

step "--queue-size=1024: the host clamps to the transport's limit (CAP.MQES)"
dmesg --clear
host_connect "$NQN" "$DDA_ADDR4" 4420 --queue-size=1024
ctrl=$(fabric_ctrl "$NQN")
dmesg | grep -i "clamping" || true
nvme get-property "$ctrl" --offset=0 --human-readable || true
# "cap : 8200f00007f": the register in hex, without 0x.
cap=0x$(nvme get-property "$ctrl" --offset=0 --human-readable |
	awk '$1 == "cap" && $2 == ":" { print $3; exit }')
mqes=$((cap & 0xffff))
echo "CAP $cap, MQES $mqes, host sqsize $(cat "/sys/class/nvme/${ctrl#/dev/}/sqsize")"
# nvmet-rdma: 128 entries (NVME_RDMA_MAX_QUEUE_SIZE), MQES 127.
expect_eq "CAP.MQES" "$mqes" 127
expect_eq "host sqsize" "$(cat "/sys/class/nvme/${ctrl#/dev/}/sqsize")" 127
dmesg | grep -q "queue_size 1024 > ctrl sqsize 128, clamping down" ||
	fail "host did not report clamping queue_size 1024"
step "the clamped queue works at full depth"
run_fio "$(fabric_dev "$NQN" 1)" randwrite 4k 128 1 2 qd128
host_disconnect "$NQN"

step "--queue-size=2048: beyond the fabrics limit, refused"
refused "queue size 2048" "$NQN" --queue-size=2048

# SPDX-License-Identifier: GPL-2.0
# Teardown under load, in a loop: two hosts' controllers (two subsystems on
# one port) run I/O and reconnect every 3 s while the target unlinks a
# subsystem from the port (nvmet deletes its controllers), removes the
# whole port and makes it again (remove_port, then the port freed under
# queues still releasing), and a host resets its controller. Every round
# both controllers must come back live with their I/O going on; KASAN,
# lockdep and kmemleak watch (the harness fails the test on any report),
# and the I/O sees no error: hosts queue it while they reconnect. At the
# end the data paths still verify. TEARDOWN_ROUNDS rounds (default 2; one
# takes about two minutes under TCG).
# timeout: 900
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN1=nqn.2026-11.io.nvmet-dda:teardown1
NQN2=nqn.2026-11.io.nvmet-dda:teardown2
TRANSPORT=dda
ROUNDS=${TEARDOWN_ROUNDS:-2}

pids=()
stop_fio() {
	local p
	for p in "${pids[@]}"; do
		kill -INT "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	pids=()
}
trap 'stop_fio; transport_cleanup' EXIT
transport_load
rxe_up
mapfile -t nullb < <(nullb_load 2)
target_setup "$NQN1" 1 "${nullb[0]}"
target_setup "$NQN2" 1 "${nullb[1]}"

ctrl_dir() { # NQN
	local c
	c=$(fabric_ctrl "$1") || return 1
	echo "/sys/class/nvme/${c#/dev/}"
}
live() { # NQN
	local d
	d=$(ctrl_dir "$1") || return 1
	[ "$(cat "$d/state")" = live ]
}
not_live() { ! live "$1"; }
both_live() { live "$NQN1" && live "$NQN2"; }
# Completed I/Os of a host device, read and write.
ios() { awk '{ print $1 + $5 }' "/sys/block/${1#/dev/}/stat"; }

# Reconnect every 3 s; the subsystem unlinked below is linked again at
# once, before the host's first attempt. A Connect for a
# subsystem the port does not offer is refused by nvmet core with Do Not
# Retry, and a 6.12 host then removes the controller, whatever
# --ctrl-loss-tmo says (its nvmf_should_reconnect() honours DNR; 6.1's does
# not). Upstream nvmet-rdma answers the same (the answer is nvmet core's).
step "connect both (reconnect every 3 s, never give up) and start I/O"
for q in "$NQN1" "$NQN2"; do
	host_connect "$q" "$DDA_ADDR4" 4420 --reconnect-delay=3 --ctrl-loss-tmo=-1
done
dev1=$(fabric_dev "$NQN1" 1)
dev2=$(fabric_dev "$NQN2" 1)
for d in "$dev1" "$dev2"; do
	fio --name="load-${d#/dev/}" --filename="$d" --direct=1 --ioengine=libaio \
		--rw=randrw --bs=4k --iodepth=16 --size=64M --time_based --runtime=3600 \
		--output-format=json --output="/tmp/td-${d#/dev/}.raw" >/dev/null 2>&1 &
	pids+=($!)
done

grew() { [ "$(ios "$1")" -gt "$2" ]; } # DEV COUNT
# moving DEV: its I/O count grows by 50 within 60 s.
moving() {
	wait_for 60 grew "$1" $(($(ios "$1") + 50))
}
back() { # WHAT
	wait_for 90 both_live || fail "round $r: controllers not live again after $1"
	moving "$dev1" || fail "round $r: no I/O on $dev1 after $1"
	moving "$dev2" || fail "round $r: no I/O on $dev2 after $1"
}
moving "$dev1" || fail "no I/O on $dev1"
moving "$dev2" || fail "no I/O on $dev2"

for ((r = 1; r <= ROUNDS; r++)); do
	step "round $r/$ROUNDS"
	# nvmet deletes the controllers of a subsystem unlinked from a port
	# (at once, in the unlink); the host reconnects once it is back.
	c1=$(ctrl_dir "$NQN1")
	c1=${c1##*/}
	n=$(reconnects "$c1")
	# Unlinked and linked again in one go, above the load: on one vCPU
	# soft-RoCE's work for the I/O once held this shell between the two
	# for more than the host's 3 s, and a 6.12 host then got Do Not
	# Retry and gave the controller up (above).
	chrt -f 10 sh -c 'rm "$1" && ln -s "$2" "$3"' sh \
		"$NVMET_CFS/ports/1/subsystems/$NQN1" \
		"$NVMET_CFS/subsystems/$NQN1" "$NVMET_CFS/ports/1/subsystems/"
	wait_for 60 reconnected "$c1" "$n" ||
		fail "round $r: $NQN1 ($c1) did not reconnect after its unlink"
	back "unlinking $NQN1"

	# The port goes with queues still open; nvmet frees it right away.
	rm "$NVMET_CFS/ports/1/subsystems/$NQN1" "$NVMET_CFS/ports/1/subsystems/$NQN2"
	rmdir "$NVMET_CFS/ports/1"
	wait_for 30 not_live "$NQN2" || fail "round $r: $NQN2 still live without a port"
	target_port 1 ipv4
	# Both links from one ln: the port listens from the first, and a host
	# that connects to the other in between gets Do Not Retry (above).
	nvmet_link 1 "$NQN1" "$NQN2"
	back "removing the port"

	# The host tears its queues down and connects again.
	echo 1 >"$(ctrl_dir "$NQN2")/reset_controller"
	back "a host reset"
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null || fail "round $r: fio (pid $p) ended"
	done
done

step "stop the load: no I/O error in $ROUNDS rounds"
stop_fio
for d in "$dev1" "$dev2"; do
	raw=/tmp/td-${d#/dev/}.raw
	sed -n '/^{/,$p' "$raw" >"${raw%.raw}.json"
	jq -c '.jobs[] | {job: .jobname, error, read_ios: .read.total_ios, write_ios: .write.total_ios}' \
		"${raw%.raw}.json"
	jq -e 'all(.jobs[]; .error == 0)' "${raw%.raw}.json" >/dev/null ||
		fail "fio on $d saw an I/O error"
done
run_fio "$dev1" randrw 4k 16 1 2M td-after1
run_fio "$dev2" randrw 64k 8 1 4M td-after2
host_disconnect "$NQN1"
host_disconnect "$NQN2"

# SPDX-License-Identifier: GPL-2.0
# No PCI bus scan in the I/O path. A command never scans: when the
# providers change, each namespace's next command chooses again from the
# list as it is and only asks for a scan soon, which runs on a work item,
# at most one a second. Here 4k random reads keep 128 commands in flight
# (four jobs of 32) while the ivshmem BAR provider is added and deleted
# three times, each change invalidating the cached choice of every queue.
# The bus scans since load (debugfs nvmet_dda/pci_scans, test kernels) may
# grow by at most one a second of the run plus one for each privileged
# request (those scan at once); scanning per command, as a provider-cache
# miss once did, makes hundreds. The reads go on through the changes.
# timeout: 300
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:scan
TRANSPORT=dda
SCANS=/sys/kernel/debug/nvmet_dda/pci_scans

cleanup() {
	[ -n "${fpid:-}" ] && kill "$fpid" 2>/dev/null
	ddactl provider del "${bdf:-none}" >/dev/null 2>&1 || :
	transport_cleanup
}
trap cleanup EXIT
transport_load
[ -r "$SCANS" ] || fail "no $SCANS: nvmet-dda does not count its PCI scans"
rxe_up
ssd=$(local_ssd)
bdf=$(ivshmem_bdf)
p2p_target "$NQN" prefer auto "$ssd"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
declare -A s0 s1

step "providers change under 128 commands in flight"
p2p_snap s0 "$NQN" 1
scans0=$(<"$SCANS")
t0=$(date +%s%N)
# Runs until stopped, after the changes (a ddactl takes seconds here).
fio --name=scan --filename="$dev" --direct=1 --ioengine=libaio --rw=randread \
	--bs=4k --iodepth=32 --numjobs=4 --size=32M --time_based --runtime=600 \
	--group_reporting --output-format=json --output=/tmp/scan.raw &
fpid=$!
requests=0
sleep 2
for i in 1 2 3; do
	ddactl provider add "$bdf"
	sleep 1
	ddactl provider del "$bdf"
	sleep 1
	requests=$((requests + 2))
	kill -0 "$fpid" 2>/dev/null || fail "fio ended during change $i"
done
kill -INT "$fpid"
# fio ends with 128 when interrupted; its JSON says whether I/O failed.
rc=0
wait "$fpid" || rc=$?
fpid=
t1=$(date +%s%N)
sed -n '/^{/,$p' /tmp/scan.raw >/tmp/scan.json
[ "$rc" -eq 0 ] || [ "$rc" -eq 128 ] || { cat /tmp/scan.raw >&2; fail "fio exited $rc"; }
scans1=$(<"$SCANS")
p2p_settle "$NQN" 1
p2p_snap s1 "$NQN" 1

secs=$(((t1 - t0 + 999999999) / 1000000000))
scans=$((scans1 - scans0))
ios=$((s1[p2p_ios] + s1[host_ios] - s0[p2p_ios] - s0[host_ios]))
bound=$((secs + 1 + requests))
echo "$scans scans in $secs s, $requests privileged requests; $ios commands" \
	"($((s1[p2p_ios] - s0[p2p_ios])) in P2P memory)"
expect_eq "fio errors" "$(jq '[.jobs[].error] | add' /tmp/scan.json)" 0
# provider del scans at once: the counter moves.
[ "$scans" -ge 3 ] || fail "only $scans scans counted; provider del scans at once, three ran"
[ "$scans" -le "$bound" ] ||
	fail "$scans PCI scans during the run, more than one a second plus one per request ($bound)"
[ "$ios" -ge $((20 * bound)) ] ||
	fail "only $ios commands: too few to tell scanning per command from not"
expect_eq "outstanding P2P bytes" "${s1[outstanding_bytes]}" 0
host_disconnect "$NQN"

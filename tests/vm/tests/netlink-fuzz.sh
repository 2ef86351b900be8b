# SPDX-License-Identifier: GPL-2.0
# Hostile netlink input: nlfuzz sends 97,000 random, malformed and mutated
# nvmet_dda requests (invalid commands, versions and flags, dumps, wrong
# attribute lengths and types, unterminated and huge strings, nested
# garbage, lying length fields) to a target with state (a connected
# namespace, namespace and port rules, a BAR provider) while a host reads
# from it; then a shorter run that may also name the real ivshmem and SSD
# functions in PROVIDER_ADD/DEL. Every request is answered (no hang), the
# module still answers `ddactl info` and the dumps, I/O still works, and it
# unloads cleanly. The runner fails the test on any kernel report.
# Environment: FUZZ_N (default 97000), FUZZ_N_REAL (default 3000): the
# 100,000 messages issue 6 asks for; FUZZ_SEED (default: from the clock;
# printed for a rerun). Under TCG with the debug kernel the whole test takes
# about 3.5 minutes (191 s and 213 s in two make check runs on 2 cores).
# vcpus: 2 (under tests/vm/run -j it gets a VM of its own with two vCPUs,
# after the others: on one, the reader's soft-RoCE work and processes left
# the fuzzer about 100 messages a second, 16 minutes for the run)
# timeout: 900
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:fuzz
flag=/tmp/netlink-fuzz.io
TRANSPORT=dda
FUZZ_N=${FUZZ_N:-97000}
FUZZ_N_REAL=${FUZZ_N_REAL:-3000}
seed=${FUZZ_SEED:-$(date +%s)}

cleanup() {
	rm -f "$flag"
	# Under set -e a failing command would end the trap with its status.
	[ -z "${iopid:-}" ] || { kill "$iopid" 2>/dev/null && wait "$iopid" 2>/dev/null; } || true
	[ -z "${ivs:-}" ] || ddactl provider del "$ivs" >/dev/null 2>&1 || true
	transport_cleanup
}
trap cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
ivs=$(ivshmem_bdf)
target_setup "$NQN" 1 "$ssd"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)

step "state for the fuzzer to find"
ddactl provider add "$ivs" bar 2 size 4M
ddactl offload set "$NQN" 1 mode prefer provider auto min-io 4k
ddactl offload set port 1 mode off max-bytes 1M
ddactl offload set "$NQN" 7 mode off
ddactl offload
ddactl provider

# Reads in the background: the data path looks rules and providers up while
# the fuzzer changes them. Rules the fuzzer sets (mode require, unreachable
# providers) may fail some reads; only the kernel's health counts here.
reads=/tmp/netlink-fuzz.reads
reader() {
	local n=0
	while [ -e "$flag" ]; do
		dd if="$dev" of=/dev/null bs=128k count=4 iflag=direct 2>/dev/null || true
		n=$((n + 1))
		echo "$n" >"$reads"
		nap 0.5
	done
}
touch "$flag"
reader &
iopid=$!

# fuzz N [nlfuzz options]: one run; prints its summary and the rate.
fuzz() {
	local n=$1 start took
	shift
	start=$(date +%s.%N)
	nlfuzz -n "$n" -s "$seed" -q "$NQN" -q nqn.2026-11.io.nvmet-dda:none \
		-N 1 -P 1 -v "$@" >/tmp/nlfuzz.out 2>&1 || {
		cat /tmp/nlfuzz.out
		fail "nlfuzz -n $n -s $seed $* failed"
	}
	cat /tmp/nlfuzz.out
	took=$(echo "$(date +%s.%N) - $start" | bc)
	tail -n 1 /tmp/nlfuzz.out | grep -qx "nlfuzz: $n messages, 0 hangs" ||
		fail "nlfuzz did not report $n messages, 0 hangs"
	echo "fuzz rate: $n messages in ${took}s ($(echo "$n / $took" | bc) messages/s), seed $seed"
}

step "nlfuzz: $FUZZ_N messages, fictitious PCI addresses only (seed $seed)"
# In runs of at most 10,000 (seeds seed, seed+1, ...), each with its rate:
# a rate that falls from run to run points at state that piles up.
left=$FUZZ_N
while [ "$left" -gt 0 ]; do
	n=$((left < 10000 ? left : 10000))
	fuzz "$n"
	left=$((left - n))
	seed=$((seed + 1))
done
ddactl -j info | jq -e '.version' >/dev/null || fail "ddactl info fails after the fuzz"

step "nlfuzz: $FUZZ_N_REAL messages, may add/del the real $ivs and $(ssd_bdf)"
fuzz "$FUZZ_N_REAL" -a "$ivs" -a "$(ssd_bdf)"

rm -f "$flag"
wait "$iopid" || true
iopid=
echo "the background reader read $(cat "$reads" 2>/dev/null || echo 0) times during the fuzz"
[ -s "$reads" ] || fail "the background reader read nothing"

step "the module still answers"
ddactl info
ddactl -j info | jq -e '.version and (.capabilities | index("rdma"))' >/dev/null ||
	fail "ddactl -j info after the fuzz: $(ddactl -j info)"
ddactl provider
ddactl offload | tail -n 5
echo "$(ddactl -j offload show | jq length) rules after the fuzz"
ddactl stats >/dev/null
# The fuzzer may have left rules of any kind; this one decides for ns 1.
ddactl offload set "$NQN" 1 mode off provider auto min-io 0 max-bytes 0
run_fio "$dev" randrw 64k 8 1 2M fuzz-after

step "unload"
host_disconnect "$NQN"
ddactl provider del "$ivs" 2>/dev/null || true
ivs=
host_disconnect_all
nvmet_clear
rxe_down
transport_unload || fail "modules stay loaded after the fuzz"
echo "netlink fuzz: $((FUZZ_N + FUZZ_N_REAL)) messages, no hang, module healthy"

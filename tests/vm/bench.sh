# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench`: the same fio jobs over our transport (dda, when
# nvmet-dda has the rdma capability) and upstream nvmet-rdma, in one boot,
# one after the other, against the same namespace. Writes bench.json to the
# output share (build/vm/, copied to build/bench.json by tests/vm/bench).
#
# Environment (through tests/vm/run's spec): VARIANTS (which transports),
# BENCH_BACKEND (ssd: the local NVMe SSD, default; nullb: memory-backed
# null_blk), BENCH_RUNTIME (seconds per job, default 20).
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:bench
backend=${BENCH_BACKEND:-ssd}
runtime=${BENCH_RUNTIME:-20}
region=256M
work=/tmp/bench
mkdir -p "$work"

trap transport_cleanup EXIT

rxe_up
case "$backend" in
ssd) dev=$(local_ssd) ;;
nullb) dev=$(nullb_load 1) ;;
*) fail "BENCH_BACKEND=$backend: ssd or nullb" ;;
esac
# Reads of never-written blocks can take shortcuts (holes, null_blk without
# pages): write the region once, locally.
echo "bench: filling $region of $dev"
dd if=/dev/urandom of="$dev" bs=1M count=${region%M} oflag=direct status=none

# name fio-options
jobs=(
	"randread-4k-qd32 --rw=randread --bs=4k --iodepth=32"
	"seqread-128k-qd16 --rw=read --bs=128k --iodepth=16"
)

# One transport: set up, run every job, tear down. Prints a JSON object.
bench_transport() { # VARIANT
	local t=$1 job name opts fdev cmd out results=()
	TRANSPORT=$t
	if [ "$t" = dda ]; then
		local caps
		modprobe nvmet-dda
		caps=$(ddactl -j info | jq -c .capabilities)
		modprobe -r nvmet-dda
		if ! jq -e 'index("rdma")' <<<"$caps" >/dev/null; then
			echo "bench: dda unavailable (nvmet-dda capabilities: $caps)" >&2
			jq -n --arg why "nvmet-dda has no rdma transport (capabilities: $caps)" \
				'{available: false, reason: $why}'
			return 0
		fi
	fi
	transport_load >&2
	target_setup "$NQN" 1 "$dev" >&2
	host_connect "$NQN" >&2
	fdev=$(fabric_dev "$NQN" 1)
	for job in "${jobs[@]}"; do
		read -r name opts <<<"$job"
		out=$work/$t-$name.json
		# shellcheck disable=SC2086 # opts are words
		cmd="fio --name=$name --filename=$fdev --direct=1 --ioengine=libaio $opts --numjobs=1 --size=$region --time_based --runtime=$runtime --ramp_time=2 --output-format=json --output=$out.raw"
		echo "bench: $t $name: $cmd" >&2
		$cmd >&2 || fail "fio $name over $t failed"
		sed -n '/^{/,$p' "$out.raw" >"$out"
		jq -e '.jobs[0].error == 0 and .jobs[0].read.io_bytes > 0' "$out" >/dev/null ||
			fail "fio $name over $t: error or no I/O"
		results+=("$(jq -c --arg cmd "$cmd" '.jobs[0] | {
			job: .jobname, fio_cmd: $cmd,
			iops: (.read.iops * 10 | round / 10),
			mib_s: (.read.bw / 1024 * 100 | round / 100),
			lat_mean_us: (.read.lat_ns.mean / 1000 | round),
			lat_p99_us: ((.read.clat_ns.percentile["99.000000"] // 0) / 1000 | round)}' "$out")")
	done
	host_disconnect "$NQN" >&2
	nvmet_clear
	transport_unload >&2
	printf '%s\n' "${results[@]}" | jq -s '{available: true, jobs: map({(.job): del(.job)}) | add}'
}

variants=${VARIANTS:-dda upstream}
declare -A res
for t in dda upstream; do
	[[ " ${variants//,/ } " == *" $t "* ]] || continue
	echo "bench: transport $t" >&2
	res[$t]=$(bench_transport "$t")
done
[ -n "${res[dda]:-}" ] || res[dda]='{"available": false, "reason": "not requested (VARIANTS)"}'
[ -n "${res[upstream]:-}" ] || res[upstream]='{"available": false, "reason": "not requested (VARIANTS)"}'

jq -n --arg kernel "$(uname -r)" --arg backend "$backend" --arg device "$dev" \
	--arg date "$(date -u +%FT%TZ)" --argjson runtime "$runtime" --arg region "$region" \
	--argjson dda "${res[dda]}" --argjson upstream "${res[upstream]}" '
	{kernel: $kernel, date: $date, vm: "QEMU TCG, KASAN/lockdep/kmemleak kernel, soft-RoCE loopback",
	 backend: $backend, device: $device, region: $region, runtime_s: $runtime,
	 transports: {dda: $dda, upstream: $upstream},
	 ratios: (if $dda.available and $upstream.available then
		($upstream.jobs | keys | map({(.): {
			iops: ($dda.jobs[.].iops / $upstream.jobs[.].iops * 1000 | round / 1000),
			mib_s: ($dda.jobs[.].mib_s / $upstream.jobs[.].mib_s * 1000 | round / 1000)}}) | add)
		else null end)}' >"$DDA_OUT/bench.json"
cat "$DDA_OUT/bench.json"

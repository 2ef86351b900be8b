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
# VARIANT: upstream (nvmet-rdma), dda (ours, host memory: policy off),
# dda-bar (ours, mode require on the ivshmem BAR), dda-cmb (ours, mode
# require on the SSD's CMB). Ours also report the share of data bytes that
# was staged in target DRAM, from the namespace counters.
bench_transport() { # VARIANT
	local t=$1 job name opts fdev cmd out results=() place=${1#dda-} bar=
	local p0=0 h0=0 p1 h1
	TRANSPORT=${t%%-*}
	[ "$place" != "$t" ] || place=host
	if [ "$t" != upstream ] && [ "$place" != host ] && [ "$backend" != ssd ]; then
		jq -n --arg why "P2P needs a P2P-capable block device (BENCH_BACKEND=ssd)" \
			'{available: false, reason: $why}'
		return 0
	fi
	if [ "$TRANSPORT" = dda ]; then
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
	# No in-capsule data: it would sit in host-memory receive buffers.
	target_port 1 ipv4 >&2
	echo 0 >"$NVMET_CFS/ports/1/param_inline_data_size"
	target_setup "$NQN" 1 "$dev" >&2
	case "$place" in
	bar)
		bar=$(ivshmem_bdf)
		ddactl provider add "$bar" >&2
		ddactl offload set "$NQN" 1 mode require provider "$bar" >&2
		;;
	cmb) ddactl offload set "$NQN" 1 mode require provider cmb >&2 ;;
	esac
	host_connect "$NQN" >&2
	fdev=$(fabric_dev "$NQN" 1)
	if [ "$TRANSPORT" = dda ]; then
		p0=$(p2p_ns "$NQN" 1 p2p_bytes)
		h0=$(p2p_ns "$NQN" 1 host_bytes)
	fi
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
	local staged=null
	if [ "$TRANSPORT" = dda ]; then
		p1=$(p2p_ns "$NQN" 1 p2p_bytes)
		h1=$(p2p_ns "$NQN" 1 host_bytes)
		ddactl stats >&2
		staged=$(jq -n --argjson p $((p1 - p0)) --argjson h $((h1 - h0)) \
			'{p2p_bytes: $p, host_bytes: $h,
			  dram_fraction: (if $p + $h > 0 then ($h / ($p + $h) * 10000 | round / 10000) else null end)}')
	fi
	host_disconnect "$NQN" >&2
	nvmet_clear
	[ -z "$bar" ] || ddactl provider del "$bar" >&2
	transport_unload >&2
	printf '%s\n' "${results[@]}" | jq -s --arg place "$place" --argjson staged "$staged" \
		'{available: true, buffers: $place, staged: $staged, jobs: map({(.job): del(.job)}) | add}'
}

variants=${VARIANTS:-dda upstream dda-bar dda-cmb}
declare -A res
for t in dda upstream dda-bar dda-cmb; do
	[[ " ${variants//,/ } " == *" $t "* ]] || continue
	echo "bench: transport $t" >&2
	res[$t]=$(bench_transport "$t")
done
[ -n "${res[dda]:-}" ] || res[dda]='{"available": false, "reason": "not requested (VARIANTS)"}'
[ -n "${res[upstream]:-}" ] || res[upstream]='{"available": false, "reason": "not requested (VARIANTS)"}'
[ -n "${res[dda-bar]:-}" ] || res[dda-bar]='{"available": false, "reason": "not requested (VARIANTS)"}'
[ -n "${res[dda-cmb]:-}" ] || res[dda-cmb]='{"available": false, "reason": "not requested (VARIANTS)"}'

# Configuration at scale (issue 5): restore and clear of 1 port, 64
# subsystems, 1024 namespaces through ddactl. Needs null_blk unloaded.
cfg='{"skipped": "BENCH_BACKEND=nullb holds null_blk"}'
if [ "$backend" = ssd ] && [ "${BENCH_CONFIG:-1}" = 1 ]; then
	. "$TOP/tests/vm/bench-config.sh"
	cfg=$(bench_config) || cfg='{"error": "bench_config failed; see the log"}'
fi

jq -n --arg kernel "$(uname -r)" --arg backend "$backend" --arg device "$dev" \
	--arg date "$(date -u +%FT%TZ)" --argjson runtime "$runtime" --arg region "$region" \
	--argjson dda "${res[dda]}" --argjson upstream "${res[upstream]}" \
	--argjson bar "${res[dda-bar]}" --argjson cmb "${res[dda-cmb]}" --argjson cfg "$cfg" '
	{kernel: $kernel, date: $date, vm: "QEMU TCG, KASAN/lockdep/kmemleak kernel, soft-RoCE loopback",
	 backend: $backend, device: $device, region: $region, runtime_s: $runtime,
	 transports: {dda: $dda, upstream: $upstream, "dda-bar": $bar, "dda-cmb": $cmb},
	 config: $cfg,
	 ratios: (if $dda.available and $upstream.available then
		($upstream.jobs | keys | map({(.): {
			iops: ($dda.jobs[.].iops / $upstream.jobs[.].iops * 1000 | round / 1000),
			mib_s: ($dda.jobs[.].mib_s / $upstream.jobs[.].mib_s * 1000 | round / 1000)}}) | add)
		else null end)}' >"$DDA_OUT/bench.json"
cat "$DDA_OUT/bench.json"

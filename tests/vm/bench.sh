# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench`: the same fio jobs over upstream nvmet-rdma and
# our transport (dda: host memory, policy off; dda-bar: mode require on the
# ivshmem BAR; dda-cmb: mode require on the SSD's CMB), in one boot. The
# variants alternate round-robin, ROUNDS times, so drift in the machine's
# speed spreads over all of them instead of favouring whichever ran first,
# in an order that changes from round to round (a balanced Latin square:
# over as many rounds as there are variants, each runs once in every
# position and, for an even number of variants, once right after every
# other), so that what one variant leaves behind does not always weigh on
# the same next one.
# Per job and variant: IOPS and MiB/s of each round, the target's CPU time
# per GiB moved (guest /proc/stat system + irq + softirq over the job; host
# and target share the guest, so the host's part is in every variant alike),
# each guest CPU's busy share over the job (cpu_busy in every round)
# and, for ours, the share of data bytes staged in target DRAM (namespace
# counters). Writes bench.json to the output share (build/vm/, copied to
# build/bench.json by tests/vm/bench), with a summary: median and min-max
# per job and variant, ratio of medians against upstream, and the median and
# min-max of the per-round ratios (each round's IOPS over upstream's in the
# same round: the rounds run back to back, so this pairs runs that saw the
# same machine).
#
# Every round also records, per I/O of the host's fabric device, the
# guest's interrupts by source (/proc/interrupts: LOC, RES, CAL... and
# device vectors by name) and context switches (/proc/stat ctxt; by thread
# name as ctxt:NAME, e.g. ctxt:ksoftirqd/0) over the job (events_per_io):
# under TCG an interrupt, an IPI or a halted vCPU's wake-up costs the
# emulation far more than its instructions.
#
# BENCH_PROFILE=1 adds one more round per variant, not counted in the
# figures, with the whole guest sampled by perf (cpu-clock, 999 Hz) over
# each job: bench.json's "profile" holds per job and variant the share of
# samples per kernel module ([kernel.kallsyms] is the core kernel), the
# functions above 1% and the functions of nvmet and the transports.
#
# BENCH_INSN=1 (QEMU counting the guest's instructions into $DDA_OUT/insn.bin:
# tests/vm/insn-count.c, loaded by tests/vm/bench) adds to every round the
# guest's instructions per I/O between just before and just after fio:
# user, kernel, per module and per function of nvmet and the transports,
# over the commands the host's fabric device completed. BENCH_INSN=kernel
# counts the core kernel's text instead of the modules' area: "modules"
# then holds one entry, "kernel", and "functions" every function of the
# core kernel with at least one instruction per I/O.
#
# Environment (through tests/vm/run's spec): VARIANTS (default: all four),
# BENCH_BACKEND (ssd: the local NVMe SSD, default; nullb: memory-backed
# null_blk, no P2P variants), BENCH_RUNTIME (seconds per job and round,
# default 10), BENCH_ROUNDS (default 5), BENCH_JOBS (names, default all),
# BENCH_PROFILE, BENCH_INSN.
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:bench
backend=${BENCH_BACKEND:-ssd}
runtime=${BENCH_RUNTIME:-10}
rounds=${BENCH_ROUNDS:-5}
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

# name rw fio-options
all_jobs=(
	"randread-4k-qd32 read --rw=randread --bs=4k --iodepth=32"
	"randwrite-4k-qd32 write --rw=randwrite --bs=4k --iodepth=32"
	"seqread-128k-qd16 read --rw=read --bs=128k --iodepth=16"
	"seqwrite-128k-qd16 write --rw=write --bs=128k --iodepth=16"
)
jobs=()
for j in "${all_jobs[@]}"; do
	[ -z "${BENCH_JOBS:-}" ] || [[ " ${BENCH_JOBS//,/ } " == *" ${j%% *} "* ]] || continue
	jobs+=("$j")
done
[ "${#jobs[@]}" -gt 0 ] || fail "BENCH_JOBS=$BENCH_JOBS names no job"

# Jiffies the guest spent in the kernel: system + irq + softirq.
kernel_ticks() {
	local cpu user nice sys idle iow irq sirq _
	read -r cpu user nice sys idle iow irq sirq _ </proc/stat
	echo $((sys + irq + sirq))
}
hz=$(getconf CLK_TCK)

# Per CPU: "busy total" jiffies (busy: all but idle and iowait), one CPU a
# line, for how a job's work spread over the guest's CPUs.
cpu_ticks() {
	awk '$1 ~ /^cpu[0-9]+$/ { t = 0; for (i = 2; i <= NF; i++) t += $i
		print t - $5 - $6, t }' /proc/stat
}

# CPU_TICKS before, after -> JSON array of each CPU's busy share (0-1).
cpu_busy() {
	paste -d ' ' <(echo "$1") <(echo "$2") |
		awk '{ d = $4 - $2; printf "%s%.3f", (NR > 1 ? "," : "["), (d > 0 ? ($3 - $1) / d : 0) }
			END { print "]" }'
}

# The unavailable variants, with why: dda needs our rdma transport, P2P
# needs the SSD.
declare -A unavailable
modprobe nvmet-dda
caps=$(ddactl -j info | jq -c .capabilities)
modprobe -r nvmet-dda
variants=()
for t in ${VARIANTS:-upstream dda dda-bar dda-cmb}; do
	t=${t//,/}
	case "$t" in
	upstream | dda | dda-bar | dda-cmb) ;;
	*) fail "unknown variant $t (upstream, dda, dda-bar, dda-cmb)" ;;
	esac
	if [ "$t" != upstream ] && ! jq -e 'index("rdma")' <<<"$caps" >/dev/null; then
		unavailable[$t]="nvmet-dda has no rdma transport (capabilities: $caps)"
	elif [[ $t == dda-* ]] && [ "$backend" != ssd ]; then
		unavailable[$t]="P2P needs a P2P-capable block device (BENCH_BACKEND=ssd)"
	else
		variants+=("$t")
	fi
done

profile=${BENCH_PROFILE:-}
if [ -n "$profile" ]; then
	command -v perf >/dev/null ||
		fail "BENCH_PROFILE needs perf on the machine: apt-get install linux-perf"
	[ -r /proc/kallsyms ] || fail "BENCH_PROFILE needs a kernel with CONFIG_KALLSYMS"
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
fi

# BENCH_INSN=1: the guest's instructions, counted by QEMU
# (tests/vm/insn-count.c, which tests/vm/bench loads) into a file on the
# output share.
insn=
insn_area=modules
if [ -n "${BENCH_INSN:-}" ]; then
	case "$BENCH_INSN" in
	1 | modules) ;;
	kernel) insn_area=kernel ;;
	*) fail "BENCH_INSN=$BENCH_INSN: 1 (the modules) or kernel (the core kernel)" ;;
	esac
	insn=$DDA_OUT/insn.bin
	[ -s "$insn" ] || fail "BENCH_INSN: no counters in $insn (QEMU without tests/vm/insn-count.c's plugin?)"
	echo 0 >/proc/sys/kernel/kptr_restrict
fi

# The instruction counters to FILE, read past the guest's page cache.
insn_snap() {
	dd if="$insn" of="$1" iflag=direct bs=4M status=none
}

# Commands the host's fabric block device completed (reads + writes).
fabric_ios() { # /dev/NAME
	awk '{ print $1 + $5 }' "/sys/block/${1#/dev/}/stat"
}

# Interrupts since boot per source, summed over the CPUs (device vectors
# under their name: nvme0q1, ...), and context switches: "name count"
# lines.
event_snap() {
	awk 'NR == 1 { ncpu = NF; next }
		{ k = $1; sub(/:$/, "", k); n = 0
		  for (i = 2; i <= ncpu + 1 && $i ~ /^[0-9]+$/; i++) n += $i
		  if (k ~ /^[0-9]+$/) k = $NF
		  c[k] += n }
		END { for (k in c) print k, c[k] }' /proc/interrupts
	awk '$1 == "ctxt" { print "ctxt", $2 }' /proc/stat
}

# Context switches (voluntary and not) of every thread: "tid name count"
# lines, the name without blanks.
thread_snap() {
	cat /proc/[0-9]*/task/[0-9]*/status 2>/dev/null | awk '
		/^Name:/ { sub(/^Name:[ \t]*/, ""); name = $0; gsub(/[ "\\]/, "_", name) }
		/^Pid:/ { tid = $2 }
		/^voluntary_ctxt_switches:/ { n = $2 }
		/^nonvoluntary_ctxt_switches:/ { print tid, name, n + $2 }'
}

# EVENTS-BEFORE EVENTS-AFTER THREADS-BEFORE THREADS-AFTER IOS -> {name: per
# I/O} of the events that happened, with the threads' context switches
# summed by name (ctxt:NAME) where they make 0.01 per I/O or more.
events_per_io() {
	{
		awk 'FNR == NR { c[$1] = $2; next } $2 > c[$1] { print $1, $2 - c[$1] }' \
			<(echo "$1") <(echo "$2")
		awk -v ios="$5" 'FNR == NR { c[$1] = $3; next }
			$3 > c[$1] { s["ctxt:" $2] += $3 - c[$1] }
			END { for (k in s) if (s[k] >= ios / 100) print k, s[k] }' <(echo "$3") <(echo "$4")
	} | awk -v ios="$5" '{ printf "%s\"%s\": %.3f", (n++ ? ", " : "{"), $1, $2 / ios }
		END { print (n ? "}" : "{}") }'
}

# The text symbols and the modules, in /proc/kallsyms' and /proc/modules'
# formats, that insn_per_io reads: once per round, when the round's
# transport is loaded. For BENCH_INSN=kernel, the core kernel's symbols,
# as those of one module "kernel" from _stext to _etext.
insn_syms() {
	local s e
	if [ "$insn_area" = modules ]; then
		awk '$2 ~ /^[tT]$/ && NF == 4' /proc/kallsyms | sort >"$work/insn-syms"
		cp /proc/modules "$work/insn-mods"
		return
	fi
	awk '$2 ~ /^[tT]$/ && NF == 3 { print $1, $2, $3, "[kernel]" }' /proc/kallsyms |
		sort >"$work/insn-syms"
	s=$(awk '$3 == "_stext" { print $1 }' /proc/kallsyms)
	e=$(awk '$3 == "_etext" { print $1 }' /proc/kallsyms)
	[ -n "$s" ] && [ -n "$e" ] || fail "BENCH_INSN=kernel: no _stext or _etext in /proc/kallsyms"
	echo "kernel $((16#$e - 16#$s)) 0 - Live 0x$s" >"$work/insn-mods"
}

# BEFORE AFTER IOS -> the guest's instructions per I/O between two
# snapshots, as JSON (tests/vm/insn-per-io.awk): user, kernel, per module,
# and per function of nvmet and the two transports (BENCH_INSN=kernel: of
# the core kernel).
insn_per_io() {
	local fmods='^nvmet(_rdma|_dda)?$'
	[ "$insn_area" = modules ] || fmods='^kernel$'
	paste -d ' ' <(od -An -v -t u8 -w8 "$1") <(od -An -v -t u8 -w8 "$2") |
		awk -v ios="$3" -v fmods="$fmods" -v modfile="$work/insn-mods" \
			-v symfile="$work/insn-syms" -f "$TOP/tests/vm/insn-per-io.awk" \
			"$work/insn-mods" "$work/insn-syms" -
}

# perf report's rows as a JSON array: PERF.DATA SORT MIN% [PERF-ARG...] ->
# [{dso, pct}] for --sort dso, [{dso, sym, pct}] for --sort dso,sym.
perf_rows() {
	local data=$1 sort=$2 limit=$3
	shift 3
	perf report -i "$data" --stdio -q --sort "$sort" --percent-limit "$limit" "$@" 2>/dev/null |
		awk '$1 ~ /%$/ { sub(/%$/, "", $1); print $1 "\t" $2 "\t" $4 }' |
		jq -R -s -c '[split("\n")[] | select(length > 0) | split("\t") |
			{dso: .[1]} + (if .[2] == "" then {} else {sym: .[2]} end) +
			{pct: (.[0] | tonumber)}]'
}

# The profile of one job: PERF.DATA VARIANT JOB -> one JSON line with the
# share of samples of every module (down to 0.01%), the functions above 1%
# and those of nvmet and the two transports above 0.01%.
profile_line() {
	jq -n -c --arg t "$2" --arg job "$3" \
		--argjson dso "$(perf_rows "$1" dso 0.01)" \
		--argjson sym "$(perf_rows "$1" dso,sym 1)" \
		--argjson nvmet "$(perf_rows "$1" dso,sym 0.01 --dsos '[nvmet],[nvmet_dda],[nvmet_rdma]')" \
		'{job: $job, variant: $t, by_dso: $dso, top: $sym, nvmet: $nvmet}'
}

# One variant, one round: set up, run every job, tear down. Appends one JSON
# line per job to $work/rounds.jsonl, or with ROUND "profile" runs every job
# under perf and appends its profile to $work/profile.jsonl instead.
bench_round() { # VARIANT ROUND
	local t=$1 r=$2 job name dir opts fdev cmd out place=${1#dda-} bar= k0 k1
	local p0=0 h0=0 p1 h1 staged c0 c1 i0 i1 ipio e0 e1 t0 t1
	TRANSPORT=${t%%-*}
	[ "$place" != "$t" ] || place=host
	transport_load
	[ -z "$insn" ] || insn_syms
	target_no_inline "$NQN" "$dev"
	case "$place" in
	bar)
		bar=$(ivshmem_bdf)
		ddactl provider add "$bar"
		ddactl offload set "$NQN" 1 mode require provider "$bar"
		;;
	cmb) ddactl offload set "$NQN" 1 mode require provider cmb ;;
	esac
	host_connect "$NQN"
	fdev=$(fabric_dev "$NQN" 1)
	for job in "${jobs[@]}"; do
		read -r name dir opts <<<"$job"
		out=$work/$t-$name-$r.json
		if [ "$TRANSPORT" = dda ]; then
			p0=$(p2p_ns "$NQN" 1 p2p_bytes)
			h0=$(p2p_ns "$NQN" 1 host_bytes)
		fi
		# shellcheck disable=SC2086 # opts are words
		cmd="fio --name=$name --filename=$fdev --direct=1 --ioengine=libaio $opts --numjobs=1 --size=$region --time_based --runtime=$runtime --ramp_time=2 --output-format=json"
		echo "bench: round $r, $t, $name"
		if [ "$r" = profile ]; then
			perf record -a -N -q -e cpu-clock -F 999 -o "$out.perf" -- \
				$cmd --output="$out.raw" >"$out.perf.log" 2>&1 || {
				cat "$out.perf.log"
				fail "fio $name over $t under perf failed"
			}
			profile_line "$out.perf" "$t" "$name" >>"$work/profile.jsonl"
			tail -n 1 "$work/profile.jsonl"
			rm -f "$out.perf"
			continue
		fi
		i0=$(fabric_ios "$fdev")
		e0=$(event_snap)
		t0=$(thread_snap)
		[ -z "$insn" ] || insn_snap "$work/insn0"
		k0=$(kernel_ticks)
		c0=$(cpu_ticks)
		$cmd --output="$out.raw" || fail "fio $name over $t failed"
		k1=$(kernel_ticks)
		c1=$(cpu_ticks)
		ipio=null
		[ -z "$insn" ] || insn_snap "$work/insn1"
		t1=$(thread_snap)
		e1=$(event_snap)
		i1=$(fabric_ios "$fdev")
		[ "$i1" -gt "$i0" ] || fail "fio $name over $t: no I/O on $fdev"
		if [ -n "$insn" ]; then
			ipio=$(insn_per_io "$work/insn0" "$work/insn1" $((i1 - i0))) ||
				fail "instruction counts of $name over $t"
		fi
		sed -n '/^{/,$p' "$out.raw" >"$out"
		# Data bytes placed in P2P and in host memory during the job.
		staged=null
		if [ "$TRANSPORT" = dda ]; then
			p1=$(p2p_ns "$NQN" 1 p2p_bytes)
			h1=$(p2p_ns "$NQN" 1 host_bytes)
			staged="{\"p2p\": $((p1 - p0)), \"host\": $((h1 - h0))}"
		fi
		# CPU seconds over the whole job (ramp included) per GiB moved in
		# it: fio's io_bytes leave the ramp out, so scale them to the
		# job's whole time.
		jq -c --arg t "$t" --argjson r "$r" --arg dir "$dir" --arg cmd "$cmd" \
			--argjson ticks $((k1 - k0)) --argjson hz "$hz" --argjson staged "$staged" \
			--argjson busy "$(cpu_busy "$c0" "$c1")" --argjson insn "$ipio" \
			--argjson events "$(events_per_io "$e0" "$e1" "$t0" "$t1" $((i1 - i0)))" \
			--argjson ramp 2 '.jobs[0] as $j | $j[$dir] as $d |
			if $j.error != 0 or $d.io_bytes == 0 then error("fio \($j.jobname) over \($t): error or no I/O") else . end |
			{job: $j.jobname, variant: $t, round: $r, fio_cmd: $cmd,
			 iops: ($d.iops * 10 | round / 10),
			 mib_s: ($d.bw / 1024 * 100 | round / 100),
			 lat_mean_us: ($d.lat_ns.mean / 1000 | round), cpu_busy: $busy,
			 insn_per_io: $insn, events_per_io: $events,
			 cpu_s_per_gib: (($ticks / $hz) /
				($d.io_bytes * (($j.job_runtime / 1000 + $ramp) / ($j.job_runtime / 1000)) / 1073741824)
				* 1000 | round / 1000),
			 dram_fraction: (if $staged == null then null
				elif $staged.p2p + $staged.host == 0 then null
				else $staged.host / ($staged.p2p + $staged.host) * 10000 | round / 10000 end)}' \
			"$out" >>"$work/rounds.jsonl" ||
			fail "fio $name over $t: no result"
		tail -n 1 "$work/rounds.jsonl"
	done
	[ "$TRANSPORT" != dda ] || ddactl stats
	host_disconnect "$NQN"
	nvmet_clear
	[ -z "$bar" ] || ddactl provider del "$bar"
	transport_unload
}

# Round R's order of N variants, as indexes: the first round 0 1 N-1 2
# N-2 ..., every next one the previous plus one, modulo N (Williams).
round_order() { # R N
	local r=$1 n=$2 j
	for ((j = 0; j < n; j++)); do
		if ((j % 2)); then
			echo $((((j + 1) / 2 + r - 1) % n))
		else
			echo $(((n - j / 2 + r - 1) % n))
		fi
	done
}

: >"$work/rounds.jsonl"
for ((r = 1; r <= rounds; r++)); do
	for i in $(round_order "$r" "${#variants[@]}"); do
		bench_round "${variants[i]}" "$r" >&2
	done
done
: >"$work/profile.jsonl"
if [ -n "$profile" ]; then
	for t in "${variants[@]}"; do
		bench_round "$t" profile >&2
	done
fi

# Configuration at scale (issue 5): restore and clear of 1 port, 64
# subsystems, 1024 namespaces through ddactl. Needs null_blk unloaded.
cfg='{"skipped": "BENCH_BACKEND=nullb holds null_blk"}'
if [ "$backend" = ssd ] && [ "${BENCH_CONFIG:-1}" = 1 ]; then
	. "$TOP/tests/vm/bench-config.sh"
	cfg=$(bench_config) || cfg='{"error": "bench_config failed; see the log"}'
fi

unav=$(for t in "${!unavailable[@]}"; do
	jq -n --arg t "$t" --arg why "${unavailable[$t]}" '{($t): $why}'
done | jq -s 'add // {}')
debug=false
[ -r /sys/kernel/debug/kmemleak ] && debug=true

jq -s --arg kernel "$(uname -r)" --arg backend "$backend" --arg device "$dev" \
	--arg date "$(date -u +%FT%TZ)" --argjson runtime "$runtime" --arg region "$region" \
	--argjson rounds "$rounds" --argjson unav "$unav" --argjson cfg "$cfg" \
	--argjson debug "$debug" --slurpfile prof "$work/profile.jsonl" '
	def median: sort | if length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r3: . * 1000 | round / 1000;
	def opt(f): if . == [] then null else f end;
	# An array of objects -> per key the median, 0 where a key is missing.
	def key_medians: . as $o | reduce ([$o[] | keys[]] | unique[]) as $k ({};
		.[$k] = ([$o[] | .[$k] // 0] | median | r3));
	. as $all |
	([$all[] | select(.variant == "upstream") | {key: "\(.job) \(.round)", value: .iops}]
		| from_entries) as $up |
	[group_by([.job, .variant])[] |
		[.[] | $up["\(.job) \(.round)"] as $u | select($u != null and $u > 0) | .iops / $u]
		as $pr | {
		job: .[0].job, variant: .[0].variant, rounds: length,
		iops_median: ([.[].iops] | median | r3),
		iops_min: ([.[].iops] | min), iops_max: ([.[].iops] | max),
		mib_s_median: ([.[].mib_s] | median | r3),
		mib_s_min: ([.[].mib_s] | min), mib_s_max: ([.[].mib_s] | max),
		round_ratio_median: ($pr | opt(median | r3)),
		round_ratio_min: ($pr | opt(min | r3)), round_ratio_max: ($pr | opt(max | r3)),
		cpu_s_per_gib: ([.[].cpu_s_per_gib] | median | r3),
		dram_fraction: (if .[0].dram_fraction == null then null
			else [.[].dram_fraction] | max end),
		events_per_io: ([.[].events_per_io] | key_medians),
		insn_per_io: (if .[0].insn_per_io == null then null else
			[.[].insn_per_io] as $i | {
			user: ([$i[].user] | median | round),
			kernel: ([$i[].kernel] | median | round),
			kernel_min: ([$i[].kernel] | min), kernel_max: ([$i[].kernel] | max),
			modules: ([$i[].modules] | key_medians),
			functions: ([$i[].functions] | key_medians)} end)}] as $sum |
	{kernel: $kernel, debug_kernel: $debug, date: $date,
	 vm: "QEMU TCG, soft-RoCE loopback; host and target in one guest",
	 backend: $backend, device: $device, region: $region, runtime_s: $runtime,
	 rounds: $rounds, unavailable: $unav, config: $cfg,
	 summary: [$sum[] | . as $s |
		([$sum[] | select(.job == $s.job and .variant == "upstream")] | first) as $u |
		$s + {ratio_vs_upstream: (if $u then
			($s.iops_median / $u.iops_median | r3) else null end),
		      insn_ratio_vs_upstream: (if $u.insn_per_io and $s.insn_per_io then
			($s.insn_per_io.kernel / $u.insn_per_io.kernel | r3) else null end)}],
	 profile: $prof, runs: $all}' "$work/rounds.jsonl" >"$DDA_OUT/bench.json"
cat "$DDA_OUT/bench.json"

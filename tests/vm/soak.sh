# SPDX-License-Identifier: GPL-2.0
# Guest side of `make soak`: SOAK_MINUTES of mixed verified I/O over
# nvmet-dda on two namespaces (SSD with P2P, null_blk in host memory) while
# the SSD namespace's offload policy changes every few seconds (mode,
# provider cmb/BAR/auto, min-io, quota). fio logs bandwidth per interval;
# the result, soak.json, has the verify errors (must be 0), kernel reports
# (must be 0) and throughput over time.
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:soak
TRANSPORT=dda
minutes=${SOAK_MINUTES:-30}
secs=$((minutes * 60))
interval=30

trap transport_cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
nb=$(nullb_load 1)
bar=$(ivshmem_bdf)
target_no_inline "$NQN" "$ssd" "$nb"
ddactl provider add "$bar"
ddactl offload set "$NQN" 1 mode prefer provider cmb
host_connect "$NQN"
d1=$(fabric_dev "$NQN" 1)
d2=$(fabric_dev "$NQN" 2)
dmesg --clear

echo "soak: $minutes min of verified randrw on $d1 (P2P, changing policy) and $d2"
fio --output-format=json --output=/tmp/soak.raw \
	--write_bw_log=/tmp/soak --log_unix_epoch=0 --log_avg_msec=$((interval * 1000)) \
	--direct=1 --ioengine=libaio --time_based --runtime="$secs" \
	--verify=crc32c --verify_fatal=1 --verify_backlog=256 --group_reporting \
	--name=ssd-small --filename="$d1" --rw=randrw --bs=4k --iodepth=16 --size=64M \
	--name=ssd-big --filename="$d1" --rw=randrw --bs=128k --iodepth=8 --size=64M --offset=128M \
	--name=nullb --filename="$d2" --rw=randrw --bsrange=4k-256k --iodepth=16 --size=64M \
	>/tmp/soak.out 2>&1 &
fpid=$!

changes=0
declare -a policies=(
	"mode prefer provider cmb min-io 0 max-bytes 0"
	"mode prefer provider $bar"
	"mode off"
	"mode prefer provider auto min-io 16k"
	"mode prefer provider cmb max-bytes 512k"
	"mode require provider cmb max-bytes 0 min-io 0"
)
while kill -0 "$fpid" 2>/dev/null; do
	# shellcheck disable=SC2086 # policy words
	ddactl offload set "$NQN" 1 ${policies[$((changes % ${#policies[@]}))]} >/dev/null
	changes=$((changes + 1))
	sleep 5
done
rc=0
wait "$fpid" || rc=$?
cat /tmp/soak.out | tail -n 20
sed -n '/^{/,$p' /tmp/soak.raw >/tmp/soak.json
errors=$(jq '[.jobs[].error] | add' /tmp/soak.json)
reports=$(dmesg | grep -cE 'BUG:|WARNING:|KASAN:|unreferenced object|possible (recursive |circular )?locking' || true)
ddactl stats
p2p=$(p2p_ns "$NQN" 1 p2p_bytes)
host=$(p2p_ns "$NQN" 1 host_bytes)
# Bandwidth log: "msec, KiB/s, dir, bs, offset" per interval and direction.
cat /tmp/soak_bw.*.log | awk -F', *' -v iv="$interval" '
	{ t = int($1 / 1000 / iv + 0.5) * iv; kib[t] += $2; n[t]++ }
	END { for (t in kib) printf "%d %.1f\n", t, kib[t] / 1024 }' | sort -n |
	jq -R -s '
		split("\n") | map(select(length > 0) | split(" ") |
			{t_s: (.[0] | tonumber), mib_s: (.[1] | tonumber)})' >/tmp/soak-iv.json
jq -n --argjson minutes "$minutes" --argjson errors "$errors" --argjson reports "$reports" \
	--argjson changes "$changes" --argjson p2p "$p2p" --argjson host "$host" \
	--argjson fio_rc "$rc" --slurpfile iv /tmp/soak-iv.json --slurpfile f /tmp/soak.json '
	{minutes: $minutes, errors: $errors, fio_exit: $fio_rc, kernel_reports: $reports,
	 policy_changes: $changes,
	 p2p_percent_ssd: (if $p2p + $host > 0 then ($p2p * 1000 / ($p2p + $host) | round / 10) else 0 end),
	 total_iops: ([$f[0].jobs[] | .read.iops + .write.iops] | add | round),
	 total_mib_s: ([$f[0].jobs[] | .read.bw + .write.bw] | add / 1024 * 10 | round / 10),
	 intervals: $iv[0]}' >"$DDA_OUT/soak.json"
cat "$DDA_OUT/soak.json"
[ "$errors" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$reports" -eq 0 ] || fail "soak: errors $errors, fio exit $rc, kernel reports $reports"
host_disconnect "$NQN"
ddactl offload del "$NQN" 1
ddactl provider del "$bar"

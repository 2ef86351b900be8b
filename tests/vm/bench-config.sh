# SPDX-License-Identifier: GPL-2.0
# Guest side of a configuration benchmark, sourced by the guest bench
# (which has sourced lib.sh and has ddactl on PATH): bench_config times
# `ddactl config restore` of 1 port, 64 subsystems and 1024 namespaces and
# the matching `ddactl config clear`, and prints one JSON object on stdout:
#   {"restore_s": S, "clear_s": S, "subsystems": 64, "namespaces": 1024,
#    "cmd": "...", "backing": "...", "port": "..."}
# Progress goes to stderr. The namespaces are bio-based null_blk devices
# (no memory behind them, created in one modprobe); the port is a loop
# port, so no RDMA link is needed. The target must be empty and null_blk
# not loaded; the function leaves both as it found them.

bench_config() {
	local nsub=64 nns=1024 per file=/tmp/bench-config.json t0 t1 t2 n loaded_loop=
	per=$((nns / nsub))
	if grep -q '^null_blk ' /proc/modules; then
		echo "bench_config: null_blk is already loaded; unload it first (modprobe -r null_blk)" >&2
		return 1
	fi
	modprobe nvmet
	if ! grep -q '^nvme_loop ' /proc/modules; then
		modprobe nvme-loop
		loaded_loop=1
	fi
	if [ -n "$(ls -A "$NVMET_CFS/subsystems" "$NVMET_CFS/ports" 2>/dev/null | grep -v ':$' | grep -v '^$')" ]; then
		echo "bench_config: the target is already configured; clear it first" >&2
		return 1
	fi

	echo "bench_config: $nns null_blk devices" >&2
	modprobe null_blk nr_devices="$nns" queue_mode=0 gb=1 ||
		{ echo "bench_config: cannot load null_blk" >&2; return 1; }
	wait_for 60 test -b "/dev/nullb$((nns - 1))" ||
		{ echo "bench_config: no /dev/nullb$((nns - 1))" >&2; modprobe -r null_blk; return 1; }

	echo "bench_config: writing $file" >&2
	jq -n --argjson nsub "$nsub" --argjson per "$per" '
		def nqn($s): "nqn.2026-11.io.nvmet-dda:bench-cfg-\($s | tostring | if length < 2 then "0" + . else . end)";
		{hosts: [],
		 ports: [{portid: 1, addr: {trtype: "loop"}, param: {},
			  subsystems: [range($nsub) | nqn(.)], referrals: [], ana_groups: []}],
		 subsystems: [range($nsub) as $s | {
			nqn: nqn($s), attr: {allow_any_host: "1"}, allowed_hosts: [],
			namespaces: [range($per) as $n | {
				nsid: ($n + 1), enable: 1,
				device: {path: "/dev/nullb\($s * $per + $n)"}}]}]}' >"$file"

	echo "bench_config: ddactl config restore $file" >&2
	t0=$(date +%s.%N)
	ddactl config restore "$file" >&2 || { echo "bench_config: restore failed" >&2; ddactl config clear >&2 || true; modprobe -r null_blk; return 1; }
	t1=$(date +%s.%N)
	n=$(ls -d "$NVMET_CFS"/subsystems/*/namespaces/* | wc -l)
	if [ "$n" -ne "$nns" ] || [ "$(cat "$NVMET_CFS"/subsystems/*/namespaces/*/enable | grep -c 1)" -ne "$nns" ]; then
		echo "bench_config: $n namespaces after restore, want $nns enabled" >&2
		ddactl config clear >&2 || true
		modprobe -r null_blk
		return 1
	fi
	echo "bench_config: ddactl config clear" >&2
	ddactl config clear >&2 || { echo "bench_config: clear failed" >&2; return 1; }
	t2=$(date +%s.%N)

	modprobe -r null_blk
	[ -n "$loaded_loop" ] && modprobe -r nvme-loop 2>/dev/null
	rm -f "$file"
	jq -n --argjson r "$(awk "BEGIN { printf \"%.6f\", $t1 - $t0 }")" \
		--argjson c "$(awk "BEGIN { printf \"%.6f\", $t2 - $t1 }")" \
		--argjson nsub "$nsub" --argjson nns "$nns" --arg file "$file" \
		'{restore_s: ($r * 1000 | round / 1000), clear_s: ($c * 1000 | round / 1000),
		  subsystems: $nsub, namespaces: $nns,
		  cmd: "ddactl config restore \($file); ddactl config clear",
		  backing: "null_blk nr_devices=\($nns) queue_mode=0 gb=1", port: "loop"}'
}

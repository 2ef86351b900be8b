# SPDX-License-Identifier: GPL-2.0
# Offload policy on the CMB: prefer with a tiny quota loses nothing and
# counts quota fallbacks; require with a tiny quota fails I/O cleanly and
# counts it; min-io keeps small I/O in host memory; a port default applies;
# a file-backed namespace is refused; policy changes under verified load.
# timeout: 600
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:p2ppol
TRANSPORT=dda

trap transport_cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
file=$(tmpfs_file p2ppol 64)
target_no_inline "$NQN" "$ssd" "$file"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
declare -A s0 s1
delta() { echo $((s1[$1] - s0[$1])); }

step "prefer, max-bytes 8k: every byte verified, quota fallbacks counted"
ddactl offload set "$NQN" 1 mode prefer provider cmb max-bytes 8k
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 4k 16 2 1M pol-quota
p2p_snap s1 "$NQN" 1
echo "p2p $(delta p2p_ios) host $(delta host_ios) quota $(delta fb_quota)"
[ "$(delta fb_quota)" -gt 0 ] || fail "no quota fallback at QD16 with an 8k quota"
[ "$(delta p2p_ios)" -gt 0 ] || fail "no P2P I/O within the quota"
expect_eq "ios accounted" "$(($(delta p2p_ios) + $(delta host_ios)))" "$(fio_ios pol-quota)"
expect_eq "bytes accounted" "$(($(delta p2p_bytes) + $(delta host_bytes)))" "$(fio_bytes pol-quota)"
expect_eq "host ios are the quota fallbacks" "$(delta host_ios)" "$(delta fb_quota)"
[ "${s1[outstanding_hwm]}" -le 8192 ] || fail "outstanding high-water ${s1[outstanding_hwm]} above the 8k quota"

step "require, max-bytes 8k: I/O beyond the quota fails cleanly"
ddactl offload set "$NQN" 1 mode require
p2p_snap s0 "$NQN" 1
rc=0
fio --name=pol-require --filename="$dev" --direct=1 --ioengine=libaio \
	--rw=randwrite --bs=4k --iodepth=32 --size=1M --offset=32M \
	--output-format=json --output=/tmp/pol-require.raw || rc=$?
p2p_snap s1 "$NQN" 1
sed -n '/^{/,$p' /tmp/pol-require.raw >/tmp/pol-require.json
ferr=$(jq '[.jobs[].error] | max' /tmp/pol-require.json)
echo "fio exit $rc, job error $ferr; require_failed $(delta require_failed), p2p $(delta p2p_ios)"
[ "$rc" -ne 0 ] || [ "$ferr" -ne 0 ] || fail "fio saw no error under require with an 8k quota"
[ "$(delta require_failed)" -gt 0 ] || fail "require_failed did not count"
expect_eq "host ios under require" "$(delta host_ios)" 0
dmesg | grep -E "nvme.*(Internal Error|critical target error|I/O.*error)" | tail -n 3 || true
step "the same range is fine once the quota is lifted"
ddactl offload set "$NQN" 1 max-bytes 0
run_fio "$dev" randwrite 4k 32 1 1M pol-after

step "min-io 64k: small I/O stays in host memory"
ddactl offload set "$NQN" 1 mode prefer min-io 64k
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 4k 8 1 512k pol-small
run_fio "$dev" randrw 128k 8 1 4M pol-big
p2p_snap s1 "$NQN" 1
expect_eq "too-small fallbacks" "$(delta fb_too_small)" "$(fio_ios pol-small)"
expect_eq "p2p ios" "$(delta p2p_ios)" "$(fio_ios pol-big)"

step "a port default applies to namespaces without a rule"
ddactl offload del "$NQN" 1
ddactl offload set port 1 mode prefer provider auto
ddactl offload show
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 64k 8 1 2M pol-port
p2p_snap s1 "$NQN" 1
expect_eq "p2p ios via port rule" "$(delta p2p_ios)" "$(fio_ios pol-port)"
ddactl offload del port 1
p2p_snap s0 "$NQN" 1
run_fio "$dev" randrw 64k 8 1 1M pol-off
p2p_snap s1 "$NQN" 1
expect_eq "policy-off fallbacks" "$(delta fb_policy_off)" "$(fio_ios pol-off)"

step "a file-backed namespace cannot take P2P"
rc=0
err=$(ddactl offload set "$NQN" 2 mode require 2>&1) || rc=$?
echo "exit $rc: $err"
[ "$rc" -ne 0 ] || fail "offload on a file-backed namespace accepted"
grep -q "cannot do P2PDMA" <<<"$err" || fail "message lacks the reason: $err"
[ "$(ddactl -j offload show "$NQN" 2 2>/dev/null | jq 'length' 2>/dev/null || echo 0)" = 0 ] ||
	fail "the refused rule exists"

step "policy changes under verified load"
ddactl offload set "$NQN" 1 mode prefer provider cmb
run_fio "$dev" randrw 64k 16 2 16M pol-churn &
fpid=$!
changes=0
while kill -0 "$fpid" 2>/dev/null; do
	case $((changes % 4)) in
	0) ddactl offload set "$NQN" 1 mode off ;;
	1) ddactl offload set "$NQN" 1 mode prefer provider auto min-io 16k ;;
	2) ddactl offload set "$NQN" 1 provider cmb min-io 0 max-bytes 256k ;;
	3) ddactl offload set "$NQN" 1 mode prefer max-bytes 0 ;;
	esac
	changes=$((changes + 1))
	nap 0.3
done
wait "$fpid" || fail "verified fio failed while the policy changed"
echo "$changes policy changes under load"
[ "$changes" -ge 4 ] || fail "only $changes policy changes happened under load"

host_disconnect "$NQN"

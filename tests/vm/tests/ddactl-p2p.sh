# SPDX-License-Identifier: GPL-2.0
# ddactl's netlink verbs against the real module: provider show/add/del (the
# ivshmem BAR, the SSD's CMB), offload show/set/del for a namespace and a
# port, stats and stats -w, monitor on a pool that runs dry, status, doctor,
# and a config save/clear/restore round trip with a provider and two rules.
# timeout: 420
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:p2pcli
TRANSPORT=dda
SAVED=/tmp/ddactl-p2p-saved.json

cleanup() {
	[ -n "${mpid:-}" ] && kill "$mpid" 2>/dev/null
	host_disconnect_all
	ddactl config clear >/dev/null 2>&1 || true
	transport_cleanup
	rm -f "$SAVED" /tmp/ddactl-p2p-*
}
trap cleanup EXIT

# expect_rc CODE CMD...: CMD exits with CODE; its stderr is in $err.
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" >/tmp/ddactl-p2p-out 2>/tmp/ddactl-p2p-err || rc=$?
	err=$(cat /tmp/ddactl-p2p-err)
	[ "$rc" -eq "$want" ] || fail "$*: exit $rc, want $want; stderr: $err"
	echo "exit $rc as expected: $*"
	[ -z "$err" ] || echo "  $err"
}

# Providers of kind bar, as "ADDRESS SIZE" lines.
bar_providers() {
	ddactl -j provider show | jq -r '.[] | select(.kind == "bar") | "\(.provider) \(.size)"'
}

transport_load
rxe_up
ssd=$(local_ssd)
cmb=$(ssd_bdf)
bar=$(ivshmem_bdf)
echo "SSD $ssd ($cmb), ivshmem $bar"

step "provider show: the SSD's CMB, published by nvme-pci"
ddactl provider
expect_eq "cmb kind" "$(p2p_prov "$cmb" kind)" cmb
expect_rc 3 ddactl provider show 0000:7f:1f.7
expect_rc 5 ddactl provider del "$cmb"
grep -q "a CMB belongs to its driver" <<<"$err" || fail "CMB del message: $err"

step "provider add / show / del: the ivshmem BAR"
ddactl provider add "$bar" bar 2 size 4M
expect_eq "bar providers" "$(bar_providers)" "$bar 4194304"
expect_eq "bar number" "$(p2p_prov "$bar" bar)" 2
expect_eq "offset" "$(p2p_prov "$bar" offset)" 0
ddactl provider del "$bar"
expect_eq "no bar providers" "$(bar_providers)" ""
expect_rc 3 ddactl provider del "$bar"
ddactl provider add "$bar" bar 2 offset 2M size 8M
expect_eq "bar provider again" "$(bar_providers)" "$bar 8388608"
expect_eq "offset" "$(p2p_prov "$bar" offset)" 2097152

step "target: $NQN on $ssd, port 1"
target_setup "$NQN" 1 "$ssd"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)

step "offload set / show / del: a namespace and a port"
ddactl offload set "$NQN" 1 mode require provider "$bar" min-io 4K max-bytes 64M
ddactl offload set port 1 mode prefer provider cmb
ddactl offload
expect_eq "rules" "$(ddactl -j offload show | jq length)" 2
expect_eq "namespace rule" \
	"$(ddactl -j offload show "$NQN" 1 | jq -c '.[0] | [.mode, .provider, .min_io, .max_bytes]')" \
	"[\"require\",\"$bar\",4096,67108864]"
expect_eq "port rule" "$(ddactl -j offload show port 1 | jq -c '.[0] | [.portid, .mode, .provider]')" \
	'[1,"prefer","cmb"]'
expect_eq "subsystem's rules" "$(ddactl -j offload show "$NQN" | jq length)" 1
ddactl offload del port 1
expect_rc 3 ddactl offload show port 1
expect_rc 3 ddactl offload del port 1
ddactl offload set port 1 mode prefer provider cmb

step "I/O through the BAR: stats and stats -w"
run_fio "$dev" randwrite 64k 8 1 4M p2pcli
ddactl stats
p2p=$(p2p_ns "$NQN" 1 p2p_bytes)
[ "$p2p" -gt 0 ] || fail "no P2P bytes after fio with mode require"
expect_eq "provider p2p_bytes" "$(p2p_prov "$bar" p2p_bytes)" "$p2p"
ddactl stats -w 1 -c 2
expect_eq "stats -w interval" "$(ddactl -j stats -w 1 -c 1 | jq .interval)" 1
expect_eq "stats -w namespace" "$(ddactl -j stats -w 1 -c 1 | jq -r '.namespaces[0].subsys')" "$NQN"

step "monitor -c 1: a 2 MiB pool runs dry"
ddactl offload set "$NQN" 1 mode prefer max-bytes 0
ddactl provider del "$bar"
ddactl provider add "$bar" bar 2 size 2M
ddactl -j monitor -c 1 >/tmp/ddactl-p2p-event.json &
mpid=$!
nap 2
# 32 commands of 512 KiB against 2 MiB; a slow guest may still drain it in
# time, so try a few rounds before calling the event missing.
for try in 1 2 3; do
	run_fio "$dev" randrw 512k 16 2 16M "p2pcli-dry$try"
	wait_for 2 test -s /tmp/ddactl-p2p-event.json && break
done
ddactl stats show "$NQN" 1
wait_for 10 test -s /tmp/ddactl-p2p-event.json || fail "no pool-dry event"
wait "$mpid" || fail "ddactl monitor failed"
mpid=
cat /tmp/ddactl-p2p-event.json
expect_eq "event" "$(jq -r .event /tmp/ddactl-p2p-event.json)" pool_dry
expect_eq "event provider" "$(jq -r .provider /tmp/ddactl-p2p-event.json)" "$bar"
ddactl provider del "$bar"
ddactl provider add "$bar" bar 2 offset 2M size 8M
ddactl offload set "$NQN" 1 mode require provider "$bar" max-bytes 64M

step "status"
ddactl status
ddactl -j status >/tmp/ddactl-p2p-status.json
expect_eq "status module" "$(jq -c '.module | [.loaded, .p2pdma]' /tmp/ddactl-p2p-status.json)" \
	'[true,true]'
expect_eq "status providers" \
	"$(jq -r '[.providers[].provider] | sort | join(" ")' /tmp/ddactl-p2p-status.json)" \
	"$(printf '%s\n' "$cmb" "$bar" | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "status port" "$(jq -c '.ports[0] | [.portid, .subsystems]' /tmp/ddactl-p2p-status.json)" \
	"[1,[\"$NQN\"]]"
expect_eq "status namespace" \
	"$(jq -c '.namespaces[0] | [.nsid, .path, .enable, .mode, .provider, .rule]' /tmp/ddactl-p2p-status.json)" \
	"[1,\"$ssd\",true,\"require\",\"$bar\",\"namespace\"]"

step "doctor: P2P can work here"
ddactl doctor || fail "ddactl doctor says P2P cannot work in the VM"
ddactl -j doctor >/tmp/ddactl-p2p-doctor.json
expect_eq "doctor errors" "$(jq '[.[] | select(.severity == "error")] | length' /tmp/ddactl-p2p-doctor.json)" 0
expect_eq "doctor CMB" "$(jq -r --arg c "$cmb" '.[] | select(.id == "cmb" and .object == $c) | .severity' /tmp/ddactl-p2p-doctor.json)" ok
jq -e --arg b "$bar" --arg c "$cmb" '.[] | select(.id == "providers") | .message |
	contains($b) and contains($c)' /tmp/ddactl-p2p-doctor.json >/dev/null ||
	fail "doctor does not list both providers"
expect_eq "doctor path" "$(jq -r --arg o "$cmb $bar" '.[] | select(.id == "path" and .object == $o) | .severity' /tmp/ddactl-p2p-doctor.json)" ok

step "config save / clear / restore / save: identical bytes, with the P2P section"
ddactl config save "$SAVED"
jq .nvmet_dda "$SAVED"
expect_eq "saved providers" "$(jq -c '.nvmet_dda.providers' "$SAVED")" \
	"[{\"address\":\"$bar\",\"bar\":2,\"offset\":2097152,\"size\":8388608}]"
expect_eq "saved rules" "$(jq -c '[.nvmet_dda.offload[] | [.portid, .subsys, .mode, .provider]]' "$SAVED")" \
	"[[1,null,\"prefer\",\"cmb\"],[null,\"$NQN\",\"require\",\"$bar\"]]"
cmp "$SAVED" <(ddactl config save -) || fail "save to a file and to stdout differ"
host_disconnect "$NQN"
expect_rc 4 ddactl config restore "$SAVED"
ddactl config clear
expect_eq "rules after clear" "$(ddactl -j offload show | jq length)" 0
expect_eq "bar providers after clear" "$(bar_providers)" ""
expect_eq "CMB after clear" "$(p2p_prov "$cmb" kind)" cmb
[ -z "$(ls -A "$NVMET_CFS/subsystems")" ] && [ -z "$(ls -A "$NVMET_CFS/ports")" ] ||
	fail "configfs not empty after clear"
ddactl config restore "$SAVED"
ddactl config save /tmp/ddactl-p2p-second.json
cmp "$SAVED" /tmp/ddactl-p2p-second.json || {
	diff -u "$SAVED" /tmp/ddactl-p2p-second.json || true
	fail "save -> clear -> restore -> save differs"
}
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
run_fio "$dev" randwrite 64k 8 1 2M p2pcli-restored
[ "$(p2p_prov "$bar" p2p_bytes)" -gt 0 ] || fail "restored rule does not place I/O in $bar"
host_disconnect "$NQN"

step "restore over an identical provider: skipped with a warning"
ddactl offload del "$NQN" 1
ddactl offload del port 1
nvmet_clear
expect_rc 0 ddactl config restore "$SAVED"
grep -qF "an identical provider already exists" <<<"$err" || fail "no skip warning: $err"
ddactl config clear
expect_eq "bar providers at the end" "$(bar_providers)" ""
echo "ddactl p2p: all verbs ok"

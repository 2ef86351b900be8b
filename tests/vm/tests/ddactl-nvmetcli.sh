# SPDX-License-Identifier: GPL-2.0
# nvmetcli's own example configurations (tests/data/nvmetcli/, see
# ORIGIN.md) against the kernel's configfs. loop.json, rdma.json and
# tcp.json, with the device path and the address rewritten to the guest's,
# restore; `ddactl config save` then holds every field of the file with the
# same value and type; the saved file restores onto a cleared target and
# saves the same again. fc.json asks for an FC port this kernel cannot
# serve, and a tcp.json asking for protection information a kernel without
# block integrity cannot give: each restore fails and the target is as it
# was.
# timeout: 420
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

TRANSPORT=dda
DATA=$TOP/tests/data/nvmetcli

cleanup() {
	ddactl config clear >/dev/null 2>&1 || true
	nvmet_clear
	modprobe -r nvme-loop nvmet-tcp 2>/dev/null || true
	transport_cleanup
}
trap cleanup EXIT
transport_load
rxe_up
mapfile -t nullb < <(nullb_load 1)

# sub: every field of the input is in $b, with the same value and type
# (arrays in the same order and of the same length).
SUBSET='def sub($b):
	if type == "object" then
		($b | type) == "object" and
		([to_entries[] | .key as $k | .value | sub($b[$k])] | all)
	elif type == "array" then
		($b | type) == "array" and length == ($b | length) and
		([range(length) as $i | .[$i] | sub($b[$i])] | all)
	else . == $b end;
sub($saved[0])'

for f in loop rdma tcp; do
	step "nvmetcli's $f.json: restore, save, nothing lost"
	jq --arg dev "${nullb[0]}" --arg addr "$DDA_ADDR4" '
		(.subsystems[].namespaces[].device.path) = $dev |
		(.ports[] | select(.addr.trtype != "loop") | .addr.traddr) = $addr' \
		"$DATA/$f.json" >"/tmp/nvmetcli-$f.json"
	ddactl config restore "/tmp/nvmetcli-$f.json"
	ddactl config save "/tmp/saved-$f.json"
	# pi_enable exists only in kernels with block integrity (the test
	# kernel has none): "0" there is what the kernel does anyway, so the
	# restore takes it and the save cannot show it; "1" is refused below.
	if [ ! -e "$NVMET_CFS/ports/$(jq '.ports[0].portid' "/tmp/nvmetcli-$f.json")/param_pi_enable" ]; then
		jq 'del(.ports[].param.pi_enable, .subsystems[].attr.pi_enable)' \
			"/tmp/nvmetcli-$f.json" >/tmp/nvmetcli-pi.json
		mv /tmp/nvmetcli-pi.json "/tmp/nvmetcli-$f.json"
		no_pi=1
	fi
	if ! jq -e --slurpfile saved "/tmp/saved-$f.json" "$SUBSET" \
		"/tmp/nvmetcli-$f.json" >/dev/null; then
		jq -S . "/tmp/nvmetcli-$f.json" >/tmp/want.json
		jq -S 'del(.nvmet_dda)' "/tmp/saved-$f.json" >/tmp/got.json
		diff -u /tmp/want.json /tmp/got.json || true
		fail "$f.json: the saved configuration lost or changed a field"
	fi
	step "$f.json: what ddactl saved restores to the same"
	ddactl config clear
	ddactl config restore "/tmp/saved-$f.json"
	ddactl config save "/tmp/again-$f.json"
	cmp "/tmp/saved-$f.json" "/tmp/again-$f.json" ||
		fail "$f.json: a second save differs from the first"
	ddactl config clear
done

before=$(ddactl config save -)
if [ -n "${no_pi:-}" ]; then
	step "tcp.json with pi_enable 1: this kernel has no integrity, refused, nothing applied"
	jq '.ports[0].param.pi_enable = "1"' /tmp/nvmetcli-tcp.json >/tmp/nvmetcli-pi1.json
	rc=0
	ddactl config restore /tmp/nvmetcli-pi1.json 2>/tmp/pi1.err || rc=$?
	cat /tmp/pi1.err
	[ "$rc" -ne 0 ] || fail "pi_enable 1 restored on a kernel without it"
	expect_eq "configuration after the refused restore" "$(ddactl config save -)" "$before"
fi

step "nvmetcli's fc.json: no FC transport here, refused, nothing applied"
rc=0
ddactl config restore "$DATA/fc.json" 2>/tmp/fc.err || rc=$?
cat /tmp/fc.err
[ "$rc" -ne 0 ] || fail "fc.json restored without an FC transport"
expect_eq "configuration after the refused restore" "$(ddactl config save -)" "$before"

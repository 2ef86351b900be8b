# SPDX-License-Identifier: GPL-2.0
# ddactl's configfs commands against the real nvmet configfs: every verb of
# port, subsys, host, ns and config; bad input changes nothing; save, clear,
# restore, save gives the same bytes; an nvmetcli-style file restores.
# timeout: 600
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

SUB1=nqn.2026-11.io.nvmet-dda:cfs1
SUB2=nqn.2026-11.io.nvmet-dda:cfs2
HOST2=nqn.2026-11.io.example:host2
IMG=/tmp/ddactl-cfs.img
SAMPLE=/tmp/handwritten-sample.json
SAVED=/tmp/ddactl-saved.json

cleanup() {
	ddactl config clear >/dev/null 2>&1 || true
	nvmet_clear
	[ -n "${LOOPDEV:-}" ] && losetup -d "$LOOPDEV"
	rxe_down
	modprobe -r nvme-rdma nvme-loop nvmet-dda nvmet-rdma nvmet 2>/dev/null || true
	rm -f "$IMG" "$SAMPLE" "$SAVED" /tmp/ddactl-*.json /tmp/ddactl-nobody
}
trap cleanup EXIT
# nvmet-dda serves trtype rdma here (and its netlink family is in every
# save); without it an rdma port would pull in nvmet-rdma by alias.
modprobe nvmet-dda

# expect_rc CODE CMD...: CMD exits with CODE; its stderr is in $err.
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" >/tmp/ddactl-out 2>/tmp/ddactl-err || rc=$?
	err=$(cat /tmp/ddactl-err)
	[ "$rc" -eq "$want" ] || fail "$*: exit $rc, want $want; stderr: $err"
	echo "exit $rc as expected: $*"
	[ -z "$err" ] || echo "  $err"
}

# expect_err CODE TEXT CMD...: like expect_rc, and stderr contains TEXT.
expect_err() {
	local want=$1 text=$2
	shift 2
	expect_rc "$want" "$@"
	grep -qF -- "$text" <<<"$err" || fail "$*: stderr lacks '$text': $err"
}

state() {
	ddactl config save -
}

cfs() { # PATH: an attribute's value, as ddactl reads it
	sed -e 's/[[:space:]]*$//' "$NVMET_CFS/$1"
}

ssd=$(local_ssd)
modprobe nvmet
# An empty target as saved. nvmet-dda is loaded (below), so every save has
# its P2P section; kernels with a settable discovery NQN (discovery_nqn,
# Linux 6.6 and later, e.g. 6.12) have it, at the well-known NQN.
disc='{}'
[ ! -e "$NVMET_CFS/discovery_nqn" ] ||
	disc=$(printf '{\n    "nqn": "nqn.2014-08.org.nvmexpress.discovery"\n  }')
EMPTY=$(printf '{\n  "discovery": %s,\n  "hosts": [],\n  "nvmet_dda": {\n    "offload": [],\n    "providers": []\n  },\n  "ports": [],\n  "subsystems": []\n}' "$disc")
modprobe nvme-loop	# the loop transport (target side)
modprobe nvme-rdma
rxe_up
truncate -s 64M "$IMG"
# nvmet opens files with O_DIRECT, which tmpfs lacks: serve the image
# through a loop device.
LOOPDEV=$(losetup -f --show "$IMG")

step "an empty target"
expect_eq "empty save" "$(state)" "$EMPTY"
expect_eq "no ports" "$(ddactl port)" ""
expect_eq "no ports, JSON" "$(ddactl -j port list)" "[]"

step "subsys add / show / set"
ddactl subsys add "$SUB1" --serial DDA0001 --model "nvmet-dda cfs"
ddactl subsys add "$SUB2" --allow-any-host 1
expect_eq "serial" "$(cfs "subsystems/$SUB1/attr_serial")" DDA0001
expect_eq "model" "$(cfs "subsystems/$SUB1/attr_model")" "nvmet-dda cfs"
expect_eq "allow_any_host" "$(cfs "subsystems/$SUB2/attr_allow_any_host")" 1
ddactl subsys
ddactl subsys show "$SUB1" | grep -qF "subsys $SUB1 allow_any_host no serial DDA0001" ||
	fail "subsys show: $(ddactl subsys show "$SUB1")"
expect_eq "subsys -j" "$(ddactl -j subsys show "$SUB2" | jq -c '.[0] | [.nqn, .allow_any_host]')" \
	"[\"$SUB2\",true]"
ddactl subsys set "$SUB2" --model m2
expect_eq "model set" "$(cfs "subsystems/$SUB2/attr_model")" m2

step "ns add / show / set / enable / disable"
expect_eq "ns add prints the NSID" "$(ddactl ns add "$SUB1" --path "$ssd")" "ns 1 subsys $SUB1"
ddactl ns add "$SUB1" 5 --path "$IMG" --no-enable --uuid 6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda5 \
	--nguid 00112233445566778899aabbccddeeff
expect_eq "ns 1 enabled" "$(cfs "subsystems/$SUB1/namespaces/1/enable")" 1
expect_eq "ns 1 path" "$(cfs "subsystems/$SUB1/namespaces/1/device_path")" "$ssd"
expect_eq "ns 5 disabled" "$(cfs "subsystems/$SUB1/namespaces/5/enable")" 0
expect_eq "ns 5 uuid" "$(cfs "subsystems/$SUB1/namespaces/5/device_uuid")" \
	6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda5
expect_eq "ns 5 nguid" "$(cfs "subsystems/$SUB1/namespaces/5/device_nguid")" \
	00112233-4455-6677-8899-aabbccddeeff
ddactl ns
expect_eq "ns -j" "$(ddactl -j ns show "$SUB1" | jq -c '[.[] | [.nsid, .enable]]')" \
	'[[1,true],[5,false]]'
expect_eq "ns add -j, lowest free NSID" \
	"$(ddactl -j ns add "$SUB2" --path "$LOOPDEV" | jq -c '.[0].nsid')" 1
ddactl ns set "$SUB1" 5 --path "$ssd"
expect_eq "ns 5 new path" "$(cfs "subsystems/$SUB1/namespaces/5/device_path")" "$ssd"
ddactl ns enable "$SUB1" 5
expect_eq "ns 5 enabled" "$(cfs "subsystems/$SUB1/namespaces/5/enable")" 1
expect_err 4 "disable it first" ddactl ns set "$SUB1" 5 --path "$IMG"
ddactl ns disable "$SUB1" 5
expect_eq "ns 5 disabled again" "$(cfs "subsystems/$SUB1/namespaces/5/enable")" 0
ddactl ns del "$SUB1" 5
[ ! -e "$NVMET_CFS/subsystems/$SUB1/namespaces/5" ] || fail "ns 5 still there"

step "host allow / show / deny"
ddactl host allow "$SUB1" "$HOSTNQN"
ddactl host allow "$SUB1" "$HOST2"
[ -L "$NVMET_CFS/subsystems/$SUB1/allowed_hosts/$HOSTNQN" ] || fail "no allowed_hosts link"
[ -d "$NVMET_CFS/hosts/$HOST2" ] || fail "no host entry for $HOST2"
ddactl host
expect_eq "host -j" "$(ddactl -j host show "$HOST2" | jq -c '.[0].subsystems')" "[\"$SUB1\"]"
expect_err 1 "allows any host" ddactl host allow "$SUB2" "$HOSTNQN"
ddactl host deny "$SUB1" "$HOST2"
[ ! -e "$NVMET_CFS/hosts/$HOST2" ] || fail "host entry $HOST2 survived its last link"

step "port add / show / set / link"
ddactl port add 1 --trtype rdma --traddr "$DDA_ADDR4"
ddactl port add 2 --trtype loop
ddactl port add 3 --trtype tcp --traddr "$DDA_ADDR6" --trsvcid 4430 --inline-data-size 8192
expect_eq "port 1 adrfam" "$(cfs ports/1/addr_adrfam)" ipv4
expect_eq "port 1 trsvcid" "$(cfs ports/1/addr_trsvcid)" 4420
expect_eq "port 3 adrfam" "$(cfs ports/3/addr_adrfam)" ipv6
expect_eq "port 3 inline" "$(cfs ports/3/param_inline_data_size)" 8192
ddactl port set 3 --trsvcid 4431 --treq "not required"
expect_eq "port 3 trsvcid" "$(cfs ports/3/addr_trsvcid)" 4431
expect_eq "port 3 treq" "$(cfs ports/3/addr_treq)" "not required"
ddactl port link 1 "$SUB1"
ddactl port link 2 "$SUB2"
[ -L "$NVMET_CFS/ports/1/subsystems/$SUB1" ] || fail "no port link"
ddactl port
ddactl -d port show 3
expect_eq "port -j" "$(ddactl -j port show 1 | jq -c '.[0] | [.portid, .trtype, .traddr, .subsystems]')" \
	"[1,\"rdma\",\"$DDA_ADDR4\",[\"$SUB1\"]]"
expect_eq "subsys ports" "$(ddactl -j subsys show "$SUB1" | jq -c '.[0].ports')" "[1]"

step "the port serves: discovery over soft-RoCE"
disc=$(nvme discover -t rdma -a "$DDA_ADDR4" -s 4420 --hostnqn="$HOSTNQN" --hostid="$HOSTID")
grep -q "subnqn: *$SUB1" <<<"$disc" || fail "discovery log lacks $SUB1: $disc"

step "busy: the kernel's rules, and ddactl's"
# The raw kernel ABI refuses these too.
rmdir "$NVMET_CFS/subsystems/$SUB1" 2>/dev/null && fail "kernel removed a linked subsystem"
echo 4499 >"$NVMET_CFS/ports/1/addr_trsvcid" 2>/dev/null && fail "kernel changed an enabled port"
expect_err 4 "unlink its subsystems first" ddactl port set 1 --trsvcid 4499
expect_err 4 "use --force" ddactl port del 1
expect_err 4 "is linked to port 1" ddactl subsys del "$SUB1"

step "bad input changes nothing"
before=$(state)
expect_err 2 "not a name the kernel accepts" ddactl subsys add nqn.2026-11.io.example:a/b
expect_err 2 "the NVMe limit is 223" ddactl subsys add "nqn.2026-11.io.example:$(printf 'x%.0s' $(seq 1 210))"
expect_err 1 "already exists" ddactl subsys add "$SUB1"
expect_err 2 "from 0 to 65535" ddactl port add 65536 --trtype tcp --traddr "$DDA_ADDR4"
expect_err 2 "unknown transport type" ddactl port add 9 --trtype udp
expect_err 2 "is not an IPv4 address" ddactl port add 9 --trtype tcp --adrfam ipv4 --traddr "$DDA_ADDR6"
expect_err 2 "is not a port number" ddactl port add 9 --trtype rdma --traddr "$DDA_ADDR4" --trsvcid nvme
expect_err 2 "from 1 to 4294967294" ddactl ns add "$SUB1" 0 --path "$IMG"
expect_err 2 "from 1 to 4294967294" ddactl ns add "$SUB1" 0xffffffff --path "$IMG"
expect_err 3 "does not exist" ddactl ns add "$SUB1" --path /dev/no-such-disk
expect_err 2 "is not a UUID" ddactl ns add "$SUB1" --path "$IMG" --uuid nope
expect_err 3 "does not exist" ddactl port del 9
expect_err 3 "does not exist" ddactl subsys del nqn.2026-11.io.example:none
expect_err 3 "does not exist" ddactl ns del "$SUB1" 9
expect_err 3 "does not allow host" ddactl host deny "$SUB1" "$HOST2"
expect_err 2 "" ddactl port bogus
expect_eq "state after bad input" "$(state)" "$before"

step "changing configfs needs root"
cp "$(command -v ddactl)" /tmp/ddactl-nobody
chmod 755 /tmp/ddactl-nobody
expect_err 5 "run ddactl as root" setpriv --reuid=65534 --regid=65534 --clear-groups \
	/tmp/ddactl-nobody subsys add nqn.2026-11.io.example:nobody
setpriv --reuid=65534 --regid=65534 --clear-groups /tmp/ddactl-nobody subsys >/dev/null ||
	fail "reading configfs as nobody failed"
expect_eq "state after nobody" "$(state)" "$before"

step "save, clear, restore, save: identical bytes"
ddactl config save "$SAVED"
[ "$(stat -c %a "$SAVED")" = 600 ] || fail "saved file mode $(stat -c %a "$SAVED")"
jq -e . "$SAVED" >/dev/null
# nvmet-dda is loaded: its P2P section is in every save (no BAR provider,
# no rule here; the SSD's CMB belongs to nvme-pci and is not saved).
expect_eq "nvmet_dda section" "$(jq -c .nvmet_dda "$SAVED")" '{"offload":[],"providers":[]}'
cmp "$SAVED" <(ddactl config save -) || fail "save to a file and to stdout differ"
# A section ddactl does not know rides along.
jq '. + {"nvmet_future": {"things": []}}' "$SAVED" >/tmp/ddactl-tmp.json
mv /tmp/ddactl-tmp.json "$SAVED"
ddactl config save "$SAVED"
jq -e '.nvmet_future.things' "$SAVED" >/dev/null || fail "save dropped the nvmet_future section"
cp "$SAVED" /tmp/ddactl-first.json
expect_err 4 "already configured" ddactl config restore "$SAVED"
ddactl config clear
expect_eq "cleared" "$(state)" "$EMPTY"
for d in ports subsystems hosts; do
	[ -z "$(ls -A "$NVMET_CFS/$d")" ] || fail "$d not empty after clear"
done
expect_err 0 "section \"nvmet_future\" is not applied" ddactl config restore "$SAVED"
ddactl config save "$SAVED"
cmp /tmp/ddactl-first.json "$SAVED" || {
	diff -u /tmp/ddactl-first.json "$SAVED" || true
	fail "save -> clear -> restore -> save differs"
}
nvme discover -t rdma -a "$DDA_ADDR4" -s 4420 --hostnqn="$HOSTNQN" --hostid="$HOSTID" |
	grep -q "subnqn: *$SUB1" || fail "restored port does not serve $SUB1"

step "restore an nvmetcli-style file"
sed -e "s|/dev/nvme0n1|$ssd|g" -e "s|/tmp/ddactl-sample.img|$LOOPDEV|g" \
	"$TOP/tests/unit/data/handwritten-sample.json" >"$SAMPLE"
ddactl config restore --clear "$SAMPLE" 2>/tmp/ddactl-err
cat /tmp/ddactl-err
R=nqn.2026-11.io.nvmet-dda:sample-rdma
L=nqn.2026-11.io.nvmet-dda:sample-loop
expect_eq "sample port 1" "$(cfs ports/1/addr_trtype) $(cfs ports/1/addr_traddr) $(cfs ports/1/param_inline_data_size)" \
	"rdma $DDA_ADDR4 16384"
expect_eq "sample port 2" "$(cfs ports/2/addr_trtype)" loop
[ -L "$NVMET_CFS/ports/1/subsystems/$R" ] || fail "sample: port 1 not linked"
[ -L "$NVMET_CFS/ports/2/subsystems/$L" ] || fail "sample: port 2 not linked"
[ -L "$NVMET_CFS/subsystems/$R/allowed_hosts/$HOSTNQN" ] || fail "sample: host not allowed"
expect_eq "sample serial" "$(cfs "subsystems/$R/attr_serial")" dda0sample0001
expect_eq "sample model" "$(cfs "subsystems/$R/attr_model")" "nvmet-dda sample"
expect_eq "sample uuid" "$(cfs "subsystems/$L/namespaces/1/device_uuid")" 0f5c2d8e-6a41-4e3b-9c7d-2b8e1f0a9c34
expect_eq "sample nguid" "$(cfs "subsystems/$L/namespaces/1/device_nguid")" 01234567-89ab-cdef-0123-456789abcdef
expect_eq "sample ns enabled" "$(cfs "subsystems/$R/namespaces/1/enable") $(cfs "subsystems/$L/namespaces/1/enable") $(cfs "subsystems/$L/namespaces/7/enable")" \
	"1 1 0"
# A new file: the nvmet_future section of the old one stays behind.
rm -f "$SAVED"
ddactl config save "$SAVED"
ddactl config restore --clear "$SAVED"
ddactl config save /tmp/ddactl-second.json
diff -u "$SAVED" /tmp/ddactl-second.json || fail "sample does not round-trip"

step "a failed restore takes back what it did, and puts back what --clear removed"
before=$(state)
jq --arg p /dev/no-such-disk '.subsystems[0].namespaces[0].device.path = $p' "$SAVED" >/tmp/ddactl-bad.json
expect_err 3 "were taken back" ddactl config restore --clear /tmp/ddactl-bad.json
grep -qF "The configuration that --clear removed is back in place." <<<"$err" ||
	fail "the old configuration was not put back: $err"
expect_eq "state after the failed restore" "$(state)" "$before"

step "clean up"
ddactl config clear
expect_eq "final state" "$(state)" "$EMPTY"
echo "ddactl configfs: all verbs ok"

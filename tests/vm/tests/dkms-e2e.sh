# SPDX-License-Identifier: GPL-2.0
# The nvmet-dda.ko that DKMS built and installed (scripts/dkms-check, private
# trees under build/dkms/; tests/vm/run passes its path as DKMS_KO) loads in
# the test kernel and serves I/O: our rdma transport on the local SSD over
# soft-RoCE, fio randwrite 4k with crc32c verify. Proves the loaded module is
# the DKMS build: the GNU build-id the kernel reports for the loaded module
# (/sys/module/nvmet_dda/notes) is the DKMS file's and not the tree build's,
# from the same sources (same srcversion). Skips when there is no DKMS build
# (tests/vm/run by hand without scripts/dkms-check; make check runs it first).
# timeout: 420
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

# lib.sh's transport helpers, for our transport (nvmet-dda).
export TRANSPORT=dda
NQN=nqn.2026-11.io.nvmet-dda:dkms
tree_ko=$DDA_KO

[ -n "${DKMS_KO:-}" ] ||
	skip "no DKMS build of nvmet-dda.ko for $(uname -r) (run scripts/dkms-check first)"
[ -f "$DKMS_KO" ] || fail "DKMS_KO=$DKMS_KO does not exist"

# The GNU build-id of a .ko file, as hex.
file_build_id() { # KO
	readelf -n "$1" | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p'
}

# The build-id of the loaded module: its .note.gnu.build-id as the kernel
# exposes it (12-byte note header, "GNU\0", then the id).
loaded_build_id() { # MODULE
	od -An -v -tx1 "/sys/module/$1/notes/.note.gnu.build-id" | tr -d ' \n' | cut -c33-
}

step "the DKMS build: $DKMS_KO"
modinfo "$DKMS_KO" | grep -E '^(filename|version|srcversion|depends|vermagic|signer):'
dkms_id=$(file_build_id "$DKMS_KO")
tree_id=$(file_build_id "$tree_ko")
{ [ -n "$dkms_id" ] && [ -n "$tree_id" ]; } || fail "no build-id in $DKMS_KO or $tree_ko"
echo "build-id: DKMS $dkms_id, tree $tree_id"
[ "$(realpath "$DKMS_KO")" != "$(realpath "$tree_ko")" ] || fail "DKMS_KO is the tree's module"
[ "$dkms_id" != "$tree_id" ] || fail "the DKMS and tree builds have the same build-id: cannot tell them apart"
expect_eq "DKMS module vermagic" "$(modinfo -F vermagic "$DKMS_KO" | cut -d' ' -f1)" "$(uname -r)"
expect_eq "DKMS module version" "$(modinfo -F version "$DKMS_KO")" "$(cat "$TOP/VERSION")"
# Same sources as the tree (a DKMS build left from older sources fails here).
expect_eq "srcversion (DKMS build vs tree build; stale? rerun scripts/dkms-check)" \
	"$(modinfo -F srcversion "$DKMS_KO")" "$(modinfo -F srcversion "$tree_ko")"

grep -q '^nvmet_dda ' /proc/modules && fail "nvmet-dda already loaded"
grep -q '^nvmet_rdma ' /proc/modules && fail "nvmet-rdma is loaded; it would serve instead of nvmet-dda"

trap transport_cleanup EXIT
step "load the DKMS build: its dependencies by modprobe, then insmod"
deps=$(modinfo -F depends "$DKMS_KO")
echo "depends: $deps"
for m in ${deps//,/ }; do
	modprobe "$m"
done
insmod "$DKMS_KO"
grep -q '^nvmet_dda ' /proc/modules || fail "nvmet_dda not loaded after insmod"
loaded_id=$(loaded_build_id nvmet_dda)
echo "loaded nvmet_dda build-id: $loaded_id"
expect_eq "loaded module's build-id (want the DKMS build's)" "$loaded_id" "$dkms_id"
expect_eq "loaded module's srcversion" "$(cat /sys/module/nvmet_dda/srcversion)" \
	"$(modinfo -F srcversion "$DKMS_KO")"
json=$(ddactl -j info)
echo "$json"
expect_eq "ddactl version" "$(jq -r .version <<<"$json")" "$(cat "$TOP/VERSION")"
jq -e '.capabilities | index("rdma")' <<<"$json" >/dev/null ||
	fail "the DKMS build has no rdma capability: $json"
modprobe nvme-rdma

rxe_up
ssd=$(local_ssd)
step "target: $NQN on $ssd, served by the DKMS build"
target_setup "$NQN" 1 "$ssd"
host_connect "$NQN"
dev=$(fabric_dev "$NQN" 1)
step "randwrite 4k iodepth 8, crc32c verify"
run_fio "$dev" randwrite 4k 8 1 2M dkms-4k
host_disconnect "$NQN"

step "unload"
nvmet_clear
rmmod nvmet_dda
grep -q '^nvmet_dda ' /proc/modules && fail "nvmet_dda still loaded after rmmod"
echo "DKMS-built nvmet-dda served verified I/O and unloaded"

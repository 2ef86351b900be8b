# SPDX-License-Identifier: GPL-2.0
# With dist/nvmet-dda.conf installed, enabling an rdma port makes nvmet load
# nvmet-dda (never nvmet-rdma) through its "nvmet-transport-1" request; and
# with nvmet-rdma holding the trtype, loading nvmet-dda fails with a clear
# message.
# timeout: 240
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:autoload
TRANSPORT=dda

cleanup() {
	rm -f /run/modprobe.d/nvmet-dda.conf
	transport_cleanup
	modprobe -r nvmet-rdma 2>/dev/null || true
}
trap cleanup EXIT
for m in nvmet_dda nvmet_rdma; do
	! grep -q "^$m " /proc/modules || fail "$m is loaded before the test"
done

step "the shipped modprobe.d file, then an rdma port with no transport loaded"
mkdir -p /run/modprobe.d
cp "$TOP/dist/nvmet-dda.conf" /run/modprobe.d/
modprobe nvmet
rxe_up
dev=$(tmpfs_file autoload 16)
nvmet_subsys "$NQN"
nvmet_allow_host "$NQN" "$HOSTNQN"
nvmet_ns "$NQN" 1 "$dev"
target_port 1 ipv4
nvmet_link 1 "$NQN"
grep -E '^nvmet_(dda|rdma) ' /proc/modules || true
grep -q '^nvmet_dda ' /proc/modules || fail "nvmet did not load nvmet-dda for trtype rdma"
! grep -q '^nvmet_rdma ' /proc/modules || fail "nvmet-rdma was loaded"
modprobe nvme-rdma
host_connect "$NQN"
host_disconnect "$NQN"
transport_cleanup
rm -f /run/modprobe.d/nvmet-dda.conf

step "nvmet-rdma holds the trtype: loading nvmet-dda fails and says why"
modprobe nvmet-rdma
dmesg --clear
rc=0
err=$(modprobe nvmet-dda 2>&1) || rc=$?
echo "modprobe nvmet-dda: exit $rc: $err"
dmesg | grep nvmet_dda || true
[ "$rc" -ne 0 ] || fail "nvmet-dda loaded while nvmet-rdma holds the rdma trtype"
dmesg | grep -q "already registered, probably by nvmet_rdma" || fail "no clear message in dmesg"
modprobe -r nvmet-rdma

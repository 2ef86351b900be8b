# SPDX-License-Identifier: GPL-2.0
# The module's KUnit suites run on load; every case must pass. They are in
# the module only for kernels with KUnit built in (Kbuild), which the test
# kernel is: the module must say so (capability "selftest").
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

modprobe nvmet-dda
trap 'modprobe -r nvmet-dda' EXIT
ddactl -j info | jq -e '.capabilities | index("selftest")' >/dev/null ||
	fail "nvmet-dda built without its KUnit suites for a kernel with KUnit built in"
# suite and the least number of cases it has (a parametrised case counts once)
for s in nvmet_dda_netlink:2 nvmet_dda_rdma:5 nvmet_dda_queue:3 \
	nvmet_dda_p2p:14 nvmet_dda_place:4; do
	n=$(kunit_check "${s%%:*}" "${s##*:}" | tail -n 1)
	echo "${s%%:*}: $n cases passed"
done
# The one case that needs the VM's devices (the SSD's CMB, ivshmem as a
# NIC) skips elsewhere; here it must have run.
f=/sys/kernel/debug/kunit/nvmet_dda_p2p/results
grep -qE '^\s+ok [0-9]+ nic_in_the_choice$' "$f" ||
	fail "nic_in_the_choice did not run here: $(grep nic_in_the_choice "$f")"

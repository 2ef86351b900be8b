# SPDX-License-Identifier: GPL-2.0
# The module's KUnit suites run on load; every case must pass.
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

modprobe nvmet-dda
trap 'modprobe -r nvmet-dda' EXIT
# suite and the least number of cases it has (parametrised ones count each)
for s in nvmet_dda_netlink:3 nvmet_dda_rdma:4 nvmet_dda_p2p:7; do
	n=$(kunit_check "${s%%:*}" "${s##*:}" | tail -n 1)
	echo "${s%%:*}: $n cases passed"
done

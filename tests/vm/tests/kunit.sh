# SPDX-License-Identifier: GPL-2.0
# The module's KUnit suites run on load; every case must pass.
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

modprobe nvmet-dda
trap 'modprobe -r nvmet-dda' EXIT
n=$(kunit_check nvmet_dda_netlink 3 | tail -n 1)
echo "nvmet_dda_netlink: $n cases passed"

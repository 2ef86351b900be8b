// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_GENL_RESV_START_OP: struct genl_family has resv_start_op, below which
 * the core tolerates attributes on ops without a policy.
 */
#include <net/genetlink.h>

static struct genl_family probe_family __maybe_unused = {
	.resv_start_op = 1,
};

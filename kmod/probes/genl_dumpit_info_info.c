// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_GENL_DUMPIT_INFO_INFO: struct genl_dumpit_info carries the request
 * as a struct genl_info (->info.attrs), not as ->attrs alone.
 */
#include <net/genetlink.h>

static __maybe_unused struct nlattr **probe(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->info.attrs;
}

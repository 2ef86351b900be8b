// SPDX-License-Identifier: GPL-2.0-only
//
// Building requests and decoding replies of the nvmet_dda generic netlink
// family. Nothing here touches a socket, so all of it is unit-testable with
// messages built in memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <linux/netlink.h>

#include "model.hpp"
#include "nl_ptr.hpp"

namespace ddactl {

// NVMET_DDA_CMD_INFO_GET request for generic netlink family id @family:
// NLM_F_REQUEST | NLM_F_ACK, no attributes. Port and sequence number are
// left for nl_send_auto() to fill in.
MsgPtr encode_info_get(int family);

// Decodes an INFO_GET reply. Every attribute is checked against a strict
// policy (type, exact length, NUL-terminated strings, booleans 0 or 1) and
// all of them are required; a violation throws NetlinkError naming the
// attribute. Attributes newer than this build are ignored.
Info decode_info(const nlmsghdr *nlh);

// Requests of the P2P commands. "do" requests carry NLM_F_REQUEST |
// NLM_F_ACK, dumps NLM_F_REQUEST | NLM_F_DUMP (GenlClient::transact() tells
// them apart by that flag).

// PROVIDER_GET: one provider (@address, a normalised PCI address) or, with
// @address empty, a dump of all of them.
MsgPtr encode_provider_get(int family, const std::string &address);
MsgPtr encode_provider_add(int family, const ProviderAdd &req);
MsgPtr encode_provider_del(int family, const std::string &address);

// POLICY_GET of the rule of @target.
MsgPtr encode_policy_get(int family, const PolicyTarget &target);
// POLICY_GET dump of all rules, or of those of subsystem @subsys.
MsgPtr encode_policy_dump(int family, const std::optional<std::string> &subsys);
MsgPtr encode_policy_set(int family, const PolicyTarget &target,
			 const PolicySettings &settings);
MsgPtr encode_policy_del(int family, const PolicyTarget &target);

// STATS_GET of one namespace.
MsgPtr encode_stats_get(int family, const std::string &subsys, uint32_t nsid);
// STATS_GET dump of all namespaces, or of those of subsystem @subsys.
MsgPtr encode_stats_dump(int family, const std::optional<std::string> &subsys);

// Replies of the P2P commands and the POOL_DRY event. Like decode_info():
// strict attribute policy, the attributes <linux/nvmet_dda.h> lists are
// required (BAR and OFFSET only for kind BAR), newer ones are ignored, and
// inside NVMET_DDA_A_STATS counters this build does not know are skipped.
Provider decode_provider(const nlmsghdr *nlh);
PolicyRule decode_policy(const nlmsghdr *nlh);
NsStats decode_ns_stats(const nlmsghdr *nlh);
PoolDryEvent decode_pool_dry(const nlmsghdr *nlh);

// The counters of an NVMET_DDA_A_STATS nest; @what names the message in
// errors ("STATS_GET reply").
Counters decode_counters(const nlattr *nest, const std::string &what);

// The contents of an NLMSG_ERROR message.
struct ExtAck {
	int error = 0;				// positive errno, 0 for an ACK
	std::string msg;			// NLMSGERR_ATTR_MSG
	std::optional<uint32_t> miss_type;	// NLMSGERR_ATTR_MISS_TYPE

	// Human-readable extended ACK text; empty when the kernel sent none.
	std::string describe() const;
};

// Decodes an NLMSG_ERROR message including its extended ACK attributes
// (with or without NLM_F_CAPPED). Malformed attributes are ignored: the
// errno alone still describes the failure.
ExtAck decode_error_ack(const nlmsghdr *nlh);

// The end of a dump, NLMSG_DONE: its error (0 when the dump succeeded) and
// extended ACK attributes, if any.
ExtAck decode_done(const nlmsghdr *nlh);

} // namespace ddactl

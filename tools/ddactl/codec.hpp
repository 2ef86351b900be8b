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

} // namespace ddactl

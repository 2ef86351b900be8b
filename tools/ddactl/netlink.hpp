// SPDX-License-Identifier: GPL-2.0-only
//
// Generic netlink transport to the nvmet-dda module.
#pragma once

#include <functional>
#include <string>

#include <linux/netlink.h>

#include "nl_ptr.hpp"

namespace ddactl {

class GenlClient {
public:
	// Opens a generic netlink socket with extended ACKs enabled and
	// resolves the NVMET_DDA_GENL_NAME family. Throws ModuleNotLoaded when
	// the family is not registered, NetlinkError for socket failures.
	GenlClient();

	// Same for any other generic netlink family (the tests use "nlctrl");
	// an unknown family throws NetlinkError.
	explicit GenlClient(const std::string &family_name);

	int family() const noexcept { return family_; }

	using ReplyFn = std::function<void(const nlmsghdr *)>;

	// Sends @request with NLM_F_ACK set, passes each reply message to
	// @on_reply and returns when the kernel ACKs. An error ACK throws
	// KernelError("<what>: <extack> (<strerror>)"); exceptions from
	// @on_reply propagate.
	void transact(nl_msg &request, const ReplyFn &on_reply,
		      const std::string &what);

private:
	struct Connected {};
	explicit GenlClient(Connected);
	int resolve(const std::string &family_name);

	SockPtr sock_;
	int family_ = 0;
};

} // namespace ddactl

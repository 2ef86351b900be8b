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
	// A request with NLM_F_DUMP is a dump instead: sent without NLM_F_ACK
	// (the kernel does not ACK dumps), it ends with NLMSG_DONE, whose error
	// code and extended ACK are reported the same way.
	void transact(nl_msg &request, const ReplyFn &on_reply,
		      const std::string &what);

	// Joins multicast group @group of the family (resolved through the
	// generic netlink controller). Throws NetlinkError when the module
	// has no such group.
	void subscribe(const std::string &group);

	// Reads what is waiting on the socket (blocking until something is)
	// and passes each message to @on_event; sequence numbers are not
	// checked. Returns false when the kernel dropped messages because the
	// socket buffer was full (ENOBUFS), true otherwise.
	bool read_events(const ReplyFn &on_event);

	// The socket's file descriptor, for poll().
	int fd() const;

private:
	struct Connected {};
	explicit GenlClient(Connected);
	int resolve(const std::string &family_name);

	SockPtr sock_;
	std::string family_name_;
	int family_ = 0;
};

} // namespace ddactl

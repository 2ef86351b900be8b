// SPDX-License-Identifier: GPL-2.0-only
//
// Owning handles for libnl objects.
#pragma once

#include <memory>
#include <new>

#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

namespace ddactl {

template <auto Free>
struct NlDeleter {
	template <typename T>
	void operator()(T *p) const noexcept
	{
		Free(p);
	}
};

using MsgPtr = std::unique_ptr<nl_msg, NlDeleter<nlmsg_free>>;
using SockPtr = std::unique_ptr<nl_sock, NlDeleter<nl_socket_free>>;
using CbPtr = std::unique_ptr<nl_cb, NlDeleter<nl_cb_put>>;

// nlmsg_alloc() that throws std::bad_alloc instead of returning NULL.
inline MsgPtr make_msg()
{
	MsgPtr msg(nlmsg_alloc());
	if (!msg)
		throw std::bad_alloc();
	return msg;
}

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// What the netlink commands (provider, offload, stats, monitor) share:
// sending a request on behalf of an object and explaining the kernel's
// errors in the "<object>: <what went wrong>; <what to do>" form.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "errors.hpp"
#include "model.hpp"
#include "netlink.hpp"

namespace ddactl {

// What to suggest, by errno, instead of the defaults.
using ErrorHints = std::map<int, std::string>;

// @e rewritten for @object: "<object>: <extack> (<strerror>); <hint>" with
// the same errno and extack, so that the exit code follows the errno.
// EPERM and EACCES become "<object>: permission denied; run as root
// (CAP_NET_ADMIN)".
KernelError explain(const KernelError &e, const std::string &object,
		    const ErrorHints &hints = {});

// GenlClient::transact() with errors explained for @object.
void request(GenlClient &nl, nl_msg &msg, const GenlClient::ReplyFn &on_reply,
	     const std::string &object, const ErrorHints &hints = {});

// Sends @msg and decodes each reply with @decode.
template <typename T>
std::vector<T> collect(GenlClient &nl, nl_msg &msg,
		       T (*decode)(const nlmsghdr *), const std::string &object,
		       const ErrorHints &hints = {})
{
	std::vector<T> v;
	request(nl, msg, [&](const nlmsghdr *nlh) { v.push_back(decode(nlh)); },
		object, hints);
	return v;
}

// "namespace <nqn> <nsid>" or "port <id>".
std::string target_name(const PolicyTarget &t);

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
#include "errors.hpp"

#include <cstring>
#include <utility>

namespace ddactl {

namespace {

std::string kernel_message(const std::string &what, int err,
			   const std::string &extack)
{
	std::string msg = what + ": ";
	if (extack.empty())
		return msg + std::strerror(err);
	return msg + extack + " (" + std::strerror(err) + ")";
}

} // namespace

KernelError::KernelError(const std::string &what, int err, std::string extack)
	: NetlinkError(kernel_message(what, err, extack)), err_(err),
	  extack_(std::move(extack))
{
}

KernelError::KernelError(Verbatim, const std::string &msg, int err,
			 std::string extack)
	: NetlinkError(msg), err_(err), extack_(std::move(extack))
{
}

} // namespace ddactl

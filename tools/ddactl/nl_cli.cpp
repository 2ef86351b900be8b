// SPDX-License-Identifier: GPL-2.0-only
#include "nl_cli.hpp"

#include <cerrno>
#include <cstring>

namespace ddactl {

namespace {

std::string default_hint(int err)
{
	switch (err) {
	case ENODEV:
		return "check the PCI address with 'lspci -D' and 'ddactl provider show'";
	case EOPNOTSUPP:
		return "P2P memory needs a kernel with CONFIG_PCI_P2PDMA and a "
		       "module that supports this command; see 'ddactl info'";
	default:
		return {};
	}
}

} // namespace

KernelError explain(const KernelError &e, const std::string &object,
		    const ErrorHints &hints)
{
	const int err = e.error();
	if (err == EPERM || err == EACCES)
		return KernelError(KernelError::Verbatim{},
				   object + ": permission denied; run as root "
					    "(CAP_NET_ADMIN)",
				   err, e.extack());

	const auto it = hints.find(err);
	const std::string hint = it != hints.end() ? it->second : default_hint(err);

	std::string msg = object + ": ";
	if (e.extack().empty())
		msg += std::strerror(err);
	else
		msg += e.extack() + " (" + std::strerror(err) + ")";
	if (!hint.empty())
		msg += "; " + hint;
	return KernelError(KernelError::Verbatim{}, msg, err, e.extack());
}

void request(GenlClient &nl, nl_msg &msg, const GenlClient::ReplyFn &on_reply,
	     const std::string &object, const ErrorHints &hints)
{
	try {
		nl.transact(msg, on_reply, object);
	} catch (const KernelError &e) {
		throw explain(e, object, hints);
	}
}

std::string target_name(const PolicyTarget &t)
{
	if (t.port)
		return "port " + std::to_string(*t.port);
	return "namespace " + t.subsys + " " + std::to_string(t.nsid);
}

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
#include "p2p_ctl.hpp"

#include <cerrno>
#include <optional>

#include "codec.hpp"
#include "errors.hpp"
#include "nl_cli.hpp"

namespace ddactl {

Info NetlinkP2p::info()
{
	const std::string what = "cannot get module info";
	std::optional<Info> info;
	MsgPtr req = encode_info_get(nl_.family());
	nl_.transact(*req, [&](const nlmsghdr *nlh) { info = decode_info(nlh); }, what);
	if (!info)
		throw NetlinkError(what + ": " + module_name + " sent no reply");
	return *info;
}

std::vector<Provider> NetlinkP2p::providers()
{
	MsgPtr msg = encode_provider_get(nl_.family(), {});
	try {
		return collect<Provider>(nl_, *msg, decode_provider, "providers");
	} catch (const KernelError &e) {
		// No CONFIG_PCI_P2PDMA: there are none.
		if (e.error() != EOPNOTSUPP)
			throw;
		return {};
	}
}

std::vector<PolicyRule> NetlinkP2p::rules()
{
	MsgPtr msg = encode_policy_dump(nl_.family(), std::nullopt);
	return collect<PolicyRule>(nl_, *msg, decode_policy, "offload rules");
}

void NetlinkP2p::add_provider(const ProviderAdd &req)
{
	MsgPtr msg = encode_provider_add(nl_.family(), req);
	request(nl_, *msg, [](const nlmsghdr *) {}, "provider " + req.address,
		{{ENODEV, "no such PCI function; check the address with 'lspci -D'"},
		 {EEXIST, "it is already a provider; 'ddactl provider show' lists them"}});
}

void NetlinkP2p::del_provider(const std::string &address)
{
	MsgPtr msg = encode_provider_del(nl_.family(), address);
	request(nl_, *msg, [](const nlmsghdr *) {}, "provider " + address,
		{{ENODEV, "it is not a provider; 'ddactl provider show' lists them"},
		 {EOPNOTSUPP, "only BAR providers added with 'ddactl provider "
			       "add' can be deleted; a CMB belongs to its driver"}});
}

void NetlinkP2p::set_rule(const PolicyTarget &target, const PolicySettings &settings)
{
	MsgPtr msg = encode_policy_set(nl_.family(), target, settings);
	request(nl_, *msg, [](const nlmsghdr *) {}, "offload rule of " + target_name(target),
		{{ENODEV, "the provider does not exist; 'ddactl provider show' "
			   "lists them"},
		 {EINVAL, "see 'ddactl offload help'"}});
}

void NetlinkP2p::del_rule(const PolicyTarget &target)
{
	MsgPtr msg = encode_policy_del(nl_.family(), target);
	request(nl_, *msg, [](const nlmsghdr *) {}, "offload rule of " + target_name(target),
		{{ENOENT, "there is no such rule; 'ddactl offload show' lists them"}});
}

std::unique_ptr<P2pControl> open_netlink_p2p()
{
	try {
		return std::make_unique<NetlinkP2p>();
	} catch (const ModuleNotLoaded &) {
		return nullptr;
	}
}

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// P2pControl: the narrow interface through which config, status and doctor
// read and change the module's P2P state (providers and offload rules).
// NetlinkP2p talks to nvmet-dda; the unit tests substitute a fake, so that
// everything built on top is tested without a kernel.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model.hpp"
#include "netlink.hpp"

namespace ddactl {

class P2pControl {
public:
	virtual ~P2pControl() = default;

	virtual Info info() = 0;
	// Every provider; empty on a kernel without CONFIG_PCI_P2PDMA.
	virtual std::vector<Provider> providers() = 0;
	// Every offload rule.
	virtual std::vector<PolicyRule> rules() = 0;

	// Errors are KernelError explained for the object ("provider
	// 0000:03:00.0: ...; <what to do>"), with the kernel's errno.
	virtual void add_provider(const ProviderAdd &req) = 0;
	virtual void del_provider(const std::string &address) = 0;
	virtual void set_rule(const PolicyTarget &target,
			      const PolicySettings &settings) = 0;
	virtual void del_rule(const PolicyTarget &target) = 0;
};

class NetlinkP2p : public P2pControl {
public:
	NetlinkP2p() = default;	// throws ModuleNotLoaded

	Info info() override;
	std::vector<Provider> providers() override;
	std::vector<PolicyRule> rules() override;
	void add_provider(const ProviderAdd &req) override;
	void del_provider(const std::string &address) override;
	void set_rule(const PolicyTarget &target,
		      const PolicySettings &settings) override;
	void del_rule(const PolicyTarget &target) override;

private:
	GenlClient nl_;
};

// The real one: NetlinkP2p, or nullptr when the family is not registered.
std::unique_ptr<P2pControl> open_netlink_p2p();

} // namespace ddactl

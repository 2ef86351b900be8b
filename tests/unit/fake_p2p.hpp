// SPDX-License-Identifier: GPL-2.0-only
//
// A stand-in for nvmet-dda's P2P netlink commands: providers and offload
// rules kept in memory, with the kernel's answers (EEXIST, ENODEV,
// EOPNOTSUPP, ENOENT) and errors injected by the tests.
#pragma once

#include <cerrno>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <linux/nvmet_dda.h>

#include "commands.hpp"
#include "errors.hpp"
#include "nl_cli.hpp"
#include "p2p_ctl.hpp"

namespace ddactl::test {

struct FakeP2pState {
	bool loaded = true;
	Info info{"0.1.0", "6.1.0-test", true, NVMET_DDA_CAP_ALL, NVMET_DDA_GENL_VERSION};
	std::vector<Provider> providers;
	std::vector<PolicyRule> rules;
	// "add <address>", "del <address>", "set <target_name()>" or
	// "del <target_name()>" -> errno to fail with.
	std::map<std::string, int> fail;
	std::vector<std::string> calls;	// what was asked, in order
};

inline Provider fake_provider(const std::string &address, uint32_t kind,
			      uint64_t size, std::optional<uint32_t> bar = {},
			      std::optional<uint64_t> offset = {})
{
	Provider p;
	p.address = address;
	p.kind = kind;
	p.bar = bar;
	p.offset = offset;
	p.size = size;
	p.available = size;
	p.driver = kind == NVMET_DDA_PROVIDER_BAR ? "nvmet_dda_bar" : "nvme";
	return p;
}

class FakeP2p : public P2pControl {
public:
	explicit FakeP2p(std::shared_ptr<FakeP2pState> st) : st_(std::move(st)) {}

	Info info() override { return st_->info; }
	std::vector<Provider> providers() override { return st_->providers; }
	std::vector<PolicyRule> rules() override { return st_->rules; }

	void add_provider(const ProviderAdd &req) override
	{
		const std::string obj = "provider " + req.address;
		check("add " + req.address, obj);
		for (const auto &p : st_->providers)
			if (p.address == req.address)
				fail(obj, EEXIST, "the function is already a provider");
		st_->providers.push_back(fake_provider(req.address, NVMET_DDA_PROVIDER_BAR,
						       req.size.value_or(64ull << 20),
						       req.bar.value_or(0),
						       req.offset.value_or(0)));
	}

	void del_provider(const std::string &address) override
	{
		const std::string obj = "provider " + address;
		check("del " + address, obj);
		auto &v = st_->providers;
		for (auto it = v.begin(); it != v.end(); ++it) {
			if (it->address != address)
				continue;
			if (it->kind != NVMET_DDA_PROVIDER_BAR)
				fail(obj, EOPNOTSUPP, "the provider belongs to its own driver");
			v.erase(it);
			return;
		}
		fail(obj, ENODEV, "no such provider");
	}

	void set_rule(const PolicyTarget &t, const PolicySettings &s) override
	{
		const std::string obj = "offload rule of " + target_name(t);
		check("set " + target_name(t), obj);
		PolicyRule *r = find(t);
		if (!r) {
			st_->rules.push_back({t, NVMET_DDA_MODE_OFF, "auto", 0, 0});
			r = &st_->rules.back();
		}
		if (s.mode)
			r->mode = *s.mode;
		if (s.provider)
			r->provider = *s.provider;
		if (s.min_io)
			r->min_io = *s.min_io;
		if (s.max_bytes)
			r->max_bytes = *s.max_bytes;
	}

	void del_rule(const PolicyTarget &t) override
	{
		const std::string obj = "offload rule of " + target_name(t);
		check("del " + target_name(t), obj);
		auto &v = st_->rules;
		for (auto it = v.begin(); it != v.end(); ++it)
			if (it->target == t) {
				v.erase(it);
				return;
			}
		fail(obj, ENOENT, "");
	}

private:
	PolicyRule *find(const PolicyTarget &t)
	{
		for (auto &r : st_->rules)
			if (r.target == t)
				return &r;
		return nullptr;
	}

	void check(const std::string &call, const std::string &obj)
	{
		st_->calls.push_back(call);
		const auto it = st_->fail.find(call);
		if (it != st_->fail.end())
			fail(obj, it->second, "injected failure");
	}

	[[noreturn]] static void fail(const std::string &obj, int err, const std::string &extack)
	{
		throw explain(KernelError("request", err, extack), obj);
	}

	std::shared_ptr<FakeP2pState> st_;
};

// A P2pFactory over @st: nullptr while st->loaded is false.
inline P2pFactory fake_p2p(std::shared_ptr<FakeP2pState> st)
{
	return [st]() -> std::unique_ptr<P2pControl> {
		if (!st->loaded)
			return nullptr;
		return std::make_unique<FakeP2p>(st);
	};
}

} // namespace ddactl::test

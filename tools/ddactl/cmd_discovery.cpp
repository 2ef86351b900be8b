// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl discovery { show | set | help }: the NQN of the target's discovery
// subsystem (Linux 6.6 and later can change it).
#include <memory>

#include "cfs_cli.hpp"
#include "errors.hpp"
#include "keywords.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct DiscoveryArgs {
	KeywordArgs set;
};

void show(const Globals &g)
{
	auto tree = open_tree(g);
	const auto nqn = Nvmet(*tree).discovery_nqn();
	Printer p(g.out, g.format());
	p.print_uint(Show::json, "schema", {}, json_schema);
	p.print_string(Show::any, "nqn", "nqn", nqn.value_or(discovery_nqn));
	p.print_bool(Show::any, "changeable", "changeable", nqn.has_value());
	p.finish();
}

} // namespace

void set_discovery_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<DiscoveryArgs>();
	auto *obj = add_object(app, g, "discovery", "Show and change the NQN of the "
			       "discovery subsystem (configfs)", [&g] { show(g); });

	auto *v = add_verb(*obj, g, "show", "Show the discovery NQN and whether this "
			   "kernel can change it", [&g] { show(g); });
	v->alias("list");

	v = add_verb(*obj, g, "set", "Change the discovery NQN: nqn NQN", [&g, a] {
		const auto kv = a->set.parse("discovery set", 0, 0, "nqn NQN");
		if (!kv.has("nqn"))
			throw UsageError("discovery set: give nqn NQN");
		const std::string nqn = check_nqn("discovery", kv.values.at("nqn"));
		if (const auto w = nqn_warning("discovery", nqn); !w.empty())
			warn(g.err, w);
		auto tree = open_tree(g);
		Nvmet(*tree).set_discovery_nqn(nqn);
	});
	a->set.attach(v, "ARGS", "nqn NQN",
		      {{"nqn", "discovery_nqn", "NQN",
			"The discovery subsystem's NQN (default " +
				std::string(discovery_nqn) + ")"}});
}

} // namespace ddactl

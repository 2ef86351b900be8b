// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl host { show | allow | deny | help }: which hosts may connect.
#include <memory>

#include "cfs_cli.hpp"
#include "errors.hpp"
#include "output.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct HostArgs {
	std::string nqn, host;
};

void show(const Globals &g, const std::string &host)
{
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	std::vector<nlohmann::ordered_json> rows;
	std::vector<Host> hosts = nv.hosts();
	if (!host.empty()) {
		check_name("host", host);
		if (!nv.has_host(host))
			throw NotFoundError("host " + host + ": is not known to the target; "
					    "'ddactl host show' lists the hosts");
		hosts = {{host}};
	}
	for (const auto &h : hosts) {
		nlohmann::ordered_json j;
		j["nqn"] = h.nqn;
		j["subsystems"] = nv.subsystems_allowing(h.nqn);
		rows.push_back(j);
	}
	print_objects(g.out, g.format(), "host", rows);
}

} // namespace

void set_host_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<HostArgs>();
	auto *obj = add_object(app, g, "host", "Show and change the hosts allowed "
			       "to connect (configfs)", [&g, a] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show", "Show the hosts and the subsystems "
			   "that allow them", [&g, a] { show(g, a->host); });
	v->alias("list");
	v->add_option("HOSTNQN", a->host, "Host NQN");

	v = add_verb(*obj, g, "allow", "Let a host connect to a subsystem", [&g, a] {
		const std::string nqn = check_name("subsystem", a->nqn);
		const std::string host = check_nqn("host", a->host);
		auto tree = open_tree(g);
		Nvmet(*tree).allow_host(nqn, host);
	});
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	v->add_option("HOSTNQN", a->host, "Host NQN")->required();

	v = add_verb(*obj, g, "deny", "Stop a host connecting to a subsystem", [&g, a] {
		const std::string nqn = check_name("subsystem", a->nqn);
		const std::string host = check_name("host", a->host);
		auto tree = open_tree(g);
		Nvmet(*tree).deny_host(nqn, host);
	});
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	v->add_option("HOSTNQN", a->host, "Host NQN")->required();
}

} // namespace ddactl

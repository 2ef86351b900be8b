// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl ana { show | add | set | del | help }: a port's ANA groups and their
// states, for multipath failover.
#include <algorithm>
#include <memory>

#include "cfs_cli.hpp"
#include "errors.hpp"
#include "keywords.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct AnaArgs {
	std::string port, grpid;
	KeywordArgs add, set;
};

const char *const ana_states[] = {"optimized", "non-optimized", "inaccessible",
				  "persistent-loss", "change"};

std::vector<Keyword> ana_keywords()
{
	return {{"state", "ana_state", "STATE",
		 "optimized, non-optimized, inaccessible, persistent-loss or change",
		 [](const std::string &what, const std::string &v) {
			 for (const char *s : ana_states)
				 if (v == s)
					 return v;
			 throw UsageError(what + " '" + v + "': use optimized, non-optimized, "
					  "inaccessible, persistent-loss or change");
		 }}};
}

uint32_t parse_grpid(const std::string &s)
{
	const std::string what = "ANA group '" + s + "'";
	const auto v = std::stoul(parse_uint_attr(what, s), nullptr, 0);
	if (v < 1 || v > ana_grpid_max)
		throw UsageError(what + ": give a group ID from 1 to 128");
	return static_cast<uint32_t>(v);
}

void show(const Globals &g, const std::string &port)
{
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	const std::vector<Port> ports = ports_or_one(nv, port);
	const auto subsystems = nv.subsystems();
	std::vector<nlohmann::ordered_json> rows;
	for (const auto &p : ports)
		for (const auto &grp : p.ana_groups) {
			nlohmann::ordered_json j;
			j["grpid"] = grp.grpid;
			j["portid"] = p.id;
			j["state"] = attr_of(grp.attrs, "ana", "state");
			// The namespaces of the port's subsystems in this group.
			std::vector<std::string> ns;
			for (const auto &s : subsystems) {
				if (std::find(p.subsystems.begin(), p.subsystems.end(), s.nqn) ==
				    p.subsystems.end())
					continue;
				for (const auto &n : s.namespaces)
					if (attr_of(n.attrs, "ana", "grpid") ==
					    std::to_string(grp.grpid))
						ns.push_back(s.nqn + "/" + std::to_string(n.nsid));
			}
			j["namespaces"] = ns;
			rows.push_back(j);
		}
	print_objects(g.out, g.format(), "ana", rows);
}

} // namespace

void set_ana_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<AnaArgs>();
	auto *obj = add_object(app, g, "ana", "Show and change the ANA groups of ports "
			       "and their states (configfs)", [&g, a] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show", "Show the ANA groups of all ports or one",
			   [&g, a] { show(g, a->port); });
	v->alias("list");
	v->add_option("PORT", a->port, "Port ID");

	v = add_verb(*obj, g, "add", "Create an ANA group on a port: PORT GRPID [state STATE]",
		     [&g, a] {
			     const auto kv = a->add.parse("ana add", 2, 2,
							  "PORT GRPID, then state STATE");
			     const uint16_t id = parse_port_id(kv.leading[0]);
			     const uint32_t grpid = parse_grpid(kv.leading[1]);
			     const Settings s = a->add.settings("ANA group " + kv.leading[1], kv);
			     auto tree = open_tree(g);
			     Nvmet(*tree).add_ana_group(id, grpid, s);
		     });
	a->add.attach(v, "ARGS", "PORT GRPID (2 to 128), then state STATE", ana_keywords());

	v = add_verb(*obj, g, "set", "Change the state of an ANA group: PORT GRPID state STATE",
		     [&g, a] {
			     const auto kv = a->set.parse("ana set", 2, 2,
							  "PORT GRPID, then state STATE");
			     const uint16_t id = parse_port_id(kv.leading[0]);
			     const uint32_t grpid = parse_grpid(kv.leading[1]);
			     if (kv.values.empty())
				     throw UsageError("ANA group " + kv.leading[1] +
						      ": nothing to set; use state");
			     const Settings s = a->set.settings("ANA group " + kv.leading[1], kv);
			     auto tree = open_tree(g);
			     Nvmet(*tree).set_ana_group(id, grpid, s);
		     });
	a->set.attach(v, "ARGS", "PORT GRPID, then state STATE", ana_keywords());

	v = add_verb(*obj, g, "del", "Delete an ANA group (not group 1)", [&g, a] {
		const uint16_t id = parse_port_id(a->port);
		const uint32_t grpid = parse_grpid(a->grpid);
		auto tree = open_tree(g);
		Nvmet(*tree).del_ana_group(id, grpid);
	});
	v->add_option("PORT", a->port, "Port ID")->required();
	v->add_option("GRPID", a->grpid, "ANA group ID")->required();
}

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl port { show | add | set | del | link | unlink | help }: nvmet ports.
#include <memory>

#include "cfs_cli.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

// The address options of one verb.
struct AddrOptions {
	CLI::Option *trtype = nullptr, *adrfam = nullptr, *traddr = nullptr,
		    *trsvcid = nullptr, *treq = nullptr, *inline_size = nullptr;
};

struct PortArgs {
	std::string id, nqn, trtype, adrfam, traddr, trsvcid, treq, inline_size;
	bool force = false;
	AddrOptions add, set;

	PortSettings settings(const AddrOptions &o) const
	{
		PortSettings s{given(o.trtype, trtype), given(o.adrfam, adrfam),
			       given(o.traddr, traddr), given(o.trsvcid, trsvcid),
			       given(o.treq, treq), std::nullopt};
		if (o.inline_size->count())
			s.inline_data_size = parse_inline_data_size(inline_size);
		return s;
	}
};

nlohmann::ordered_json port_row(const Port &p, bool details)
{
	nlohmann::ordered_json j;
	j["portid"] = p.id;
	j["trtype"] = attr_of(p.attrs, "addr", "trtype");
	j["adrfam"] = attr_of(p.attrs, "addr", "adrfam");
	j["traddr"] = attr_of(p.attrs, "addr", "traddr");
	j["trsvcid"] = attr_of(p.attrs, "addr", "trsvcid");
	j["subsystems"] = p.subsystems;
	if (details) {
		j["treq"] = attr_of(p.attrs, "addr", "treq");
		const std::string ids = attr_of(p.attrs, "param", "inline_data_size");
		j["inline_data_size"] = ids.empty() ? 0 : std::stoi(ids);
		std::vector<std::string> refs;
		for (const auto &r : p.referrals)
			refs.push_back(r.name);
		j["referrals"] = refs;
	}
	return j;
}

void show(const Globals &g, const std::string &id)
{
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	std::vector<nlohmann::ordered_json> rows;
	if (id.empty()) {
		for (const auto &p : nv.ports())
			rows.push_back(port_row(p, g.details));
	} else {
		rows.push_back(port_row(nv.port(parse_port_id(id)), g.details));
	}
	print_objects(g.out, g.format(), "port", rows);
}

void add_address_options(CLI::App *v, PortArgs &a, AddrOptions &o)
{
	o.trtype = v->add_option("--trtype", a.trtype, "Transport: rdma, tcp, loop or fc")
			     ->type_name("TYPE");
	o.adrfam = v->add_option("--adrfam", a.adrfam,
				   "Address family: ipv4, ipv6, ib, fc or loop "
				   "(default: from --traddr)")
			     ->type_name("FAMILY");
	o.traddr = v->add_option("--traddr", a.traddr, "Transport address")
			     ->type_name("ADDR");
	o.trsvcid = v->add_option("--trsvcid", a.trsvcid,
				    "Service ID: the TCP or RDMA port (default 4420)")
			      ->type_name("SVCID");
	o.treq = v->add_option("--treq", a.treq,
				 "Secure channel: 'not specified', required or 'not required'")
			   ->type_name("TREQ");
	o.inline_size = v->add_option("--inline-data-size", a.inline_size,
				   "In-capsule data size in bytes (-1: transport default)")
			     ->type_name("BYTES");
}

} // namespace

void set_port_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<PortArgs>();
	auto *obj = add_object(app, g, "port", "Show and change NVMe-oF ports (configfs)",
			       [&g, a] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show", "Show all ports or one",
			   [&g, a] { show(g, a->id); });
	v->alias("list");
	v->add_option("PORT", a->id, "Port ID");

	v = add_verb(*obj, g, "add", "Create a port", [&g, a] {
		const uint16_t id = parse_port_id(a->id);
		auto tree = open_tree(g);
		Nvmet(*tree).add_port(id, a->settings(a->add));
	});
	v->add_option("PORT", a->id, "Port ID, 0 to 65535")->required();
	add_address_options(v, *a, a->add);

	v = add_verb(*obj, g, "set", "Change the address of a port that is not linked",
		     [&g, a] {
			     const uint16_t id = parse_port_id(a->id);
			     auto tree = open_tree(g);
			     Nvmet(*tree).set_port(id, a->settings(a->set));
		     });
	v->add_option("PORT", a->id, "Port ID")->required();
	add_address_options(v, *a, a->set);

	v = add_verb(*obj, g, "del", "Delete a port", [&g, a] {
		const uint16_t id = parse_port_id(a->id);
		auto tree = open_tree(g);
		Nvmet(*tree).del_port(id, a->force);
	});
	v->add_option("PORT", a->id, "Port ID")->required();
	v->add_flag("--force", a->force,
		    "Unlink its subsystems and remove its referrals first");

	v = add_verb(*obj, g, "link", "Offer a subsystem on a port (enables the port)",
		     [&g, a] {
			     const uint16_t id = parse_port_id(a->id);
			     const std::string nqn = check_name("subsystem", a->nqn);
			     auto tree = open_tree(g);
			     Nvmet(*tree).link(id, nqn);
		     });
	v->add_option("PORT", a->id, "Port ID")->required();
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();

	v = add_verb(*obj, g, "unlink", "Stop offering a subsystem on a port",
		     [&g, a] {
			     const uint16_t id = parse_port_id(a->id);
			     const std::string nqn = check_name("subsystem", a->nqn);
			     auto tree = open_tree(g);
			     Nvmet(*tree).unlink(id, nqn);
		     });
	v->add_option("PORT", a->id, "Port ID")->required();
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
}

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl port { show | add | set | del | link | unlink | help }: nvmet ports.
#include <memory>

#include "cfs_cli.hpp"
#include "errors.hpp"
#include "keywords.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct PortArgs {
	std::string id, nqn;
	bool force = false;
	KeywordArgs add, set;
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
		// Only what this kernel has.
		for (const char *a : {"tsas"})
			if (p.attrs.count("addr") && p.attrs.at("addr").count(a))
				j[a] = attr_of(p.attrs, "addr", a);
		const std::string ids = attr_of(p.attrs, "param", "inline_data_size");
		j["inline_data_size"] = ids.empty() ? 0 : std::stoi(ids);
		for (const char *a : {"max_queue_size", "mdts", "pi_enable"})
			if (p.attrs.count("param") && p.attrs.at("param").count(a))
				j[a] = attr_of(p.attrs, "param", a);
		std::vector<std::string> refs;
		for (const auto &r : p.referrals)
			refs.push_back(r.name);
		j["referrals"] = refs;
		std::vector<uint32_t> groups;
		for (const auto &g : p.ana_groups)
			groups.push_back(g.grpid);
		j["ana_groups"] = groups;
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

} // namespace

std::vector<Keyword> address_keywords(bool referral)
{
	std::vector<Keyword> k{
		{"trtype", "addr_trtype", "TYPE", "Transport: rdma, tcp, loop or fc"},
		{"adrfam", "addr_adrfam", "FAMILY",
		 "Address family: ipv4, ipv6, ib, fc or loop (default: from traddr)"},
		{"traddr", "addr_traddr", "ADDR", "Transport address"},
		{"trsvcid", "addr_trsvcid", "SVCID",
		 "Service ID: the TCP or RDMA port (default 4420)"},
		{"treq", "addr_treq", "TREQ",
		 "Secure channel: 'not specified', required or 'not required'",
		 [](const std::string &what, const std::string &v) {
			 if (!is_valid_treq(v))
				 throw UsageError(what + " '" + v + "': use 'not specified', "
						  "required or 'not required'");
			 return v;
		 }},
	};
	if (referral) {
		k.push_back({"portid", "addr_portid", "PORTID",
			     "The port ID the referral reports",
			     [](const std::string &, const std::string &v) {
				     return std::to_string(parse_port_id(v));
			     }});
		return k;
	}
	k.push_back({"tsas", "addr_tsas", "TSAS",
		     "Transport specific address subtype: none or tls1.3 (tcp), "
		     "connected (rdma)"});
	k.push_back({"inline-data-size", "param_inline_data_size", "BYTES",
		     "In-capsule data size in bytes (-1: transport default)",
		     [](const std::string &, const std::string &v) {
			     return std::to_string(parse_inline_data_size(v));
		     }});
	k.push_back({"max-queue-size", "param_max_queue_size", "N",
		     "Largest I/O queue hosts may create (-1: transport default)",
		     [](const std::string &what, const std::string &v) {
			     return parse_int_attr(what, v);
		     }});
	k.push_back({"mdts", "param_mdts", "N",
		     "Maximum data transfer size, as a power of two of pages",
		     [](const std::string &what, const std::string &v) {
			     return parse_int_attr(what, v);
		     }});
	k.push_back({"pi-enable", "param_pi_enable", "BOOL",
		     "Protection information on this port: 1 or 0",
		     [](const std::string &what, const std::string &v) {
			     return std::string(parse_bool(what, v) ? "1" : "0");
		     }});
	return k;
}

void set_port_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<PortArgs>();
	auto *obj = add_object(app, g, "port", "Show and change NVMe-oF ports (configfs)",
			       [&g, a] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show", "Show all ports or one",
			   [&g, a] { show(g, a->id); });
	v->alias("list");
	v->add_option("PORT", a->id, "Port ID");

	v = add_verb(*obj, g, "add", "Create a port: PORT trtype TYPE [KEY VALUE]...",
		     [&g, a] {
			     const auto kv = a->add.parse("port add", 1, 1, "PORT, then KEY VALUE...");
			     const uint16_t id = parse_port_id(kv.leading[0]);
			     const Settings s = a->add.settings("port " + kv.leading[0], kv);
			     auto tree = open_tree(g);
			     Nvmet(*tree).add_port(id, s);
		     });
	a->add.attach(v, "ARGS", "PORT (0 to 65535), then KEY VALUE...", address_keywords(false));

	v = add_verb(*obj, g, "set",
		     "Change a port that is not linked: PORT KEY VALUE...", [&g, a] {
			     const auto kv = a->set.parse("port set", 1, 1, "PORT, then KEY VALUE...");
			     const uint16_t id = parse_port_id(kv.leading[0]);
			     if (kv.values.empty())
				     throw UsageError("port " + kv.leading[0] + ": nothing to set; "
						      "use " + keyword_list(a->set.keywords()));
			     const Settings s = a->set.settings("port " + kv.leading[0], kv);
			     auto tree = open_tree(g);
			     Nvmet(*tree).set_port(id, s);
		     });
	a->set.attach(v, "ARGS", "PORT, then KEY VALUE...", address_keywords(false));

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

// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl referral { show | add | set | del | enable | disable | help }: a
// port's referrals to other discovery services.
#include <memory>

#include "cfs_cli.hpp"
#include "errors.hpp"
#include "keywords.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct ReferralArgs {
	std::string port, name;
	bool no_enable = false;
	KeywordArgs add, set;
};

void show(const Globals &g, const std::string &port)
{
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	const std::vector<Port> ports = ports_or_one(nv, port);
	std::vector<nlohmann::ordered_json> rows;
	for (const auto &p : ports)
		for (const auto &r : p.referrals) {
			nlohmann::ordered_json j;
			j["name"] = r.name;
			j["portid"] = p.id;
			for (const char *a : {"trtype", "adrfam", "traddr", "trsvcid", "treq"})
				j[a] = attr_of(r.attrs, "addr", a);
			const std::string id = attr_of(r.attrs, "addr", "portid");
			j["referral_portid"] = id.empty() ? 0 : std::stoul(id);
			j["enable"] = r.enable;
			rows.push_back(j);
		}
	print_objects(g.out, g.format(), "referral", rows);
}

} // namespace

void set_referral_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<ReferralArgs>();
	auto *obj = add_object(app, g, "referral",
			       "Show and change the referrals a port's discovery "
			       "service hands out (configfs)",
			       [&g, a] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show", "Show the referrals of all ports or one",
			   [&g, a] { show(g, a->port); });
	v->alias("list");
	v->add_option("PORT", a->port, "Port ID");

	v = add_verb(*obj, g, "add", "Create and enable a referral: PORT NAME trtype TYPE "
				     "traddr ADDR [KEY VALUE]...", [&g, a] {
		const auto kv = a->add.parse("referral add", 2, 2, "PORT NAME, then KEY VALUE...");
		const uint16_t id = parse_port_id(kv.leading[0]);
		const std::string name = check_name("referral", kv.leading[1]);
		const Settings s = a->add.settings("referral " + name, kv);
		auto tree = open_tree(g);
		Nvmet(*tree).add_referral(id, name, s, !a->no_enable);
	});
	a->add.attach(v, "ARGS", "PORT NAME, then KEY VALUE...", address_keywords(true));
	v->add_flag("--no-enable", a->no_enable, "Create it disabled");

	v = add_verb(*obj, g, "set", "Change a disabled referral: PORT NAME KEY VALUE...",
		     [&g, a] {
			     const auto kv = a->set.parse("referral set", 2, 2,
							  "PORT NAME, then KEY VALUE...");
			     const uint16_t id = parse_port_id(kv.leading[0]);
			     const std::string name = check_name("referral", kv.leading[1]);
			     if (kv.values.empty())
				     throw UsageError("referral " + name + ": nothing to set; use " +
						      keyword_list(a->set.keywords()));
			     const Settings s = a->set.settings("referral " + name, kv);
			     auto tree = open_tree(g);
			     Nvmet(*tree).set_referral(id, name, s);
		     });
	a->set.attach(v, "ARGS", "PORT NAME, then KEY VALUE...", address_keywords(true));

	const auto simple = [&](const char *verb, const char *desc, auto op) {
		auto *s = add_verb(*obj, g, verb, desc, [&g, a, op] {
			const uint16_t id = parse_port_id(a->port);
			const std::string name = check_name("referral", a->name);
			auto tree = open_tree(g);
			Nvmet nv(*tree);
			op(nv, id, name);
		});
		s->add_option("PORT", a->port, "Port ID")->required();
		s->add_option("NAME", a->name, "Referral name")->required();
	};
	simple("del", "Disable and delete a referral",
	       [](Nvmet &nv, uint16_t id, const std::string &n) { nv.del_referral(id, n); });
	simple("enable", "Enable a referral",
	       [](Nvmet &nv, uint16_t id, const std::string &n) {
		       nv.enable_referral(id, n, true);
	       });
	simple("disable", "Disable a referral",
	       [](Nvmet &nv, uint16_t id, const std::string &n) {
		       nv.enable_referral(id, n, false);
	       });
}

} // namespace ddactl

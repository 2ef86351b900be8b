// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl subsys { show | add | set | del | help }: nvmet subsystems.
#include <memory>

#include "cfs_cli.hpp"
#include "errors.hpp"
#include "keywords.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct SubsysArgs {
	std::string nqn;
	bool force = false;
	KeywordArgs add, set;
};

std::string boolean(const std::string &what, const std::string &v)
{
	return parse_bool(what, v) ? "1" : "0";
}

std::vector<Keyword> subsys_keywords()
{
	const auto uint_attr = [](const std::string &what, const std::string &v) {
		return parse_uint_attr(what, v);
	};
	return {
		{"allow-any-host", "attr_allow_any_host", "BOOL",
		 "Let any host connect: 1 or 0 (default 0)", boolean},
		{"serial", "attr_serial", "SERIAL", "Serial number, up to 20 ASCII characters",
		 [](const std::string &what, const std::string &v) {
			 return check_ascii(what, v, 20);
		 }},
		{"model", "attr_model", "MODEL", "Model number, up to 40 ASCII characters",
		 [](const std::string &what, const std::string &v) {
			 return check_ascii(what, v, 40);
		 }},
		{"version", "attr_version", "VERSION", "NVMe version reported, e.g. 1.3 or 2.0.0"},
		{"cntlid-min", "attr_cntlid_min", "N", "Lowest controller ID (1 to 65519)",
		 uint_attr},
		{"cntlid-max", "attr_cntlid_max", "N", "Highest controller ID (1 to 65519)",
		 uint_attr},
		{"qid-max", "attr_qid_max", "N", "Most I/O queues a controller may have",
		 uint_attr},
		{"ieee-oui", "attr_ieee_oui", "OUI", "IEEE OUI reported, 6 hex digits"},
		{"firmware", "attr_firmware", "REV", "Firmware revision reported, up to 8 "
						     "ASCII characters",
		 [](const std::string &what, const std::string &v) {
			 return check_ascii(what, v, 8);
		 }},
		{"pi-enable", "attr_pi_enable", "BOOL", "Protection information: 1 or 0",
		 boolean},
	};
}

nlohmann::ordered_json subsys_row(const Subsystem &s, const std::vector<uint16_t> &ports,
				  bool details)
{
	nlohmann::ordered_json j;
	j["nqn"] = s.nqn;
	j["allow_any_host"] = attr_of(s.attrs, "attr", "allow_any_host") == "1";
	j["serial"] = attr_of(s.attrs, "attr", "serial");
	j["model"] = attr_of(s.attrs, "attr", "model");
	std::vector<uint32_t> nsids;
	for (const auto &n : s.namespaces)
		nsids.push_back(n.nsid);
	j["namespaces"] = nsids;
	j["allowed_hosts"] = s.allowed_hosts;
	j["ports"] = ports;
	if (s.passthru && s.passthru->configured())
		j["passthru"] = attr_of(s.passthru->attrs, "device", "path");
	if (details) {
		// Only what this kernel has.
		for (const char *a : {"version", "cntlid_min", "cntlid_max", "qid_max",
				      "ieee_oui", "firmware", "pi_enable"})
			if (s.attrs.count("attr") && s.attrs.at("attr").count(a))
				j[a] = attr_of(s.attrs, "attr", a);
	}
	return j;
}

void show(const Globals &g, const std::string &nqn)
{
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	std::vector<nlohmann::ordered_json> rows;
	if (nqn.empty()) {
		for (const auto &s : nv.subsystems())
			rows.push_back(subsys_row(s, nv.ports_linking(s.nqn), g.details));
	} else {
		const Subsystem s = nv.subsystem(check_name("subsystem", nqn));
		rows.push_back(subsys_row(s, nv.ports_linking(s.nqn), g.details));
	}
	print_objects(g.out, g.format(), "subsys", rows);
}

} // namespace

void set_subsys_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<SubsysArgs>();
	auto *obj = add_object(app, g, "subsys", "Show and change NVMe subsystems (configfs)",
			       [&g, a] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show", "Show all subsystems or one",
			   [&g, a] { show(g, a->nqn); });
	v->alias("list");
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN");

	v = add_verb(*obj, g, "add", "Create a subsystem: SUBSYS [KEY VALUE]...", [&g, a] {
		const auto kv = a->add.parse("subsys add", 1, 1, "SUBSYS, then KEY VALUE...");
		const std::string nqn = check_nqn("subsystem", kv.leading[0]);
		const Settings s = a->add.settings("subsystem " + nqn, kv);
		if (const auto w = nqn_warning("subsystem", nqn); !w.empty())
			warn(g.err, w);
		auto tree = open_tree(g);
		Nvmet(*tree).add_subsystem(nqn, s);
	});
	a->add.attach(v, "ARGS", "SUBSYS (its NQN), then KEY VALUE...", subsys_keywords());

	v = add_verb(*obj, g, "set", "Change a subsystem's attributes: SUBSYS KEY VALUE...",
		     [&g, a] {
			     const auto kv = a->set.parse("subsys set", 1, 1,
							  "SUBSYS, then KEY VALUE...");
			     const std::string nqn = check_name("subsystem", kv.leading[0]);
			     if (kv.values.empty())
				     throw UsageError("subsystem " + nqn + ": nothing to set; use " +
						      keyword_list(a->set.keywords()));
			     const Settings s = a->set.settings("subsystem " + nqn, kv);
			     auto tree = open_tree(g);
			     Nvmet(*tree).set_subsystem(nqn, s);
		     });
	a->set.attach(v, "ARGS", "SUBSYS, then KEY VALUE...", subsys_keywords());

	v = add_verb(*obj, g, "del", "Delete a subsystem", [&g, a] {
		const std::string nqn = check_name("subsystem", a->nqn);
		auto tree = open_tree(g);
		Nvmet(*tree).del_subsystem(nqn, a->force);
	});
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	v->add_flag("--force", a->force,
		    "Also unlink it from ports and delete its namespaces");
}

} // namespace ddactl

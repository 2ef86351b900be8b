// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl subsys { show | add | set | del | help }: nvmet subsystems.
#include <memory>

#include "cfs_cli.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

// The attribute options of one verb.
struct AttrOptions {
	CLI::Option *allow = nullptr, *serial = nullptr, *model = nullptr;
};

struct SubsysArgs {
	std::string nqn, allow_any, serial, model;
	bool force = false;
	AttrOptions add, set;

	SubsysSettings settings(const AttrOptions &o) const
	{
		SubsysSettings s;
		const std::string what = "subsystem " + nqn;
		if (o.allow->count())
			s.allow_any_host = parse_bool(what + ": --allow-any-host", allow_any);
		if (o.serial->count())
			s.serial = check_ascii(what + ": serial", serial, 20);
		if (o.model->count())
			s.model = check_ascii(what + ": model", model, 40);
		return s;
	}
};

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
	if (details)
		for (const char *a : {"version", "cntlid_min", "cntlid_max", "qid_max"})
			j[a] = attr_of(s.attrs, "attr", a);
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

void add_attr_options(CLI::App *v, SubsysArgs &a, AttrOptions &o)
{
	o.allow = v->add_option("--allow-any-host", a.allow_any,
				  "Let any host connect: 1 or 0 (default 0)")
			    ->type_name("BOOL");
	o.serial = v->add_option("--serial", a.serial,
				   "Serial number, up to 20 ASCII characters")
			     ->type_name("SERIAL");
	o.model = v->add_option("--model", a.model,
				  "Model number, up to 40 ASCII characters")
			    ->type_name("MODEL");
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

	v = add_verb(*obj, g, "add", "Create a subsystem", [&g, a] {
		const std::string nqn = check_nqn("subsystem", a->nqn);
		const SubsysSettings s = a->settings(a->add);
		auto tree = open_tree(g);
		Nvmet(*tree).add_subsystem(nqn, s);
	});
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	add_attr_options(v, *a, a->add);

	v = add_verb(*obj, g, "set", "Change a subsystem's attributes", [&g, a] {
		const std::string nqn = check_name("subsystem", a->nqn);
		const SubsysSettings s = a->settings(a->set);
		auto tree = open_tree(g);
		Nvmet(*tree).set_subsystem(nqn, s);
	});
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	add_attr_options(v, *a, a->set);

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

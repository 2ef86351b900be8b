// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl ns { show | add | set | del | enable | disable | help }: namespaces.
#include <memory>

#include "cfs_cli.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

// The device options of one verb.
struct DevOptions {
	CLI::Option *path = nullptr, *uuid = nullptr, *nguid = nullptr;
};

struct NsArgs {
	std::string nqn, nsid, path, uuid, nguid;
	bool no_enable = false;
	DevOptions add, set;

	NsSettings settings(const DevOptions &o) const
	{
		const std::string what = "namespace " + (nsid.empty() ? "" : nsid + " ") +
					 "of " + nqn;
		NsSettings s;
		s.path = given(o.path, path);
		if (o.uuid->count())
			s.uuid = check_uuid(what, uuid);
		if (o.nguid->count())
			s.nguid = check_nguid(what, nguid);
		return s;
	}
};

nlohmann::ordered_json ns_row(const std::string &nqn, const Namespace &n, bool details)
{
	nlohmann::ordered_json j;
	j["nsid"] = n.nsid;
	j["subsys"] = nqn;
	j["path"] = attr_of(n.attrs, "device", "path");
	j["enabled"] = n.enable;
	j["uuid"] = attr_of(n.attrs, "device", "uuid");
	if (details) {
		j["nguid"] = attr_of(n.attrs, "device", "nguid");
		const std::string grp = attr_of(n.attrs, "ana", "grpid");
		j["ana_grpid"] = grp.empty() ? 0 : std::stoul(grp);
	}
	return j;
}

void show(const Globals &g, const std::string &nqn, const std::string &nsid)
{
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	std::vector<nlohmann::ordered_json> rows;
	if (!nsid.empty()) {
		const std::string sub = check_name("subsystem", nqn);
		rows.push_back(ns_row(sub, nv.ns(sub, parse_nsid(nsid)), g.details));
	} else {
		std::vector<Subsystem> subs;
		if (nqn.empty())
			subs = nv.subsystems();
		else
			subs = {nv.subsystem(check_name("subsystem", nqn))};
		for (const auto &s : subs)
			for (const auto &n : s.namespaces)
				rows.push_back(ns_row(s.nqn, n, g.details));
	}
	print_objects(g.out, g.format(), "ns", rows);
}

void add_device_options(CLI::App *v, NsArgs &a, DevOptions &o)
{
	o.path = v->add_option("--path", a.path, "Block device or file to export")
			   ->type_name("PATH");
	o.uuid = v->add_option("--uuid", a.uuid, "Namespace UUID (default: random)")
			   ->type_name("UUID");
	o.nguid = v->add_option("--nguid", a.nguid, "Namespace NGUID, 32 hex digits")
			    ->type_name("NGUID");
}

} // namespace

void set_ns_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<NsArgs>();
	auto *obj = add_object(app, g, "ns", "Show and change namespaces (configfs)",
			       [&g, a] { show(g, {}, {}); });

	auto *v = add_verb(*obj, g, "show", "Show namespaces, of all subsystems or one",
			   [&g, a] { show(g, a->nqn, a->nsid); });
	v->alias("list");
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN");
	v->add_option("NSID", a->nsid, "Namespace ID");

	v = add_verb(*obj, g, "add", "Create a namespace and enable it", [&g, a] {
		const std::string nqn = check_name("subsystem", a->nqn);
		std::optional<uint32_t> nsid;
		if (!a->nsid.empty())
			nsid = parse_nsid(a->nsid);
		const NsSettings s = a->settings(a->add);
		auto tree = open_tree(g);
		const uint32_t got = Nvmet(*tree).add_namespace(nqn, nsid, s, !a->no_enable);
		if (g.format() != Format::text)
			print_objects(g.out, g.format(), "ns",
				      {nlohmann::ordered_json{{"nsid", got}, {"subsys", nqn}}});
		else if (!nsid)
			g.out << "ns " << got << " subsys " << nqn << '\n';
	});
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	v->add_option("NSID", a->nsid, "Namespace ID (default: the lowest free one)");
	add_device_options(v, *a, a->add);
	v->add_flag("--no-enable", a->no_enable, "Create it disabled");

	v = add_verb(*obj, g, "set", "Change a disabled namespace's device", [&g, a] {
		const std::string nqn = check_name("subsystem", a->nqn);
		const uint32_t nsid = parse_nsid(a->nsid);
		const NsSettings s = a->settings(a->set);
		auto tree = open_tree(g);
		Nvmet(*tree).set_namespace(nqn, nsid, s);
	});
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	v->add_option("NSID", a->nsid, "Namespace ID")->required();
	add_device_options(v, *a, a->set);

	const auto simple = [&](const char *name, const char *desc, auto op) {
		auto *s = add_verb(*obj, g, name, desc, [&g, a, op] {
			const std::string nqn = check_name("subsystem", a->nqn);
			const uint32_t nsid = parse_nsid(a->nsid);
			auto tree = open_tree(g);
			Nvmet nv(*tree);
			op(nv, nqn, nsid);
		});
		s->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
		s->add_option("NSID", a->nsid, "Namespace ID")->required();
	};
	simple("del", "Disable and delete a namespace",
	       [](Nvmet &nv, const std::string &n, uint32_t id) { nv.del_namespace(n, id); });
	simple("enable", "Enable a namespace",
	       [](Nvmet &nv, const std::string &n, uint32_t id) {
		       nv.enable_namespace(n, id, true);
	       });
	simple("disable", "Disable a namespace",
	       [](Nvmet &nv, const std::string &n, uint32_t id) {
		       nv.enable_namespace(n, id, false);
	       });
}

} // namespace ddactl

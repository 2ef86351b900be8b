// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl ns { show | add | set | del | enable | disable | revalidate | help }:
// namespaces.
#include <memory>

#include "cfs_cli.hpp"
#include "errors.hpp"
#include "keywords.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct NsArgs {
	std::string nqn, nsid;
	bool no_enable = false;
	KeywordArgs add, set;
};

std::vector<Keyword> ns_keywords()
{
	return {
		{"path", "device_path", "PATH", "Block device or file to export"},
		{"uuid", "device_uuid", "UUID", "Namespace UUID (default: random)",
		 [](const std::string &what, const std::string &v) { return check_uuid(what, v); }},
		{"nguid", "device_nguid", "NGUID", "Namespace NGUID, 32 hex digits",
		 [](const std::string &what, const std::string &v) { return check_nguid(what, v); }},
		{"ana-grpid", "ana_grpid", "GRPID",
		 "ANA group of the namespace, 1 to 128 (default 1)",
		 [](const std::string &what, const std::string &v) {
			 const std::string n = parse_uint_attr(what, v);
			 const auto id = std::stoul(n, nullptr, 0);
			 if (id < 1 || id > ana_grpid_max)
				 throw UsageError(what + " '" + v + "': give a group ID from 1 to 128");
			 return std::to_string(id);
		 }},
		{"buffered-io", "buffered_io", "BOOL",
		 "Serve a file through the page cache: 1 or 0 (default 0)",
		 [](const std::string &what, const std::string &v) {
			 return std::string(parse_bool(what, v) ? "1" : "0");
		 }},
	};
}

nlohmann::ordered_json ns_row(const std::string &nqn, const Namespace &n, bool details)
{
	nlohmann::ordered_json j;
	j["nsid"] = n.nsid;
	j["subsys"] = nqn;
	j["path"] = attr_of(n.attrs, "device", "path");
	j["enable"] = n.enable;
	j["uuid"] = attr_of(n.attrs, "device", "uuid");
	if (details) {
		j["nguid"] = attr_of(n.attrs, "device", "nguid");
		const std::string grp = attr_of(n.attrs, "ana", "grpid");
		j["ana_grpid"] = grp.empty() ? 0 : std::stoul(grp);
		if (n.params.count("buffered_io"))
			j["buffered_io"] = n.params.at("buffered_io") == "1";
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

	v = add_verb(*obj, g, "add",
		     "Create a namespace and enable it: SUBSYS [NSID] path PATH [KEY VALUE]...",
		     [&g, a] {
			     const auto kv = a->add.parse("ns add", 1, 2,
							  "SUBSYS [NSID], then path PATH");
			     const std::string nqn = check_name("subsystem", kv.leading[0]);
			     std::optional<uint32_t> nsid;
			     if (kv.leading.size() > 1)
				     nsid = parse_nsid(kv.leading[1]);
			     const std::string what = "namespace " +
				     (nsid ? kv.leading[1] + " " : std::string()) + "of " + nqn;
			     const Settings s = a->add.settings(what, kv);
			     auto tree = open_tree(g);
			     const uint32_t got = Nvmet(*tree).add_namespace(nqn, nsid, s,
									    !a->no_enable);
			     if (g.format() != Format::text)
				     print_objects(g.out, g.format(), "ns",
						   {nlohmann::ordered_json{{"nsid", got},
									   {"subsys", nqn}}});
			     else if (!nsid)
				     g.out << "ns " << got << " subsys " << nqn << '\n';
		     });
	a->add.attach(v, "ARGS", "SUBSYS, optionally NSID (default: the lowest free "
				 "one), then KEY VALUE...", ns_keywords());
	v->add_flag("--no-enable", a->no_enable, "Create it disabled");

	v = add_verb(*obj, g, "set", "Change a namespace: SUBSYS NSID KEY VALUE... (the "
				     "device only while it is disabled)",
		     [&g, a] {
			     const auto kv = a->set.parse("ns set", 2, 2,
							  "SUBSYS NSID, then KEY VALUE...");
			     const std::string nqn = check_name("subsystem", kv.leading[0]);
			     const uint32_t nsid = parse_nsid(kv.leading[1]);
			     const std::string what = "namespace " + kv.leading[1] + " of " + nqn;
			     if (kv.values.empty())
				     throw UsageError(what + ": nothing to set; use " +
						      keyword_list(a->set.keywords()));
			     const Settings s = a->set.settings(what, kv);
			     auto tree = open_tree(g);
			     Nvmet(*tree).set_namespace(nqn, nsid, s);
		     });
	a->set.attach(v, "ARGS", "SUBSYS NSID, then KEY VALUE...", ns_keywords());

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
	simple("revalidate", "Make an enabled namespace take its device's new size",
	       [](Nvmet &nv, const std::string &n, uint32_t id) {
		       nv.revalidate_namespace(n, id);
	       });
}

} // namespace ddactl

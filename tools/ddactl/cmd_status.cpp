// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl status: one screen of module, providers, ports and namespaces.
#include <algorithm>
#include <ostream>

#include <CLI/CLI.hpp>

#include <linux/nvmet_dda.h>

#include "cfs_cli.hpp"
#include "p2p_ctl.hpp"
#include "status.hpp"

namespace ddactl {

namespace {

using ojson = nlohmann::ordered_json;

StatusData gather(const Globals &g)
{
	StatusData s;
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	s.nvmet_loaded = tree->loaded();
	if (s.nvmet_loaded)
		s.target = nv.load();
	else
		s.notes.push_back("nvmet is not loaded (" + tree->root().string() +
				  " does not exist): no ports or namespaces; "
				  "modprobe nvmet");

	auto p2p = open_p2p(g);
	if (p2p) {
		s.info = p2p->info();
		s.providers = p2p->providers();
		s.rules = p2p->rules();
	} else {
		s.notes.push_back("nvmet-dda is not loaded: no providers, every "
				  "namespace's mode is off; modprobe nvmet-dda");
	}
	return s;
}

void run_status(const Globals &g)
{
	print_status(g.out, g.format(), gather(g));
}

Row provider_row(const Provider &p)
{
	Row row;
	row.add("provider", p.address);
	row.add("kind", provider_kind_name(p.kind));
	row.add_bytes("size", p.size);
	row.add_bytes("available", p.available);
	return row;
}

Row port_row(const Port &p)
{
	Row row;
	row.add("portid", p.id);
	row.add("trtype", attr_of(p.attrs, "addr", "trtype"));
	row.add("traddr", attr_of(p.attrs, "addr", "traddr"));
	row.add("trsvcid", attr_of(p.attrs, "addr", "trsvcid"));
	row.add("subsystems", p.subsystems);
	return row;
}

Row ns_row(const Target &t, const std::vector<PolicyRule> &rules,
	   const Subsystem &s, const Namespace &n)
{
	Row row;
	row.add("subsys", s.nqn);
	row.add("nsid", n.nsid);
	row.add("path", attr_of(n.attrs, "device", "path"));
	row.add("enable", n.enable);
	const auto eff = effective_offload(t, rules, s.nqn, n.nsid);
	if (eff.size() == 1) {
		row.add("mode", eff[0].mode);
		row.add("provider", eff[0].provider);
		row.add("rule", eff[0].rule);
	} else {
		// Depends on the port a command arrives on.
		std::vector<std::string> modes, providers, sources;
		for (const auto &e : eff) {
			modes.push_back(e.mode);
			providers.push_back(e.provider);
			sources.push_back(e.rule);
		}
		row.text["mode"] = modes;
		row.text["provider"] = providers;
		row.text["rule"] = sources;
	}
	ojson offload = ojson::array();
	for (const auto &e : eff)
		offload.push_back({{"mode", e.mode}, {"provider", e.provider}, {"rule", e.rule}});
	row.json["offload"] = offload;
	return row;
}

} // namespace

std::vector<EffectiveOffload> effective_offload(const Target &t,
						const std::vector<PolicyRule> &rules,
						const std::string &nqn, uint32_t nsid)
{
	for (const auto &r : rules)
		if (!r.target.port && r.target.subsys == nqn && r.target.nsid == nsid)
			return {{mode_name(r.mode), r.provider, "namespace"}};

	std::vector<EffectiveOffload> v;
	for (const auto &p : t.ports) {
		if (std::find(p.subsystems.begin(), p.subsystems.end(), nqn) ==
		    p.subsystems.end())
			continue;
		EffectiveOffload e{"off", "none", "none"};
		for (const auto &r : rules)
			if (r.target.port == p.id)
				e = {mode_name(r.mode), r.provider, "port"};
		const std::string id = std::to_string(p.id);
		if (e.rule == "port")
			e.rule = "port " + id;
		const auto same = std::find_if(v.begin(), v.end(), [&](const auto &o) {
			return o.mode == e.mode && o.provider == e.provider &&
			       (o.rule == "none") == (e.rule == "none");
		});
		if (same == v.end())
			v.push_back(e);
		else if (e.rule != "none")
			same->rule += "," + id;
	}
	if (v.empty())
		v.push_back({"off", "none", "none"});
	return v;
}

void print_status(std::ostream &out, Format format, const StatusData &s)
{
	std::vector<Row> providers, ports, namespaces;
	for (const auto &p : s.providers)
		providers.push_back(provider_row(p));
	for (const auto &p : s.target.ports)
		ports.push_back(port_row(p));
	for (const auto &sub : s.target.subsystems)
		for (const auto &n : sub.namespaces)
			namespaces.push_back(ns_row(s.target, s.rules, sub, n));

	if (format != Format::text) {
		ojson doc = ojson::object();
		doc["schema"] = json_schema;
		ojson mod = {{"name", module_name}, {"loaded", s.info.has_value()}};
		if (s.info) {
			mod["version"] = s.info->version;
			mod["kernel_release"] = s.info->kernel_release;
			mod["p2pdma"] = s.info->p2pdma;
			mod["capabilities"] = capability_names(s.info->caps);
		}
		doc["module"] = mod;
		doc["nvmet_loaded"] = s.nvmet_loaded;
		for (const auto &[key, rows] : {std::pair{"providers", &providers},
						std::pair{"ports", &ports},
						std::pair{"namespaces", &namespaces}}) {
			doc[key] = ojson::array();
			for (const auto &r : *rows)
				doc[key].push_back(r.json);
		}
		doc["notes"] = s.notes;
		print_json(out, format, doc);
		return;
	}

	Printer p(out, format);
	if (s.info) {
		p.print_string(Show::text, {}, "module",
			       std::string(module_name) + " " + s.info->version);
		p.print_bool(Show::text, {}, "p2pdma", s.info->p2pdma);
		p.print_list(Show::text, {}, "capabilities",
			     capability_names(s.info->caps));
	} else {
		p.print_string(Show::text, {}, "module",
			       std::string(module_name) + " not loaded");
	}
	p.print_uint(Show::text, {}, "providers", s.providers.size());
	p.print_uint(Show::text, {}, "ports", s.target.ports.size());
	p.print_uint(Show::text, {}, "namespaces", namespaces.size());
	p.finish();
	for (const auto &n : s.notes)
		out << "note: " << n << '\n';
	print_rows(out, format, "provider", providers);
	print_rows(out, format, "port", ports);
	print_rows(out, format, "ns", namespaces);
}

void set_status_command(CLI::App &app, Globals &g)
{
	auto *cmd = app.add_subcommand(
		"status", "Show the module, providers, ports and namespaces with "
			  "their offload mode on one screen");
	cmd->callback([&g] { g.action = [&g] { run_status(g); }; });
}

} // namespace ddactl

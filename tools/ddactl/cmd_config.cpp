// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl config { save | restore | clear | help }: the whole target as an
// nvmetcli-style JSON file, with the module's P2P configuration in the
// "nvmet_dda" section when nvmet-dda is loaded.
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>

#include <linux/nvmet_dda.h>

#include "cfs_cli.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "nl_cli.hpp"
#include "output.hpp"
#include "p2p_ctl.hpp"
#include "target.hpp"

namespace ddactl {

namespace {

struct ConfigArgs {
	std::string file;
	bool clear = false;
	bool dry_run = false;

	std::string path() const { return file.empty() ? default_config_file : file; }
};

// Unknown top-level sections of the file being replaced, so that a save
// keeps what other tools (or later ddactl versions) put there. The
// "nvmet_dda" section is ddactl's own and is never among them.
nlohmann::json extra_of(const std::string &path)
{
	std::error_code ec;
	if (!std::filesystem::is_regular_file(path, ec))
		return nlohmann::json::object();
	try {
		return parse_config(read_file(path), path).extra;
	} catch (const Error &) {
		return nlohmann::json::object();
	}
}

// The module's P2P configuration; nullopt when it is not loaded.
std::optional<P2pConfig> live_p2p(P2pControl *p2p)
{
	if (!p2p)
		return std::nullopt;
	return p2p_config_of(p2p->providers(), p2p->rules());
}

void save(const Globals &g, const ConfigArgs &a)
{
	auto tree = open_tree(g);
	const Target t = Nvmet(*tree).load();
	auto p2p = open_p2p(g);
	const auto section = live_p2p(p2p.get());
	if (a.file == "-") {
		g.out << serialize(t, nlohmann::json::object(), section);
		return;
	}
	write_file_atomic(a.path(), serialize(t, extra_of(a.path()), section));
}

std::string counts(const Target &t, std::size_t rules)
{
	std::string s = std::to_string(t.ports.size()) + " port(s), " +
			std::to_string(t.subsystems.size()) + " subsystem(s), " +
			std::to_string(t.hosts.size()) + " host(s)";
	if (rules)
		s += ", " + std::to_string(rules) + " offload rule(s)";
	return s;
}

// Deletes every offload rule and every BAR provider. The rules go first
// (no new P2P buffers), the providers after the configfs part, when no port
// serves I/O any more.
void clear_all(Nvmet &nv, P2pControl *p2p)
{
	if (p2p)
		for (const auto &r : p2p->rules())
			p2p->del_rule(r.target);
	nv.clear();
	if (p2p)
		for (const auto &p : p2p->providers())
			if (p.kind == NVMET_DDA_PROVIDER_BAR)
				p2p->del_provider(p.address);
}

// The steps that apply @want on top of the module's state @live.
void p2p_steps(std::vector<Step> &steps, P2pControl &p2p, const P2pConfig &want,
	       const std::vector<Provider> &live)
{
	for (const auto &b : want.providers) {
		const Provider *same = nullptr;
		for (const auto &p : live)
			if (p.address == b.address)
				same = &p;
		Step s{describe(b), {}};
		if (same && same->kind == NVMET_DDA_PROVIDER_BAR &&
		    same->bar.value_or(0) == b.bar && same->offset.value_or(0) == b.offset &&
		    same->size == b.size) {
			s.apply = [] { return false; };
			s.skipped = "an identical provider already exists";
		} else if (same) {
			s.apply = [address = b.address]() -> bool {
				throw KernelError(KernelError::Verbatim{},
						  "provider " + address + " already exists "
						  "with another region or kind; delete it "
						  "('ddactl provider del " + address + "')",
						  EEXIST, {});
			};
		} else {
			ProviderAdd req{b.address, b.bar, b.offset, b.size};
			s.apply = [&p2p, req] {
				p2p.add_provider(req);
				return true;
			};
			s.undo = [&p2p, address = b.address] {
				try {
					p2p.del_provider(address);
				} catch (const std::exception &) {
				}
			};
		}
		steps.push_back(std::move(s));
	}
	for (const auto &r : want.rules) {
		PolicySettings set{r.mode, r.provider, r.min_io, r.max_bytes};
		Step s{describe(r), [&p2p, target = r.target, set] {
			p2p.set_rule(target, set);
			return true;
		}};
		s.undo = [&p2p, target = r.target] {
			try {
				p2p.del_rule(target);
			} catch (const std::exception &) {
			}
		};
		steps.push_back(std::move(s));
	}
}

// Runs @steps in order. When one fails, takes back the ones before it in
// reverse order and rethrows, the message saying what failed.
void apply_all(const Globals &g, const std::string &path, std::vector<Step> &steps,
	       const std::string &hint)
{
	std::size_t i = 0;
	const auto rollback = [&] {
		for (std::size_t j = i; j-- > 0;)
			if (steps[j].undo)
				steps[j].undo();
		g.err << "Restore of " << path << " failed at change " << i + 1 << " of "
		      << steps.size() << ": " << steps[i].what << ".\n"
		      << "The " << i << " change(s) before it were taken back.\n";
		return "config " + path + ": " + steps[i].what + ": ";
	};
	try {
		for (; i < steps.size(); i++)
			if (!steps[i].apply())
				warn(g.err, "config " + path + ": skipped '" + steps[i].what +
					    "': " + steps[i].skipped);
	} catch (const ConfigfsError &e) {
		throw ConfigfsError(rollback() + e.what() + "; " + hint, e.error());
	} catch (const KernelError &e) {
		throw KernelError(KernelError::Verbatim{}, rollback() + e.what() + "; " + hint,
				  e.error(), e.extack());
	} catch (const Error &e) {
		throw Error(rollback() + e.what());
	}
}

// What restoring @want over @live changes, one line per object or
// attribute: "+ ..." added, "- ..." removed, "~ ...: old -> new" changed.
std::vector<std::string> diff(const Target &live, const Target &want)
{
	std::vector<std::string> out;
	const auto attrs = [&](const std::string &what, const AttrGroups &a,
			       const AttrGroups &b) {
		std::map<std::string, std::pair<std::string, std::string>> all;
		for (const auto &[grp, m] : a)
			for (const auto &[k, v] : m)
				all[grp + "_" + k].first = v;
		for (const auto &[grp, m] : b)
			for (const auto &[k, v] : m)
				all[grp + "_" + k].second = v;
		for (const auto &[k, v] : all)
			if (v.first != v.second && !v.second.empty())
				out.push_back("~ " + what + " " + k + ": '" + v.first + "' -> '" +
					      v.second + "'");
	};
	const auto lists = [&](const std::string &what, std::vector<std::string> a,
			       std::vector<std::string> b) {
		for (const auto &x : a)
			if (std::find(b.begin(), b.end(), x) == b.end())
				out.push_back("- " + what + " " + x);
		for (const auto &x : b)
			if (std::find(a.begin(), a.end(), x) == a.end())
				out.push_back("+ " + what + " " + x);
	};
	attrs("target", live.attrs, want.attrs);
	for (const auto &h : live.hosts)
		if (std::none_of(want.hosts.begin(), want.hosts.end(),
				 [&](const Host &x) { return x.nqn == h.nqn; }))
			out.push_back("- host " + h.nqn);
	for (const auto &h : want.hosts) {
		const auto it = std::find_if(live.hosts.begin(), live.hosts.end(),
					     [&](const Host &x) { return x.nqn == h.nqn; });
		if (it == live.hosts.end())
			out.push_back("+ host " + h.nqn);
		attrs("host " + h.nqn, it == live.hosts.end() ? AttrGroups{} : it->attrs,
		      h.attrs);
	}
	for (const auto &s : live.subsystems)
		if (std::none_of(want.subsystems.begin(), want.subsystems.end(),
				 [&](const Subsystem &x) { return x.nqn == s.nqn; }))
			out.push_back("- subsystem " + s.nqn);
	for (const auto &s : want.subsystems) {
		const auto it = std::find_if(live.subsystems.begin(), live.subsystems.end(),
					     [&](const Subsystem &x) { return x.nqn == s.nqn; });
		const std::string what = "subsystem " + s.nqn;
		if (it == live.subsystems.end())
			out.push_back("+ " + what);
		const Subsystem cur = it == live.subsystems.end() ? Subsystem{} : *it;
		attrs(what, cur.attrs, s.attrs);
		lists(what + " allowed host", cur.allowed_hosts, s.allowed_hosts);
		if (s.passthru && s.passthru->configured() && (!cur.passthru || !(*cur.passthru == *s.passthru)))
			out.push_back("~ " + what + " passthru " +
				      attr_of(s.passthru->attrs, "device", "path") +
				      (s.passthru->enable ? " (enabled)" : ""));
		for (const auto &n : cur.namespaces)
			if (std::none_of(s.namespaces.begin(), s.namespaces.end(),
					 [&](const Namespace &x) { return x.nsid == n.nsid; }))
				out.push_back("- namespace " + std::to_string(n.nsid) + " of " + s.nqn);
		for (const auto &n : s.namespaces) {
			const auto nt = std::find_if(cur.namespaces.begin(), cur.namespaces.end(),
						     [&](const Namespace &x) { return x.nsid == n.nsid; });
			const std::string nwhat = "namespace " + std::to_string(n.nsid) + " of " + s.nqn;
			if (nt == cur.namespaces.end())
				out.push_back("+ " + nwhat + (n.enable ? " (enabled)" : ""));
			else if (nt->enable != n.enable)
				out.push_back("~ " + nwhat + (n.enable ? " enabled" : " disabled"));
			attrs(nwhat, nt == cur.namespaces.end() ? AttrGroups{} : nt->attrs, n.attrs);
		}
	}
	for (const auto &p : live.ports)
		if (std::none_of(want.ports.begin(), want.ports.end(),
				 [&](const Port &x) { return x.id == p.id; }))
			out.push_back("- port " + std::to_string(p.id));
	for (const auto &p : want.ports) {
		const auto it = std::find_if(live.ports.begin(), live.ports.end(),
					     [&](const Port &x) { return x.id == p.id; });
		const std::string what = "port " + std::to_string(p.id);
		if (it == live.ports.end())
			out.push_back("+ " + what);
		const Port cur = it == live.ports.end() ? Port{} : *it;
		attrs(what, cur.attrs, p.attrs);
		lists(what + " subsystem", cur.subsystems, p.subsystems);
		std::vector<std::string> a, b;
		for (const auto &r : cur.referrals)
			a.push_back(r.name);
		for (const auto &r : p.referrals)
			b.push_back(r.name);
		lists(what + " referral", a, b);
		a.clear();
		b.clear();
		for (const auto &x : cur.ana_groups)
			a.push_back(std::to_string(x.grpid) + " " + attr_of(x.attrs, "ana", "state"));
		for (const auto &x : p.ana_groups)
			b.push_back(std::to_string(x.grpid) + " " + attr_of(x.attrs, "ana", "state"));
		lists(what + " ANA group", a, b);
	}
	return out;
}

std::vector<std::string> diff(const std::optional<P2pConfig> &live, const P2pConfig &want)
{
	std::vector<std::string> out;
	const P2pConfig cur = live.value_or(P2pConfig{});
	for (const auto &p : cur.providers)
		if (std::find(want.providers.begin(), want.providers.end(), p) == want.providers.end())
			out.push_back("- provider " + p.address);
	for (const auto &p : want.providers)
		if (std::find(cur.providers.begin(), cur.providers.end(), p) == cur.providers.end())
			out.push_back("+ " + describe(p));
	for (const auto &r : cur.rules)
		if (std::find(want.rules.begin(), want.rules.end(), r) == want.rules.end())
			out.push_back("- offload rule of " + target_name(r.target));
	for (const auto &r : want.rules)
		if (std::find(cur.rules.begin(), cur.rules.end(), r) == cur.rules.end())
			out.push_back("+ " + describe(r));
	return out;
}

void restore(const Globals &g, const ConfigArgs &a)
{
	const std::string path = a.path();
	const ConfigFile cfg = parse_config(read_file(path), path);
	for (const auto &w : cfg.warnings)
		warn(g.err, w);
	for (const auto &[k, v] : cfg.extra.items())
		warn(g.err, "config " + path + ": section \"" + k +
			    "\" is not applied by this version of ddactl");

	auto tree = open_tree(g);
	Nvmet nv(*tree);
	auto p2p = open_p2p(g);
	if (!p2p && cfg.p2p && !cfg.p2p->empty())
		throw Error("config " + path + ": section \"" + std::string(p2p_section) +
			    "\" has " + std::to_string(cfg.p2p->providers.size()) +
			    " provider(s) and " + std::to_string(cfg.p2p->rules.size()) +
			    " offload rule(s), but nvmet-dda is not loaded; load it "
			    "(modprobe nvmet-dda) and restore again");
	// What can be known without creating anything: the discovery NQN.
	const std::string disc = attr_of(cfg.target.attrs, "discovery", "nqn");
	if (!disc.empty() && !nv.discovery_nqn() && !is_default_value("discovery_nqn", disc))
		throw Error("config " + path + ": discovery.nqn is " + disc + ", but this "
			    "kernel cannot change the discovery NQN (no discovery_nqn; it "
			    "needs Linux 6.6 or later); remove it from the file to restore "
			    "without it");
	const Target live = nv.load();
	const auto live_section = live_p2p(p2p.get());
	const std::size_t live_rules = live_section ? live_section->rules.size() : 0;
	const bool configured = !live.empty() || live_rules;

	if (a.dry_run) {
		std::vector<std::string> lines = diff(live, cfg.target);
		if (cfg.p2p) {
			const auto more = diff(live_section, *cfg.p2p);
			lines.insert(lines.end(), more.begin(), more.end());
		}
		for (const auto &l : lines)
			g.out << l << '\n';
		if (lines.empty())
			g.out << "no changes\n";
		if (configured && !a.clear)
			g.err << "Note: the target is configured (" << counts(live, live_rules)
			      << "); without --clear the restore would be refused.\n";
		return;
	}

	if (configured && !a.clear)
		throw BusyError("config " + path + ": the target is already configured (" +
				counts(live, live_rules) + "); use --clear to replace it, "
				"or run 'ddactl config clear' first");
	if (a.clear)
		clear_all(nv, p2p.get());

	std::vector<Step> steps = nv.restore_plan(cfg.target);
	if (p2p && cfg.p2p)
		p2p_steps(steps, *p2p, *cfg.p2p, p2p->providers());
	std::string hint = "nothing of the file is applied; fix the file, then run "
			   "'ddactl config restore";
	if (configured)
		hint += " --clear";
	if (!a.file.empty())
		hint += " " + a.file;
	hint += "'";
	try {
		apply_all(g, path, steps, hint);
	} catch (...) {
		if (!configured)
			throw;
		// --clear removed a live configuration: put it back.
		std::vector<Step> back = nv.restore_plan(live);
		if (p2p && live_section)
			p2p_steps(back, *p2p, *live_section, p2p->providers());
		try {
			for (auto &s : back)
				s.apply();
			g.err << "The configuration that --clear removed is back in place.\n";
		} catch (const std::exception &e) {
			g.err << "Putting back the configuration that --clear removed failed too: "
			      << e.what() << "; the target is left as it is.\n";
		}
		throw;
	}
}

void clear(const Globals &g)
{
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	auto p2p = open_p2p(g);
	clear_all(nv, p2p.get());
}

} // namespace

void set_config_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<ConfigArgs>();
	auto *obj = add_object(app, g, "config", "Save, restore or clear the whole "
			       "target configuration (nvmetcli JSON)", [] {
				       throw UsageError("config: no command given; use "
							"save, restore or clear");
			       });

	auto *v = add_verb(*obj, g, "save", "Write the configuration to FILE "
			   "(default /etc/nvmet/config.json; - for standard output)",
			   [&g, a] { save(g, *a); });
	v->add_option("FILE", a->file, "Where to write");

	v = add_verb(*obj, g, "restore", "Apply the configuration in FILE "
		     "(default /etc/nvmet/config.json)", [&g, a] { restore(g, *a); });
	v->add_option("FILE", a->file, "What to read");
	v->add_flag("--clear", a->clear, "Remove the live configuration first");
	v->add_flag("--dry-run", a->dry_run, "Change nothing; print what the restore "
		    "would add (+), remove (-) and change (~)");

	add_verb(*obj, g, "clear", "Remove every port, subsystem, namespace and "
		 "host, and every offload rule and BAR provider",
		 [&g] { clear(g); });
}

} // namespace ddactl

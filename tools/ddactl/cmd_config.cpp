// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl config { save | restore | clear | help }: the whole target as an
// nvmetcli-style JSON file, with the module's P2P configuration in the
// "nvmet_dda" section when nvmet-dda is loaded.
#include <filesystem>
#include <memory>
#include <ostream>

#include <linux/nvmet_dda.h>

#include "cfs_cli.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "output.hpp"
#include "p2p_ctl.hpp"
#include "target.hpp"

namespace ddactl {

namespace {

struct ConfigArgs {
	std::string file;
	bool clear = false;

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
		}
		steps.push_back(std::move(s));
	}
	for (const auto &r : want.rules) {
		PolicySettings set{r.mode, r.provider, r.min_io, r.max_bytes};
		steps.push_back({describe(r), [&p2p, target = r.target, set] {
			p2p.set_rule(target, set);
			return true;
		}});
	}
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
	const Target live = nv.load();
	const std::size_t live_rules = p2p ? p2p->rules().size() : 0;
	if ((!live.empty() || live_rules) && !a.clear)
		throw BusyError("config " + path + ": the target is already configured (" +
				counts(live, live_rules) + "); use --clear to replace it, "
				"or run 'ddactl config clear' first");
	if (a.clear)
		clear_all(nv, p2p.get());

	std::vector<Step> steps = nv.restore_plan(cfg.target);
	if (p2p && cfg.p2p)
		p2p_steps(steps, *p2p, *cfg.p2p, p2p->providers());

	for (std::size_t i = 0; i < steps.size(); i++) {
		const auto report = [&] {
			g.err << "Restore of " << path << " stopped at change " << i + 1
			      << " of " << steps.size() << ".\nApplied (still in place):\n";
			for (std::size_t j = 0; j < i; j++)
				g.err << "  " << steps[j].what << '\n';
			if (i == 0)
				g.err << "  (nothing)\n";
			g.err << "Failed:\n  " << steps[i].what << '\n'
			      << "Not applied:\n";
			for (std::size_t j = i + 1; j < steps.size(); j++)
				g.err << "  " << steps[j].what << '\n';
			if (i + 1 == steps.size())
				g.err << "  (nothing)\n";
			return "config " + path + ": " + steps[i].what + ": ";
		};
		const auto hint = [&] {
			std::string h = "fix the file, then run 'ddactl config restore --clear";
			if (!a.file.empty())
				h += " " + a.file;
			return h + "'";
		};
		try {
			if (!steps[i].apply())
				warn(g.err, "config " + path + ": skipped '" + steps[i].what +
					    "': " + steps[i].skipped);
		} catch (const ConfigfsError &e) {
			throw ConfigfsError(report() + e.what() + "; " + hint(), e.error());
		} catch (const KernelError &e) {
			throw KernelError(KernelError::Verbatim{},
					  report() + e.what() + "; " + hint(), e.error(),
					  e.extack());
		}
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

	add_verb(*obj, g, "clear", "Remove every port, subsystem, namespace and "
		 "host, and every offload rule and BAR provider",
		 [&g] { clear(g); });
}

} // namespace ddactl

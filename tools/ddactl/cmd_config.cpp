// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl config { save | restore | clear | help }: the whole target as an
// nvmetcli-style JSON file.
#include <filesystem>
#include <memory>
#include <ostream>

#include "cfs_cli.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "output.hpp"
#include "target.hpp"

namespace ddactl {

namespace {

struct ConfigArgs {
	std::string file;
	bool clear = false;

	std::string path() const { return file.empty() ? default_config_file : file; }
};

// Unknown top-level sections of the file being replaced, so that a save
// keeps what other tools (or later ddactl versions) put there.
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

void save(const Globals &g, const ConfigArgs &a)
{
	auto tree = open_tree(g);
	const Target t = Nvmet(*tree).load();
	if (a.file == "-") {
		g.out << serialize(t);
		return;
	}
	write_file_atomic(a.path(), serialize(t, extra_of(a.path())));
}

std::string counts(const Target &t)
{
	return std::to_string(t.ports.size()) + " port(s), " +
	       std::to_string(t.subsystems.size()) + " subsystem(s), " +
	       std::to_string(t.hosts.size()) + " host(s)";
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
	const Target live = nv.load();
	if (!live.empty() && !a.clear)
		throw BusyError("config " + path + ": the target is already configured (" +
				counts(live) + "); use --clear to replace it, or run "
				"'ddactl config clear' first");
	if (a.clear)
		nv.clear();

	const std::vector<Step> steps = nv.restore_plan(cfg.target);
	for (std::size_t i = 0; i < steps.size(); i++) {
		try {
			if (!steps[i].apply())
				warn(g.err, "config " + path + ": skipped '" + steps[i].what +
					    "': this kernel has no such attribute");
		} catch (const ConfigfsError &e) {
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
			std::string hint = "fix the file, then run 'ddactl config restore --clear";
			if (!a.file.empty())
				hint += " " + a.file;
			throw ConfigfsError("config " + path + ": " + steps[i].what + ": " +
						    e.what() + "; " + hint + "'",
					    e.error());
		}
	}
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

	add_verb(*obj, g, "clear", "Remove every port, subsystem, namespace and host",
		 [&g] {
			 auto tree = open_tree(g);
			 Nvmet(*tree).clear();
		 });
}

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl doctor [--sysroot DIR]: can P2P placement work here, and if not,
// why and what to do. Exit status 0 when it can, 1 otherwise.
#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>

#include "cfs_cli.hpp"
#include "doctor.hpp"
#include "errors.hpp"
#include "p2p_ctl.hpp"

namespace ddactl {

namespace {

void run_doctor(Globals &g)
{
	std::optional<ModuleState> mod;
	if (auto p2p = open_p2p(g))
		mod = ModuleState{p2p->info(), p2p->providers()};
	const auto findings = diagnose(g.sysroot, mod);
	const bool ok = p2p_can_work(findings);

	if (g.format() != Format::text) {
		nlohmann::ordered_json doc = nlohmann::ordered_json::array();
		for (const auto &f : findings) {
			nlohmann::ordered_json j = {{"id", f.id},
						    {"severity", severity_name(f.severity)}};
			if (!f.object.empty())
				j["object"] = f.object;
			j["message"] = f.message;
			if (!f.hint.empty())
				j["hint"] = f.hint;
			doc.push_back(j);
		}
		print_json(g.out, g.format(), doc);
	} else {
		std::size_t errors = 0;
		for (const auto &f : findings) {
			g.out << severity_name(f.severity)
			      << std::string(6 - std::string(severity_name(f.severity)).size(), ' ')
			      << f.id << ": " << f.message << '\n';
			if (!f.hint.empty())
				g.out << "      hint: " << f.hint << '\n';
			errors += f.severity == Severity::error;
		}
		if (ok)
			g.out << "P2P can work on this machine.\n";
		else
			g.out << "P2P cannot work on this machine: " << errors
			      << " problem(s) above marked error.\n";
	}
	if (!ok)
		g.exit_code = static_cast<int>(ExitCode::error);
}

} // namespace

void set_doctor_command(CLI::App &app, Globals &g)
{
	auto *cmd = app.add_subcommand(
		"doctor", "Check whether P2P placement can work on this machine "
			  "(exit status 1 when it cannot) and say what to fix");
	cmd->add_option("--sysroot", g.sysroot,
			"Read /sys, /proc and /boot below DIR (default /)")
		->type_name("DIR");
	cmd->callback([&g] { g.action = [&g] { run_doctor(g); }; });
}

} // namespace ddactl

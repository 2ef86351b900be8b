// SPDX-License-Identifier: GPL-2.0-only
#include "app.hpp"

#include <cctype>
#include <cerrno>
#include <new>
#include <ostream>
#include <string>

#include "errors.hpp"

#ifndef DDACTL_VERSION
#error "DDACTL_VERSION must be defined (tools/Makefile passes ../VERSION)"
#endif

namespace ddactl {

namespace {

// Exactly one "Error: " prefix and one final period, whatever the source.
std::string tidy(std::string msg)
{
	const std::string prefix = "Error: ";
	while (msg.starts_with(prefix))
		msg.erase(0, prefix.size());
	while (!msg.empty() && (msg.back() == '.' || std::isspace(
					static_cast<unsigned char>(msg.back()))))
		msg.pop_back();
	return msg.empty() ? "unknown error" : msg;
}

ExitCode kernel_exit_code(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
		return ExitCode::not_found;
	case EBUSY:
	case ENOTEMPTY:
		return ExitCode::busy;
	default:
		return ExitCode::kernel;
	}
}

} // namespace

std::unique_ptr<CLI::App> build_app(Globals &g)
{
	auto app = std::make_unique<CLI::App>(
		"Control the nvmet-dda NVMe-oF target module.", "ddactl");

	// Inherited by the subcommands: global options may follow the
	// command, as in "ddactl info -j".
	app->fallthrough();
	app->require_subcommand(0, 1);

	app->set_version_flag("-V,--version",
			      std::string("ddactl ") + DDACTL_VERSION,
			      "Print the version and exit");
	app->add_flag("-j,--json", g.json, "Print JSON");
	app->add_flag("-p,--pretty", g.pretty,
		      "Print indented JSON (implies --json)");
	app->add_flag("-d,--details", g.details, "Show more detail");
	app->add_option("--configfs", g.configfs,
			"Where configfs is mounted (default /sys/kernel/config)")
		->type_name("DIR");

	set_info_command(*app, g);
	set_port_command(*app, g);
	set_subsys_command(*app, g);
	set_host_command(*app, g);
	set_ns_command(*app, g);
	set_referral_command(*app, g);
	set_ana_command(*app, g);
	set_passthru_command(*app, g);
	set_discovery_command(*app, g);
	set_config_command(*app, g);
	set_provider_command(*app, g);
	set_offload_command(*app, g);
	set_stats_command(*app, g);
	set_monitor_command(*app, g);
	set_status_command(*app, g);
	set_doctor_command(*app, g);

	// After the subcommands, which would otherwise inherit it.
	app->footer("Run 'ddactl COMMAND --help' for the options of a command.");
	return app;
}

int report_error(std::exception_ptr e, std::ostream &err)
{
	ExitCode code = ExitCode::error;
	std::string msg;

	try {
		std::rethrow_exception(e);
	} catch (const CLI::ParseError &x) {
		code = ExitCode::usage;
		msg = tidy(x.what()) + " (see 'ddactl --help')";
	} catch (const UsageError &x) {
		code = ExitCode::usage;
		msg = x.what();
	} catch (const NotFoundError &x) {
		code = ExitCode::not_found;
		msg = x.what();
	} catch (const BusyError &x) {
		code = ExitCode::busy;
		msg = x.what();
	} catch (const KernelError &x) {
		code = kernel_exit_code(x.error());
		msg = x.what();
	} catch (const ConfigfsError &x) {
		code = kernel_exit_code(x.error());
		msg = x.what();
	} catch (const NetlinkError &x) {
		code = ExitCode::kernel;
		msg = x.what();
	} catch (const std::bad_alloc &) {
		msg = "out of memory";
	} catch (const std::exception &x) {
		msg = x.what();
	} catch (...) {
		msg = "unknown error";
	}

	err << "Error: " << tidy(msg) << ".\n";
	return static_cast<int>(code);
}

int run(int argc, const char *const *argv, std::ostream &out,
	std::ostream &err)
{
	return run(argc, argv, out, err, {});
}

int run(int argc, const char *const *argv, std::ostream &out,
	std::ostream &err, const TreeFactory &open_tree)
{
	return run(argc, argv, out, err, open_tree, {});
}

int run(int argc, const char *const *argv, std::ostream &out,
	std::ostream &err, const TreeFactory &open_tree,
	const P2pFactory &open_p2p)
{
	Globals g{out, err};
	g.open_tree = open_tree;
	g.open_p2p = open_p2p;

	try {
		auto app = build_app(g);
		try {
			app->parse(argc, argv);
		} catch (const CLI::Success &help_or_version) {
			return app->exit(help_or_version, out, err);
		}

		if (g.action)
			g.action();
		else
			out << app->help();

		out.flush();
		if (!out)
			throw Error("cannot write to standard output");
		return g.exit_code;
	} catch (...) {
		return report_error(std::current_exception(), err);
	}
}

} // namespace ddactl

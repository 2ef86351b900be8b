// SPDX-License-Identifier: GPL-2.0-only
//
// The ddactl command line: building it, running it and turning exceptions
// into messages and exit codes.
#pragma once

#include <exception>
#include <iosfwd>
#include <memory>

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace ddactl {

// The full CLI11 app; parsing it only records options and the action in @g.
std::unique_ptr<CLI::App> build_app(Globals &g);

// The one place exceptions become exit codes (enum ExitCode): prints
// "Error: <message>." to @err and returns the code.
int report_error(std::exception_ptr e, std::ostream &err);

// Parses @argv, runs the chosen command and returns the exit code.
int run(int argc, const char *const *argv, std::ostream &out,
	std::ostream &err);
// The same with configfs opened through @open_tree.
int run(int argc, const char *const *argv, std::ostream &out,
	std::ostream &err, const TreeFactory &open_tree);
// The same with the module's P2P control opened through @open_p2p.
int run(int argc, const char *const *argv, std::ostream &out,
	std::ostream &err, const TreeFactory &open_tree,
	const P2pFactory &open_p2p);

} // namespace ddactl

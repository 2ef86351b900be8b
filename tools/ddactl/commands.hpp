// SPDX-License-Identifier: GPL-2.0-only
//
// State shared by all subcommands and the functions that register them:
// one set_<object>_command() per cmd_<object>.cpp.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "model.hpp"
#include "output.hpp"

namespace CLI {
class App;
}

namespace ddactl {

class ConfigfsTree;

// Opens the nvmet tree under a configfs mount point; tests substitute a fake.
using TreeFactory =
	std::function<std::unique_ptr<ConfigfsTree>(const std::string &configfs)>;

struct Globals {
	Globals(std::ostream &out_, std::ostream &err_) : out(out_), err(err_) {}

	std::ostream &out;
	std::ostream &err;
	bool json = false;
	bool pretty = false;	// implies json
	bool details = false;
	std::string configfs = "/sys/kernel/config";
	TreeFactory open_tree;	// unset: the real configfs

	// Set by the chosen subcommand's parse callback and run once parsing
	// has finished, so that parsing alone never does I/O.
	std::function<void()> action;

	Format format() const
	{
		if (pretty)
			return Format::json_pretty;
		return json ? Format::json : Format::text;
	}
};

void set_info_command(CLI::App &app, Globals &g);
void set_port_command(CLI::App &app, Globals &g);
void set_subsys_command(CLI::App &app, Globals &g);
void set_host_command(CLI::App &app, Globals &g);
void set_ns_command(CLI::App &app, Globals &g);
void set_config_command(CLI::App &app, Globals &g);

// Renders an Info the way "ddactl info" prints it.
void print_info(Printer &p, const Info &info, bool details);

} // namespace ddactl

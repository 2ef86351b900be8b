// SPDX-License-Identifier: GPL-2.0-only
#include "cfs_cli.hpp"

#include <ostream>

#include "validate.hpp"

namespace ddactl {

std::unique_ptr<ConfigfsTree> open_tree(const Globals &g)
{
	if (g.open_tree)
		return g.open_tree(g.configfs);
	return std::make_unique<ConfigfsTree>(g.configfs);
}

std::unique_ptr<P2pControl> open_p2p(const Globals &g)
{
	if (g.open_p2p)
		return g.open_p2p();
	return open_netlink_p2p();
}

std::vector<Port> ports_or_one(const Nvmet &nv, const std::string &port)
{
	if (port.empty())
		return nv.ports();
	return {nv.port(parse_port_id(port))};
}

CLI::App *add_object(CLI::App &app, Globals &g, const std::string &name,
		     const std::string &description, std::function<void()> show)
{
	auto *obj = app.add_subcommand(name, description);
	obj->fallthrough();
	obj->require_subcommand(0, 1);
	add_verb(*obj, g, "help", "Print the help of '" + name + "'",
		 [&g, obj, name] {
			 // Not obj->help(), which describes the chosen verb.
			 g.out << obj->get_formatter()->make_help(
				 obj, "ddactl " + name, CLI::AppFormatMode::Normal);
		 });
	// Runs after the chosen verb's callback.
	obj->callback([&g, show] {
		if (!g.action)
			g.action = show;
	});
	return obj;
}

CLI::App *add_verb(CLI::App &object, Globals &g, const std::string &name,
		   const std::string &description, std::function<void()> action)
{
	auto *verb = object.add_subcommand(name, description);
	verb->fallthrough();
	verb->callback([&g, action] { g.action = action; });
	return verb;
}

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl info: module version, kernel and capabilities.
#include <optional>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include <linux/nvmet_dda.h>

#include "codec.hpp"
#include "commands.hpp"
#include "errors.hpp"
#include "netlink.hpp"

namespace ddactl {

namespace {

Info get_info(GenlClient &nl)
{
	const std::string what = "cannot get module info";
	std::optional<Info> info;

	MsgPtr req = encode_info_get(nl.family());
	nl.transact(*req, [&](const nlmsghdr *nlh) { info = decode_info(nlh); },
		    what);
	if (!info)
		throw NetlinkError(what + ": " + module_name + " sent no reply");
	return *info;
}

void run_info(const Globals &g)
{
	GenlClient nl;
	const Info info = get_info(nl);

	if (info.genl_version != NVMET_DDA_GENL_VERSION)
		warn(g.err, std::string(module_name) + " implements netlink version " +
			    std::to_string(info.genl_version) +
			    " but ddactl was built for version " +
			    std::to_string(NVMET_DDA_GENL_VERSION) +
			    "; use a ddactl matching the module");

	Printer p(g.out, g.format());
	print_info(p, info, g.details);
	p.finish();
}

} // namespace

void print_info(Printer &p, const Info &info, bool details)
{
	p.print_uint(Show::json, "schema", {}, json_schema);
	p.print_string(Show::json, "module", {}, module_name);
	p.print_string(Show::json, "version", {}, info.version);
	p.print_string(Show::text, {}, "module",
		       std::string(module_name) + " " + info.version);
	p.print_string(Show::any, "kernel_release", "kernel", info.kernel_release);
	p.print_bool(Show::any, "p2pdma", "p2pdma", info.p2pdma);
	p.print_uint(Show::json, "genl_version", {}, info.genl_version);
	p.print_string(Show::text, {}, "netlink",
		       NVMET_DDA_GENL_NAME " v" + std::to_string(info.genl_version));
	p.print_list(Show::any, "capabilities", "capabilities",
		     capability_names(info.caps));
	if (details)
		p.print_hex(Show::any, "caps", "caps mask", info.caps);
}

void set_info_command(CLI::App &app, Globals &g)
{
	auto *cmd = app.add_subcommand(
		"info", "Show the module version, kernel and capabilities");
	cmd->callback([&g] { g.action = [&g] { run_info(g); }; });
}

} // namespace ddactl

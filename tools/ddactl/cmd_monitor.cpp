// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl monitor [-c COUNT]: print the module's events as they happen.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ostream>

#include <poll.h>

#include <netlink/genl/genl.h>

#include <CLI/CLI.hpp>

#include <linux/nvmet_dda.h>

#include "codec.hpp"
#include "commands.hpp"
#include "errors.hpp"
#include "netlink.hpp"
#include "signals.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

void run_monitor(const Globals &g, uint64_t count)
{
	GenlClient nl;
	nl.subscribe(NVMET_DDA_MCGRP_EVENTS);
	SignalGuard signals;
	uint64_t seen = 0;

	const auto on_event = [&](const nlmsghdr *nlh) {
		if (count && seen >= count)
			return;
		const auto *gnlh = static_cast<const genlmsghdr *>(nlmsg_data(nlh));
		if (nlh->nlmsg_type != nl.family() ||
		    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
		    gnlh->cmd != NVMET_DDA_CMD_EVENT_POOL_DRY)
			return;	// events newer than this build
		try {
			print_event(g.out, g.format(), decode_pool_dry(nlh));
		} catch (const NetlinkError &e) {
			warn(g.err, e.what());
			return;
		}
		g.out.flush();
		if (!g.out)
			throw Error("cannot write to standard output");
		seen++;
	};

	while (!count || seen < count) {
		pollfd p{nl.fd(), POLLIN, 0};
		if (ppoll(&p, 1, nullptr, signals.wait_mask()) < 0) {
			if (errno != EINTR)
				throw Error(std::string("cannot wait for events: ") +
					    std::strerror(errno));
			if (signals.interrupted())
				break;
			continue;
		}
		if (!nl.read_events(on_event))
			warn(g.err, "events were lost: the socket buffer was full");
	}
}

} // namespace

void print_event(std::ostream &out, Format format, const PoolDryEvent &e)
{
	Row row;
	row.json["schema"] = json_schema;
	row.add("event", "pool_dry");
	row.add("provider", e.provider);
	row.add("subsys", e.subsys);
	row.add("nsid", e.nsid);
	row.add_bytes("available", e.available);
	row.add("io_bytes", human_size(e.io_bytes), e.io_bytes);
	if (format == Format::text)
		print_rows(out, format, "event", {row});
	else
		print_json(out, format, row.json);
}

void set_monitor_command(CLI::App &app, Globals &g)
{
	auto count = std::make_shared<std::string>();
	auto *cmd = app.add_subcommand(
		"monitor", "Print the module's events (pool dry) as they happen");
	auto *opt = cmd->add_option("-c,--count", *count,
				    "Exit after COUNT events (default: run until "
				    "interrupted)")
			    ->type_name("COUNT");
	cmd->callback([&g, count, opt] {
		g.action = [&g, count, opt] {
			run_monitor(g, opt->count() ? parse_count(*count) : 0);
		};
	});
}

} // namespace ddactl

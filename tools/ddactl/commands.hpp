// SPDX-License-Identifier: GPL-2.0-only
//
// State shared by all subcommands and the functions that register them:
// one set_<object>_command() per cmd_<object>.cpp.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "model.hpp"
#include "output.hpp"
#include "stats.hpp"

namespace CLI {
class App;
}

namespace ddactl {

class ConfigfsTree;
class P2pControl;

// Opens the nvmet tree under a configfs mount point; tests substitute a fake.
using TreeFactory =
	std::function<std::unique_ptr<ConfigfsTree>(const std::string &configfs)>;

// Opens the module's P2P control (p2p_ctl.hpp); returns nullptr when
// nvmet-dda is not loaded. Tests substitute a fake.
using P2pFactory = std::function<std::unique_ptr<P2pControl>()>;

struct Globals {
	Globals(std::ostream &out_, std::ostream &err_) : out(out_), err(err_) {}

	std::ostream &out;
	std::ostream &err;
	bool json = false;
	bool pretty = false;	// implies json
	bool details = false;
	std::string configfs = "/sys/kernel/config";
	TreeFactory open_tree;	// unset: the real configfs
	P2pFactory open_p2p;	// unset: netlink
	std::string sysroot = "/";	// doctor: where /sys, /proc, /boot are

	// The exit code of a command that ran to its end, for commands whose
	// result is a verdict (doctor); errors are exceptions.
	int exit_code = 0;

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
void set_referral_command(CLI::App &app, Globals &g);
void set_ana_command(CLI::App &app, Globals &g);
void set_passthru_command(CLI::App &app, Globals &g);
void set_discovery_command(CLI::App &app, Globals &g);
void set_config_command(CLI::App &app, Globals &g);
void set_provider_command(CLI::App &app, Globals &g);
void set_offload_command(CLI::App &app, Globals &g);
void set_stats_command(CLI::App &app, Globals &g);
void set_monitor_command(CLI::App &app, Globals &g);
void set_status_command(CLI::App &app, Globals &g);
void set_doctor_command(CLI::App &app, Globals &g);

// Renders an Info the way "ddactl info" prints it.
void print_info(Printer &p, const Info &info, bool details);

// The keyword arguments of "provider add": BDF [bar N] [offset SIZE]
// [size SIZE]. Throws UsageError.
ProviderAdd parse_provider_add(const std::vector<std::string> &args);

// The target at the start of @args, "SUBSYS NSID" or "port PORTID"; @used
// is set to the number of words it took. Throws UsageError.
PolicyTarget parse_policy_target(const std::vector<std::string> &args,
				 std::size_t &used);

// "offload set" arguments: a target and at least one of mode, provider,
// min-io, max-bytes.
struct OffloadSet {
	PolicyTarget target;
	PolicySettings settings;
};
OffloadSet parse_offload_set(const std::vector<std::string> &args);

// "provider show", "offload show", "stats show", "stats -w" and "monitor"
// output.
void print_providers(std::ostream &out, Format format,
		     const std::vector<Provider> &providers);
void print_policies(std::ostream &out, Format format,
		    const std::vector<PolicyRule> &rules);
void print_stats(std::ostream &out, Format format, const Sample &sample);
void print_rates(std::ostream &out, Format format, const Rates &rates);
// The counters in Prometheus' text exposition format (version 0.0.4).
void print_prometheus(std::ostream &out, const Sample &sample);
void print_event(std::ostream &out, Format format, const PoolDryEvent &e);

} // namespace ddactl

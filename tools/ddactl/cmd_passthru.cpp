// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl passthru { show | set | enable | disable | help }: subsystems that
// hand one of the target's NVMe controllers to hosts whole.
#include <memory>

#include "cfs_cli.hpp"
#include "errors.hpp"
#include "keywords.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct PassthruArgs {
	std::string nqn;
	KeywordArgs set;
};

std::vector<Keyword> passthru_keywords()
{
	const auto uint_attr = [](const std::string &what, const std::string &v) {
		return parse_uint_attr(what, v);
	};
	return {
		{"path", "device_path", "PATH", "The NVMe controller, e.g. /dev/nvme1"},
		{"clear-ids", "clear_ids", "N",
		 "Hide the namespaces' EUI-64, NGUID and UUID from hosts: 1 or 0", uint_attr},
		{"admin-timeout", "admin_timeout", "SECONDS",
		 "Timeout of passed-through admin commands (0: the driver's)", uint_attr},
		{"io-timeout", "io_timeout", "SECONDS",
		 "Timeout of passed-through I/O commands (0: the driver's)", uint_attr},
	};
}

void show(const Globals &g, const std::string &nqn)
{
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	std::vector<Subsystem> subs;
	if (nqn.empty())
		subs = nv.subsystems();
	else
		subs = {nv.subsystem(check_name("subsystem", nqn))};
	std::vector<nlohmann::ordered_json> rows;
	for (const auto &s : subs) {
		// Only subsystems that are passthru ones, unless asked by name.
		if (!s.passthru || (nqn.empty() && !s.passthru->configured()))
			continue;
		const auto num = [&](const char *k) -> nlohmann::ordered_json {
			const auto it = s.passthru->params.find(k);
			if (it == s.passthru->params.end() || it->second.empty())
				return 0;
			return std::stoul(it->second, nullptr, 0);
		};
		nlohmann::ordered_json j;
		j["subsys"] = s.nqn;
		std::string path = attr_of(s.passthru->attrs, "device", "path");
		j["path"] = path == "(null)" ? "" : path;
		j["enable"] = s.passthru->enable;
		j["clear_ids"] = num("clear_ids");
		j["admin_timeout"] = num("admin_timeout");
		j["io_timeout"] = num("io_timeout");
		rows.push_back(j);
	}
	if (!nqn.empty() && rows.empty())
		throw Error("passthru of subsystem " + nqn + ": this kernel has no "
			    "passthru subsystems (CONFIG_NVME_TARGET_PASSTHRU)");
	print_objects(g.out, g.format(), "passthru", rows);
}

} // namespace

void set_passthru_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<PassthruArgs>();
	auto *obj = add_object(app, g, "passthru", "Show and change passthru subsystems: "
			       "an NVMe controller served whole (configfs)",
			       [&g, a] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show", "Show the passthru subsystems, or one subsystem's",
			   [&g, a] { show(g, a->nqn); });
	v->alias("list");
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN");

	v = add_verb(*obj, g, "set", "Set a subsystem's passthru device and timeouts while it "
				     "is disabled: SUBSYS KEY VALUE...", [&g, a] {
		const auto kv = a->set.parse("passthru set", 1, 1, "SUBSYS, then KEY VALUE...");
		const std::string nqn = check_name("subsystem", kv.leading[0]);
		if (kv.values.empty())
			throw UsageError("passthru of subsystem " + nqn + ": nothing to set; use " +
					 keyword_list(a->set.keywords()));
		const Settings s = a->set.settings("passthru of subsystem " + nqn, kv);
		auto tree = open_tree(g);
		Nvmet(*tree).set_passthru(nqn, s);
	});
	a->set.attach(v, "ARGS", "SUBSYS, then KEY VALUE...", passthru_keywords());

	for (const bool on : {true, false}) {
		v = add_verb(*obj, g, on ? "enable" : "disable",
			     on ? "Serve the controller through the subsystem"
				: "Stop serving the controller", [&g, a, on] {
				     const std::string nqn = check_name("subsystem", a->nqn);
				     auto tree = open_tree(g);
				     Nvmet(*tree).enable_passthru(nqn, on);
			     });
		v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	}
}

} // namespace ddactl

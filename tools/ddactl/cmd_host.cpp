// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl host { show | add | set | del | allow | deny | help }: the hosts the
// target knows, their DH-HMAC-CHAP settings, and which subsystems allow them.
#include <memory>

#include "cfs_cli.hpp"
#include "errors.hpp"
#include "keywords.hpp"
#include "output.hpp"
#include "target.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct HostArgs {
	std::string nqn, host;
	bool force = false;
	KeywordArgs add, set;
};

std::vector<Keyword> host_keywords()
{
	const auto key = [](const std::string &what, const std::string &v) {
		return check_dhchap_key(what, v);
	};
	return {
		{"key", "dhchap_key", "SECRET",
		 "DH-HMAC-CHAP secret the host authenticates with (DHHC-1:...)", key},
		{"ctrl-key", "dhchap_ctrl_key", "SECRET",
		 "DH-HMAC-CHAP secret the target answers with, for bidirectional "
		 "authentication", key},
		{"hash", "dhchap_hash", "HMAC",
		 "hmac(sha256), hmac(sha384) or hmac(sha512) (default hmac(sha256))"},
		{"dhgroup", "dhchap_dhgroup", "GROUP",
		 "null, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144 or ffdhe8192 "
		 "(default null)"},
	};
}

nlohmann::ordered_json host_row(const Host &h, const std::vector<std::string> &subs)
{
	nlohmann::ordered_json j;
	j["nqn"] = h.nqn;
	j["subsystems"] = subs;
	// Secrets are never shown, only whether there is one.
	const auto it = h.attrs.find("dhchap");
	if (it != h.attrs.end() && !it->second.empty()) {
		j["key"] = !attr_of(h.attrs, "dhchap", "key").empty();
		j["ctrl_key"] = !attr_of(h.attrs, "dhchap", "ctrl_key").empty();
		j["hash"] = attr_of(h.attrs, "dhchap", "hash");
		j["dhgroup"] = attr_of(h.attrs, "dhchap", "dhgroup");
	}
	return j;
}

void show(const Globals &g, const std::string &host)
{
	auto tree = open_tree(g);
	Nvmet nv(*tree);
	std::vector<nlohmann::ordered_json> rows;
	for (const auto &h : nv.hosts()) {
		if (!host.empty() && h.nqn != host)
			continue;
		rows.push_back(host_row(h, nv.subsystems_allowing(h.nqn)));
	}
	if (!host.empty() && rows.empty()) {
		check_name("host", host);
		throw NotFoundError("host " + host + ": is not known to the target; "
				    "'ddactl host show' lists the hosts");
	}
	print_objects(g.out, g.format(), "host", rows);
}

} // namespace

void set_host_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<HostArgs>();
	auto *obj = add_object(app, g, "host", "Show and change the hosts the target knows, "
			       "their DH-HMAC-CHAP keys and the subsystems they may "
			       "connect to (configfs)", [&g, a] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show", "Show the hosts and the subsystems "
			   "that allow them", [&g, a] { show(g, a->host); });
	v->alias("list");
	v->add_option("HOSTNQN", a->host, "Host NQN");

	v = add_verb(*obj, g, "add", "Create a host entry: HOSTNQN [KEY VALUE]...", [&g, a] {
		const auto kv = a->add.parse("host add", 1, 1, "HOSTNQN, then KEY VALUE...");
		const std::string host = check_nqn("host", kv.leading[0]);
		const Settings s = a->add.settings("host " + host, kv);
		if (const auto w = nqn_warning("host", host); !w.empty())
			warn(g.err, w);
		auto tree = open_tree(g);
		Nvmet(*tree).add_host(host, s);
	});
	a->add.attach(v, "ARGS", "HOSTNQN, then KEY VALUE...", host_keywords());

	v = add_verb(*obj, g, "set", "Change a host's DH-HMAC-CHAP settings: HOSTNQN "
				     "KEY VALUE...", [&g, a] {
		const auto kv = a->set.parse("host set", 1, 1, "HOSTNQN, then KEY VALUE...");
		const std::string host = check_name("host", kv.leading[0]);
		if (kv.values.empty())
			throw UsageError("host " + host + ": nothing to set; use " +
					 keyword_list(a->set.keywords()));
		const Settings s = a->set.settings("host " + host, kv);
		auto tree = open_tree(g);
		Nvmet(*tree).set_host(host, s);
	});
	a->set.attach(v, "ARGS", "HOSTNQN, then KEY VALUE...", host_keywords());

	v = add_verb(*obj, g, "del", "Delete a host entry and its keys", [&g, a] {
		const std::string host = check_name("host", a->host);
		auto tree = open_tree(g);
		Nvmet(*tree).del_host(host, a->force);
	});
	v->add_option("HOSTNQN", a->host, "Host NQN")->required();
	v->add_flag("--force", a->force, "Also take it off the subsystems that allow it");

	v = add_verb(*obj, g, "allow", "Let a host connect to a subsystem", [&g, a] {
		const std::string nqn = check_name("subsystem", a->nqn);
		const std::string host = check_nqn("host", a->host);
		if (const auto w = nqn_warning("host", host); !w.empty())
			warn(g.err, w);
		auto tree = open_tree(g);
		Nvmet(*tree).allow_host(nqn, host);
	});
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	v->add_option("HOSTNQN", a->host, "Host NQN")->required();

	v = add_verb(*obj, g, "deny", "Stop a host connecting to a subsystem", [&g, a] {
		const std::string nqn = check_name("subsystem", a->nqn);
		const std::string host = check_name("host", a->host);
		auto tree = open_tree(g);
		Nvmet(*tree).deny_host(nqn, host);
	});
	v->add_option("SUBSYS", a->nqn, "Subsystem NQN")->required();
	v->add_option("HOSTNQN", a->host, "Host NQN")->required();
}

} // namespace ddactl

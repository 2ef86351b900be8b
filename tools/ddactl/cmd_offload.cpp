// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl offload { show | set | del | help }: where namespaces' I/O buffers
// go (the module's offload policy rules).
#include <climits>
#include <memory>
#include <ostream>

#include <linux/nvmet_dda.h>

#include "cfs_cli.hpp"
#include "codec.hpp"
#include "nl_cli.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct OffloadArgs {
	std::vector<std::string> show, del;
	KeywordArgs set;
};

const std::string no_rule_hint = "there is no such rule; 'ddactl offload show' "
				 "lists them";

[[noreturn]] void bad(const std::string &object, const std::string &msg)
{
	throw UsageError(object + ": " + msg);
}

std::string rule_name(const PolicyTarget &t)
{
	return "offload rule of " + target_name(t);
}

Row rule_row(const PolicyRule &r)
{
	Row row;
	if (r.target.port) {
		// "offload port 1 ..." in text, "portid" as everywhere in JSON.
		row.text["port"] = *r.target.port;
		row.json["portid"] = *r.target.port;
	} else {
		row.add("subsys", r.target.subsys);
		row.add("nsid", r.target.nsid);
	}
	row.add("mode", mode_name(r.mode));
	row.add("provider", r.provider);
	// Text keys are the keywords of "offload set", so a line can be
	// pasted back.
	row.text["min-io"] = human_size(r.min_io);
	row.json["min_io"] = r.min_io;
	row.text["max-bytes"] = human_size(r.max_bytes);
	row.json["max_bytes"] = r.max_bytes;
	return row;
}

void show(const Globals &g, const std::vector<std::string> &args)
{
	std::optional<PolicyTarget> target;
	std::optional<std::string> subsys;
	if (args.size() == 1 && args[0] != "port") {
		subsys = check_name("subsystem", args[0]);
	} else if (!args.empty()) {
		std::size_t used = 0;
		target = parse_policy_target(args, used);
		if (used != args.size())
			bad("offload show", "unexpected '" + args[used] +
					    "'; give [SUBSYS [NSID]] or port PORTID");
	}

	GenlClient nl;
	MsgPtr msg = target ? encode_policy_get(nl.family(), *target)
			    : encode_policy_dump(nl.family(), subsys);
	const std::string object = target ? rule_name(*target)
				 : subsys ? "offload rules of subsystem " + *subsys
					  : "offload rules";
	const auto rules = collect<PolicyRule>(nl, *msg, decode_policy, object,
					       {{ENOENT, no_rule_hint}});
	print_policies(g.out, g.format(), rules);
}

void set(const std::vector<std::string> &args)
{
	const OffloadSet req = parse_offload_set(args);
	GenlClient nl;
	MsgPtr msg = encode_policy_set(nl.family(), req.target, req.settings);
	request(nl, *msg, [](const nlmsghdr *) {}, rule_name(req.target),
		{{ENODEV, "the provider does not exist; 'ddactl provider show' "
			   "lists them"},
		 {EINVAL, "see 'ddactl offload help'"}});
}

void del(const std::vector<std::string> &args)
{
	std::size_t used = 0;
	const PolicyTarget target = parse_policy_target(args, used);
	if (used != args.size())
		bad("offload del", "unexpected '" + args[used] +
				   "'; give SUBSYS NSID or port PORTID");
	GenlClient nl;
	MsgPtr msg = encode_policy_del(nl.family(), target);
	request(nl, *msg, [](const nlmsghdr *) {}, rule_name(target),
		{{ENOENT, no_rule_hint}});
}

} // namespace

PolicyTarget parse_policy_target(const std::vector<std::string> &args,
				 std::size_t &used)
{
	PolicyTarget t;
	if (args.size() < 2)
		bad("offload", "give the rule's target as SUBSYS NSID or port PORTID");
	if (args[0] == "port")
		t.port = parse_port_id(args[1]);
	else {
		t.subsys = check_name("subsystem", args[0]);
		t.nsid = parse_nsid(args[1]);
	}
	used = 2;
	return t;
}

OffloadSet parse_offload_set(const std::vector<std::string> &args)
{
	OffloadSet r;
	std::size_t i = 0;
	r.target = parse_policy_target(args, i);
	const std::string object = rule_name(r.target);
	auto &s = r.settings;

	for (; i < args.size(); i += 2) {
		const std::string &key = args[i];
		if (key != "mode" && key != "provider" && key != "min-io" &&
		    key != "max-bytes")
			bad(object, "unknown argument '" + key + "'; use mode, "
				    "provider, min-io or max-bytes");
		if (i + 1 >= args.size())
			bad(object, "'" + key + "' needs a value; see 'ddactl offload help'");
		const std::string &value = args[i + 1];
		if ((key == "mode" && s.mode) || (key == "provider" && s.provider) ||
		    (key == "min-io" && s.min_io) || (key == "max-bytes" && s.max_bytes))
			bad(object, "'" + key + "' is given twice; give it once");
		if (key == "mode") {
			s.mode = parse_mode(value);
		} else if (key == "provider") {
			s.provider = check_policy_provider(value);
		} else if (key == "min-io") {
			const uint64_t v = parse_size("min-io", value);
			if (v > UINT32_MAX)
				bad(object, "min-io " + value + " is too large; "
					    "give less than 4GiB");
			s.min_io = static_cast<uint32_t>(v);
		} else {
			s.max_bytes = parse_size("max-bytes", value);
		}
	}
	if (s.empty())
		bad(object, "nothing to set; give mode, provider, min-io or max-bytes");
	return r;
}

void print_policies(std::ostream &out, Format format,
		    const std::vector<PolicyRule> &rules)
{
	if (format != Format::text) {
		std::vector<Row> rows;
		for (const auto &r : rules)
			rows.push_back(rule_row(r));
		print_rows(out, format, "offload", rows);
		return;
	}
	// "offload subsys NQN nsid N ..." and "offload port N ...": the
	// first key is part of the kind.
	for (const auto &r : rules)
		print_rows(out, format, r.target.port ? "offload port" : "offload subsys",
			   {rule_row(r)});
}

void set_offload_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<OffloadArgs>();
	auto *obj = add_object(app, g, "offload",
			       "Show and change where namespaces' I/O buffers go "
			       "(netlink)",
			       [&g] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show",
			   "Show the rules: all, of a subsystem, of a namespace "
			   "(SUBSYS NSID) or of a port (port PORTID)",
			   [&g, a] { show(g, a->show); });
	v->alias("list");
	v->add_option("TARGET", a->show, "[SUBSYS [NSID]] or port PORTID")
		->expected(0, 2);

	v = add_verb(*obj, g, "set",
		     "Create or change a rule: {SUBSYS NSID | port PORTID} "
		     "[mode off|prefer|require] [provider auto|cmb|BDF] "
		     "[min-io SIZE] [max-bytes SIZE]",
		     [a] { set(a->set.words()); });
	a->set.attach(v, "ARGS", "The target, then keywords with their values",
		      {{"mode", "", "MODE", "off, prefer or require"},
		       {"provider", "", "PROVIDER", "auto, cmb or a PCI address"},
		       {"min-io", "", "SIZE", "Smaller I/O stays in host memory"},
		       {"max-bytes", "", "SIZE", "Most P2P memory held at once (0: no limit)"}});

	v = add_verb(*obj, g, "del", "Delete a rule: {SUBSYS NSID | port PORTID}",
		     [a] { del(a->del); });
	v->add_option("TARGET", a->del, "SUBSYS NSID or port PORTID")
		->required()
		->expected(1, 2);
}

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
#include "config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <linux/nvmet_dda.h>

#include "errors.hpp"
#include "nl_cli.hpp"
#include "output.hpp"
#include "validate.hpp"

namespace ddactl {

using nlohmann::json;

namespace {

json groups_json(const AttrGroups &attrs, const std::vector<std::string> &groups)
{
	json j = json::object();
	for (const auto &g : groups) {
		json a = json::object();
		const auto it = attrs.find(g);
		if (it != attrs.end())
			for (const auto &[k, v] : it->second)
				a[k] = v;
		j[g] = a;
	}
	return j;
}

// --- parsing ---------------------------------------------------------------

class Parser {
public:
	explicit Parser(std::string source) : source_(std::move(source)) {}

	[[noreturn]] void fail(const std::string &where, const std::string &msg) const
	{
		throw UsageError("config " + source_ + ": " + where + ": " + msg);
	}

	// Runs @f, prefixing the message of a UsageError with the location.
	template <typename F>
	auto at(const std::string &where, F &&f) const
	{
		try {
			return f();
		} catch (const UsageError &e) {
			throw UsageError("config " + source_ + ": " + where + ": " +
					 e.what() + " (fix the file)");
		}
	}

	const json &array(const json &obj, const char *key, const std::string &where) const
	{
		static const json empty = json::array();
		const auto it = obj.find(key);
		if (it == obj.end() || it->is_null())
			return empty;
		if (!it->is_array())
			fail(where + "." + key, "must be a list");
		return *it;
	}

	std::string scalar(const json &v, const std::string &where) const
	{
		if (v.is_string())
			return v.get<std::string>();
		if (v.is_boolean())
			return v.get<bool>() ? "1" : "0";
		if (v.is_number_integer())
			return v.dump();
		fail(where, "must be a string or a number");
	}

	std::string string(const json &obj, const char *key, const std::string &where) const
	{
		const auto it = obj.find(key);
		if (it == obj.end())
			fail(where, std::string("has no \"") + key + "\"");
		if (!it->is_string())
			fail(where + "." + key, "must be a string");
		return it->get<std::string>();
	}

	uint64_t integer(const json &v, const std::string &where) const
	{
		if (v.is_number_unsigned())
			return v.get<uint64_t>();
		if (v.is_string()) {
			const std::string s = v.get<std::string>();
			if (!s.empty() && s.size() <= 10 &&
			    std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
				return std::stoull(s);
		}
		fail(where, "must be a non-negative number");
	}

	bool flag(const json &obj, const char *key, const std::string &where) const
	{
		const auto it = obj.find(key);
		if (it == obj.end() || it->is_null())
			return false;
		const std::string w = where + "." + key;
		return at(w, [&] { return parse_bool(key, scalar(*it, w)); });
	}

	AttrGroups groups(const json &obj, const std::vector<std::string> &names,
			  const std::string &where) const
	{
		AttrGroups a;
		for (const auto &g : names) {
			const auto it = obj.find(g);
			if (it == obj.end() || it->is_null())
				continue;
			if (!it->is_object())
				fail(where + "." + g, "must be an object");
			for (const auto &[k, v] : it->items()) {
				if (k.empty() || k.find('/') != std::string::npos)
					fail(where + "." + g, "bad attribute name '" + k + "'");
				a[g][k] = scalar(v, where + "." + g + "." + k);
			}
		}
		return a;
	}

	// Plain attributes: "name": number or string.
	AttrMap params(const json &obj, const std::vector<std::string> &names,
		       const std::string &where) const
	{
		AttrMap m;
		for (const auto &n : names) {
			const auto it = obj.find(n);
			if (it != obj.end() && !it->is_null())
				m[n] = scalar(*it, where + "." + n);
		}
		return m;
	}

	// A warning, once per name, for an NQN outside the NVMe convention.
	void convention(const std::string &, const char *kind, const std::string &nqn,
			std::vector<std::string> &warnings) const
	{
		const std::string w = nqn_warning(kind, nqn);
		if (!w.empty() && warned_.insert(nqn).second)
			warnings.push_back("config " + source_ + ": " + w);
	}

	void known(const json &obj, const std::set<std::string> &keys,
		   const std::string &where, std::vector<std::string> &warnings) const
	{
		for (const auto &[k, v] : obj.items())
			if (!keys.count(k))
				warnings.push_back("config " + source_ + ": " + where +
						   ": ignoring \"" + k +
						   "\", which ddactl does not support");
	}

private:
	std::string source_;
	mutable std::set<std::string> warned_;
};

Namespace parse_ns(const Parser &p, const json &j, const std::string &where,
		   std::vector<std::string> &warnings)
{
	if (!j.is_object())
		p.fail(where, "must be an object");
	const auto it = j.find("nsid");
	if (it == j.end())
		p.fail(where, "has no \"nsid\"");
	Namespace n;
	const std::string nsid = p.scalar(*it, where + ".nsid");
	n.nsid = p.at(where + ".nsid", [&] { return parse_nsid(nsid); });
	const std::string w = where + " (nsid " + nsid + ")";
	n.attrs = p.groups(j, ns_groups, w);
	if (j.contains("ana_grpid") && !attr_of(n.attrs, "ana", "grpid").size())
		n.attrs["ana"]["grpid"] = std::to_string(p.integer(j["ana_grpid"], w + ".ana_grpid"));
	auto &dev = n.attrs["device"];
	if (dev.count("uuid"))
		dev["uuid"] = p.at(w, [&] { return check_uuid("device.uuid", dev["uuid"]); });
	if (dev.count("nguid"))
		dev["nguid"] = p.at(w, [&] { return check_nguid("device.nguid", dev["nguid"]); });
	n.enable = p.flag(j, "enable", w);
	if (n.enable && attr_of(n.attrs, "device", "path").empty())
		p.fail(w, "is enabled but has no device.path");
	n.params = p.params(j, ns_params, w);
	p.known(j, {"nsid", "device", "ana", "resv", "ana_grpid", "enable", "buffered_io"}, w,
		warnings);
	return n;
}

Subsystem parse_subsys(const Parser &p, const json &j, const std::string &where,
		       std::vector<std::string> &warnings)
{
	if (!j.is_object())
		p.fail(where, "must be an object");
	Subsystem s;
	s.nqn = p.string(j, "nqn", where);
	const std::string w = where + " (" + s.nqn + ")";
	p.at(w, [&] { return check_nqn("subsystem", s.nqn); });
	p.convention(w, "subsystem", s.nqn, warnings);
	s.attrs = p.groups(j, subsys_groups, w);
	const std::string any = attr_of(s.attrs, "attr", "allow_any_host");
	const bool allow_any = !any.empty() &&
			       p.at(w, [&] { return parse_bool("attr.allow_any_host", any); });
	std::set<uint32_t> nsids;
	for (std::size_t i = 0; i < p.array(j, "namespaces", w).size(); i++) {
		Namespace n = parse_ns(p, j["namespaces"][i],
				       w + ".namespaces[" + std::to_string(i) + "]", warnings);
		if (!nsids.insert(n.nsid).second)
			p.fail(w, "namespace " + std::to_string(n.nsid) + " is listed twice");
		s.namespaces.push_back(std::move(n));
	}
	std::sort(s.namespaces.begin(), s.namespaces.end(),
		  [](const auto &a, const auto &b) { return a.nsid < b.nsid; });
	const json &hosts = p.array(j, "allowed_hosts", w);
	for (std::size_t i = 0; i < hosts.size(); i++) {
		const std::string hw = w + ".allowed_hosts[" + std::to_string(i) + "]";
		if (!hosts[i].is_string())
			p.fail(hw, "must be a string");
		s.allowed_hosts.push_back(p.at(hw, [&] {
			return check_nqn("host", hosts[i].get<std::string>());
		}));
		p.convention(hw, "host", s.allowed_hosts.back(), warnings);
	}
	std::sort(s.allowed_hosts.begin(), s.allowed_hosts.end());
	if (std::adjacent_find(s.allowed_hosts.begin(), s.allowed_hosts.end()) !=
	    s.allowed_hosts.end())
		p.fail(w, "allowed_hosts lists a host twice");
	if (allow_any && !s.allowed_hosts.empty())
		p.fail(w, "allow_any_host is 1 but allowed_hosts lists hosts, which the "
			  "kernel refuses; set one or the other");
	// nvmetcli: a list of at most one object; its "enable" is ours.
	const json &pts = p.array(j, "passthru", w);
	if (pts.size() > 1)
		p.fail(w + ".passthru", "lists more than one passthru; a subsystem has one");
	if (pts.size() == 1) {
		const std::string pw = w + ".passthru[0]";
		if (!pts[0].is_object())
			p.fail(pw, "must be an object");
		Passthru pt{p.groups(pts[0], passthru_groups, pw),
			    p.params(pts[0], passthru_params, pw), false};
		for (const auto &[k, v] : pt.params)
			p.at(pw + "." + k, [&] { return parse_uint_attr(k, v); });
		pt.enable = p.flag(j, "passthru_enable", w);
		if (pt.enable && !pt.configured())
			p.fail(w, "passthru_enable is 1 but passthru has no device.path");
		if (pt.configured() && !s.namespaces.empty())
			p.fail(w, "has namespaces and a passthru device; a passthru "
				  "subsystem takes its controller's namespaces");
		p.known(pts[0], {"device", "admin_timeout", "clear_ids", "io_timeout"}, pw,
			warnings);
		s.passthru = std::move(pt);
	} else if (p.flag(j, "passthru_enable", w)) {
		p.fail(w, "passthru_enable is 1 but there is no passthru");
	}
	p.known(j, {"nqn", "attr", "namespaces", "allowed_hosts", "passthru",
		    "passthru_enable"}, w, warnings);
	return s;
}

Port parse_port(const Parser &p, const json &j, const std::string &where,
		std::vector<std::string> &warnings)
{
	if (!j.is_object())
		p.fail(where, "must be an object");
	const auto it = j.find("portid");
	if (it == j.end())
		p.fail(where, "has no \"portid\"");
	Port port;
	const std::string id = p.scalar(*it, where + ".portid");
	port.id = p.at(where + ".portid", [&] { return parse_port_id(id); });
	const std::string w = where + " (port " + id + ")";
	port.attrs = p.groups(j, port_groups, w);
	const auto addr = [&](const AttrGroups &a, const std::string &what) {
		const std::string treq = attr_of(a, "addr", "treq");
		if (!treq.empty() && !is_valid_treq(treq))
			p.fail(w, "unknown addr.treq '" + treq + "'");
		p.at(w, [&] {
			check_port_address(what, attr_of(a, "addr", "trtype"),
					   attr_of(a, "addr", "adrfam"),
					   attr_of(a, "addr", "traddr"),
					   attr_of(a, "addr", "trsvcid"));
			return 0;
		});
	};
	addr(port.attrs, "port " + id);
	const json &subs = p.array(j, "subsystems", w);
	for (std::size_t i = 0; i < subs.size(); i++) {
		if (!subs[i].is_string())
			p.fail(w + ".subsystems[" + std::to_string(i) + "]", "must be a string");
		port.subsystems.push_back(subs[i].get<std::string>());
	}
	std::sort(port.subsystems.begin(), port.subsystems.end());
	if (std::adjacent_find(port.subsystems.begin(), port.subsystems.end()) !=
	    port.subsystems.end())
		p.fail(w, "subsystems lists a subsystem twice");
	const json &refs = p.array(j, "referrals", w);
	for (std::size_t i = 0; i < refs.size(); i++) {
		const std::string rw = w + ".referrals[" + std::to_string(i) + "]";
		if (!refs[i].is_object())
			p.fail(rw, "must be an object");
		Referral r;
		r.name = p.string(refs[i], "name", rw);
		p.at(rw, [&] { return check_name("referral", r.name); });
		r.attrs = p.groups(refs[i], referral_groups, rw);
		addr(r.attrs, "referral " + r.name);
		r.enable = p.flag(refs[i], "enable", rw);
		p.known(refs[i], {"name", "addr", "enable"}, rw, warnings);
		port.referrals.push_back(std::move(r));
	}
	std::sort(port.referrals.begin(), port.referrals.end(),
		  [](const auto &a, const auto &b) { return a.name < b.name; });
	const json &anas = p.array(j, "ana_groups", w);
	for (std::size_t i = 0; i < anas.size(); i++) {
		const std::string aw = w + ".ana_groups[" + std::to_string(i) + "]";
		if (!anas[i].is_object() || !anas[i].contains("grpid"))
			p.fail(aw, "must be an object with \"grpid\"");
		AnaGroup g;
		const uint64_t grpid = p.integer(anas[i]["grpid"], aw + ".grpid");
		if (grpid < 1 || grpid > 128)
			p.fail(aw, "grpid must be from 1 to 128");
		g.grpid = static_cast<uint32_t>(grpid);
		g.attrs = p.groups(anas[i], ana_groups, aw);
		p.known(anas[i], {"grpid", "ana"}, aw, warnings);
		port.ana_groups.push_back(std::move(g));
	}
	std::sort(port.ana_groups.begin(), port.ana_groups.end(),
		  [](const auto &a, const auto &b) { return a.grpid < b.grpid; });
	p.known(j, {"portid", "addr", "param", "subsystems", "referrals", "ana_groups"},
		w, warnings);
	return port;
}

bool rule_less(const PolicyRule &a, const PolicyRule &b)
{
	if (a.target.port.has_value() != b.target.port.has_value())
		return a.target.port.has_value();
	if (a.target.port)
		return *a.target.port < *b.target.port;
	if (a.target.subsys != b.target.subsys)
		return a.target.subsys < b.target.subsys;
	return a.target.nsid < b.target.nsid;
}

void sort_p2p(P2pConfig &c)
{
	std::sort(c.providers.begin(), c.providers.end(),
		  [](const auto &a, const auto &b) { return a.address < b.address; });
	std::sort(c.rules.begin(), c.rules.end(), rule_less);
}

P2pConfig parse_p2p(const Parser &p, const json &j, std::vector<std::string> &warnings)
{
	const std::string where = p2p_section;
	if (!j.is_object())
		p.fail(where, "must be an object");
	P2pConfig c;

	const json &provs = p.array(j, "providers", where);
	std::set<std::string> addresses;
	for (std::size_t i = 0; i < provs.size(); i++) {
		const std::string w = where + ".providers[" + std::to_string(i) + "]";
		const json &pj = provs[i];
		if (!pj.is_object())
			p.fail(w, "must be an object");
		BarProvider b;
		b.address = p.at(w, [&] { return check_bdf(p.string(pj, "address", w)); });
		for (const char *key : {"bar", "offset", "size"})
			if (!pj.contains(key))
				p.fail(w, std::string("has no \"") + key + "\"");
		const uint64_t bar = p.integer(pj["bar"], w + ".bar");
		if (bar > 5)
			p.fail(w + ".bar", "must be from 0 to 5");
		b.bar = static_cast<uint32_t>(bar);
		b.offset = p.integer(pj["offset"], w + ".offset");
		b.size = p.integer(pj["size"], w + ".size");
		if (b.offset % NVMET_DDA_PROVIDER_ALIGN || b.size % NVMET_DDA_PROVIDER_ALIGN ||
		    b.size == 0)
			p.fail(w, "offset and size must be multiples of 2MiB and size "
				  "at least 2MiB");
		if (!addresses.insert(b.address).second)
			p.fail(w, "provider " + b.address + " is listed twice");
		p.known(pj, {"address", "bar", "offset", "size"}, w, warnings);
		c.providers.push_back(std::move(b));
	}

	const json &rules = p.array(j, "offload", where);
	for (std::size_t i = 0; i < rules.size(); i++) {
		const std::string w = where + ".offload[" + std::to_string(i) + "]";
		const json &rj = rules[i];
		if (!rj.is_object())
			p.fail(w, "must be an object");
		PolicyRule r;
		// "portid", as everywhere; "port" as ddactl 0.1.0 wrote it.
		const char *pkey = rj.contains("portid") ? "portid" : "port";
		if (rj.contains("portid") && rj.contains("port"))
			p.fail(w, "give portid once");
		if (rj.contains(pkey)) {
			if (rj.contains("subsys") || rj.contains("nsid"))
				p.fail(w, "give either portid or subsys and nsid");
			const std::string port = p.scalar(rj[pkey], w + "." + pkey);
			r.target.port = p.at(w + "." + pkey, [&] { return parse_port_id(port); });
		} else {
			r.target.subsys = p.at(w, [&] {
				return check_name("subsystem", p.string(rj, "subsys", w));
			});
			if (!rj.contains("nsid"))
				p.fail(w, "has no \"nsid\" (or \"portid\")");
			const std::string nsid = p.scalar(rj["nsid"], w + ".nsid");
			r.target.nsid = p.at(w + ".nsid", [&] { return parse_nsid(nsid); });
		}
		const std::string rw = w + " (" + target_name(r.target) + ")";
		r.mode = p.at(rw, [&] { return parse_mode(p.string(rj, "mode", rw)); });
		r.provider = p.at(rw, [&] {
			return check_policy_provider(p.string(rj, "provider", rw));
		});
		if (rj.contains("min_io")) {
			const uint64_t v = p.integer(rj["min_io"], rw + ".min_io");
			if (v > UINT32_MAX)
				p.fail(rw + ".min_io", "must be less than 4GiB");
			r.min_io = static_cast<uint32_t>(v);
		}
		if (rj.contains("max_bytes"))
			r.max_bytes = p.integer(rj["max_bytes"], rw + ".max_bytes");
		for (const auto &other : c.rules)
			if (other.target == r.target)
				p.fail(w, "the rule of " + target_name(r.target) +
					  " is listed twice");
		p.known(rj, {"portid", "port", "subsys", "nsid", "mode", "provider", "min_io",
			     "max_bytes"},
			rw, warnings);
		c.rules.push_back(std::move(r));
	}
	p.known(j, {"providers", "offload"}, where, warnings);
	sort_p2p(c);
	return c;
}

} // namespace

P2pConfig p2p_config_of(const std::vector<Provider> &providers,
			const std::vector<PolicyRule> &rules)
{
	P2pConfig c;
	for (const auto &p : providers) {
		if (p.kind != NVMET_DDA_PROVIDER_BAR)
			continue;
		c.providers.push_back({p.address, p.bar.value_or(0), p.offset.value_or(0),
				       p.size.value_or(0)});
	}
	c.rules = rules;
	sort_p2p(c);
	return c;
}

json to_json(const P2pConfig &c)
{
	json j = json::object();
	j["providers"] = json::array();
	for (const auto &p : c.providers)
		j["providers"].push_back({{"address", p.address},
					  {"bar", p.bar},
					  {"offset", p.offset},
					  {"size", p.size}});
	j["offload"] = json::array();
	for (const auto &r : c.rules) {
		json rj = {{"mode", mode_name(r.mode)},
			   {"provider", r.provider},
			   {"min_io", r.min_io},
			   {"max_bytes", r.max_bytes}};
		if (r.target.port) {
			rj["portid"] = *r.target.port;
		} else {
			rj["subsys"] = r.target.subsys;
			rj["nsid"] = r.target.nsid;
		}
		j["offload"].push_back(rj);
	}
	return j;
}

std::string describe(const PolicyRule &r)
{
	return "set offload rule of " + target_name(r.target) + ": mode " +
	       mode_name(r.mode) + " provider " + r.provider + " min-io " +
	       std::to_string(r.min_io) + " max-bytes " + std::to_string(r.max_bytes);
}

std::string describe(const BarProvider &p)
{
	return "add provider " + p.address + " bar " + std::to_string(p.bar) +
	       " offset " + human_size(p.offset) + " size " + human_size(p.size);
}

namespace {

// A number as nvmetcli writes it (int()), the string when it is none.
json number_or_string(const std::string &v)
{
	if (!v.empty() && v.size() <= 10 &&
	    std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
		return std::stoull(v);
	return v;
}

} // namespace

json to_json(const Target &t)
{
	json root = groups_json(t.attrs, root_groups);
	root["hosts"] = json::array();
	for (const auto &h : t.hosts) {
		json j = groups_json(h.attrs, host_groups);
		j["nqn"] = h.nqn;
		root["hosts"].push_back(j);
	}

	root["ports"] = json::array();
	for (const auto &p : t.ports) {
		json j = groups_json(p.attrs, port_groups);
		j["portid"] = p.id;
		j["subsystems"] = p.subsystems;
		j["referrals"] = json::array();
		for (const auto &r : p.referrals) {
			json rj = groups_json(r.attrs, referral_groups);
			rj["name"] = r.name;
			rj["enable"] = r.enable ? 1 : 0;
			j["referrals"].push_back(rj);
		}
		j["ana_groups"] = json::array();
		for (const auto &g : p.ana_groups) {
			json gj = groups_json(g.attrs, ana_groups);
			gj["grpid"] = g.grpid;
			j["ana_groups"].push_back(gj);
		}
		root["ports"].push_back(j);
	}

	root["subsystems"] = json::array();
	for (const auto &s : t.subsystems) {
		json j = groups_json(s.attrs, subsys_groups);
		j["nqn"] = s.nqn;
		j["allowed_hosts"] = s.allowed_hosts;
		j["namespaces"] = json::array();
		for (const auto &n : s.namespaces) {
			json nj = groups_json(n.attrs, ns_groups);
			nj["nsid"] = n.nsid;
			nj["enable"] = n.enable ? 1 : 0;
			const std::string grpid = attr_of(n.attrs, "ana", "grpid");
			nj["ana_grpid"] = grpid.empty() ? 0 : std::stoul(grpid);
			for (const auto &[k, v] : n.params)
				nj[k] = number_or_string(v);
			j["namespaces"].push_back(nj);
		}
		if (s.passthru) {
			// As nvmetcli: a list of one, its numbers as numbers and
			// no "enable" (nvmetcli cannot restore one there).
			json pj = groups_json(s.passthru->attrs, passthru_groups);
			for (const auto &[k, v] : s.passthru->params)
				pj[k] = number_or_string(v);
			j["passthru"] = json::array({pj});
			j["passthru_enable"] = s.passthru->enable ? 1 : 0;
		}
		root["subsystems"].push_back(j);
	}
	return root;
}

std::string serialize(const Target &t, const json &extra,
		      const std::optional<P2pConfig> &p2p)
{
	json root = to_json(t);
	if (p2p)
		root[p2p_section] = to_json(*p2p);
	for (const auto &[k, v] : extra.items())
		if (!root.contains(k))
			root[k] = v;
	return root.dump(2, ' ', false, json::error_handler_t::strict) + "\n";
}

ConfigFile parse_config(const std::string &text, const std::string &source)
{
	const Parser p(source);
	json root;
	try {
		root = json::parse(text);
	} catch (const json::parse_error &e) {
		throw UsageError("config " + source + ": not valid JSON (" +
				 std::string(e.what()) + "); fix the file");
	}
	if (!root.is_object())
		throw UsageError("config " + source + ": not a JSON object; give a "
				 "file written by 'ddactl config save' or nvmetcli");

	ConfigFile cfg;
	for (const auto &[k, v] : root.items())
		if (k != "hosts" && k != "ports" && k != "subsystems" && k != "discovery" &&
		    k != p2p_section)
			cfg.extra[k] = v;
	if (root.contains(p2p_section) && !root[p2p_section].is_null())
		cfg.p2p = parse_p2p(p, root[p2p_section], cfg.warnings);

	cfg.target.attrs = p.groups(root, root_groups, "file");
	const std::string disc = attr_of(cfg.target.attrs, "discovery", "nqn");
	if (!disc.empty()) {
		p.at("discovery.nqn", [&] { return check_nqn("discovery", disc); });
		p.convention("discovery.nqn", "discovery", disc, cfg.warnings);
	}

	std::map<std::string, AttrGroups> hosts;
	const json &hj = p.array(root, "hosts", "hosts");
	for (std::size_t i = 0; i < hj.size(); i++) {
		const std::string w = "hosts[" + std::to_string(i) + "]";
		if (!hj[i].is_object())
			p.fail(w, "must be an object");
		const std::string nqn = p.string(hj[i], "nqn", w);
		p.at(w, [&] { return check_nqn("host", nqn); });
		p.convention(w, "host", nqn, cfg.warnings);
		if (hosts.count(nqn))
			p.fail(w, "host " + nqn + " is listed twice");
		AttrGroups a = p.groups(hj[i], host_groups, w + " (" + nqn + ")");
		for (const char *k : {"key", "ctrl_key"}) {
			const std::string key = attr_of(a, "dhchap", k);
			if (!key.empty())
				p.at(w + " (" + nqn + ").dhchap." + k,
				     [&] { return check_dhchap_key(k, key); });
		}
		hosts[nqn] = std::move(a);
		p.known(hj[i], {"nqn", "dhchap"}, w, cfg.warnings);
	}
	for (auto &[h, a] : hosts)
		cfg.target.hosts.push_back({h, std::move(a)});

	std::set<std::string> nqns;
	const json &sj = p.array(root, "subsystems", "subsystems");
	for (std::size_t i = 0; i < sj.size(); i++) {
		Subsystem s = parse_subsys(p, sj[i], "subsystems[" + std::to_string(i) + "]",
					   cfg.warnings);
		if (!nqns.insert(s.nqn).second)
			p.fail("subsystems", "subsystem " + s.nqn + " is listed twice");
		cfg.target.subsystems.push_back(std::move(s));
	}
	std::sort(cfg.target.subsystems.begin(), cfg.target.subsystems.end(),
		  [](const auto &a, const auto &b) { return a.nqn < b.nqn; });
	if (!disc.empty() && nqns.count(disc))
		p.fail("discovery.nqn", "is the NQN of subsystem " + disc +
					", which the kernel refuses; choose another");

	std::set<uint16_t> ids;
	const json &pj = p.array(root, "ports", "ports");
	for (std::size_t i = 0; i < pj.size(); i++) {
		const std::string w = "ports[" + std::to_string(i) + "]";
		Port port = parse_port(p, pj[i], w, cfg.warnings);
		if (!ids.insert(port.id).second)
			p.fail(w, "port " + std::to_string(port.id) + " is listed twice");
		for (const auto &nqn : port.subsystems)
			if (!nqns.count(nqn))
				p.fail(w, "port " + std::to_string(port.id) + " links subsystem " +
					  nqn + ", which the file does not define");
		cfg.target.ports.push_back(std::move(port));
	}
	std::sort(cfg.target.ports.begin(), cfg.target.ports.end(),
		  [](const auto &a, const auto &b) { return a.id < b.id; });
	return cfg;
}

std::string read_file(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	if (!f)
		throw NotFoundError("config " + path + ": cannot read it: " +
				    std::strerror(errno) + "; give an existing file");
	return {std::istreambuf_iterator<char>(f), {}};
}

void write_file_atomic(const std::string &path, const std::string &content)
{
	namespace fs = std::filesystem;
	const fs::path target = fs::absolute(path);
	const fs::path dir = target.parent_path();
	const auto fail = [&](const std::string &op, int err) {
		throw Error("config " + path + ": cannot " + op + ": " +
			    std::strerror(err) + "; check the directory and its permissions");
	};

	std::error_code ec;
	fs::create_directories(dir, ec);
	if (ec)
		fail("create " + dir.string(), ec.value());

	std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
	const int fd = ::mkstemp(tmpl.data());
	if (fd < 0)
		fail("create a temporary file in " + dir.string(), errno);
	const auto abandon = [&](const std::string &op) {
		const int err = errno;
		::close(fd);
		::unlink(tmpl.c_str());
		fail(op, err);
	};
	if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0)
		abandon("set the mode of " + tmpl);
	for (std::size_t done = 0; done < content.size();) {
		const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			abandon("write " + tmpl);
		done += static_cast<std::size_t>(n);
	}
	if (::fsync(fd) != 0)
		abandon("sync " + tmpl);
	if (::close(fd) != 0) {
		const int err = errno;
		::unlink(tmpl.c_str());
		fail("write " + tmpl, err);
	}
	if (::rename(tmpl.c_str(), target.c_str()) != 0) {
		const int err = errno;
		::unlink(tmpl.c_str());
		fail("rename " + tmpl + " to " + target.string(), err);
	}
	const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		::fsync(dfd);
		::close(dfd);
	}
}

} // namespace ddactl

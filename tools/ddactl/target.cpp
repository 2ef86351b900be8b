// SPDX-License-Identifier: GPL-2.0-only
#include "target.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>

#include "errors.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

const std::string kernel_hint = "see the kernel log (dmesg) for the reason";

// When a port's address attribute (@name: "trtype" or "addr_trtype") is
// written relative to the others: trtype first, since the kernel takes
// tsas by transport; tsas next, since on a TCP port 6.12's
// nvmet_addr_tsas_store() sets treq's secure-channel requirement again
// and would undo a treq written before it; the rest after.
int addr_write_rank(std::string_view name)
{
	if (name.starts_with("addr_"))
		name.remove_prefix(5);
	return name == "trtype" ? 0 : name == "tsas" ? 1 : 2;
}

// Orders (name, value) pairs for std::stable_sort by addr_write_rank().
constexpr auto addr_write_order = [](const auto &a, const auto &b) {
	return addr_write_rank(a.first) < addr_write_rank(b.first);
};

// Runs @f; a ConfigfsError becomes "<object>: <error>; <what to do>", with
// the same errno.
template <typename F>
auto guard(const ConfigfsTree &t, const std::string &object,
	   const std::string &hint, F &&f)
{
	try {
		return f();
	} catch (const ConfigfsError &e) {
		const int err = e.error();
		std::string h = hint;
		if ((err == EACCES || err == EPERM) && !t.privileged())
			h = "changing the nvmet configuration needs root; run ddactl as root";
		throw ConfigfsError(object + ": " + e.what() + "; " + h, err);
	}
}

std::optional<uint64_t> number(const std::string &s)
{
	uint64_t v = 0;
	if (s.empty() || s.size() > 10 ||
	    !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
	    std::from_chars(s.data(), s.data() + s.size(), v).ec != std::errc())
		return std::nullopt;
	return v;
}

std::string join(const std::vector<std::string> &v)
{
	std::string r;
	for (const auto &s : v)
		r += (r.empty() ? "" : ", ") + s;
	return r;
}

std::string port_what(uint16_t id)
{
	return "port " + std::to_string(id);
}

std::string ns_what(const std::string &nqn, uint32_t nsid)
{
	return "namespace " + std::to_string(nsid) + " of " + nqn;
}

} // namespace

std::string attr_of(const AttrGroups &a, const std::string &group,
		    const std::string &name)
{
	const auto g = a.find(group);
	if (g == a.end())
		return {};
	const auto v = g->second.find(name);
	return v == g->second.end() ? std::string() : v->second;
}

std::string port_path(uint16_t id)
{
	return "ports/" + std::to_string(id);
}

std::string subsys_path(const std::string &nqn)
{
	return "subsystems/" + nqn;
}

std::string ns_path(const std::string &nqn, uint32_t nsid)
{
	return subsys_path(nqn) + "/namespaces/" + std::to_string(nsid);
}

std::string host_path(const std::string &nqn)
{
	return "hosts/" + nqn;
}

std::string referral_path(uint16_t id, const std::string &name)
{
	return port_path(id) + "/referrals/" + name;
}

std::string ana_group_path(uint16_t id, uint32_t grpid)
{
	return port_path(id) + "/ana_groups/" + std::to_string(grpid);
}

std::optional<std::string> setting(const Settings &s, const std::string &file)
{
	for (const auto &[f, v] : s)
		if (f == file)
			return v;
	return std::nullopt;
}

bool Passthru::configured() const
{
	const std::string path = attr_of(attrs, "device", "path");
	return !(path.empty() || path == "(null)");
}

bool is_default_value(const std::string &file, const std::string &value)
{
	static const std::vector<std::pair<std::string, std::vector<std::string>>> defaults{
		{"param_pi_enable", {"0"}},
		{"attr_pi_enable", {"0"}},
		{"addr_tsas", {"", "none", "connected"}},
		{"param_max_queue_size", {"-1"}},
		{"attr_ieee_oui", {"0x000000"}},
		{"resv_enable", {"0"}},
		{"buffered_io", {"0"}},
		{"dhchap_key", {""}},
		{"dhchap_ctrl_key", {""}},
		{"dhchap_hash", {"hmac(sha256)"}},
		{"dhchap_dhgroup", {"null"}},
		{"discovery_nqn", {discovery_nqn}},
	};
	for (const auto &[f, values] : defaults)
		if (f == file)
			return std::find(values.begin(), values.end(), value) != values.end();
	return false;
}

void Nvmet::require_loaded() const
{
	if (!t_.loaded())
		throw Error("nvmet: " + t_.root().string() +
			    " does not exist; load the target driver (modprobe nvmet) "
			    "and check that configfs is mounted, or give --configfs");
}

AttrGroups Nvmet::read_attrs(const std::string &rel,
			     const std::vector<std::string> &groups) const
{
	AttrGroups a;
	for (const auto &f : t_.files(rel)) {
		const std::string file = rel.empty() ? f : rel + "/" + f;
		for (const auto &g : groups) {
			if (f.size() > g.size() + 1 && f.starts_with(g + "_") &&
			    t_.writable(file))
				a[g][f.substr(g.size() + 1)] = t_.read(file);
		}
	}
	return a;
}

AttrMap Nvmet::read_params(const std::string &rel,
			   const std::vector<std::string> &names) const
{
	AttrMap m;
	for (const auto &n : names)
		if (t_.is_file(rel + "/" + n))
			m[n] = t_.read(rel + "/" + n);
	return m;
}

Port Nvmet::read_port(uint16_t id) const
{
	const std::string rel = port_path(id);
	Port p;
	p.id = id;
	p.attrs = read_attrs(rel, port_groups);
	p.subsystems = t_.links(rel + "/subsystems");
	for (const auto &name : t_.dirs(rel + "/referrals")) {
		const std::string r = rel + "/referrals/" + name;
		Referral ref{name, read_attrs(r, referral_groups), false};
		if (t_.is_file(r + "/enable"))
			ref.enable = t_.read(r + "/enable") == "1";
		p.referrals.push_back(std::move(ref));
	}
	for (const auto &name : t_.dirs(rel + "/ana_groups")) {
		const auto grpid = number(name);
		if (!grpid)
			continue;
		p.ana_groups.push_back({static_cast<uint32_t>(*grpid),
					read_attrs(rel + "/ana_groups/" + name, ana_groups)});
	}
	std::sort(p.ana_groups.begin(), p.ana_groups.end(),
		  [](const auto &a, const auto &b) { return a.grpid < b.grpid; });
	return p;
}

Subsystem Nvmet::read_subsystem(const std::string &nqn) const
{
	const std::string rel = subsys_path(nqn);
	Subsystem s;
	s.nqn = nqn;
	s.attrs = read_attrs(rel, subsys_groups);
	for (const auto &name : t_.dirs(rel + "/namespaces")) {
		const auto nsid = number(name);
		if (!nsid)
			continue;
		const std::string n = rel + "/namespaces/" + name;
		Namespace ns{static_cast<uint32_t>(*nsid), read_attrs(n, ns_groups),
			     read_params(n, ns_params), false};
		if (t_.is_file(n + "/enable"))
			ns.enable = t_.read(n + "/enable") == "1";
		s.namespaces.push_back(std::move(ns));
	}
	std::sort(s.namespaces.begin(), s.namespaces.end(),
		  [](const auto &a, const auto &b) { return a.nsid < b.nsid; });
	s.allowed_hosts = t_.links(rel + "/allowed_hosts");
	const std::string pt = rel + "/passthru";
	if (t_.is_dir(pt)) {
		Passthru p{read_attrs(pt, passthru_groups), read_params(pt, passthru_params),
			   false};
		if (t_.is_file(pt + "/enable"))
			p.enable = t_.read(pt + "/enable") == "1";
		s.passthru = std::move(p);
	}
	return s;
}

Host Nvmet::read_host(const std::string &nqn) const
{
	return {nqn, read_attrs(host_path(nqn), host_groups)};
}

std::vector<Port> Nvmet::ports() const
{
	require_loaded();
	std::vector<Port> v;
	for (const auto &name : t_.dirs("ports")) {
		const auto id = number(name);
		if (id && *id <= 65535 && std::to_string(*id) == name)
			v.push_back(read_port(static_cast<uint16_t>(*id)));
	}
	std::sort(v.begin(), v.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
	return v;
}

std::vector<Subsystem> Nvmet::subsystems() const
{
	require_loaded();
	std::vector<Subsystem> v;
	for (const auto &nqn : t_.dirs("subsystems"))
		v.push_back(read_subsystem(nqn));
	return v;
}

std::vector<Host> Nvmet::hosts() const
{
	require_loaded();
	std::vector<Host> v;
	for (const auto &nqn : t_.dirs("hosts"))
		v.push_back(read_host(nqn));
	return v;
}

Target Nvmet::load() const
{
	Target t{read_attrs("", root_groups), hosts(), ports(), subsystems()};
	return t;
}

bool Nvmet::has_port(uint16_t id) const
{
	return t_.is_dir(port_path(id));
}

bool Nvmet::has_subsystem(const std::string &nqn) const
{
	return t_.is_dir(subsys_path(nqn));
}

bool Nvmet::has_host(const std::string &nqn) const
{
	return t_.is_dir(host_path(nqn));
}

void Nvmet::require_port(uint16_t id) const
{
	require_loaded();
	if (!has_port(id))
		throw NotFoundError(port_what(id) + ": does not exist; "
			"'ddactl port show' lists the ports");
}

void Nvmet::require_subsystem(const std::string &nqn) const
{
	require_loaded();
	if (!has_subsystem(nqn))
		throw NotFoundError("subsystem " + nqn + ": does not exist; "
			"'ddactl subsys show' lists the subsystems");
}

void Nvmet::require_host(const std::string &nqn) const
{
	require_loaded();
	if (!has_host(nqn))
		throw NotFoundError("host " + nqn + ": is not known to the target; "
				    "'ddactl host show' lists the hosts");
}

std::string Nvmet::require_referral(uint16_t id, const std::string &name) const
{
	require_port(id);
	const std::string rel = referral_path(id, name);
	if (!t_.is_dir(rel))
		throw NotFoundError("referral " + name + " of " + port_what(id) +
				    ": does not exist; 'ddactl referral show " +
				    std::to_string(id) + "' lists them");
	return rel;
}

std::string Nvmet::require_ana_group(uint16_t id, uint32_t grpid) const
{
	require_port(id);
	const std::string rel = ana_group_path(id, grpid);
	if (!t_.is_dir(port_path(id) + "/ana_groups"))
		throw Error(port_what(id) + ": this kernel has no ANA groups "
			    "(ana_groups); it needs Linux 5.1 or later");
	if (!t_.is_dir(rel))
		throw NotFoundError("ANA group " + std::to_string(grpid) + " of " +
				    port_what(id) + ": does not exist; 'ddactl ana show " +
				    std::to_string(id) + "' lists them");
	return rel;
}

Port Nvmet::port(uint16_t id) const
{
	require_port(id);
	return read_port(id);
}

Subsystem Nvmet::subsystem(const std::string &nqn) const
{
	require_subsystem(nqn);
	return read_subsystem(nqn);
}

Namespace Nvmet::ns(const std::string &nqn, uint32_t nsid) const
{
	const Subsystem s = subsystem(nqn);
	for (const auto &n : s.namespaces)
		if (n.nsid == nsid)
			return n;
	throw NotFoundError(ns_what(nqn, nsid) + ": does not exist; "
		"'ddactl ns show " + nqn + "' lists its namespaces");
}

std::vector<uint16_t> Nvmet::ports_linking(const std::string &nqn) const
{
	std::vector<uint16_t> ids;
	for (const auto &p : ports())
		if (std::find(p.subsystems.begin(), p.subsystems.end(), nqn) !=
		    p.subsystems.end())
			ids.push_back(p.id);
	return ids;
}

std::vector<std::string> Nvmet::subsystems_allowing(const std::string &host) const
{
	std::vector<std::string> v;
	for (const auto &nqn : t_.dirs("subsystems"))
		if (t_.is_link(subsys_path(nqn) + "/allowed_hosts/" + host))
			v.push_back(nqn);
	return v;
}

// --- writing attributes ----------------------------------------------------

void Nvmet::write_settings(const std::string &rel, const std::string &what,
			   const Settings &s, const std::string &hint)
{
	for (const auto &[file, value] : s)
		if (!t_.is_file(rel + "/" + file))
			throw Error(what + ": this kernel has no attribute " + file +
				    " (built without the feature, or too old for it); "
				    "leave it out");
	std::vector<std::pair<std::string, std::optional<std::string>>> done;
	try {
		for (const auto &[file, value] : s) {
			std::optional<std::string> old;
			try {
				old = t_.read(rel + "/" + file);
			} catch (const ConfigfsError &) {
				// Write-only (revalidate_size): nothing to put back.
			}
			guard(t_, what, hint, [&] { t_.write(rel + "/" + file, value); });
			done.emplace_back(file, old);
		}
	} catch (...) {
		for (auto it = done.rbegin(); it != done.rend(); ++it)
			if (it->second && !it->second->empty())
				try {
					t_.write(rel + "/" + it->first, *it->second);
				} catch (const ConfigfsError &) {
				}
		throw;
	}
}

void Nvmet::create_with(const std::string &rel, const std::string &what,
			const Settings &s, const std::string &hint)
{
	guard(t_, what, kernel_hint, [&] { t_.mkdir(rel); });
	try {
		write_settings(rel, what, s, hint);
	} catch (...) {
		try {
			t_.rmdir(rel);
		} catch (const ConfigfsError &) {
		}
		throw;
	}
}

// --- ports -----------------------------------------------------------------

namespace {

// Fills in what "port add" and "port set" leave to ddactl, then checks the
// address the port will have. @cur: the port's current addr attributes.
Settings complete_port(const std::string &what, Settings s, const AttrMap &cur,
		       bool adding)
{
	const auto value = [&](const char *file, const char *name) {
		if (const auto v = setting(s, file))
			return *v;
		const auto it = cur.find(name);
		return it == cur.end() ? std::string() : it->second;
	};
	const std::string trtype = value("addr_trtype", "trtype");
	const bool ip = trtype == "rdma" || trtype == "tcp";
	const auto traddr = setting(s, "addr_traddr");

	if (adding && trtype.empty())
		throw UsageError(what + ": no transport type; give trtype rdma, tcp or loop");
	std::stable_sort(s.begin(), s.end(), addr_write_order);
	if (ip && traddr && !setting(s, "addr_adrfam")) {
		const std::string fam = adrfam_of(*traddr);
		if (!fam.empty() && value("addr_adrfam", "adrfam") != "ib")
			s.emplace_back("addr_adrfam", fam);
	}
	if (ip && adding && !setting(s, "addr_trsvcid"))
		s.emplace_back("addr_trsvcid", "4420");
	if (ip && adding && !traddr)
		throw UsageError(what + ": " + trtype + " needs an address; give traddr");
	if (ip && value("addr_adrfam", "adrfam").empty())
		throw UsageError(what + ": cannot tell the address family of '" +
				 value("addr_traddr", "traddr") +
				 "'; give adrfam ipv4, ipv6 or ib");
	if (trtype == "loop" && adding && !setting(s, "addr_adrfam"))
		s.emplace_back("addr_adrfam", "loop");
	check_port_address(what, trtype, value("addr_adrfam", "adrfam"),
			   value("addr_traddr", "traddr"), value("addr_trsvcid", "trsvcid"));
	return s;
}

} // namespace

void Nvmet::add_port(uint16_t id, const Settings &s)
{
	require_loaded();
	const std::string what = port_what(id);
	const Settings full = complete_port(what, s, {}, true);
	if (has_port(id))
		throw Error(what + ": already exists; choose another ID or change it "
			    "with 'ddactl port set'");
	create_with(port_path(id), what, full, kernel_hint);
}

void Nvmet::set_port(uint16_t id, const Settings &s)
{
	const Port p = port(id);
	const std::string what = port_what(id);
	const Settings full = complete_port(what, s, p.attrs.count("addr") ?
					    p.attrs.at("addr") : AttrMap{}, false);
	if (!p.subsystems.empty())
		throw BusyError(what + ": is enabled (linked to " + join(p.subsystems) +
				") and the kernel refuses changes; unlink its subsystems "
				"first (ddactl port unlink " + std::to_string(id) + " NQN)");
	write_settings(port_path(id), what, full, kernel_hint);
}

void Nvmet::remove_port(uint16_t id)
{
	const std::string rel = port_path(id);
	const std::string what = port_what(id);
	guard(t_, what, kernel_hint, [&] {
		for (const auto &l : t_.links(rel + "/subsystems"))
			t_.unlink(rel + "/subsystems/" + l);
		for (const auto &r : t_.dirs(rel + "/referrals")) {
			const std::string ref = rel + "/referrals/" + r;
			if (t_.is_file(ref + "/enable") && t_.read(ref + "/enable") == "1")
				t_.write(ref + "/enable", "0");
			t_.rmdir(ref);
		}
		for (const auto &g : t_.dirs(rel + "/ana_groups"))
			if (g != "1")
				t_.rmdir(rel + "/ana_groups/" + g);
		t_.rmdir(rel);
	});
}

void Nvmet::del_port(uint16_t id, bool force)
{
	const Port p = port(id);
	const std::string what = port_what(id);
	if (!force && !p.subsystems.empty())
		throw BusyError(what + ": is linked to " + join(p.subsystems) +
				"; unlink them first (ddactl port unlink " +
				std::to_string(id) + " NQN) or use --force");
	if (!force && !p.referrals.empty())
		throw BusyError(what + ": has referrals; remove them first (ddactl "
				"referral del " + std::to_string(id) + " NAME) or use --force");
	remove_port(id);
}

void Nvmet::link(uint16_t id, const std::string &nqn)
{
	require_port(id);
	require_subsystem(nqn);
	const std::string what = port_what(id);
	const std::string l = port_path(id) + "/subsystems/" + nqn;
	if (t_.exists(l))
		throw Error(what + ": is already linked to " + nqn +
			    "; nothing to do");
	guard(t_, what, "check the port's address and that the transport "
		"driver (e.g. nvmet-rdma) is loaded; see dmesg",
	      [&] { t_.symlink(subsys_path(nqn), l); });
}

void Nvmet::unlink(uint16_t id, const std::string &nqn)
{
	require_port(id);
	const std::string what = port_what(id);
	const std::string l = port_path(id) + "/subsystems/" + nqn;
	if (!t_.is_link(l))
		throw NotFoundError(what + ": is not linked to " + nqn +
				    "; 'ddactl port show " + std::to_string(id) +
				    "' lists its subsystems");
	guard(t_, what, kernel_hint, [&] { t_.unlink(l); });
}

// --- referrals and ANA groups ---------------------------------------------

std::vector<Referral> Nvmet::referrals(uint16_t id) const
{
	return port(id).referrals;
}

void Nvmet::add_referral(uint16_t id, const std::string &name, const Settings &s,
			 bool enable)
{
	require_port(id);
	const std::string rel = referral_path(id, name);
	const std::string what = "referral " + name + " of " + port_what(id);
	if (t_.exists(rel))
		throw Error(what + ": already exists; change it with 'ddactl referral set'");
	const Settings full = complete_port(what, s, {}, true);
	create_with(rel, what, full, kernel_hint);
	if (enable) {
		try {
			guard(t_, what, kernel_hint, [&] { t_.write(rel + "/enable", "1"); });
		} catch (...) {
			try {
				t_.rmdir(rel);
			} catch (const ConfigfsError &) {
			}
			throw;
		}
	}
}

void Nvmet::set_referral(uint16_t id, const std::string &name, const Settings &s)
{
	const std::string rel = require_referral(id, name);
	const std::string what = "referral " + name + " of " + port_what(id);
	if (t_.read(rel + "/enable") == "1")
		throw BusyError(what + ": is enabled and the kernel refuses changes; "
				"disable it first (ddactl referral disable " +
				std::to_string(id) + " " + name + ")");
	const Settings full = complete_port(what, s, read_attrs(rel, referral_groups)["addr"],
					    false);
	write_settings(rel, what, full, kernel_hint);
}

void Nvmet::del_referral(uint16_t id, const std::string &name)
{
	const std::string rel = require_referral(id, name);
	guard(t_, "referral " + name + " of " + port_what(id), kernel_hint, [&] {
		if (t_.read(rel + "/enable") == "1")
			t_.write(rel + "/enable", "0");
		t_.rmdir(rel);
	});
}

void Nvmet::enable_referral(uint16_t id, const std::string &name, bool on)
{
	const std::string rel = require_referral(id, name);
	guard(t_, "referral " + name + " of " + port_what(id), kernel_hint,
	      [&] { t_.write(rel + "/enable", on ? "1" : "0"); });
}

void Nvmet::add_ana_group(uint16_t id, uint32_t grpid, const Settings &s)
{
	require_port(id);
	const std::string what = "ANA group " + std::to_string(grpid) + " of " + port_what(id);
	if (!t_.is_dir(port_path(id) + "/ana_groups"))
		throw Error(what + ": this kernel has no ANA groups (ana_groups); it "
			    "needs Linux 5.1 or later");
	if (grpid < 2 || grpid > ana_grpid_max)
		throw UsageError(what + ": the group ID must be from 2 to " +
				 std::to_string(ana_grpid_max) + " (group 1 always exists)");
	const std::string rel = ana_group_path(id, grpid);
	if (t_.exists(rel))
		throw Error(what + ": already exists; change its state with 'ddactl ana set'");
	create_with(rel, what, s, kernel_hint);
}

void Nvmet::set_ana_group(uint16_t id, uint32_t grpid, const Settings &s)
{
	const std::string rel = require_ana_group(id, grpid);
	write_settings(rel, "ANA group " + std::to_string(grpid) + " of " + port_what(id),
		       s, kernel_hint);
}

void Nvmet::del_ana_group(uint16_t id, uint32_t grpid)
{
	const std::string rel = require_ana_group(id, grpid);
	const std::string what = "ANA group " + std::to_string(grpid) + " of " + port_what(id);
	if (grpid == 1)
		throw UsageError(what + ": the default group cannot be removed; it goes "
				 "with its port");
	guard(t_, what, kernel_hint, [&] { t_.rmdir(rel); });
}

// --- subsystems ------------------------------------------------------------

void Nvmet::add_subsystem(const std::string &nqn, const Settings &s)
{
	require_loaded();
	const std::string what = "subsystem " + nqn;
	if (has_subsystem(nqn))
		throw Error(what + ": already exists; choose another NQN or change it "
			    "with 'ddactl subsys set'");
	create_with(subsys_path(nqn), what, s,
		    "serial, model and the controller ID range cannot change once "
		    "a host has connected; see dmesg");
}

void Nvmet::set_subsystem(const std::string &nqn, const Settings &s)
{
	const Subsystem cur = subsystem(nqn);
	if (setting(s, "attr_allow_any_host") == "1" && !cur.allowed_hosts.empty())
		throw Error("subsystem " + nqn + ": has allowed hosts (" +
			    join(cur.allowed_hosts) + ") and the kernel refuses "
			    "allow_any_host with them; deny them first (ddactl host "
			    "deny " + nqn + " HOSTNQN)");
	write_settings(subsys_path(nqn), "subsystem " + nqn, s,
		       "serial, model and the controller ID range cannot change once "
		       "a host has connected; see dmesg");
}

bool Nvmet::host_has_keys(const std::string &host) const
{
	const std::string rel = host_path(host);
	for (const char *f : {"dhchap_key", "dhchap_ctrl_key"})
		if (t_.is_file(rel + "/" + f) && !t_.read(rel + "/" + f).empty())
			return true;
	return false;
}

void Nvmet::remove_unused_host(const std::string &host)
{
	if (has_host(host) && subsystems_allowing(host).empty() && !host_has_keys(host))
		guard(t_, "host " + host, kernel_hint, [&] { t_.rmdir(host_path(host)); });
}

void Nvmet::remove_subsystem(const std::string &nqn)
{
	const std::string rel = subsys_path(nqn);
	const std::string what = "subsystem " + nqn;
	const Subsystem s = read_subsystem(nqn);
	for (auto id : ports_linking(nqn))
		guard(t_, what, kernel_hint, [&] {
			t_.unlink(port_path(id) + "/subsystems/" + nqn);
		});
	if (s.passthru && s.passthru->enable)
		guard(t_, what, kernel_hint,
		      [&] { t_.write(rel + "/passthru/enable", "0"); });
	for (const auto &n : s.namespaces)
		guard(t_, ns_what(nqn, n.nsid), kernel_hint, [&] {
			const std::string ns = ns_path(nqn, n.nsid);
			if (n.enable)
				t_.write(ns + "/enable", "0");
			t_.rmdir(ns);
		});
	for (const auto &h : s.allowed_hosts)
		guard(t_, what, kernel_hint,
		      [&] { t_.unlink(rel + "/allowed_hosts/" + h); });
	guard(t_, what, "a port may still link it; see 'ddactl port show'",
	      [&] { t_.rmdir(rel); });
	for (const auto &h : s.allowed_hosts)
		remove_unused_host(h);
}

void Nvmet::del_subsystem(const std::string &nqn, bool force)
{
	const Subsystem s = subsystem(nqn);
	const std::string what = "subsystem " + nqn;
	if (!force) {
		std::vector<std::string> ids;
		for (auto id : ports_linking(nqn))
			ids.push_back(std::to_string(id));
		if (!ids.empty())
			throw BusyError(what + ": is linked to port " + join(ids) +
					"; unlink it first (ddactl port unlink PORT " +
					nqn + ") or use --force");
		if (!s.namespaces.empty())
			throw BusyError(what + ": has " + std::to_string(s.namespaces.size()) +
					" namespace(s); delete them first (ddactl ns del " +
					nqn + " NSID) or use --force");
	}
	remove_subsystem(nqn);
}

void Nvmet::set_passthru(const std::string &nqn, const Settings &s)
{
	const Subsystem sub = subsystem(nqn);
	const std::string what = "passthru of subsystem " + nqn;
	if (!sub.passthru)
		throw Error(what + ": this kernel has no passthru subsystems "
			    "(CONFIG_NVME_TARGET_PASSTHRU)");
	if (sub.passthru->enable)
		throw BusyError(what + ": is enabled and the kernel refuses changes; "
				"disable it first (ddactl passthru disable " + nqn + ")");
	write_settings(subsys_path(nqn) + "/passthru", what, s, kernel_hint);
}

void Nvmet::enable_passthru(const std::string &nqn, bool on)
{
	const Subsystem sub = subsystem(nqn);
	const std::string what = "passthru of subsystem " + nqn;
	if (!sub.passthru)
		throw Error(what + ": this kernel has no passthru subsystems "
			    "(CONFIG_NVME_TARGET_PASSTHRU)");
	if (on && !sub.namespaces.empty())
		throw BusyError(what + ": the subsystem has namespaces; a passthru "
				"subsystem takes its controller's, delete them first");
	guard(t_, what, on ? "check the device path (an NVMe controller, "
		"/dev/nvmeN) and see dmesg" : kernel_hint,
	      [&] { t_.write(subsys_path(nqn) + "/passthru/enable", on ? "1" : "0"); });
}

// --- hosts -----------------------------------------------------------------

void Nvmet::add_host(const std::string &nqn, const Settings &s)
{
	require_loaded();
	const std::string what = "host " + nqn;
	if (has_host(nqn))
		throw Error(what + ": already exists; change it with 'ddactl host set'");
	create_with(host_path(nqn), what, s, kernel_hint);
}

void Nvmet::set_host(const std::string &nqn, const Settings &s)
{
	require_host(nqn);
	write_settings(host_path(nqn), "host " + nqn, s, kernel_hint);
}

void Nvmet::del_host(const std::string &nqn, bool force)
{
	require_host(nqn);
	const auto subs = subsystems_allowing(nqn);
	const std::string what = "host " + nqn;
	if (!subs.empty() && !force)
		throw BusyError(what + ": subsystems allow it (" + join(subs) +
				"); deny it first (ddactl host deny SUBSYS " + nqn +
				") or use --force");
	for (const auto &s : subs)
		guard(t_, what, kernel_hint,
		      [&] { t_.unlink(subsys_path(s) + "/allowed_hosts/" + nqn); });
	guard(t_, what, kernel_hint, [&] { t_.rmdir(host_path(nqn)); });
}

void Nvmet::allow_host(const std::string &nqn, const std::string &host)
{
	const Subsystem s = subsystem(nqn);
	const std::string what = "subsystem " + nqn;
	if (attr_of(s.attrs, "attr", "allow_any_host") == "1")
		throw Error(what + ": allows any host, so a host list has no effect "
			    "and the kernel refuses one; turn that off first (ddactl "
			    "subsys set " + nqn + " allow-any-host 0)");
	if (std::find(s.allowed_hosts.begin(), s.allowed_hosts.end(), host) !=
	    s.allowed_hosts.end())
		throw Error(what + ": already allows host " + host + "; nothing to do");
	const bool created = !has_host(host);
	if (created)
		guard(t_, "host " + host, kernel_hint, [&] { t_.mkdir(host_path(host)); });
	try {
		guard(t_, what, kernel_hint, [&] {
			t_.symlink(host_path(host), subsys_path(nqn) + "/allowed_hosts/" + host);
		});
	} catch (...) {
		if (created)
			try {
				t_.rmdir(host_path(host));
			} catch (const ConfigfsError &) {
			}
		throw;
	}
}

bool Nvmet::deny_host(const std::string &nqn, const std::string &host)
{
	require_subsystem(nqn);
	const std::string l = subsys_path(nqn) + "/allowed_hosts/" + host;
	if (!t_.is_link(l))
		throw NotFoundError("subsystem " + nqn + ": does not allow host " + host +
				    "; 'ddactl host show' lists the allowed hosts");
	guard(t_, "subsystem " + nqn, kernel_hint, [&] { t_.unlink(l); });
	remove_unused_host(host);
	return !has_host(host);
}

// --- namespaces ------------------------------------------------------------

namespace {

void check_device(const std::string &what, const std::optional<std::string> &path)
{
	struct stat st;
	if (!path)
		return;
	if (path->empty() || path->front() != '/')
		throw UsageError(what + ": device path '" + *path +
				 "' is not absolute; give a path such as /dev/nvme0n1");
	if (::stat(path->c_str(), &st) != 0)
		throw NotFoundError(what + ": device " + *path + " does not exist; "
				    "give an existing block device or file");
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		throw UsageError(what + ": " + *path + " is neither a block device nor "
				 "a regular file; give one of those");
}

} // namespace

uint32_t Nvmet::add_namespace(const std::string &nqn, std::optional<uint32_t> nsid,
			      const Settings &s, bool enable)
{
	const Subsystem sub = subsystem(nqn);
	if (!nsid) {
		uint32_t n = 1;
		for (const auto &ns : sub.namespaces)	// sorted by NSID
			if (ns.nsid == n)
				n++;
		nsid = n;
	}
	const std::string what = ns_what(nqn, *nsid);
	const auto path = setting(s, "device_path");
	if (!path)
		throw UsageError(what + ": no device; give path");
	check_device(what, path);
	for (const auto &ns : sub.namespaces)
		if (ns.nsid == *nsid)
			throw Error(what + ": already exists; choose another NSID or "
				    "change it with 'ddactl ns set'");
	const std::string rel = ns_path(nqn, *nsid);
	create_with(rel, what, s, kernel_hint);
	if (enable) {
		try {
			guard(t_, what, "check the device and see dmesg",
			      [&] { t_.write(rel + "/enable", "1"); });
		} catch (...) {
			try {
				t_.rmdir(rel);
			} catch (const ConfigfsError &) {
			}
			throw;
		}
	}
	return *nsid;
}

void Nvmet::set_namespace(const std::string &nqn, uint32_t nsid, const Settings &s)
{
	const Namespace n = ns(nqn, nsid);
	const std::string what = ns_what(nqn, nsid);
	check_device(what, setting(s, "device_path"));
	const bool needs_disabled = std::any_of(s.begin(), s.end(), [](const auto &e) {
		return e.first.starts_with("device_") || e.first == "buffered_io";
	});
	if (n.enable && needs_disabled)
		throw BusyError(what + ": is enabled and the kernel refuses changes of "
				"its device; disable it first (ddactl ns disable " + nqn + " " +
				std::to_string(nsid) + ")");
	write_settings(ns_path(nqn, nsid), what, s, kernel_hint);
}

void Nvmet::del_namespace(const std::string &nqn, uint32_t nsid)
{
	const Namespace n = ns(nqn, nsid);
	const std::string rel = ns_path(nqn, nsid);
	guard(t_, ns_what(nqn, nsid), kernel_hint, [&] {
		if (n.enable)
			t_.write(rel + "/enable", "0");
		t_.rmdir(rel);
	});
}

void Nvmet::enable_namespace(const std::string &nqn, uint32_t nsid, bool on)
{
	ns(nqn, nsid);
	guard(t_, ns_what(nqn, nsid), on ? "check the device and see dmesg" : kernel_hint,
	      [&] { t_.write(ns_path(nqn, nsid) + "/enable", on ? "1" : "0"); });
}

void Nvmet::revalidate_namespace(const std::string &nqn, uint32_t nsid)
{
	const Namespace n = ns(nqn, nsid);
	const std::string what = ns_what(nqn, nsid);
	const std::string file = ns_path(nqn, nsid) + "/revalidate_size";
	if (!t_.exists(file))
		throw Error(what + ": this kernel has no revalidate_size; it needs "
			    "Linux 5.12 or later");
	if (!n.enable)
		throw UsageError(what + ": is disabled; the kernel revalidates only an "
				 "enabled namespace (ddactl ns enable " + nqn + " " +
				 std::to_string(nsid) + ")");
	guard(t_, what, kernel_hint, [&] { t_.write(file, "1"); });
}

// --- discovery -------------------------------------------------------------

std::optional<std::string> Nvmet::discovery_nqn() const
{
	require_loaded();
	if (!t_.is_file("discovery_nqn"))
		return std::nullopt;
	return t_.read("discovery_nqn");
}

void Nvmet::set_discovery_nqn(const std::string &nqn)
{
	if (!discovery_nqn())
		throw Error("discovery NQN: this kernel cannot change it (no "
			    "discovery_nqn; it needs Linux 6.6 or later)");
	if (has_subsystem(nqn))
		throw UsageError("discovery NQN " + nqn + ": a subsystem has that NQN "
				 "and the kernel refuses it; choose another");
	guard(t_, "discovery NQN", kernel_hint, [&] { t_.write("discovery_nqn", nqn); });
}

// --- whole target ----------------------------------------------------------

void Nvmet::clear()
{
	require_loaded();
	for (const auto &p : ports())
		remove_port(p.id);
	for (const auto &s : t_.dirs("subsystems"))
		remove_subsystem(s);
	for (const auto &h : t_.dirs("hosts"))
		guard(t_, "host " + h, kernel_hint, [&] { t_.rmdir(host_path(h)); });
	const auto disc = discovery_nqn();
	if (disc && *disc != ddactl::discovery_nqn)
		guard(t_, "discovery NQN", kernel_hint,
		      [&] { t_.write("discovery_nqn", ddactl::discovery_nqn); });
}

namespace {

Step make(std::string what, std::function<bool()> apply, std::function<void()> undo)
{
	return {std::move(what), std::move(apply), "this kernel has no such attribute",
		std::move(undo)};
}

// Ignores errors: an undo is a best effort while putting things back.
void quietly(const std::function<void()> &f)
{
	try {
		f();
	} catch (const std::exception &) {
	}
}

Step mkdir_step(ConfigfsTree &t, const std::string &what, const std::string &rel)
{
	return make("create " + what, [&t, rel] {
		t.mkdir(rel);
		return true;
	}, [&t, rel] { quietly([&] { t.rmdir(rel); }); });
}

Step link_step(ConfigfsTree &t, std::string what, const std::string &target,
	       const std::string &link)
{
	return make(std::move(what), [&t, target, link] {
		t.symlink(target, link);
		return true;
	}, [&t, link] { quietly([&] { t.unlink(link); }); });
}

Step enable_step(ConfigfsTree &t, const std::string &what, const std::string &file)
{
	return make("enable " + what, [&t, file] {
		t.write(file, "1");
		return true;
	}, [&t, file] { quietly([&] { t.write(file, "0"); }); });
}

// Writes @value to @file. A file the kernel lacks is skipped when @value
// is the feature's default, else the restore stops.
Step write_step(ConfigfsTree &t, const std::string &what, const std::string &file,
		const std::string &value)
{
	const std::string name = std::filesystem::path(file).filename().string();
	Step s = make("set " + what + " " + name + " = '" + value + "'",
		      [&t, file, value, name, what] {
			      if (!t.is_file(file)) {
				      if (is_default_value(name, value))
					      return false;
				      throw Error(what + ": this kernel has no attribute " +
						  name + " (built without the feature, or "
						  "too old for it), and '" + value +
						  "' asks for it; remove it from the file to "
						  "restore without it");
			      }
			      t.write(file, value);
			      return true;
		      },
		      {});
	s.skipped = "this kernel has no such attribute, and '" + value + "' is its default";
	return s;
}

// Attribute writes in a stable order: the groups as listed, names sorted,
// the addr_ files in addr_write_rank() order.
void attr_steps(std::vector<Step> &steps, ConfigfsTree &t, const std::string &what,
		const std::string &rel, const std::vector<std::string> &groups,
		const AttrGroups &attrs)
{
	for (const auto &g : groups) {
		const auto it = attrs.find(g);
		if (it == attrs.end())
			continue;
		std::vector<std::pair<std::string, std::string>> v(it->second.begin(),
								    it->second.end());
		std::stable_sort(v.begin(), v.end(), addr_write_order);
		for (const auto &[name, value] : v) {
			// Empty is what configfs shows for "not set" (adrfam of a
			// loop port, a host's key); the kernel would refuse it.
			if (value.empty())
				continue;
			steps.push_back(write_step(t, what, rel + "/" + g + "_" + name, value));
		}
	}
}

void param_steps(std::vector<Step> &steps, ConfigfsTree &t, const std::string &what,
		 const std::string &rel, const AttrMap &params)
{
	for (const auto &[name, value] : params)
		if (!value.empty())
			steps.push_back(write_step(t, what, rel + "/" + name, value));
}

} // namespace

std::vector<Step> Nvmet::restore_plan(const Target &target)
{
	std::vector<Step> steps;
	ConfigfsTree &t = t_;

	const std::string disc = attr_of(target.attrs, "discovery", "nqn");
	if (!disc.empty()) {
		Step s = write_step(t, "target", "discovery_nqn", disc);
		s.what = "set the discovery NQN to " + disc;
		const std::string old = t.is_file("discovery_nqn") ? t.read("discovery_nqn") : "";
		if (!old.empty())
			s.undo = [&t, old] { quietly([&] { t.write("discovery_nqn", old); }); };
		steps.push_back(std::move(s));
	}

	std::vector<const Host *> hosts;
	for (const auto &h : target.hosts)
		hosts.push_back(&h);
	std::vector<Host> implied;
	for (const auto &s : target.subsystems)
		for (const auto &h : s.allowed_hosts)
			if (std::none_of(target.hosts.begin(), target.hosts.end(),
					 [&](const Host &x) { return x.nqn == h; }) &&
			    std::none_of(implied.begin(), implied.end(),
					 [&](const Host &x) { return x.nqn == h; }))
				implied.push_back({h, {}});
	for (const auto &h : implied)
		hosts.push_back(&h);
	for (const Host *h : hosts) {
		const std::string rel = host_path(h->nqn);
		steps.push_back(mkdir_step(t, "host " + h->nqn, rel));
		attr_steps(steps, t, "host " + h->nqn, rel, host_groups, h->attrs);
	}

	for (const auto &s : target.subsystems) {
		const std::string rel = subsys_path(s.nqn);
		const std::string what = "subsystem " + s.nqn;
		steps.push_back(mkdir_step(t, what, rel));
		attr_steps(steps, t, what, rel, subsys_groups, s.attrs);
		for (const auto &n : s.namespaces) {
			const std::string nrel = ns_path(s.nqn, n.nsid);
			const std::string nwhat = ns_what(s.nqn, n.nsid);
			steps.push_back(mkdir_step(t, nwhat, nrel));
			attr_steps(steps, t, nwhat, nrel, ns_groups, n.attrs);
			param_steps(steps, t, nwhat, nrel, n.params);
			if (n.enable)
				steps.push_back(enable_step(t, nwhat, nrel + "/enable"));
		}
		if (s.passthru && s.passthru->configured()) {
			const std::string prel = rel + "/passthru";
			const std::string pwhat = "passthru of " + what;
			steps.push_back(make("check that the kernel has " + pwhat,
					     [&t, prel, pwhat] {
						     if (!t.is_dir(prel))
							     throw Error(pwhat + ": this kernel has no "
									 "passthru subsystems (CONFIG_"
									 "NVME_TARGET_PASSTHRU); remove "
									 "\"passthru\" from the file to "
									 "restore without it");
						     return true;
					     },
					     {}));
			attr_steps(steps, t, pwhat, prel, passthru_groups, s.passthru->attrs);
			param_steps(steps, t, pwhat, prel, s.passthru->params);
			if (s.passthru->enable)
				steps.push_back(enable_step(t, pwhat, prel + "/enable"));
		}
		for (const auto &h : s.allowed_hosts)
			steps.push_back(link_step(t, "allow host " + h + " on " + what,
						  host_path(h), rel + "/allowed_hosts/" + h));
	}

	for (const auto &p : target.ports) {
		const std::string rel = port_path(p.id);
		const std::string what = port_what(p.id);
		steps.push_back(mkdir_step(t, what, rel));
		attr_steps(steps, t, what, rel, port_groups, p.attrs);
		for (const auto &r : p.referrals) {
			const std::string rrel = rel + "/referrals/" + r.name;
			const std::string rwhat = "referral " + r.name + " of " + what;
			steps.push_back(mkdir_step(t, rwhat, rrel));
			attr_steps(steps, t, rwhat, rrel, referral_groups, r.attrs);
			if (r.enable)
				steps.push_back(enable_step(t, rwhat, rrel + "/enable"));
		}
		for (const auto &g : p.ana_groups) {
			const std::string grel = rel + "/ana_groups/" + std::to_string(g.grpid);
			const std::string gwhat = "ANA group " + std::to_string(g.grpid) +
						  " of " + what;
			if (g.grpid != 1)	// the kernel creates group 1
				steps.push_back(mkdir_step(t, gwhat, grel));
			attr_steps(steps, t, gwhat, grel, ana_groups, g.attrs);
		}
		for (const auto &nqn : p.subsystems)
			steps.push_back(link_step(t, "link " + what + " to subsystem " + nqn,
						  subsys_path(nqn), rel + "/subsystems/" + nqn));
	}
	return steps;
}

} // namespace ddactl

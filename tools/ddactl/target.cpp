// SPDX-License-Identifier: GPL-2.0-only
#include "target.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "errors.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

const std::string kernel_hint = "see the kernel log (dmesg) for the reason";

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
		for (const auto &g : groups) {
			if (f.size() > g.size() + 1 && f.starts_with(g + "_") &&
			    t_.writable(rel + "/" + f))
				a[g][f.substr(g.size() + 1)] = t_.read(rel + "/" + f);
		}
	}
	return a;
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
		Namespace ns{static_cast<uint32_t>(*nsid), read_attrs(n, ns_groups), false};
		if (t_.is_file(n + "/enable"))
			ns.enable = t_.read(n + "/enable") == "1";
		s.namespaces.push_back(std::move(ns));
	}
	std::sort(s.namespaces.begin(), s.namespaces.end(),
		  [](const auto &a, const auto &b) { return a.nsid < b.nsid; });
	s.allowed_hosts = t_.links(rel + "/allowed_hosts");
	return s;
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
		v.push_back({nqn});
	return v;
}

Target Nvmet::load() const
{
	return {hosts(), ports(), subsystems()};
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

// --- ports -----------------------------------------------------------------

void Nvmet::write_port(uint16_t id, const PortSettings &s)
{
	const std::string rel = port_path(id);
	const std::string what = port_what(id);
	const auto put = [&](const char *attr, const std::optional<std::string> &v) {
		if (v)
			guard(t_, what, kernel_hint,
			      [&] { t_.write(rel + "/" + attr, *v); });
	};
	put("addr_trtype", s.trtype);
	put("addr_adrfam", s.adrfam);
	put("addr_traddr", s.traddr);
	put("addr_trsvcid", s.trsvcid);
	put("addr_treq", s.treq);
	if (s.inline_data_size)
		put("param_inline_data_size", std::to_string(*s.inline_data_size));
}

namespace {

// Fills in what "port add" and "port set" leave to ddactl, then checks the
// address the port will have. @cur: the port's current addr attributes.
PortSettings complete_port(const std::string &what, PortSettings s,
			   const AttrMap &cur, bool adding)
{
	const auto value = [&](const std::optional<std::string> &v, const char *name) {
		if (v)
			return *v;
		const auto it = cur.find(name);
		return it == cur.end() ? std::string() : it->second;
	};
	const std::string trtype = value(s.trtype, "trtype");
	const bool ip = trtype == "rdma" || trtype == "tcp";

	if (adding && trtype.empty())
		throw UsageError(what + ": no transport type; give --trtype rdma, tcp or loop");
	if (ip && s.traddr && !s.adrfam) {
		const std::string fam = adrfam_of(*s.traddr);
		if (!fam.empty() && value(s.adrfam, "adrfam") != "ib")
			s.adrfam = fam;
	}
	if (ip && adding && !s.trsvcid)
		s.trsvcid = "4420";
	if (ip && adding && !s.traddr)
		throw UsageError(what + ": " + trtype + " needs an address; give --traddr");
	if (ip && value(s.adrfam, "adrfam").empty())
		throw UsageError(what + ": cannot tell the address family of '" +
				 value(s.traddr, "traddr") + "'; give --adrfam ipv4, ipv6 or ib");
	if (trtype == "loop" && adding && !s.adrfam)
		s.adrfam = "loop";
	if (s.treq && !is_valid_treq(*s.treq))
		throw UsageError(what + ": unknown treq '" + *s.treq +
				 "'; use 'not specified', 'required' or 'not required'");
	check_port_address(what, trtype, value(s.adrfam, "adrfam"),
			   value(s.traddr, "traddr"), value(s.trsvcid, "trsvcid"));
	return s;
}

} // namespace

void Nvmet::add_port(uint16_t id, const PortSettings &s)
{
	require_loaded();
	const std::string what = port_what(id);
	const PortSettings full = complete_port(what, s, {}, true);
	if (has_port(id))
		throw Error(what + ": already exists; choose another ID or change it "
			    "with 'ddactl port set'");
	guard(t_, what, kernel_hint, [&] { t_.mkdir(port_path(id)); });
	try {
		write_port(id, full);
	} catch (...) {
		try {
			t_.rmdir(port_path(id));
		} catch (const ConfigfsError &) {
		}
		throw;
	}
}

void Nvmet::set_port(uint16_t id, const PortSettings &s)
{
	const Port p = port(id);
	const std::string what = port_what(id);
	const PortSettings full = complete_port(what, s, p.attrs.count("addr") ?
						p.attrs.at("addr") : AttrMap{}, false);
	if (!p.subsystems.empty())
		throw BusyError(what + ": is enabled (linked to " + join(p.subsystems) +
				") and the kernel refuses changes; unlink its subsystems "
				"first (ddactl port unlink " + std::to_string(id) + " NQN)");
	write_port(id, full);
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
		throw BusyError(what + ": has referrals; remove them first or use --force");
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

// --- subsystems ------------------------------------------------------------

void Nvmet::write_subsystem(const std::string &nqn, const SubsysSettings &s)
{
	const std::string rel = subsys_path(nqn);
	const std::string what = "subsystem " + nqn;
	if (s.allow_any_host)
		guard(t_, what, kernel_hint, [&] {
			t_.write(rel + "/attr_allow_any_host", *s.allow_any_host ? "1" : "0");
		});
	const std::string fixed = "serial and model cannot change once a host has "
				  "connected; see dmesg";
	if (s.serial)
		guard(t_, what, fixed, [&] { t_.write(rel + "/attr_serial", *s.serial); });
	if (s.model)
		guard(t_, what, fixed, [&] { t_.write(rel + "/attr_model", *s.model); });
}

void Nvmet::add_subsystem(const std::string &nqn, const SubsysSettings &s)
{
	require_loaded();
	const std::string what = "subsystem " + nqn;
	if (has_subsystem(nqn))
		throw Error(what + ": already exists; choose another NQN or change it "
			    "with 'ddactl subsys set'");
	guard(t_, what, kernel_hint, [&] { t_.mkdir(subsys_path(nqn)); });
	try {
		write_subsystem(nqn, s);
	} catch (...) {
		try {
			t_.rmdir(subsys_path(nqn));
		} catch (const ConfigfsError &) {
		}
		throw;
	}
}

void Nvmet::set_subsystem(const std::string &nqn, const SubsysSettings &s)
{
	const Subsystem cur = subsystem(nqn);
	if (s.allow_any_host.value_or(false) && !cur.allowed_hosts.empty())
		throw Error("subsystem " + nqn + ": has allowed hosts (" +
			    join(cur.allowed_hosts) + ") and the kernel refuses "
			    "allow_any_host with them; deny them first (ddactl host "
			    "deny " + nqn + " HOSTNQN)");
	write_subsystem(nqn, s);
}

void Nvmet::remove_unused_host(const std::string &host)
{
	if (has_host(host) && subsystems_allowing(host).empty())
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

// --- hosts -----------------------------------------------------------------

void Nvmet::allow_host(const std::string &nqn, const std::string &host)
{
	const Subsystem s = subsystem(nqn);
	const std::string what = "subsystem " + nqn;
	if (attr_of(s.attrs, "attr", "allow_any_host") == "1")
		throw Error(what + ": allows any host, so a host list has no effect "
			    "and the kernel refuses one; turn that off first (ddactl "
			    "subsys set " + nqn + " --allow-any-host 0)");
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
	const bool last = subsystems_allowing(host).empty();
	remove_unused_host(host);
	return last;
}

// --- namespaces ------------------------------------------------------------

void Nvmet::write_namespace(const std::string &rel, const std::string &what,
			    const NsSettings &s)
{
	const auto put = [&](const char *attr, const std::optional<std::string> &v) {
		if (v)
			guard(t_, what, kernel_hint,
			      [&] { t_.write(rel + "/" + attr, *v); });
	};
	put("device_path", s.path);
	put("device_uuid", s.uuid);
	put("device_nguid", s.nguid);
}

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
			      const NsSettings &s, bool enable)
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
	if (!s.path)
		throw UsageError(what + ": no device; give --path");
	check_device(what, s.path);
	for (const auto &ns : sub.namespaces)
		if (ns.nsid == *nsid)
			throw Error(what + ": already exists; choose another NSID or "
				    "change it with 'ddactl ns set'");
	const std::string rel = ns_path(nqn, *nsid);
	guard(t_, what, kernel_hint, [&] { t_.mkdir(rel); });
	try {
		write_namespace(rel, what, s);
		if (enable)
			guard(t_, what, "check the device and see dmesg",
			      [&] { t_.write(rel + "/enable", "1"); });
	} catch (...) {
		try {
			t_.rmdir(rel);
		} catch (const ConfigfsError &) {
		}
		throw;
	}
	return *nsid;
}

void Nvmet::set_namespace(const std::string &nqn, uint32_t nsid, const NsSettings &s)
{
	const Namespace n = ns(nqn, nsid);
	const std::string what = ns_what(nqn, nsid);
	check_device(what, s.path);
	if (n.enable)
		throw BusyError(what + ": is enabled and the kernel refuses changes; "
				"disable it first (ddactl ns disable " + nqn + " " +
				std::to_string(nsid) + ")");
	write_namespace(ns_path(nqn, nsid), what, s);
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
}

namespace {

// Attribute writes in a stable order: the groups as listed, names sorted.
void attr_steps(std::vector<Step> &steps, ConfigfsTree &t, const std::string &what,
		const std::string &rel, const std::vector<std::string> &groups,
		const AttrGroups &attrs)
{
	for (const auto &g : groups) {
		const auto it = attrs.find(g);
		if (it == attrs.end())
			continue;
		for (const auto &[name, value] : it->second) {
			// Empty is what configfs shows for "not set" (adrfam of a
			// loop port, say); the kernel would refuse to store it.
			if (value.empty())
				continue;
			const std::string file = rel + "/" + g + "_" + name;
			steps.push_back({"set " + what + " " + g + "_" + name + " = '" + value + "'",
					 [&t, file, value] {
						 if (!t.is_file(file))
							 return false;
						 t.write(file, value);
						 return true;
					 }});
		}
	}
}

} // namespace

std::vector<Step> Nvmet::restore_plan(const Target &target)
{
	std::vector<Step> steps;
	ConfigfsTree &t = t_;

	std::vector<std::string> hosts;
	for (const auto &h : target.hosts)
		hosts.push_back(h.nqn);
	for (const auto &s : target.subsystems)
		for (const auto &h : s.allowed_hosts)
			if (std::find(hosts.begin(), hosts.end(), h) == hosts.end())
				hosts.push_back(h);
	for (const auto &h : hosts)
		steps.push_back({"create host " + h, [&t, h] {
			t.mkdir(host_path(h));
			return true;
		}});

	for (const auto &s : target.subsystems) {
		const std::string rel = subsys_path(s.nqn);
		const std::string what = "subsystem " + s.nqn;
		steps.push_back({"create " + what, [&t, rel] {
			t.mkdir(rel);
			return true;
		}});
		attr_steps(steps, t, what, rel, subsys_groups, s.attrs);
		for (const auto &n : s.namespaces) {
			const std::string nrel = ns_path(s.nqn, n.nsid);
			const std::string nwhat = ns_what(s.nqn, n.nsid);
			steps.push_back({"create " + nwhat, [&t, nrel] {
				t.mkdir(nrel);
				return true;
			}});
			attr_steps(steps, t, nwhat, nrel, ns_groups, n.attrs);
			if (n.enable)
				steps.push_back({"enable " + nwhat, [&t, nrel] {
					t.write(nrel + "/enable", "1");
					return true;
				}});
		}
		for (const auto &h : s.allowed_hosts)
			steps.push_back({"allow host " + h + " on " + what, [&t, rel, h] {
				t.symlink(host_path(h), rel + "/allowed_hosts/" + h);
				return true;
			}});
	}

	for (const auto &p : target.ports) {
		const std::string rel = port_path(p.id);
		const std::string what = port_what(p.id);
		steps.push_back({"create " + what, [&t, rel] {
			t.mkdir(rel);
			return true;
		}});
		attr_steps(steps, t, what, rel, port_groups, p.attrs);
		for (const auto &r : p.referrals) {
			const std::string rrel = rel + "/referrals/" + r.name;
			const std::string rwhat = "referral " + r.name + " of " + what;
			steps.push_back({"create " + rwhat, [&t, rrel] {
				t.mkdir(rrel);
				return true;
			}});
			attr_steps(steps, t, rwhat, rrel, referral_groups, r.attrs);
			if (r.enable)
				steps.push_back({"enable " + rwhat, [&t, rrel] {
					t.write(rrel + "/enable", "1");
					return true;
				}});
		}
		for (const auto &g : p.ana_groups) {
			const std::string grel = rel + "/ana_groups/" + std::to_string(g.grpid);
			const std::string gwhat = "ANA group " + std::to_string(g.grpid) +
						  " of " + what;
			if (g.grpid != 1)	// the kernel creates group 1
				steps.push_back({"create " + gwhat, [&t, grel] {
					t.mkdir(grel);
					return true;
				}});
			attr_steps(steps, t, gwhat, grel, ana_groups, g.attrs);
		}
		for (const auto &nqn : p.subsystems)
			steps.push_back({"link " + what + " to subsystem " + nqn,
					 [&t, rel, nqn] {
						 t.symlink(subsys_path(nqn),
							   rel + "/subsystems/" + nqn);
						 return true;
					 }});
	}
	return steps;
}

} // namespace ddactl

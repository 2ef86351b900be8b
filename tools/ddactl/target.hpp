// SPDX-License-Identifier: GPL-2.0-only
//
// The nvmet target as configfs holds it: small value types for ports,
// subsystems, namespaces and hosts, and Nvmet, the operations ddactl performs
// on them through a ConfigfsTree. Attributes are kept as nvmetcli keeps
// them: grouped by the prefix of their configfs file name ("addr_trtype" is
// attrs["addr"]["trtype"]), values as the strings configfs shows.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cfs.hpp"

namespace ddactl {

using AttrMap = std::map<std::string, std::string>;
using AttrGroups = std::map<std::string, AttrMap>;

// The attribute groups nvmetcli saves for each kind of object.
inline const std::vector<std::string> port_groups{"addr", "param"};
inline const std::vector<std::string> referral_groups{"addr"};
inline const std::vector<std::string> ana_groups{"ana"};
inline const std::vector<std::string> subsys_groups{"attr"};
inline const std::vector<std::string> ns_groups{"device", "ana", "resv"};

// "" when absent.
std::string attr_of(const AttrGroups &a, const std::string &group,
		    const std::string &name);

struct Namespace {
	uint32_t nsid = 0;
	AttrGroups attrs;	// device{path,uuid,nguid}, ana{grpid}
	bool enable = false;

	bool operator==(const Namespace &) const = default;
};

struct Subsystem {
	std::string nqn;
	AttrGroups attrs;	// attr{allow_any_host,serial,model,version,...}
	std::vector<Namespace> namespaces;		// by NSID
	std::vector<std::string> allowed_hosts;		// sorted

	bool operator==(const Subsystem &) const = default;
};

struct Referral {
	std::string name;
	AttrGroups attrs;	// addr{...}
	bool enable = false;

	bool operator==(const Referral &) const = default;
};

struct AnaGroup {
	uint32_t grpid = 0;
	AttrGroups attrs;	// ana{state}

	bool operator==(const AnaGroup &) const = default;
};

struct Port {
	uint16_t id = 0;
	AttrGroups attrs;	// addr{trtype,adrfam,traddr,trsvcid,treq}, param{...}
	std::vector<std::string> subsystems;	// sorted link names
	std::vector<Referral> referrals;
	std::vector<AnaGroup> ana_groups;

	bool operator==(const Port &) const = default;
};

struct Host {
	std::string nqn;

	bool operator==(const Host &) const = default;
};

// The whole target, every list sorted.
struct Target {
	std::vector<Host> hosts;
	std::vector<Port> ports;
	std::vector<Subsystem> subsystems;

	bool empty() const
	{
		return hosts.empty() && ports.empty() && subsystems.empty();
	}
	bool operator==(const Target &) const = default;
};

// What "add" and "set" change; unset fields are left alone.
struct PortSettings {
	std::optional<std::string> trtype, adrfam, traddr, trsvcid, treq;
	std::optional<int> inline_data_size;
};

struct SubsysSettings {
	std::optional<bool> allow_any_host;
	std::optional<std::string> serial, model;
};

struct NsSettings {
	std::optional<std::string> path, uuid, nguid;
};

// One change of a restore; apply() returns false when it was skipped, for
// the reason in @skipped.
struct Step {
	std::string what;
	std::function<bool()> apply;
	std::string skipped = "this kernel has no such attribute";
};

class Nvmet {
public:
	explicit Nvmet(ConfigfsTree &tree) : t_(tree) {}

	// Throws unless nvmet's configfs tree is there.
	void require_loaded() const;

	Target load() const;
	std::vector<Port> ports() const;
	std::vector<Subsystem> subsystems() const;
	std::vector<Host> hosts() const;
	Port port(uint16_t id) const;			// NotFoundError
	Subsystem subsystem(const std::string &nqn) const;
	Namespace ns(const std::string &nqn, uint32_t nsid) const;

	bool has_port(uint16_t id) const;
	bool has_subsystem(const std::string &nqn) const;
	bool has_host(const std::string &nqn) const;
	std::vector<uint16_t> ports_linking(const std::string &nqn) const;
	std::vector<std::string> subsystems_allowing(const std::string &host) const;

	void add_port(uint16_t id, const PortSettings &s);
	void set_port(uint16_t id, const PortSettings &s);
	// Without @force, refuses (BusyError) while subsystems are linked or
	// referrals exist.
	void del_port(uint16_t id, bool force);
	void link(uint16_t id, const std::string &nqn);
	void unlink(uint16_t id, const std::string &nqn);

	void add_subsystem(const std::string &nqn, const SubsysSettings &s);
	void set_subsystem(const std::string &nqn, const SubsysSettings &s);
	// Without @force, refuses while ports link it or it has namespaces.
	// Allowed-host links go with it; hosts no longer allowed anywhere are
	// removed.
	void del_subsystem(const std::string &nqn, bool force);

	// Creates hosts/<host> when needed.
	void allow_host(const std::string &nqn, const std::string &host);
	// Returns true when hosts/<host> was removed because no subsystem
	// allows it any more.
	bool deny_host(const std::string &nqn, const std::string &host);

	// @nsid: lowest free when unset. Returns the NSID.
	uint32_t add_namespace(const std::string &nqn, std::optional<uint32_t> nsid,
			       const NsSettings &s, bool enable);
	void set_namespace(const std::string &nqn, uint32_t nsid, const NsSettings &s);
	void del_namespace(const std::string &nqn, uint32_t nsid);
	void enable_namespace(const std::string &nqn, uint32_t nsid, bool on);

	// Removes everything: ports, subsystems, hosts.
	void clear();

	// The changes that build @target on an empty tree, in order.
	std::vector<Step> restore_plan(const Target &target);

private:
	AttrGroups read_attrs(const std::string &rel,
			      const std::vector<std::string> &groups) const;
	Port read_port(uint16_t id) const;
	Subsystem read_subsystem(const std::string &nqn) const;
	void require_port(uint16_t id) const;
	void require_subsystem(const std::string &nqn) const;
	void write_port(uint16_t id, const PortSettings &s);
	void write_subsystem(const std::string &nqn, const SubsysSettings &s);
	void write_namespace(const std::string &rel, const std::string &what,
			     const NsSettings &s);
	void remove_port(uint16_t id);
	void remove_subsystem(const std::string &nqn);
	void remove_unused_host(const std::string &host);

	ConfigfsTree &t_;
};

// configfs paths, relative to the nvmet directory.
std::string port_path(uint16_t id);
std::string subsys_path(const std::string &nqn);
std::string ns_path(const std::string &nqn, uint32_t nsid);
std::string host_path(const std::string &nqn);

} // namespace ddactl

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

// The attribute groups nvmetcli saves for each kind of object: every
// writable file "<group>_<name>" of the object's directory.
inline const std::vector<std::string> root_groups{"discovery"};
inline const std::vector<std::string> host_groups{"dhchap"};
inline const std::vector<std::string> passthru_groups{"device"};
inline const std::vector<std::string> port_groups{"addr", "param"};
inline const std::vector<std::string> referral_groups{"addr"};
inline const std::vector<std::string> ana_groups{"ana"};
inline const std::vector<std::string> subsys_groups{"attr"};
inline const std::vector<std::string> ns_groups{"device", "ana", "resv"};

// "" when absent.
std::string attr_of(const AttrGroups &a, const std::string &group,
		    const std::string &name);

// Plain attribute files (no group prefix) ddactl saves besides the groups:
// name -> value as configfs shows it.
inline const std::vector<std::string> ns_params{"buffered_io"};
inline const std::vector<std::string> passthru_params{"admin_timeout", "clear_ids",
						     "io_timeout"};

struct Namespace {
	uint32_t nsid = 0;
	AttrGroups attrs;	// device{path,uuid,nguid}, ana{grpid}
	AttrMap params;		// buffered_io, when the kernel has it
	bool enable = false;

	bool operator==(const Namespace &) const = default;
};

// A subsystem's passthru group (CONFIG_NVME_TARGET_PASSTHRU): the whole
// subsystem is an NVMe controller of the target's, its namespaces included.
struct Passthru {
	AttrGroups attrs;	// device{path}: "(null)" or "" while unset
	AttrMap params;		// admin_timeout, clear_ids, io_timeout
	bool enable = false;

	// A path is set (a kernel without passthru cannot do what it says).
	bool configured() const;
	bool operator==(const Passthru &) const = default;
};

struct Subsystem {
	std::string nqn;
	AttrGroups attrs;	// attr{allow_any_host,serial,model,version,...}
	std::vector<Namespace> namespaces;		// by NSID
	std::vector<std::string> allowed_hosts;		// sorted
	std::optional<Passthru> passthru;	// unset: the kernel has none

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
	AttrGroups attrs;	// dhchap{key,ctrl_key,hash,dhgroup}

	bool operator==(const Host &) const = default;
};

// The whole target, every list sorted.
struct Target {
	AttrGroups attrs;	// discovery{nqn}, when the kernel has it
	std::vector<Host> hosts;
	std::vector<Port> ports;
	std::vector<Subsystem> subsystems;

	// No object; the discovery NQN does not count.
	bool empty() const
	{
		return hosts.empty() && ports.empty() && subsystems.empty();
	}
	bool operator==(const Target &) const = default;
};

// What "add" and "set" write: configfs file names relative to the object's
// directory ("addr_trtype", "attr_model", "device_path", "dhchap_key") and
// their values, in the order given.
using Settings = std::vector<std::pair<std::string, std::string>>;

// The value of @file in @s, if given.
std::optional<std::string> setting(const Settings &s, const std::string &file);

// One change of a restore. apply() returns false when it was skipped, for
// the reason in @skipped; undo, when set, takes back what apply() did (for
// rolling back a restore that failed later).
struct Step {
	std::string what;
	std::function<bool()> apply;
	std::string skipped = "this kernel has no such attribute";
	std::function<void()> undo = {};
};

// An attribute the running kernel does not have, holding a value that
// asks for nothing: the feature's default ("pi_enable" 0, "dhchap_hash"
// hmac(sha256), the well-known discovery NQN...). Restoring it on such a
// kernel is skipped; any other value is refused.
bool is_default_value(const std::string &file, const std::string &value);

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

	// @s: addr_* and param_* files; trtype is required, adrfam follows
	// from an IP traddr, trsvcid defaults to 4420 for rdma and tcp.
	void add_port(uint16_t id, const Settings &s);
	void set_port(uint16_t id, const Settings &s);
	// Without @force, refuses (BusyError) while subsystems are linked or
	// referrals exist.
	void del_port(uint16_t id, bool force);
	void link(uint16_t id, const std::string &nqn);
	void unlink(uint16_t id, const std::string &nqn);

	// Referrals of a port to another discovery service.
	std::vector<Referral> referrals(uint16_t id) const;
	void add_referral(uint16_t id, const std::string &name, const Settings &s,
			  bool enable);
	void set_referral(uint16_t id, const std::string &name, const Settings &s);
	void del_referral(uint16_t id, const std::string &name);
	void enable_referral(uint16_t id, const std::string &name, bool on);

	// ANA groups of a port (group 1 always exists).
	void add_ana_group(uint16_t id, uint32_t grpid, const Settings &s);
	void set_ana_group(uint16_t id, uint32_t grpid, const Settings &s);
	void del_ana_group(uint16_t id, uint32_t grpid);

	void add_subsystem(const std::string &nqn, const Settings &s);
	void set_subsystem(const std::string &nqn, const Settings &s);
	// Without @force, refuses while ports link it or it has namespaces.
	// Allowed-host links go with it; hosts no longer allowed anywhere and
	// without keys are removed.
	void del_subsystem(const std::string &nqn, bool force);

	// The passthru group of a subsystem: device_path, admin_timeout,
	// clear_ids, io_timeout; enabling it makes the controller the
	// subsystem's.
	void set_passthru(const std::string &nqn, const Settings &s);
	void enable_passthru(const std::string &nqn, bool on);

	// Host entries and their DH-HMAC-CHAP settings (dhchap_*).
	void add_host(const std::string &nqn, const Settings &s);
	void set_host(const std::string &nqn, const Settings &s);
	// Without @force, refuses while subsystems allow it.
	void del_host(const std::string &nqn, bool force);
	// Creates hosts/<host> when needed.
	void allow_host(const std::string &nqn, const std::string &host);
	// Returns true when hosts/<host> was removed because no subsystem
	// allows it any more (and it has no DH-HMAC-CHAP key).
	bool deny_host(const std::string &nqn, const std::string &host);

	// @nsid: lowest free when unset. Returns the NSID.
	uint32_t add_namespace(const std::string &nqn, std::optional<uint32_t> nsid,
			       const Settings &s, bool enable);
	// Device and buffered_io changes need the namespace disabled; the ANA
	// group may change while it is enabled.
	void set_namespace(const std::string &nqn, uint32_t nsid, const Settings &s);
	void del_namespace(const std::string &nqn, uint32_t nsid);
	void enable_namespace(const std::string &nqn, uint32_t nsid, bool on);
	// Tells the kernel to re-read the size of an enabled namespace's device.
	void revalidate_namespace(const std::string &nqn, uint32_t nsid);

	// The discovery subsystem's NQN; nullopt when the kernel cannot change
	// it (no discovery_nqn before Linux 6.6).
	std::optional<std::string> discovery_nqn() const;
	void set_discovery_nqn(const std::string &nqn);

	// Removes everything: ports, subsystems, hosts; puts the discovery NQN
	// back to the well-known one.
	void clear();

	// The changes that build @target on an empty tree, in order, each
	// with its undo.
	std::vector<Step> restore_plan(const Target &target);

private:
	AttrGroups read_attrs(const std::string &rel,
			      const std::vector<std::string> &groups) const;
	AttrMap read_params(const std::string &rel,
			    const std::vector<std::string> &names) const;
	Port read_port(uint16_t id) const;
	Subsystem read_subsystem(const std::string &nqn) const;
	Host read_host(const std::string &nqn) const;
	void require_port(uint16_t id) const;
	void require_subsystem(const std::string &nqn) const;
	void require_host(const std::string &nqn) const;
	std::string require_referral(uint16_t id, const std::string &name) const;
	std::string require_ana_group(uint16_t id, uint32_t grpid) const;
	// Checks that every file of @s exists under @rel, then writes them in
	// order; when one write fails, the ones before it get their old
	// values back.
	void write_settings(const std::string &rel, const std::string &what,
			    const Settings &s, const std::string &hint);
	// mkdir @rel, write_settings(), and rmdir again when that fails.
	void create_with(const std::string &rel, const std::string &what,
			 const Settings &s, const std::string &hint);
	void remove_port(uint16_t id);
	void remove_subsystem(const std::string &nqn);
	void remove_unused_host(const std::string &host);
	bool host_has_keys(const std::string &host) const;

	ConfigfsTree &t_;
};

// configfs paths, relative to the nvmet directory.
std::string port_path(uint16_t id);
std::string subsys_path(const std::string &nqn);
std::string ns_path(const std::string &nqn, uint32_t nsid);
std::string host_path(const std::string &nqn);
std::string referral_path(uint16_t id, const std::string &name);
std::string ana_group_path(uint16_t id, uint32_t grpid);

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl status: the module, its providers, the ports and the namespaces
// with the offload policy that applies to each, on one screen. Gathering
// goes through ConfigfsTree and P2pControl; what is shown is computed by
// pure functions.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"
#include "output.hpp"
#include "target.hpp"

namespace ddactl {

// The offload policy a namespace's commands get, from one source: the
// namespace's rule ("namespace"), the default of the ports listed in @rule
// ("port 1", "port 1,2") or none ("none": mode off).
struct EffectiveOffload {
	std::string mode;	// off, prefer, require
	std::string provider;	// auto, cmb, a PCI address; "none" without a rule
	std::string rule;

	bool operator==(const EffectiveOffload &) const = default;
};

// What applies to namespace @nsid of @nqn: its own rule when there is one;
// else, per port that links the subsystem, that port's rule or none, ports
// with the same outcome merged into one entry (ordered by port); else
// {off, none, none}.
std::vector<EffectiveOffload> effective_offload(const Target &t,
						const std::vector<PolicyRule> &rules,
						const std::string &nqn, uint32_t nsid);

struct StatusData {
	std::optional<Info> info;	// unset: nvmet-dda is not loaded
	bool nvmet_loaded = false;	// nvmet's configfs tree is there
	Target target;
	std::vector<Provider> providers;
	std::vector<PolicyRule> rules;
	std::vector<std::string> notes;	// what could not be read, and why
};

void print_status(std::ostream &out, Format format, const StatusData &s);

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// The whole target as JSON, in the layout of nvmetcli's config.json:
// top-level "hosts", "ports" and "subsystems"; attribute groups ("addr",
// "param", "attr", "device", "ana", ...) as objects of strings. Every list
// is sorted and keys are written in order, so equal targets give equal
// bytes. The "nvmet_dda" section holds the module's P2P configuration: the
// BAR providers nvmet-dda published and every offload rule. Other top-level
// sections ddactl does not manage are kept as they are.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.hpp"
#include "target.hpp"

namespace ddactl {

inline constexpr const char *default_config_file = "/etc/nvmet/config.json";

inline constexpr const char *p2p_section = "nvmet_dda";

// A BAR region nvmet-dda published (PROVIDER_ADD with every field given).
struct BarProvider {
	std::string address;
	uint32_t bar = 0;
	uint64_t offset = 0;
	uint64_t size = 0;

	bool operator==(const BarProvider &) const = default;
};

// The "nvmet_dda" section: providers sorted by address, rules port rules
// first (by port), then namespace rules (by subsystem, NSID).
struct P2pConfig {
	std::vector<BarProvider> providers;
	std::vector<PolicyRule> rules;

	bool empty() const { return providers.empty() && rules.empty(); }
	bool operator==(const P2pConfig &) const = default;
};

// What the module reports, as saved: only kind BAR providers, sorted.
P2pConfig p2p_config_of(const std::vector<Provider> &providers,
			const std::vector<PolicyRule> &rules);

// {"providers": [{"address", "bar", "offset", "size"}...],
//  "offload": [{"port"} or {"subsys", "nsid"}, "mode", "provider",
//  "min_io", "max_bytes"...]}
nlohmann::json to_json(const P2pConfig &c);

// "set offload rule of port 1: mode prefer provider auto min-io 0 max-bytes 0"
std::string describe(const PolicyRule &r);
// "add provider 0000:03:00.0 bar 2 offset 0 size 64MiB"
std::string describe(const BarProvider &p);

struct ConfigFile {
	Target target;
	std::optional<P2pConfig> p2p;				// the "nvmet_dda" section
	nlohmann::json extra = nlohmann::json::object();	// unknown top-level keys
	std::vector<std::string> warnings;			// parts that are ignored
};

nlohmann::json to_json(const Target &t);

// Two-space indented JSON with sorted keys and a final newline; @p2p, when
// given, is the "nvmet_dda" section.
std::string serialize(const Target &t,
		      const nlohmann::json &extra = nlohmann::json::object(),
		      const std::optional<P2pConfig> &p2p = std::nullopt);

// Parses and checks a whole file before anything is applied. @source names
// it in messages. Throws UsageError.
ConfigFile parse_config(const std::string &text, const std::string &source);

// Replaces @path with @content atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory. Mode 0600.
void write_file_atomic(const std::string &path, const std::string &content);

std::string read_file(const std::string &path);

} // namespace ddactl

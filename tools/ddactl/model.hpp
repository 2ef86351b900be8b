// SPDX-License-Identifier: GPL-2.0-only
//
// Value types for what the module reports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ddactl {

inline constexpr const char *module_name = "nvmet-dda";

// Reply to NVMET_DDA_CMD_INFO_GET.
struct Info {
	std::string version;
	std::string kernel_release;
	bool p2pdma = false;
	uint32_t caps = 0;		// enum nvmet_dda_caps
	uint32_t genl_version = 0;

	bool operator==(const Info &) const = default;
};

// Counters of one NVMET_DDA_A_STATS nest: enum nvmet_dda_stat id to value.
// Only counters the module sent and this build knows are present.
struct Counters {
	std::map<int, uint64_t> values;

	std::optional<uint64_t> get(int stat) const;
	bool operator==(const Counters &) const = default;
};

// JSON key of a known enum nvmet_dda_stat: its name lower-cased without the
// NVMET_DDA_STAT_ prefix ("p2p_ios"); nullptr for an unknown id.
const char *stat_key(int stat);

// One PROVIDER_GET reply.
struct Provider {
	std::string address;		// PCI address "DDDD:BB:DD.F"
	uint32_t kind = 0;		// enum nvmet_dda_provider_kind
	std::optional<uint32_t> bar;	// kind BAR only
	std::optional<uint64_t> offset;	// kind BAR only
	// The pool's size and free bytes; unset when the module cannot read
	// the kernel's pool (BAR providers always have their size).
	std::optional<uint64_t> size;
	std::optional<uint64_t> available;
	std::string driver;
	Counters stats;

	bool operator==(const Provider &) const = default;
};

// "cmb", "bar", "published" or "kind <n>" for one this build does not know.
std::string provider_kind_name(uint32_t kind);

// What an offload rule applies to: a namespace or an nvmet port's default.
struct PolicyTarget {
	std::string subsys;		// with nsid, when port is unset
	uint32_t nsid = 0;
	std::optional<uint32_t> port;

	bool operator==(const PolicyTarget &) const = default;
};

// The settings of POLICY_SET; unset ones are left as they are.
struct PolicySettings {
	std::optional<uint32_t> mode;	// enum nvmet_dda_mode
	std::optional<std::string> provider;	// "auto", "cmb" or a PCI address
	std::optional<uint32_t> min_io;
	std::optional<uint64_t> max_bytes;

	bool empty() const { return !mode && !provider && !min_io && !max_bytes; }
	bool operator==(const PolicySettings &) const = default;
};

// One POLICY_GET reply.
struct PolicyRule {
	PolicyTarget target;
	uint32_t mode = 0;
	std::string provider;
	uint32_t min_io = 0;
	uint64_t max_bytes = 0;

	bool operator==(const PolicyRule &) const = default;
};

// "off", "prefer", "require" or "mode <n>" for one this build does not know.
std::string mode_name(uint32_t mode);

// One STATS_GET reply.
struct NsStats {
	std::string subsys;
	uint32_t nsid = 0;
	Counters stats;

	bool operator==(const NsStats &) const = default;
};

// PROVIDER_ADD request.
struct ProviderAdd {
	std::string address;
	std::optional<uint32_t> bar;
	std::optional<uint64_t> offset;
	std::optional<uint64_t> size;
};

// NVMET_DDA_CMD_EVENT_POOL_DRY.
struct PoolDryEvent {
	std::string provider;
	std::string subsys;
	uint32_t nsid = 0;
	std::optional<uint64_t> available;	// as in Provider
	uint32_t io_bytes = 0;

	bool operator==(const PoolDryEvent &) const = default;
};

// Names of the bits set in @caps, lowest bit first; bits this build does not
// know are collected into one trailing hex entry such as "0x30".
std::vector<std::string> capability_names(uint32_t caps);

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// Value types for what the module reports.
#pragma once

#include <cstdint>
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

// Names of the bits set in @caps, lowest bit first; bits this build does not
// know are collected into one trailing hex entry such as "0x30".
std::vector<std::string> capability_names(uint32_t caps);

} // namespace ddactl

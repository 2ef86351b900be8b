// SPDX-License-Identifier: GPL-2.0-only
#include "model.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include <linux/nvmet_dda.h>

namespace ddactl {

namespace {

constexpr std::array<std::pair<uint32_t, const char *>, 3> cap_names{{
	{NVMET_DDA_CAP_P2PDMA, "p2pdma"},
	{NVMET_DDA_CAP_SELFTEST, "selftest"},
	{NVMET_DDA_CAP_RDMA, "rdma"},
}};

} // namespace

std::vector<std::string> capability_names(uint32_t caps)
{
	std::vector<std::string> names;

	for (const auto &[bit, name] : cap_names) {
		if (caps & bit) {
			names.emplace_back(name);
			caps &= ~bit;
		}
	}
	if (caps) {
		char hex[sizeof("0x") + 8];
		std::snprintf(hex, sizeof(hex), "%#x", caps);
		names.emplace_back(hex);
	}
	return names;
}

} // namespace ddactl

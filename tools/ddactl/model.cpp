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

constexpr std::array<std::pair<int, const char *>, 14> stat_keys{{
	{NVMET_DDA_STAT_P2P_IOS, "p2p_ios"},
	{NVMET_DDA_STAT_P2P_BYTES, "p2p_bytes"},
	{NVMET_DDA_STAT_HOST_IOS, "host_ios"},
	{NVMET_DDA_STAT_HOST_BYTES, "host_bytes"},
	{NVMET_DDA_STAT_FB_EXHAUSTED, "fb_exhausted"},
	{NVMET_DDA_STAT_FB_QUOTA, "fb_quota"},
	{NVMET_DDA_STAT_FB_TOO_SMALL, "fb_too_small"},
	{NVMET_DDA_STAT_FB_UNREACHABLE, "fb_unreachable"},
	{NVMET_DDA_STAT_FB_POLICY_OFF, "fb_policy_off"},
	{NVMET_DDA_STAT_REQUIRE_FAILED, "require_failed"},
	{NVMET_DDA_STAT_OUTSTANDING_BYTES, "outstanding_bytes"},
	{NVMET_DDA_STAT_OUTSTANDING_HWM, "outstanding_hwm"},
	{NVMET_DDA_STAT_ALLOC_FAILED, "alloc_failed"},
	{NVMET_DDA_STAT_FB_INLINE, "fb_inline"},
}};
static_assert(stat_keys.size() == NVMET_DDA_STAT_MAX - NVMET_DDA_STAT_PAD,
	      "every enum nvmet_dda_stat counter needs a key");

} // namespace

std::optional<uint64_t> Counters::get(int stat) const
{
	const auto it = values.find(stat);
	if (it == values.end())
		return std::nullopt;
	return it->second;
}

const char *stat_key(int stat)
{
	for (const auto &[id, key] : stat_keys)
		if (id == stat)
			return key;
	return nullptr;
}

std::string provider_kind_name(uint32_t kind)
{
	switch (kind) {
	case NVMET_DDA_PROVIDER_CMB:
		return "cmb";
	case NVMET_DDA_PROVIDER_BAR:
		return "bar";
	case NVMET_DDA_PROVIDER_PUBLISHED:
		return "published";
	default:
		return "kind " + std::to_string(kind);
	}
}

std::string mode_name(uint32_t mode)
{
	switch (mode) {
	case NVMET_DDA_MODE_OFF:
		return "off";
	case NVMET_DDA_MODE_PREFER:
		return "prefer";
	case NVMET_DDA_MODE_REQUIRE:
		return "require";
	default:
		return "mode " + std::to_string(mode);
	}
}

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

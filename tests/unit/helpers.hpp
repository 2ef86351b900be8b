// SPDX-License-Identifier: GPL-2.0-only
//
// Builders for netlink messages used by the codec tests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/nvmet_dda.h>

#include <catch2/catch.hpp>

#include "nl_ptr.hpp"

namespace ddactl::test {

inline constexpr int test_family = 0x20;

// A generic netlink message with command @cmd whose attributes are added
// by @fill.
inline MsgPtr genl_msg(uint8_t cmd, const std::function<void(nl_msg *)> &fill)
{
	MsgPtr msg = make_msg();
	REQUIRE(genlmsg_put(msg.get(), 4321, 7, test_family, 0, 0, cmd,
			    NVMET_DDA_GENL_VERSION));
	fill(msg.get());
	return msg;
}

// A well-formed INFO_GET reply, leaving out attribute @skip (0: none).
inline MsgPtr info_reply(int skip = 0,
			 const std::function<void(nl_msg *)> &extra = {})
{
	return genl_msg(NVMET_DDA_CMD_INFO_GET, [&](nl_msg *m) {
		if (skip != NVMET_DDA_A_INFO_VERSION)
			REQUIRE(nla_put_string(m, NVMET_DDA_A_INFO_VERSION, "0.1.0") == 0);
		if (skip != NVMET_DDA_A_INFO_KERNEL_RELEASE)
			REQUIRE(nla_put_string(m, NVMET_DDA_A_INFO_KERNEL_RELEASE,
					       "6.1.192") == 0);
		if (skip != NVMET_DDA_A_INFO_P2PDMA)
			REQUIRE(nla_put_u8(m, NVMET_DDA_A_INFO_P2PDMA, 1) == 0);
		if (skip != NVMET_DDA_A_INFO_CAPS)
			REQUIRE(nla_put_u32(m, NVMET_DDA_A_INFO_CAPS,
					    NVMET_DDA_CAP_ALL) == 0);
		if (skip != NVMET_DDA_A_INFO_GENL_VERSION)
			REQUIRE(nla_put_u32(m, NVMET_DDA_A_INFO_GENL_VERSION,
					    NVMET_DDA_GENL_VERSION) == 0);
		if (extra)
			extra(m);
	});
}

} // namespace ddactl::test

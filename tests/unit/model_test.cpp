// SPDX-License-Identifier: GPL-2.0-only
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <linux/nvmet_dda.h>

#include "model.hpp"

using ddactl::capability_names;
using Names = std::vector<std::string>;

TEST_CASE("capability bits are named lowest first", "[model]")
{
	CHECK(capability_names(0) == Names{});
	CHECK(capability_names(NVMET_DDA_CAP_P2PDMA) == Names{"p2pdma"});
	CHECK(capability_names(NVMET_DDA_CAP_SELFTEST) == Names{"selftest"});
	CHECK(capability_names(NVMET_DDA_CAP_RDMA) == Names{"rdma"});
	CHECK(capability_names(NVMET_DDA_CAP_ALL) ==
	      Names{"p2pdma", "selftest", "rdma"});
}

TEST_CASE("unknown capability bits are shown in hex", "[model]")
{
	CHECK(capability_names(0x13) == Names{"p2pdma", "selftest", "0x10"});
	CHECK(capability_names(0x80000004) == Names{"rdma", "0x80000000"});
	CHECK(capability_names(0x80000008) == Names{"0x80000008"});
}

TEST_CASE("every capability the header defines has a name", "[model]")
{
	for (const auto &name : capability_names(NVMET_DDA_CAP_ALL))
		CHECK(name.rfind("0x", 0) != 0);
}

// SPDX-License-Identifier: GPL-2.0-only
//
// Requests and replies of the provider, policy and stats commands and the
// POOL_DRY event, without a kernel.
#include <cerrno>
#include <cstring>
#include <sstream>

#include <catch2/catch.hpp>

#include "codec.hpp"
#include "commands.hpp"
#include "errors.hpp"
#include "helpers.hpp"
#include "stats.hpp"

using namespace ddactl;
using namespace ddactl::test;
using Catch::Matchers::Contains;

namespace {

const genlmsghdr *genl_of(const MsgPtr &msg)
{
	return static_cast<const genlmsghdr *>(nlmsg_data(nlmsg_hdr(msg.get())));
}

// The attributes of a request, by type.
std::array<nlattr *, NVMET_DDA_A_MAX + 1> attrs_of(const MsgPtr &msg)
{
	std::array<nlattr *, NVMET_DDA_A_MAX + 1> tb{};
	REQUIRE(genlmsg_parse(nlmsg_hdr(msg.get()), 0, tb.data(), NVMET_DDA_A_MAX,
			      nullptr) == 0);
	return tb;
}

int attr_count(const MsgPtr &msg)
{
	const genlmsghdr *gnlh = genl_of(msg);
	int n = 0;
	nlattr *pos;
	int rem;
	nla_for_each_attr(pos, genlmsg_attrdata(gnlh, 0), genlmsg_attrlen(gnlh, 0), rem)
		n++;
	return n;
}

void put_stats(nl_msg *m, const std::vector<std::pair<int, uint64_t>> &counters,
	       const std::function<void(nl_msg *)> &extra = {})
{
	nlattr *nest = nla_nest_start(m, NVMET_DDA_A_STATS);
	REQUIRE(nest);
	for (const auto &[id, v] : counters)
		REQUIRE(nla_put_u64(m, id, v) == 0);
	if (extra)
		extra(m);
	REQUIRE(nla_nest_end(m, nest) == 0);
}

MsgPtr provider_reply(uint32_t kind, int skip = 0)
{
	return genl_msg(NVMET_DDA_CMD_PROVIDER_GET, [&](nl_msg *m) {
		if (skip != NVMET_DDA_A_PROVIDER)
			nla_put_string(m, NVMET_DDA_A_PROVIDER, "0000:03:00.0");
		nla_put_u32(m, NVMET_DDA_A_PROVIDER_KIND, kind);
		if (kind == NVMET_DDA_PROVIDER_BAR && skip != NVMET_DDA_A_PROVIDER_BAR)
			nla_put_u32(m, NVMET_DDA_A_PROVIDER_BAR, 2);
		if (kind == NVMET_DDA_PROVIDER_BAR)
			nla_put_u64(m, NVMET_DDA_A_PROVIDER_OFFSET, 4ull << 20);
		if (skip != NVMET_DDA_A_PROVIDER_SIZE)
			nla_put_u64(m, NVMET_DDA_A_PROVIDER_SIZE, 64ull << 20);
		if (skip != NVMET_DDA_A_PROVIDER_AVAILABLE)
			nla_put_u64(m, NVMET_DDA_A_PROVIDER_AVAILABLE, 48ull << 20);
		nla_put_string(m, NVMET_DDA_A_PROVIDER_DRIVER,
			       kind == NVMET_DDA_PROVIDER_BAR ? "nvmet_dda_bar" : "nvme");
		if (skip != NVMET_DDA_A_STATS)
			put_stats(m, {{NVMET_DDA_STAT_P2P_IOS, 10},
				      {NVMET_DDA_STAT_P2P_BYTES, 40960},
				      {NVMET_DDA_STAT_OUTSTANDING_BYTES, 8192},
				      {NVMET_DDA_STAT_OUTSTANDING_HWM, 16384},
				      {NVMET_DDA_STAT_ALLOC_FAILED, 1}});
	});
}

} // namespace

TEST_CASE("PROVIDER_GET is a do with an address, a dump without", "[p2p][codec]")
{
	MsgPtr msg = encode_provider_get(0x1d, "0000:03:00.0");
	CHECK(nlmsg_hdr(msg.get())->nlmsg_type == 0x1d);
	CHECK(nlmsg_hdr(msg.get())->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
	CHECK(genl_of(msg)->cmd == NVMET_DDA_CMD_PROVIDER_GET);
	CHECK(genl_of(msg)->version == NVMET_DDA_GENL_VERSION);
	auto tb = attrs_of(msg);
	REQUIRE(tb[NVMET_DDA_A_PROVIDER]);
	CHECK(std::string(nla_get_string(tb[NVMET_DDA_A_PROVIDER])) == "0000:03:00.0");
	CHECK(attr_count(msg) == 1);

	msg = encode_provider_get(0x1d, "");
	CHECK(nlmsg_hdr(msg.get())->nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
	CHECK(attr_count(msg) == 0);
}

TEST_CASE("PROVIDER_ADD carries the given attributes only", "[p2p][codec]")
{
	SECTION("all of them") {
		MsgPtr msg = encode_provider_add(
			0x1d, {"0000:03:00.0", 2, 4ull << 20, 64ull << 20});
		CHECK(genl_of(msg)->cmd == NVMET_DDA_CMD_PROVIDER_ADD);
		CHECK(nlmsg_hdr(msg.get())->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
		auto tb = attrs_of(msg);
		CHECK(std::string(nla_get_string(tb[NVMET_DDA_A_PROVIDER])) ==
		      "0000:03:00.0");
		CHECK(nla_len(tb[NVMET_DDA_A_PROVIDER]) == sizeof("0000:03:00.0"));
		CHECK(nla_get_u32(tb[NVMET_DDA_A_PROVIDER_BAR]) == 2);
		CHECK(nla_len(tb[NVMET_DDA_A_PROVIDER_OFFSET]) == 8);
		CHECK(nla_get_u64(tb[NVMET_DDA_A_PROVIDER_OFFSET]) == 4ull << 20);
		CHECK(nla_get_u64(tb[NVMET_DDA_A_PROVIDER_SIZE]) == 64ull << 20);
		CHECK(attr_count(msg) == 4);
	}
	SECTION("the address alone") {
		MsgPtr msg = encode_provider_add(0x1d, {"0000:03:00.0", {}, {}, {}});
		CHECK(attr_count(msg) == 1);
	}
	SECTION("offset 0 is sent") {
		MsgPtr msg = encode_provider_add(0x1d, {"0000:03:00.0", {}, 0, {}});
		auto tb = attrs_of(msg);
		REQUIRE(tb[NVMET_DDA_A_PROVIDER_OFFSET]);
		CHECK(nla_get_u64(tb[NVMET_DDA_A_PROVIDER_OFFSET]) == 0);
	}
	MsgPtr del = encode_provider_del(0x1d, "0000:03:00.0");
	CHECK(genl_of(del)->cmd == NVMET_DDA_CMD_PROVIDER_DEL);
	CHECK(attr_count(del) == 1);
}

TEST_CASE("POLICY_SET carries the target and the given settings", "[p2p][codec]")
{
	SECTION("namespace, every setting") {
		MsgPtr msg = encode_policy_set(
			0x1d, {"nqn.2026-11.io.example:disk1", 1, {}},
			{NVMET_DDA_MODE_REQUIRE, "0000:03:00.0", 4096, 1ull << 33});
		CHECK(genl_of(msg)->cmd == NVMET_DDA_CMD_POLICY_SET);
		CHECK(nlmsg_hdr(msg.get())->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
		auto tb = attrs_of(msg);
		CHECK(std::string(nla_get_string(tb[NVMET_DDA_A_SUBSYS])) ==
		      "nqn.2026-11.io.example:disk1");
		CHECK(nla_get_u32(tb[NVMET_DDA_A_NSID]) == 1);
		CHECK_FALSE(tb[NVMET_DDA_A_PORT]);
		CHECK(nla_get_u32(tb[NVMET_DDA_A_POLICY_MODE]) == NVMET_DDA_MODE_REQUIRE);
		CHECK(std::string(nla_get_string(tb[NVMET_DDA_A_POLICY_PROVIDER])) ==
		      "0000:03:00.0");
		CHECK(nla_len(tb[NVMET_DDA_A_POLICY_MIN_IO]) == 4);
		CHECK(nla_get_u32(tb[NVMET_DDA_A_POLICY_MIN_IO]) == 4096);
		CHECK(nla_len(tb[NVMET_DDA_A_POLICY_MAX_BYTES]) == 8);
		CHECK(nla_get_u64(tb[NVMET_DDA_A_POLICY_MAX_BYTES]) == 1ull << 33);
		CHECK(attr_count(msg) == 6);
	}
	SECTION("port, mode off only") {
		MsgPtr msg = encode_policy_set(0x1d, {"", 0, 7},
					       {NVMET_DDA_MODE_OFF, {}, {}, {}});
		auto tb = attrs_of(msg);
		CHECK(nla_get_u32(tb[NVMET_DDA_A_PORT]) == 7);
		CHECK(nla_get_u32(tb[NVMET_DDA_A_POLICY_MODE]) == NVMET_DDA_MODE_OFF);
		CHECK(attr_count(msg) == 2);
	}
	SECTION("del and get name the target only") {
		MsgPtr del = encode_policy_del(0x1d, {"", 0, 7});
		CHECK(genl_of(del)->cmd == NVMET_DDA_CMD_POLICY_DEL);
		CHECK(attr_count(del) == 1);
		MsgPtr get = encode_policy_get(0x1d, {"nqn.x", 3, {}});
		CHECK(genl_of(get)->cmd == NVMET_DDA_CMD_POLICY_GET);
		CHECK(nlmsg_hdr(get.get())->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
		CHECK(attr_count(get) == 2);
	}
	SECTION("dumps filter by subsystem") {
		MsgPtr all = encode_policy_dump(0x1d, std::nullopt);
		CHECK(nlmsg_hdr(all.get())->nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
		CHECK(attr_count(all) == 0);
		MsgPtr one = encode_stats_dump(0x1d, std::string("nqn.x"));
		CHECK(genl_of(one)->cmd == NVMET_DDA_CMD_STATS_GET);
		CHECK(std::string(nla_get_string(attrs_of(one)[NVMET_DDA_A_SUBSYS])) ==
		      "nqn.x");
		MsgPtr get = encode_stats_get(0x1d, "nqn.x", 2);
		CHECK(nla_get_u32(attrs_of(get)[NVMET_DDA_A_NSID]) == 2);
	}
}

TEST_CASE("a PROVIDER_GET reply decodes with its stats nest", "[p2p][codec]")
{
	MsgPtr msg = provider_reply(NVMET_DDA_PROVIDER_BAR);
	const Provider p = decode_provider(nlmsg_hdr(msg.get()));
	CHECK(p.address == "0000:03:00.0");
	CHECK(p.kind == NVMET_DDA_PROVIDER_BAR);
	CHECK(p.bar == 2u);
	CHECK(p.offset == 4ull << 20);
	CHECK(p.size == 64ull << 20);
	CHECK(p.available == 48ull << 20);
	CHECK(p.driver == "nvmet_dda_bar");
	CHECK(p.stats.values.size() == 5);
	CHECK(p.stats.get(NVMET_DDA_STAT_P2P_BYTES) == 40960u);
	CHECK(p.stats.get(NVMET_DDA_STAT_ALLOC_FAILED) == 1u);
	CHECK_FALSE(p.stats.get(NVMET_DDA_STAT_HOST_IOS));

	msg = provider_reply(NVMET_DDA_PROVIDER_CMB);
	const Provider cmb = decode_provider(nlmsg_hdr(msg.get()));
	CHECK_FALSE(cmb.bar);
	CHECK_FALSE(cmb.offset);
}

TEST_CASE("a PROVIDER_GET reply missing an attribute is rejected", "[p2p][codec]")
{
	const auto [kind, skip, name] = GENERATE(
		std::tuple{NVMET_DDA_PROVIDER_CMB, NVMET_DDA_A_PROVIDER, "NVMET_DDA_A_PROVIDER"},
		// A BAR provider's size is its region, known whatever the pool.
		std::tuple{NVMET_DDA_PROVIDER_BAR, NVMET_DDA_A_PROVIDER_SIZE,
			   "NVMET_DDA_A_PROVIDER_SIZE"},
		std::tuple{NVMET_DDA_PROVIDER_CMB, NVMET_DDA_A_STATS, "NVMET_DDA_A_STATS"},
		std::tuple{NVMET_DDA_PROVIDER_BAR, NVMET_DDA_A_PROVIDER_BAR,
			   "NVMET_DDA_A_PROVIDER_BAR"});
	MsgPtr msg = provider_reply(kind, skip);
	CHECK_THROWS_MATCHES(decode_provider(nlmsg_hdr(msg.get())), NetlinkError,
			     Catch::Matchers::Message(
				     std::string("malformed PROVIDER_GET reply from "
						 "nvmet-dda: missing attribute ") +
				     name));
}

TEST_CASE("a pool the module cannot read: no size or available, shown as unknown",
	  "[p2p][codec]")
{
	MsgPtr msg = provider_reply(NVMET_DDA_PROVIDER_CMB, NVMET_DDA_A_PROVIDER_AVAILABLE);
	const Provider cmb = decode_provider(nlmsg_hdr(msg.get()));
	CHECK(cmb.size);
	CHECK_FALSE(cmb.available);
	CHECK_FALSE(used_percent(cmb));

	Provider p = cmb;
	p.size.reset();
	std::ostringstream text, json;
	print_providers(text, Format::text, {p});
	print_providers(json, Format::json, {p});
	CHECK(text.str().find(" size - available - used - ") != std::string::npos);
	CHECK(json.str().find(R"("size":null,"available":null,)") != std::string::npos);
}

TEST_CASE("stats nests skip unknown counters and padding", "[p2p][codec]")
{
	MsgPtr msg = genl_msg(NVMET_DDA_CMD_STATS_GET, [](nl_msg *m) {
		nla_put_string(m, NVMET_DDA_A_SUBSYS, "nqn.2026-11.io.example:disk1");
		nla_put_u32(m, NVMET_DDA_A_NSID, 1);
		put_stats(m, {{NVMET_DDA_STAT_P2P_IOS, 3}, {NVMET_DDA_STAT_HOST_BYTES, 512}},
			  [](nl_msg *n) {
				  nla_put(n, NVMET_DDA_STAT_PAD, 0, nullptr);
				  // A counter from a newer module, and one of
				  // another size: both ignored.
				  nla_put_u64(n, NVMET_DDA_STAT_MAX + 1, 99);
				  nla_put_u32(n, NVMET_DDA_STAT_MAX + 2, 7);
				  nla_put_u64(n, NVMET_DDA_STAT_FB_QUOTA, 5);
			  });
		// A top-level attribute from a newer module.
		nla_put_u32(m, NVMET_DDA_A_MAX + 1, 1);
	});
	const NsStats s = decode_ns_stats(nlmsg_hdr(msg.get()));
	CHECK(s.subsys == "nqn.2026-11.io.example:disk1");
	CHECK(s.nsid == 1);
	CHECK(s.stats.values == std::map<int, uint64_t>{{NVMET_DDA_STAT_P2P_IOS, 3},
							{NVMET_DDA_STAT_HOST_BYTES, 512},
							{NVMET_DDA_STAT_FB_QUOTA, 5}});
}

TEST_CASE("a known counter of the wrong size is rejected", "[p2p][codec]")
{
	MsgPtr msg = genl_msg(NVMET_DDA_CMD_STATS_GET, [](nl_msg *m) {
		nla_put_string(m, NVMET_DDA_A_SUBSYS, "nqn.x");
		nla_put_u32(m, NVMET_DDA_A_NSID, 1);
		put_stats(m, {}, [](nl_msg *n) { nla_put_u32(n, NVMET_DDA_STAT_P2P_IOS, 3); });
	});
	CHECK_THROWS_WITH(decode_ns_stats(nlmsg_hdr(msg.get())),
			  Contains("counter p2p_ios in NVMET_DDA_A_STATS has length 4, "
				   "expected 8 bytes"));
}

TEST_CASE("POLICY_GET replies decode for namespaces and ports", "[p2p][codec]")
{
	const auto settings = [](nl_msg *m) {
		nla_put_u32(m, NVMET_DDA_A_POLICY_MODE, NVMET_DDA_MODE_PREFER);
		nla_put_string(m, NVMET_DDA_A_POLICY_PROVIDER, "auto");
		nla_put_u32(m, NVMET_DDA_A_POLICY_MIN_IO, 4096);
		nla_put_u64(m, NVMET_DDA_A_POLICY_MAX_BYTES, 0);
	};
	MsgPtr msg = genl_msg(NVMET_DDA_CMD_POLICY_GET, [&](nl_msg *m) {
		nla_put_string(m, NVMET_DDA_A_SUBSYS, "nqn.x");
		nla_put_u32(m, NVMET_DDA_A_NSID, 4);
		settings(m);
	});
	const PolicyRule r = decode_policy(nlmsg_hdr(msg.get()));
	CHECK(r.target == PolicyTarget{"nqn.x", 4, {}});
	CHECK(r.mode == NVMET_DDA_MODE_PREFER);
	CHECK(r.provider == "auto");
	CHECK(r.min_io == 4096);
	CHECK(r.max_bytes == 0);

	msg = genl_msg(NVMET_DDA_CMD_POLICY_GET, [&](nl_msg *m) {
		nla_put_u32(m, NVMET_DDA_A_PORT, 1);
		settings(m);
	});
	CHECK(decode_policy(nlmsg_hdr(msg.get())).target == PolicyTarget{"", 0, 1});

	msg = genl_msg(NVMET_DDA_CMD_POLICY_GET, [&](nl_msg *m) {
		nla_put_u32(m, NVMET_DDA_A_NSID, 4);
		settings(m);
	});
	CHECK_THROWS_WITH(decode_policy(nlmsg_hdr(msg.get())),
			  Contains("missing attribute NVMET_DDA_A_SUBSYS"));

	msg = genl_msg(NVMET_DDA_CMD_STATS_GET, [&](nl_msg *m) { settings(m); });
	CHECK_THROWS_WITH(decode_policy(nlmsg_hdr(msg.get())),
			  Contains("POLICY_GET reply from nvmet-dda: command 8, expected 5"));
}

TEST_CASE("a POLICY_GET reply with a bad attribute names it", "[p2p][codec]")
{
	MsgPtr msg = genl_msg(NVMET_DDA_CMD_POLICY_GET, [](nl_msg *m) {
		nla_put_u32(m, NVMET_DDA_A_PORT, 1);
		nla_put_u32(m, NVMET_DDA_A_POLICY_MAX_BYTES, 0);
	});
	CHECK_THROWS_WITH(decode_policy(nlmsg_hdr(msg.get())),
			  Contains("NVMET_DDA_A_POLICY_MAX_BYTES has length 4, "
				   "expected 8 bytes"));
}

TEST_CASE("a POOL_DRY event decodes", "[p2p][codec]")
{
	MsgPtr msg = genl_msg(NVMET_DDA_CMD_EVENT_POOL_DRY, [](nl_msg *m) {
		nla_put_string(m, NVMET_DDA_A_PROVIDER, "0000:03:00.0");
		nla_put_string(m, NVMET_DDA_A_SUBSYS, "nqn.x");
		nla_put_u32(m, NVMET_DDA_A_NSID, 1);
		nla_put_u64(m, NVMET_DDA_A_PROVIDER_AVAILABLE, 65536);
		nla_put_u32(m, NVMET_DDA_A_IO_BYTES, 131072);
	});
	CHECK(decode_pool_dry(nlmsg_hdr(msg.get())) ==
	      PoolDryEvent{"0000:03:00.0", "nqn.x", 1, 65536, 131072});
}

namespace {

MsgPtr done_msg(int error, int flags, const std::function<void(nl_msg *)> &fill = {})
{
	MsgPtr msg(nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI | flags));
	REQUIRE(msg);
	int e = -error;
	REQUIRE(nlmsg_append(msg.get(), &e, sizeof(e), NLMSG_ALIGNTO) == 0);
	if (fill)
		fill(msg.get());
	return msg;
}

} // namespace

TEST_CASE("the end of a dump carries its errno and extack", "[p2p][codec]")
{
	MsgPtr msg = done_msg(0, 0);
	CHECK(decode_done(nlmsg_hdr(msg.get())).error == 0);

	msg = done_msg(ENODEV, NLM_F_ACK_TLVS, [](nl_msg *m) {
		nla_put_string(m, NLMSGERR_ATTR_MSG, "no such provider");
	});
	const ExtAck ack = decode_done(nlmsg_hdr(msg.get()));
	CHECK(ack.error == ENODEV);
	CHECK(ack.msg == "no such provider");

	MsgPtr empty(nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI));
	CHECK(decode_done(nlmsg_hdr(empty.get())).error == 0);
	CHECK_THROWS_AS(decode_done(nlmsg_hdr(provider_reply(0).get())), NetlinkError);
}

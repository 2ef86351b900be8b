// SPDX-License-Identifier: GPL-2.0-only
//
// Encoding of requests and decoding of replies, without a kernel.
#include <cerrno>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include "codec.hpp"
#include "errors.hpp"
#include "helpers.hpp"

using namespace ddactl;
using namespace ddactl::test;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

TEST_CASE("INFO_GET request has the genl header and no attributes", "[codec]")
{
	MsgPtr msg = encode_info_get(0x1d);
	const nlmsghdr *nlh = nlmsg_hdr(msg.get());

	CHECK(nlh->nlmsg_type == 0x1d);
	CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
	CHECK(nlh->nlmsg_len == NLMSG_LENGTH(GENL_HDRLEN));

	const auto *gnlh = static_cast<const genlmsghdr *>(nlmsg_data(nlh));
	CHECK(gnlh->cmd == NVMET_DDA_CMD_INFO_GET);
	CHECK(gnlh->version == NVMET_DDA_GENL_VERSION);
	CHECK(genlmsg_attrlen(gnlh, 0) == 0);
}

TEST_CASE("a well-formed INFO_GET reply decodes", "[codec]")
{
	MsgPtr msg = info_reply();
	const Info info = decode_info(nlmsg_hdr(msg.get()));

	CHECK(info.version == "0.1.0");
	CHECK(info.kernel_release == "6.1.192");
	CHECK(info.p2pdma);
	CHECK(info.caps == NVMET_DDA_CAP_ALL);
	CHECK(info.genl_version == NVMET_DDA_GENL_VERSION);
}

TEST_CASE("decoding keeps values as sent", "[codec]")
{
	MsgPtr msg = genl_msg(NVMET_DDA_CMD_INFO_GET, [](nl_msg *m) {
		nla_put_string(m, NVMET_DDA_A_INFO_VERSION, "");
		nla_put_string(m, NVMET_DDA_A_INFO_KERNEL_RELEASE,
			       std::string(NVMET_DDA_STR_MAX - 1, 'k').c_str());
		nla_put_u8(m, NVMET_DDA_A_INFO_P2PDMA, 0);
		nla_put_u32(m, NVMET_DDA_A_INFO_CAPS, 0x80000001);
		nla_put_u32(m, NVMET_DDA_A_INFO_GENL_VERSION, 7);
	});
	const Info info = decode_info(nlmsg_hdr(msg.get()));

	CHECK(info.version.empty());
	CHECK(info.kernel_release == std::string(NVMET_DDA_STR_MAX - 1, 'k'));
	CHECK_FALSE(info.p2pdma);
	CHECK(info.caps == 0x80000001);
	CHECK(info.genl_version == 7);
}

TEST_CASE("attributes newer than this build are ignored", "[codec]")
{
	MsgPtr msg = info_reply(0, [](nl_msg *m) {
		REQUIRE(nla_put_u64(m, NVMET_DDA_A_INFO_MAX + 1, 42) == 0);
	});
	CHECK(decode_info(nlmsg_hdr(msg.get())).version == "0.1.0");
}

TEST_CASE("a reply missing an attribute is rejected, naming it", "[codec]")
{
	const auto [type, name] = GENERATE(
		std::pair{NVMET_DDA_A_INFO_VERSION, "NVMET_DDA_A_INFO_VERSION"},
		std::pair{NVMET_DDA_A_INFO_KERNEL_RELEASE,
			  "NVMET_DDA_A_INFO_KERNEL_RELEASE"},
		std::pair{NVMET_DDA_A_INFO_P2PDMA, "NVMET_DDA_A_INFO_P2PDMA"},
		std::pair{NVMET_DDA_A_INFO_CAPS, "NVMET_DDA_A_INFO_CAPS"},
		std::pair{NVMET_DDA_A_INFO_GENL_VERSION,
			  "NVMET_DDA_A_INFO_GENL_VERSION"});
	MsgPtr msg = info_reply(type);

	CHECK_THROWS_MATCHES(decode_info(nlmsg_hdr(msg.get())), NetlinkError,
			     Catch::Matchers::Message(
				     std::string("malformed INFO_GET reply from "
						 "nvmet-dda: missing attribute ") +
				     name));
}

namespace {

// INFO_GET reply whose attribute @type is replaced by @len bytes of @data.
MsgPtr reply_with(int type, const void *data, int len)
{
	return genl_msg(NVMET_DDA_CMD_INFO_GET, [&](nl_msg *m) {
		MsgPtr good = info_reply(type);
		const auto *gnlh =
			static_cast<const genlmsghdr *>(nlmsg_data(nlmsg_hdr(good.get())));
		REQUIRE(nlmsg_append(m, genlmsg_attrdata(gnlh, 0),
				     genlmsg_attrlen(gnlh, 0), NLA_ALIGNTO) == 0);
		REQUIRE(nla_put(m, type, len, data) == 0);
	});
}

} // namespace

TEST_CASE("a reply with a wrong-length attribute is rejected", "[codec]")
{
	const uint64_t zeros = 0;

	SECTION("u32 sent as u16") {
		MsgPtr msg = reply_with(NVMET_DDA_A_INFO_CAPS, &zeros, 2);
		CHECK_THROWS_WITH(decode_info(nlmsg_hdr(msg.get())),
				  Contains("attribute NVMET_DDA_A_INFO_CAPS has length 2, "
					   "expected 4 bytes"));
	}
	SECTION("u32 sent as u64") {
		MsgPtr msg = reply_with(NVMET_DDA_A_INFO_GENL_VERSION, &zeros, 8);
		CHECK_THROWS_WITH(decode_info(nlmsg_hdr(msg.get())),
				  Contains("NVMET_DDA_A_INFO_GENL_VERSION has length 8"));
	}
	SECTION("u8 sent as u32") {
		MsgPtr msg = reply_with(NVMET_DDA_A_INFO_P2PDMA, &zeros, 4);
		CHECK_THROWS_WITH(decode_info(nlmsg_hdr(msg.get())),
				  Contains("NVMET_DDA_A_INFO_P2PDMA has length 4, "
					   "expected 1 bytes"));
	}
	SECTION("empty string") {
		MsgPtr msg = reply_with(NVMET_DDA_A_INFO_VERSION, "", 0);
		CHECK_THROWS_WITH(decode_info(nlmsg_hdr(msg.get())),
				  Contains("NVMET_DDA_A_INFO_VERSION has length 0, "
					   "expected 1 to 65 bytes"));
	}
	SECTION("string longer than NVMET_DDA_STR_MAX") {
		const std::string s(NVMET_DDA_STR_MAX, 'x');
		MsgPtr msg = reply_with(NVMET_DDA_A_INFO_KERNEL_RELEASE, s.c_str(),
					NVMET_DDA_STR_MAX + 1);
		CHECK_THROWS_WITH(decode_info(nlmsg_hdr(msg.get())),
				  Contains("NVMET_DDA_A_INFO_KERNEL_RELEASE has length 66"));
	}
}

TEST_CASE("a reply with a non-terminated string is rejected", "[codec]")
{
	const int type = GENERATE(NVMET_DDA_A_INFO_VERSION,
				  NVMET_DDA_A_INFO_KERNEL_RELEASE);
	MsgPtr msg = reply_with(type, "0.1.0", 5);

	CHECK_THROWS_AS(decode_info(nlmsg_hdr(msg.get())), NetlinkError);
	CHECK_THROWS_WITH(decode_info(nlmsg_hdr(msg.get())),
			  Contains("is not NUL-terminated"));
}

TEST_CASE("a boolean other than 0 or 1 is rejected", "[codec]")
{
	const uint8_t two = 2;
	MsgPtr msg = reply_with(NVMET_DDA_A_INFO_P2PDMA, &two, 1);

	CHECK_THROWS_WITH(decode_info(nlmsg_hdr(msg.get())),
			  Contains("NVMET_DDA_A_INFO_P2PDMA is 2, expected 0 or 1"));
}

TEST_CASE("a reply to another command or without genl header is rejected",
	  "[codec]")
{
	SECTION("wrong command") {
		MsgPtr msg = genl_msg(NVMET_DDA_CMD_INFO_GET + 1, [](nl_msg *) {});
		CHECK_THROWS_WITH(decode_info(nlmsg_hdr(msg.get())),
				  Contains("command 2, expected 1"));
	}
	SECTION("truncated") {
		MsgPtr msg(nlmsg_alloc_simple(test_family, 0));
		REQUIRE(msg);
		CHECK_THROWS_WITH(decode_info(nlmsg_hdr(msg.get())),
				  Contains("truncated generic netlink header"));
	}
}

namespace {

// An NLMSG_ERROR message for @error echoing @echo_len payload bytes of the
// request unless NLM_F_CAPPED is in @flags; @fill adds the TLVs.
MsgPtr error_msg(int error, int flags, int echo_len,
		 const std::function<void(nl_msg *)> &fill = {})
{
	MsgPtr msg(nlmsg_alloc_simple(NLMSG_ERROR, flags));
	REQUIRE(msg);

	nlmsgerr e{};
	e.error = -error;
	e.msg.nlmsg_len = NLMSG_HDRLEN + echo_len;
	e.msg.nlmsg_type = test_family;
	REQUIRE(nlmsg_append(msg.get(), &e, sizeof(e), NLMSG_ALIGNTO) == 0);
	if (!(flags & NLM_F_CAPPED) && echo_len) {
		std::vector<char> echo(echo_len, 0x5a);
		REQUIRE(nlmsg_append(msg.get(), echo.data(), echo_len,
				     NLMSG_ALIGNTO) == 0);
	}
	if (fill)
		fill(msg.get());
	return msg;
}

void put_extack(nl_msg *m)
{
	REQUIRE(nla_put_string(m, NLMSGERR_ATTR_MSG, "Unknown attribute type") == 0);
	REQUIRE(nla_put_u32(m, NLMSGERR_ATTR_OFFS, 24) == 0);
}

} // namespace

TEST_CASE("error ACKs yield errno and the extack message", "[codec]")
{
	SECTION("capped echo") {
		MsgPtr msg = error_msg(EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0,
				       put_extack);
		const ExtAck ack = decode_error_ack(nlmsg_hdr(msg.get()));
		CHECK(ack.error == EINVAL);
		CHECK(ack.msg == "Unknown attribute type");
		CHECK_FALSE(ack.miss_type);
		CHECK(ack.describe() == "Unknown attribute type");
	}
	SECTION("full echo of an unaligned request") {
		MsgPtr msg = error_msg(EPERM, NLM_F_ACK_TLVS, 6, put_extack);
		const ExtAck ack = decode_error_ack(nlmsg_hdr(msg.get()));
		CHECK(ack.error == EPERM);
		CHECK(ack.msg == "Unknown attribute type");
	}
	SECTION("missing attribute without message") {
		MsgPtr msg = error_msg(EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0,
				       [](nl_msg *m) {
					       nla_put_u32(m, NLMSGERR_ATTR_MISS_TYPE, 3);
				       });
		const ExtAck ack = decode_error_ack(nlmsg_hdr(msg.get()));
		CHECK(ack.msg.empty());
		CHECK(ack.miss_type == 3u);
		CHECK(ack.describe() == "missing attribute type 3");
	}
	SECTION("no TLVs") {
		MsgPtr msg = error_msg(ENOENT, NLM_F_CAPPED, 0);
		const ExtAck ack = decode_error_ack(nlmsg_hdr(msg.get()));
		CHECK(ack.error == ENOENT);
		CHECK(ack.describe().empty());
	}
	SECTION("a plain ACK") {
		MsgPtr msg = error_msg(0, NLM_F_CAPPED, 0);
		CHECK(decode_error_ack(nlmsg_hdr(msg.get())).error == 0);
	}
	SECTION("a non-terminated message is ignored, errno kept") {
		MsgPtr msg = error_msg(EBUSY, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0,
				       [](nl_msg *m) {
					       nla_put(m, NLMSGERR_ATTR_MSG, 4, "busy");
				       });
		const ExtAck ack = decode_error_ack(nlmsg_hdr(msg.get()));
		CHECK(ack.error == EBUSY);
		CHECK(ack.msg.empty());
	}
	SECTION("not an error message") {
		MsgPtr msg = info_reply();
		CHECK_THROWS_AS(decode_error_ack(nlmsg_hdr(msg.get())), NetlinkError);
	}
}

// SPDX-License-Identifier: GPL-2.0-only
//
// GenlClient against the kernel's own generic netlink controller (nlctrl),
// which every Linux kernel has: checks the reply/ACK loop and that error
// ACKs surface errno and the extended ACK message. Skipped with a warning
// where netlink sockets are not available.
#include <cerrno>
#include <optional>

#include <catch2/catch.hpp>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "errors.hpp"
#include "netlink.hpp"

using namespace ddactl;

namespace {

std::optional<GenlClient> nlctrl()
{
	try {
		return GenlClient("nlctrl");
	} catch (const NetlinkError &e) {
		WARN("no generic netlink here, skipping: " << e.what());
		return std::nullopt;
	}
}

MsgPtr getfamily(const void *name, int len)
{
	MsgPtr msg = make_msg();
	REQUIRE(genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0,
			    NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1));
	REQUIRE(nla_put(msg.get(), CTRL_ATTR_FAMILY_NAME, len, name) == 0);
	return msg;
}

} // namespace

TEST_CASE("a request gets its reply and then the ACK", "[netlink]")
{
	auto nl = nlctrl();
	if (!nl)
		return;
	CHECK(nl->family() == GENL_ID_CTRL);

	int replies = 0;
	MsgPtr msg = getfamily("nlctrl", sizeof("nlctrl"));
	nl->transact(*msg, [&](const nlmsghdr *nlh) {
		CHECK(nlh->nlmsg_type == GENL_ID_CTRL);
		++replies;
	}, "getfamily");
	CHECK(replies == 1);

	// The socket stays usable for the next request.
	msg = getfamily("nlctrl", sizeof("nlctrl"));
	nl->transact(*msg, [&](const nlmsghdr *) { ++replies; }, "getfamily");
	CHECK(replies == 2);
}

TEST_CASE("an error ACK throws KernelError with errno and extack", "[netlink]")
{
	auto nl = nlctrl();
	if (!nl)
		return;

	SECTION("policy violation: name without NUL") {
		MsgPtr msg = getfamily("nlctrl", 6);
		try {
			nl->transact(*msg, [](const nlmsghdr *) {}, "getfamily");
			FAIL("no error");
		} catch (const KernelError &e) {
			CHECK(e.error() == EINVAL);
			// Extended ACK messages exist since Linux 4.12.
			CHECK_FALSE(e.extack().empty());
			CHECK_THAT(e.what(), Catch::Matchers::StartsWith("getfamily: "));
			CHECK_THAT(e.what(), Catch::Matchers::EndsWith("(Invalid argument)"));
		}
	}
	SECTION("unknown family") {
		MsgPtr msg = getfamily("no_such_family", sizeof("no_such_family"));
		CHECK_THROWS_MATCHES(
			nl->transact(*msg, [](const nlmsghdr *) {}, "getfamily"),
			KernelError,
			Catch::Matchers::Predicate<KernelError>(
				[](const KernelError &e) { return e.error() == ENOENT; },
				"error() == ENOENT"));
	}
}

TEST_CASE("exceptions from the reply handler propagate", "[netlink]")
{
	auto nl = nlctrl();
	if (!nl)
		return;

	MsgPtr msg = getfamily("nlctrl", sizeof("nlctrl"));
	CHECK_THROWS_WITH(nl->transact(*msg, [](const nlmsghdr *) {
		throw Error("handler failed");
	}, "getfamily"), "handler failed");

	// The rest of the exchange was drained: the socket is still in step.
	int replies = 0;
	msg = getfamily("nlctrl", sizeof("nlctrl"));
	nl->transact(*msg, [&](const nlmsghdr *) { ++replies; }, "getfamily");
	CHECK(replies == 1);
}

TEST_CASE("an unknown family cannot be resolved", "[netlink]")
{
	if (!nlctrl())
		return;
	CHECK_THROWS_AS(GenlClient("no_such_family"), NetlinkError);
}

TEST_CASE("a dump ends at NLMSG_DONE and leaves the socket in step", "[netlink]")
{
	auto nl = nlctrl();
	if (!nl)
		return;

	MsgPtr msg = make_msg();
	REQUIRE(genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0,
			    NLM_F_REQUEST | NLM_F_DUMP, CTRL_CMD_GETFAMILY, 1));
	int families = 0;
	nl->transact(*msg, [&](const nlmsghdr *) { ++families; }, "dump families");
	CHECK(families >= 1);	// nlctrl itself at least

	int replies = 0;
	msg = getfamily("nlctrl", sizeof("nlctrl"));
	nl->transact(*msg, [&](const nlmsghdr *) { ++replies; }, "getfamily");
	CHECK(replies == 1);
}

TEST_CASE("multicast groups are resolved by name", "[netlink]")
{
	auto nl = nlctrl();
	if (!nl)
		return;
	CHECK_NOTHROW(nl->subscribe("notify"));
	CHECK_THROWS_AS(nl->subscribe("no_such_group"), NetlinkError);
}

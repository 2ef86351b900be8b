// SPDX-License-Identifier: GPL-2.0-only
//
// Input checks done before configfs is touched.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "errors.hpp"
#include "validate.hpp"

using namespace ddactl;

TEST_CASE("NQNs: the kernel's rules refuse, the NVMe convention warns", "[validate]")
{
	const std::string longest = "nqn.2026-11.io.example:" + std::string(200, 'x');
	REQUIRE(longest.size() == 223);

	for (const std::string &good : std::vector<std::string>{
		     "nqn.2026-11.io.nvmet-dda:disk1",
		     "nqn.2014-08.org.nvmexpress:uuid:6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1",
		     "nqn.2014-08.com.example",
		     "nqn.1999-12.com.example:a:b:c",
		     longest,
	     }) {
		INFO(good);
		CHECK(is_valid_nqn(good));
		CHECK(check_nqn("subsystem", good) == good);
		CHECK(nqn_warning("subsystem", good).empty());
	}
	// What nvmetcli's examples and the kernel take: accepted, with a warning.
	for (const std::string &odd : std::vector<std::string>{
		     "testnqn", "hostnqn", "nvmet-always", "nqn.", "nqn.2026-13.io.example:x",
		     "nqn.26-11.io.example:x", "NQN.2026-11.io.example:x",
		     "nqn.2026-11.io.example:has space", "nqn.2026-11.:x",
		     "nqn.2014-08.org.nvmexpress:uuid:not-a-uuid", "...",
		     "nqn.2014-08.org.nvmexpress:uuid:6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1x",
	     }) {
		INFO(odd);
		CHECK_FALSE(is_valid_nqn(odd));
		CHECK(check_nqn("subsystem", odd) == odd);
		CHECK_THAT(nqn_warning("subsystem", odd),
			   Catch::StartsWith("subsystem " + odd + ": not an NQN in the NVMe "
					     "convention") &&
				   Catch::Contains("the kernel accepts it"));
	}
	// What the kernel refuses, or could never use.
	for (const std::string &bad : std::vector<std::string>{
		     "", ".", "..", "nqn.2026-11.io.example:a/b", longest + "y",
		     std::string("nqn.2026-11.io.example:a\0b", 26),
	     }) {
		INFO(bad);
		CHECK_THROWS_AS(check_nqn("host", bad), UsageError);
	}
	CHECK_THROWS_WITH(check_nqn("subsystem", discovery_nqn),
			  Catch::Contains("discovery subsystem is built in"));
	CHECK(check_nqn("host", discovery_nqn) == discovery_nqn);
	CHECK_THROWS_WITH(check_nqn("host", longest + "y"),
			  Catch::Contains("224 bytes long; the NVMe limit is 223"));
	CHECK_THROWS_WITH(check_nqn("host", "a/b"),
			  Catch::StartsWith("host a/b: not a name the kernel accepts"));
}

TEST_CASE("names of existing objects are single path components", "[validate]")
{
	CHECK(check_name("subsystem", "nvmet-always") == "nvmet-always");
	for (const char *bad : {"", ".", "..", "a/b", "../x"})
		CHECK_THROWS_AS(check_name("subsystem", bad), UsageError);
}

TEST_CASE("port IDs are 0 to 65535", "[validate]")
{
	CHECK(parse_port_id("0") == 0);
	CHECK(parse_port_id("1") == 1);
	CHECK(parse_port_id("65535") == 65535);
	for (const char *bad : {"", "-1", "65536", "0x10", "1a", " 1", "999999"}) {
		INFO(bad);
		CHECK_THROWS_WITH(parse_port_id(bad),
				  Catch::Contains("must be a number from 0 to 65535"));
	}
}

TEST_CASE("NSIDs are 1 to 0xfffffffe", "[validate]")
{
	CHECK(parse_nsid("1") == 1);
	CHECK(parse_nsid("4294967294") == 0xfffffffe);
	CHECK(parse_nsid("0x10") == 16);
	CHECK(parse_nsid("0xfffffffe") == 0xfffffffe);
	for (const char *bad : {"", "0", "4294967295", "0xffffffff", "-1", "1.5",
				"0x", "99999999999", "abc"}) {
		INFO(bad);
		CHECK_THROWS_WITH(parse_nsid(bad), Catch::Contains("from 1 to 4294967294"));
	}
}

TEST_CASE("port addresses are checked by transport and family", "[validate]")
{
	const auto ok = [](const char *t, const char *f, const char *a, const char *s) {
		INFO(t << " " << f << " " << a << " " << s);
		CHECK_NOTHROW(check_port_address("port 1", t, f, a, s));
	};
	const auto no = [](const char *t, const char *f, const char *a, const char *s,
			   const char *msg) {
		INFO(t << " " << f << " " << a << " " << s);
		CHECK_THROWS_WITH(check_port_address("port 1", t, f, a, s),
				  Catch::StartsWith("port 1: ") && Catch::Contains(msg));
	};
	ok("rdma", "ipv4", "192.0.2.1", "4420");
	ok("tcp", "ipv6", "2001:db8::1", "4420");
	ok("tcp", "ipv6", "::", "1");
	ok("rdma", "ib", "fe80::1", "4420");
	ok("loop", "", "", "");
	ok("loop", "loop", "", "");
	ok("fc", "fc", "nn-0x1000:pn-0x2000", "none");
	no("udp", "ipv4", "192.0.2.1", "4420", "unknown transport type 'udp'");
	no("rdma", "ipv5", "192.0.2.1", "4420", "unknown address family 'ipv5'");
	no("rdma", "ipv4", "192.0.2.256", "4420", "is not an IPv4 address");
	no("rdma", "ipv4", "2001:db8::1", "4420", "is not an IPv4 address");
	no("tcp", "ipv6", "192.0.2.1", "4420", "is not an IPv6 address");
	no("tcp", "ipv6", "2001:db8:::1", "4420", "is not an IPv6 address");
	no("tcp", "ipv4", "192.0.2.1", "nvme", "is not a port number");
	no("tcp", "ipv4", "192.0.2.1", "0", "is not a port number");
	no("rdma", "ipv4", "192.0.2.1", "65536", "is not a port number");
	no("rdma", "loop", "", "4420", "needs address family ipv4, ipv6 or ib");
	no("tcp", "ipv4", "192.0.2.1 ", "4420", "blanks");
	CHECK(adrfam_of("192.0.2.1") == "ipv4");
	CHECK(adrfam_of("2001:db8::1") == "ipv6");
	CHECK(adrfam_of("host.example").empty());
}

TEST_CASE("UUIDs, NGUIDs, booleans, strings and sizes", "[validate]")
{
	CHECK(check_uuid("ns", "6A3A0C2C-1F4E-4D6B-9D0E-5C0FFEE0DDA1") ==
	      "6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1");
	CHECK_THROWS_AS(check_uuid("ns", "6a3a0c2c1f4e4d6b9d0e5c0ffee0dda1"), UsageError);
	CHECK_THROWS_AS(check_uuid("ns", "6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda"), UsageError);
	CHECK(check_nguid("ns", "00112233445566778899AABBCCDDEEFF") ==
	      "00112233-4455-6677-8899-aabbccddeeff");
	CHECK(check_nguid("ns", "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff") ==
	      "00112233-4455-6677-8899-aabbccddeeff");
	CHECK(check_nguid("ns", "00112233-4455-6677-8899-aabbccddeeff") ==
	      "00112233-4455-6677-8899-aabbccddeeff");
	for (const char *bad : {"", "0011", "00112233445566778899aabbccddeeff00",
				"0g112233445566778899aabbccddeeff"})
		CHECK_THROWS_AS(check_nguid("ns", bad), UsageError);
	for (const char *t : {"1", "yes", "on", "true", "Y", "TRUE"})
		CHECK(parse_bool("x", t));
	for (const char *f : {"0", "no", "off", "false", "N"})
		CHECK_FALSE(parse_bool("x", f));
	CHECK_THROWS_WITH(parse_bool("x", "2"), Catch::Contains("use 1 or 0"));
	CHECK(check_ascii("serial", "abc 123", 20) == "abc 123");
	CHECK_THROWS_AS(check_ascii("serial", std::string(21, 'a'), 20), UsageError);
	CHECK_THROWS_AS(check_ascii("serial", "", 20), UsageError);
	CHECK_THROWS_AS(check_ascii("model", "caf\xc3\xa9", 40), UsageError);
	CHECK(parse_inline_data_size("-1") == -1);
	CHECK(parse_inline_data_size("16384") == 16384);
	for (const char *bad : {"", "-2", "x", "2147483648", "1.5"})
		CHECK_THROWS_AS(parse_inline_data_size(bad), UsageError);
}

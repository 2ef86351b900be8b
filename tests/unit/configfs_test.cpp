// SPDX-License-Identifier: GPL-2.0-only
//
// Every configfs verb, run through the command line against a fake tree.
#include <sys/stat.h>

#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "app.hpp"
#include "config.hpp"
#include "fake_configfs.hpp"
#include "target.hpp"

using namespace ddactl;
using namespace ddactl::test;

namespace {

const std::string sub1 = "nqn.2026-11.io.nvmet-dda:disk1";
const std::string sub2 = "nqn.2026-11.io.nvmet-dda:disk2";
const std::string host1 = "nqn.2014-08.org.nvmexpress:uuid:6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1";
const std::string host2 = "nqn.2026-11.io.example:host2";

struct Run {
	int code;
	std::string out, err;
};

struct Fake {
	TempDir dir;
	std::shared_ptr<FakeState> st = std::make_shared<FakeState>();
	std::string disk = (dir.path() / "disk.img").string();
	std::string disk2 = (dir.path() / "disk2.img").string();

	Fake()
	{
		std::ofstream(disk) << "x";
		std::ofstream(disk2) << "y";
		tree();	// creates nvmet/{ports,subsystems,hosts}
	}

	std::unique_ptr<ConfigfsTree> tree() const
	{
		return std::make_unique<FakeConfigfs>(dir.path(), st);
	}

	Run run(std::vector<std::string> args) const
	{
		std::vector<const char *> argv{"ddactl", "--configfs", dir.path().c_str()};
		for (const auto &a : args)
			argv.push_back(a.c_str());
		std::ostringstream out, err;
		const auto st_ = st;
		const int code = ddactl::run(
			static_cast<int>(argv.size()), argv.data(), out, err,
			[st_](const std::string &cfs) {
				return std::make_unique<FakeConfigfs>(cfs, st_);
			});
		return {code, out.str(), err.str()};
	}

	// Runs and requires success.
	std::string ok(std::vector<std::string> args) const
	{
		const Run r = run(args);
		INFO("ddactl " << Catch::Detail::stringify(args) << "\n" << r.err);
		REQUIRE(r.code == 0);
		return r.out;
	}

	std::string attr(const std::string &rel) const { return tree()->read(rel); }
	bool exists(const std::string &rel) const { return tree()->exists(rel); }

	// A snapshot of the whole tree, to show that a failed command changed
	// nothing.
	std::string snapshot() const
	{
		auto t = tree();
		return serialize(Nvmet(*t).load());
	}

	void basic() const
	{
		ok({"subsys", "add", sub1});
		ok({"ns", "add", sub1, "--path", disk});
		ok({"port", "add", "1", "--trtype", "rdma", "--traddr", "192.0.2.1"});
		ok({"port", "link", "1", sub1});
	}
};

// One error line in the documented shape.
void check_error(const Run &r, int code, const std::string &part)
{
	INFO(r.err);
	CHECK(r.code == code);
	CHECK(r.err.rfind("Error: ", 0) == 0);
	CHECK_THAT(r.err, Catch::EndsWith(".\n"));
	CHECK_THAT(r.err, Catch::Contains(part));
}

} // namespace

TEST_CASE("port add, show, set, del", "[configfs]")
{
	Fake f;
	f.ok({"port", "add", "1", "--trtype", "rdma", "--traddr", "192.0.2.1"});
	CHECK(f.attr("ports/1/addr_trtype") == "rdma");
	CHECK(f.attr("ports/1/addr_adrfam") == "ipv4");	// from the address
	CHECK(f.attr("ports/1/addr_traddr") == "192.0.2.1");
	CHECK(f.attr("ports/1/addr_trsvcid") == "4420");	// default
	f.ok({"port", "add", "2", "--trtype", "tcp", "--traddr", "2001:db8::1",
	      "--trsvcid", "4421", "--inline-data-size", "8192"});
	CHECK(f.attr("ports/2/addr_adrfam") == "ipv6");
	CHECK(f.attr("ports/2/param_inline_data_size") == "8192");
	f.ok({"port", "add", "3", "--trtype", "loop"});
	CHECK(f.attr("ports/3/addr_adrfam") == "loop");

	CHECK(f.ok({"port"}) ==
	      "port 1 trtype rdma adrfam ipv4 traddr 192.0.2.1 trsvcid 4420 subsystems none\n"
	      "port 2 trtype tcp adrfam ipv6 traddr 2001:db8::1 trsvcid 4421 subsystems none\n"
	      "port 3 trtype loop adrfam loop traddr \"\" trsvcid \"\" subsystems none\n");
	CHECK(f.ok({"port", "list"}) == f.ok({"port", "show"}));
	CHECK(f.ok({"port", "show", "2", "-d"}) ==
	      "port 2 trtype tcp adrfam ipv6 traddr 2001:db8::1 trsvcid 4421 subsystems none"
	      " treq \"not specified\" inline_data_size 8192 referrals none ana_groups 1\n");
	const auto j = nlohmann::json::parse(f.ok({"-j", "port", "show", "1"}));
	CHECK(j == nlohmann::json::parse(
			   R"([{"portid":1,"trtype":"rdma","adrfam":"ipv4","traddr":"192.0.2.1",)"
			   R"("trsvcid":"4420","subsystems":[]}])"));
	CHECK(nlohmann::json::parse(f.ok({"port", "-j"})).size() == 3);

	f.ok({"port", "set", "1", "--traddr", "2001:db8::2"});
	CHECK(f.attr("ports/1/addr_traddr") == "2001:db8::2");
	CHECK(f.attr("ports/1/addr_adrfam") == "ipv6");
	f.ok({"port", "set", "1", "--treq", "not required"});
	CHECK(f.attr("ports/1/addr_treq") == "not required");

	f.ok({"port", "del", "3"});
	CHECK_FALSE(f.exists("ports/3"));
	check_error(f.run({"port", "del", "3"}), 3, "port 3: does not exist; ");
	check_error(f.run({"port", "show", "9"}), 3, "port 9: does not exist");
	check_error(f.run({"port", "set", "9", "--trsvcid", "1"}), 3, "port 9: does not exist");
}

TEST_CASE("bad port input changes nothing", "[configfs]")
{
	Fake f;
	f.basic();
	const std::string before = f.snapshot();

	check_error(f.run({"port", "add", "70000", "--trtype", "tcp", "--traddr", "192.0.2.1"}),
		    2, "port '70000': the port ID must be a number from 0 to 65535");
	check_error(f.run({"port", "add", "2", "--trtype", "udp"}), 2,
		    "unknown transport type 'udp'; use rdma, tcp, loop or fc");
	check_error(f.run({"port", "add", "2", "--trtype", "tcp"}), 2,
		    "port 2: tcp needs an address; give traddr");
	check_error(f.run({"port", "add", "2"}), 2, "give trtype");
	check_error(f.run({"port", "add", "2", "--trtype", "tcp", "--traddr", "300.1.1.1"}),
		    2, "cannot tell the address family");
	check_error(f.run({"port", "add", "2", "--trtype", "tcp", "--adrfam", "ipv4",
			   "--traddr", "2001:db8::1"}),
		    2, "is not an IPv4 address");
	check_error(f.run({"port", "add", "2", "--trtype", "tcp", "--traddr", "192.0.2.1",
			   "--trsvcid", "x"}),
		    2, "is not a port number");
	check_error(f.run({"port", "add", "2", "--trtype", "tcp", "--traddr", "192.0.2.1",
			   "--treq", "maybe"}),
		    2, "port 2: treq 'maybe': use 'not specified', required or 'not required'");
	check_error(f.run({"port", "add", "2", "--trtype", "tcp", "--traddr", "192.0.2.1",
			   "--inline-data-size", "big"}),
		    2, "inline data size 'big'");
	check_error(f.run({"port", "add", "1", "--trtype", "tcp", "--traddr", "192.0.2.1"}),
		    1, "port 1: already exists");
	// The kernel refuses changes to an enabled port.
	check_error(f.run({"port", "set", "1", "--trsvcid", "4421"}), 4,
		    "port 1: is enabled (linked to " + sub1 + ")");
	check_error(f.run({"port", "del", "1"}), 4, "use --force");
	check_error(f.run({"port", "link", "1", sub1}), 1, "already linked");
	check_error(f.run({"port", "link", "1", sub2}), 3, "subsystem " + sub2 + ": does not exist");
	check_error(f.run({"port", "unlink", "1", sub2}), 3, "is not linked to");
	check_error(f.run({"port", "link", "1", "../x"}), 2, "not a valid name");
	CHECK(f.snapshot() == before);
}

TEST_CASE("a failing kernel write rolls back the new port", "[configfs]")
{
	Fake f;
	f.st->fail_writes["addr_traddr"] = EINVAL;
	check_error(f.run({"port", "add", "4", "--trtype", "tcp", "--traddr", "192.0.2.1"}),
		    5, "port 4: cannot write '192.0.2.1' to ");
	CHECK_FALSE(f.exists("ports/4"));
}

TEST_CASE("port link and unlink", "[configfs]")
{
	Fake f;
	f.basic();
	CHECK(f.tree()->is_link("ports/1/subsystems/" + sub1));
	CHECK_THAT(f.ok({"port", "show", "1"}), Catch::Contains("subsystems " + sub1));
	f.ok({"port", "unlink", "1", sub1});
	CHECK_FALSE(f.exists("ports/1/subsystems/" + sub1));
	f.ok({"port", "set", "1", "--trsvcid", "4421"});	// disabled again
	f.ok({"port", "link", "1", sub1});
	f.ok({"port", "del", "1", "--force"});
	CHECK_FALSE(f.exists("ports/1"));
	CHECK(f.exists("subsystems/" + sub1));
}

TEST_CASE("subsys add, show, set, del", "[configfs]")
{
	Fake f;
	f.ok({"subsys", "add", sub1, "--serial", "DDA0001", "--model", "nvmet-dda disk"});
	CHECK(f.attr("subsystems/" + sub1 + "/attr_allow_any_host") == "0");
	CHECK(f.attr("subsystems/" + sub1 + "/attr_serial") == "DDA0001");
	CHECK(f.attr("subsystems/" + sub1 + "/attr_model") == "nvmet-dda disk");
	f.ok({"subsys", "add", sub2, "--allow-any-host", "yes"});
	CHECK(f.attr("subsystems/" + sub2 + "/attr_allow_any_host") == "1");

	CHECK(f.ok({"subsys", "show", sub1}) ==
	      "subsys " + sub1 + " allow_any_host no serial DDA0001 model \"nvmet-dda disk\""
	      " namespaces none allowed_hosts none ports none\n");
	CHECK_THAT(f.ok({"subsys", "-d"}), Catch::Contains("version 1.3 cntlid_min 1"));
	const auto j = nlohmann::json::parse(f.ok({"subsys", "-j"}));
	REQUIRE(j.size() == 2);
	CHECK(j[1]["nqn"] == sub2);
	CHECK(j[1]["allow_any_host"] == true);

	f.ok({"subsys", "set", sub2, "--allow-any-host", "0", "--model", "m2"});
	CHECK(f.attr("subsystems/" + sub2 + "/attr_allow_any_host") == "0");
	CHECK(f.attr("subsystems/" + sub2 + "/attr_model") == "m2");

	const std::string before = f.snapshot();
	check_error(f.run({"subsys", "add", "a/b"}), 2, "not a name the kernel accepts");
	check_error(f.run({"subsys", "add", "nqn.2014-08.org.nvmexpress.discovery"}), 2,
		    "built in");
	check_error(f.run({"subsys", "add", sub1}), 1, "already exists");
	check_error(f.run({"subsys", "set", sub1, "--allow-any-host", "maybe"}), 2,
		    "not a boolean");
	check_error(f.run({"subsys", "set", sub1, "--serial", std::string(21, 's')}), 2,
		    "serial: must be 1 to 20 characters");
	check_error(f.run({"subsys", "show", "nqn.2026-11.io.x:none"}), 3, "does not exist");
	check_error(f.run({"subsys", "del", "nqn.2026-11.io.x:none"}), 3, "does not exist");
	CHECK(f.snapshot() == before);

	f.ok({"subsys", "del", sub2});
	CHECK_FALSE(f.exists("subsystems/" + sub2));
}

TEST_CASE("deleting a subsystem in use needs --force", "[configfs]")
{
	Fake f;
	f.basic();
	f.ok({"host", "allow", sub1, host1});
	const std::string before = f.snapshot();
	check_error(f.run({"subsys", "del", sub1}), 4,
		    "subsystem " + sub1 + ": is linked to port 1; unlink it first");
	f.ok({"port", "unlink", "1", sub1});
	check_error(f.run({"subsys", "del", sub1}), 4, "has 1 namespace(s)");
	f.ok({"port", "link", "1", sub1});
	CHECK(f.snapshot() == before);

	f.ok({"subsys", "del", sub1, "--force"});
	CHECK_FALSE(f.exists("subsystems/" + sub1));
	CHECK_FALSE(f.exists("ports/1/subsystems/" + sub1));
	CHECK_FALSE(f.exists("hosts/" + host1));	// allowed nowhere else
	CHECK(f.exists("ports/1"));
}

TEST_CASE("the kernel's EBUSY and ENOTEMPTY map to busy", "[configfs]")
{
	Fake f;
	f.basic();
	auto t = f.tree();
	try {
		t->rmdir("subsystems/" + sub1);
		FAIL("rmdir of a linked subsystem succeeded");
	} catch (const ConfigfsError &e) {
		CHECK(e.error() == EBUSY);
	}
	f.ok({"port", "unlink", "1", sub1});
	CHECK_THROWS_AS(t->rmdir("subsystems/" + sub1), ConfigfsError);
	std::ostringstream err;
	CHECK(report_error(std::make_exception_ptr(ConfigfsError("x", ENOTEMPTY)), err) == 4);
	CHECK(report_error(std::make_exception_ptr(ConfigfsError("x", EBUSY)), err) == 4);
	CHECK(report_error(std::make_exception_ptr(ConfigfsError("x", ENOENT)), err) == 3);
	CHECK(report_error(std::make_exception_ptr(ConfigfsError("x", EINVAL)), err) == 5);
}

TEST_CASE("host allow, show, deny", "[configfs]")
{
	Fake f;
	f.ok({"subsys", "add", sub1});
	f.ok({"subsys", "add", sub2});
	f.ok({"host", "allow", sub1, host1});
	CHECK(f.exists("hosts/" + host1));
	CHECK(f.tree()->is_link("subsystems/" + sub1 + "/allowed_hosts/" + host1));
	f.ok({"host", "allow", sub2, host1});
	f.ok({"host", "allow", sub2, host2});
	const std::string keys = " key no ctrl_key no hash hmac(sha256) dhgroup null\n";
	CHECK(f.ok({"host"}) == "host " + host1 + " subsystems " + sub1 + "," + sub2 + keys +
				"host " + host2 + " subsystems " + sub2 + keys);
	const auto j = nlohmann::json::parse(f.ok({"host", "show", host1, "-j"}));
	CHECK(j[0]["subsystems"].size() == 2);

	const std::string before = f.snapshot();
	check_error(f.run({"host", "allow", sub1, "host/1"}), 2,
		    "host host/1: not a name the kernel accepts");
	check_error(f.run({"host", "allow", sub1, host1}), 1, "already allows host");
	check_error(f.run({"host", "deny", sub1, host2}), 3, "does not allow host");
	check_error(f.run({"host", "show", "nqn.2026-11.io.x:nobody"}), 3, "is not known");
	check_error(f.run({"subsys", "set", sub1, "--allow-any-host", "1"}), 1,
		    "has allowed hosts");
	CHECK(f.snapshot() == before);

	f.ok({"host", "deny", sub1, host1});
	CHECK(f.exists("hosts/" + host1));	// sub2 still allows it
	f.ok({"host", "deny", sub2, host1});
	CHECK_FALSE(f.exists("hosts/" + host1));	// the last link is gone

	f.ok({"subsys", "set", sub1, "--allow-any-host", "1"});
	check_error(f.run({"host", "allow", sub1, host1}), 1, "allows any host");
	CHECK_FALSE(f.exists("hosts/" + host1));
}

TEST_CASE("ns add, show, set, enable, disable, del", "[configfs]")
{
	Fake f;
	f.ok({"subsys", "add", sub1});
	CHECK(f.ok({"ns", "add", sub1, "--path", f.disk}) == "ns 1 subsys " + sub1 + "\n");
	const std::string ns1 = "subsystems/" + sub1 + "/namespaces/1";
	CHECK(f.attr(ns1 + "/device_path") == f.disk);
	CHECK(f.attr(ns1 + "/enable") == "1");
	f.ok({"ns", "add", sub1, "5", "--path", f.disk2, "--no-enable", "--uuid",
	      "6A3A0C2C-1F4E-4D6B-9D0E-5C0FFEE0DDA1", "--nguid",
	      "00112233445566778899aabbccddeeff"});
	const std::string ns5 = "subsystems/" + sub1 + "/namespaces/5";
	CHECK(f.attr(ns5 + "/enable") == "0");
	CHECK(f.attr(ns5 + "/device_uuid") == "6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1");
	CHECK(f.attr(ns5 + "/device_nguid") == "00112233-4455-6677-8899-aabbccddeeff");
	// The lowest free NSID.
	CHECK(nlohmann::json::parse(f.ok({"-j", "ns", "add", sub1, "--path", f.disk})) ==
	      nlohmann::json::parse(R"([{"nsid":2,"subsys":")" + sub1 + R"("}])"));

	CHECK(f.ok({"ns", "show", sub1, "5"}) ==
	      "ns 5 subsys " + sub1 + " path " + f.disk2 +
		      " enable no uuid 6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1\n");
	CHECK_THAT(f.ok({"ns", "show", sub1, "5", "-d"}),
		   Catch::EndsWith("nguid 00112233-4455-6677-8899-aabbccddeeff ana_grpid 1 "
					 "buffered_io no\n"));
	CHECK(nlohmann::json::parse(f.ok({"ns", "-j"})).size() == 3);
	CHECK(nlohmann::json::parse(f.ok({"ns", "show", sub1, "-j"})).size() == 3);

	f.ok({"ns", "set", sub1, "5", "--path", f.disk});
	CHECK(f.attr(ns5 + "/device_path") == f.disk);
	f.ok({"ns", "enable", sub1, "5"});
	CHECK(f.attr(ns5 + "/enable") == "1");

	const std::string before = f.snapshot();
	check_error(f.run({"ns", "set", sub1, "5", "--path", f.disk2}), 4,
		    "is enabled and the kernel refuses changes of its device; disable it first");
	check_error(f.run({"ns", "add", sub1, "0", "--path", f.disk}), 2, "from 1 to");
	check_error(f.run({"ns", "add", sub1, "0xffffffff", "--path", f.disk}), 2, "from 1 to");
	check_error(f.run({"ns", "add", sub1, "5", "--path", f.disk}), 1, "already exists");
	check_error(f.run({"ns", "add", sub1, "--path", "/nonexistent/dev"}), 3,
		    "device /nonexistent/dev does not exist");
	check_error(f.run({"ns", "add", sub1, "--path", "relative"}), 2, "not absolute");
	check_error(f.run({"ns", "add", sub1}), 2, "no device; give path");
	check_error(f.run({"ns", "add", sub1, "--path", f.disk, "--uuid", "x"}), 2,
		    "is not a UUID");
	check_error(f.run({"ns", "add", sub2, "--path", f.disk}), 3, "does not exist");
	check_error(f.run({"ns", "del", sub1, "9"}), 3, "namespace 9 of " + sub1 + ": does not exist");
	check_error(f.run({"ns", "enable", sub1, "9"}), 3, "does not exist");
	CHECK(f.snapshot() == before);

	f.ok({"ns", "disable", sub1, "5"});
	CHECK(f.attr(ns5 + "/enable") == "0");
	f.ok({"ns", "del", sub1, "5"});
	f.ok({"ns", "del", sub1, "1"});	// enabled: disabled first
	CHECK_FALSE(f.exists(ns5));
	CHECK_FALSE(f.exists(ns1));
}

TEST_CASE("a namespace that fails to enable is not left behind", "[configfs]")
{
	Fake f;
	f.ok({"subsys", "add", sub1});
	f.st->fail_writes["/enable"] = EIO;
	check_error(f.run({"ns", "add", sub1, "--path", f.disk}), 5,
		    "namespace 1 of " + sub1 + ": cannot write '1' to");
	CHECK_FALSE(f.exists("subsystems/" + sub1 + "/namespaces/1"));
}

TEST_CASE("a user without root is told to run as root", "[configfs]")
{
	Fake f;
	f.st->privileged = false;
	const Run r = f.run({"subsys", "add", sub1});
	check_error(r, 5, "subsystem " + sub1 + ": cannot create ");
	CHECK_THAT(r.err, Catch::Contains("Permission denied; changing the nvmet "
					  "configuration needs root; run ddactl as root."));
	CHECK(f.ok({"subsys"}).empty());	// reading needs no root
}

TEST_CASE("nvmet not loaded, no verb, help", "[configfs]")
{
	TempDir d;
	std::vector<const char *> argv{"ddactl", "--configfs", d.path().c_str(), "port"};
	std::ostringstream out, err;
	CHECK(run(static_cast<int>(argv.size()), argv.data(), out, err) == 1);
	CHECK_THAT(err.str(), Catch::Contains("does not exist; load the target driver "
					      "(modprobe nvmet)"));
	Fake f;
	check_error(f.run({"config"}), 2, "config: no command given");
	CHECK_THAT(f.ok({"port", "help"}), Catch::Contains("Usage: ddactl port"));
	CHECK_THAT(f.ok({"ns", "help"}), Catch::Contains("disable"));
	CHECK(f.run({"port", "bogus"}).code == 2);
}

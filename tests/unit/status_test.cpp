// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl status: the offload policy each namespace gets, and the screen,
// with and without the module.
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "app.hpp"
#include "fake_configfs.hpp"
#include "fake_p2p.hpp"
#include "status.hpp"

using namespace ddactl;
using namespace ddactl::test;
using nlohmann::json;

namespace {

const std::string sub1 = "nqn.2026-11.io.nvmet-dda:st1";
const std::string sub2 = "nqn.2026-11.io.nvmet-dda:st2";

Port port(uint16_t id, std::vector<std::string> subs)
{
	Port p;
	p.id = id;
	p.subsystems = std::move(subs);
	return p;
}

PolicyRule port_rule(uint32_t id, uint32_t mode, const std::string &provider = "auto")
{
	return {{"", 0, id}, mode, provider, 0, 0};
}

PolicyRule ns_rule(const std::string &nqn, uint32_t nsid, uint32_t mode,
		   const std::string &provider)
{
	return {{nqn, nsid, std::nullopt}, mode, provider, 0, 0};
}

struct Env {
	TempDir dir;
	std::shared_ptr<FakeState> st = std::make_shared<FakeState>();
	std::shared_ptr<FakeP2pState> p2p = std::make_shared<FakeP2pState>();
	std::string disk = (dir.path() / "disk.img").string();

	Env() { std::ofstream(disk) << "x"; }

	std::pair<int, std::string> run(std::vector<std::string> args, std::string *err = nullptr)
	{
		std::vector<const char *> argv{"ddactl", "--configfs", dir.path().c_str()};
		for (const auto &a : args)
			argv.push_back(a.c_str());
		std::ostringstream out, e;
		const auto s = st;
		const int code = ddactl::run(
			static_cast<int>(argv.size()), argv.data(), out, e,
			[s](const std::string &cfs) { return std::make_unique<FakeConfigfs>(cfs, s); },
			fake_p2p(p2p));
		if (err)
			*err = e.str();
		return {code, out.str()};
	}

	std::string ok(std::vector<std::string> args)
	{
		std::string err;
		const auto [code, out] = run(args, &err);
		INFO(err);
		REQUIRE(code == 0);
		return out;
	}
};

} // namespace

TEST_CASE("the namespace rule wins, then the ports' rules, then off", "[status]")
{
	Target t;
	t.ports = {port(1, {sub1}), port(2, {sub1, sub2}), port(3, {sub1})};
	const auto eff = [&](const std::vector<PolicyRule> &rules, const std::string &nqn,
			     uint32_t nsid) { return effective_offload(t, rules, nqn, nsid); };

	// No rule at all.
	CHECK(eff({}, sub1, 1) == std::vector<EffectiveOffload>{{"off", "none", "none"}});
	// Not linked to any port.
	CHECK(eff({port_rule(1, NVMET_DDA_MODE_PREFER)}, "nqn.2026-11.io.x:lonely", 1) ==
	      std::vector<EffectiveOffload>{{"off", "none", "none"}});
	// The namespace's own rule, whatever the ports say.
	CHECK(eff({port_rule(1, NVMET_DDA_MODE_PREFER), ns_rule(sub1, 1, NVMET_DDA_MODE_REQUIRE, "cmb")},
		  sub1, 1) == std::vector<EffectiveOffload>{{"require", "cmb", "namespace"}});
	// Another namespace's rule does not apply.
	CHECK(eff({ns_rule(sub1, 2, NVMET_DDA_MODE_REQUIRE, "cmb")}, sub1, 1) ==
	      std::vector<EffectiveOffload>{{"off", "none", "none"}});
	// Ports that agree are merged.
	CHECK(eff({port_rule(1, NVMET_DDA_MODE_PREFER), port_rule(2, NVMET_DDA_MODE_PREFER),
		   port_rule(3, NVMET_DDA_MODE_PREFER)},
		  sub1, 1) == std::vector<EffectiveOffload>{{"prefer", "auto", "port 1,2,3"}});
	// Ports that disagree: one entry each outcome, in port order.
	CHECK(eff({port_rule(2, NVMET_DDA_MODE_PREFER, "0000:03:00.0"),
		   port_rule(3, NVMET_DDA_MODE_REQUIRE)},
		  sub1, 1) == std::vector<EffectiveOffload>{{"off", "none", "none"},
							     {"prefer", "0000:03:00.0", "port 2"},
							     {"require", "auto", "port 3"}});
	// sub2 is only on port 2.
	CHECK(eff({port_rule(1, NVMET_DDA_MODE_PREFER), port_rule(2, NVMET_DDA_MODE_REQUIRE)},
		  sub2, 7) == std::vector<EffectiveOffload>{{"require", "auto", "port 2"}});
}

TEST_CASE("status shows module, providers, ports and namespaces", "[status]")
{
	Env e;
	e.ok({"subsys", "add", sub1});
	e.ok({"ns", "add", sub1, "--path", e.disk});
	e.ok({"ns", "add", sub1, "2", "--path", e.disk, "--no-enable"});
	e.ok({"port", "add", "1", "--trtype", "rdma", "--traddr", "192.0.2.1"});
	e.ok({"port", "link", "1", sub1});
	e.p2p->providers = {fake_provider("0000:02:00.0", NVMET_DDA_PROVIDER_CMB, 64ull << 20)};
	e.p2p->providers[0].available = 48ull << 20;
	e.p2p->rules = {port_rule(1, NVMET_DDA_MODE_PREFER),
			ns_rule(sub1, 2, NVMET_DDA_MODE_REQUIRE, "cmb")};

	CHECK(e.ok({"status"}) ==
	      "module:       nvmet-dda 0.1.0\n"
	      "p2pdma:       yes\n"
	      "capabilities: p2pdma selftest rdma\n"
	      "providers:    1\n"
	      "ports:        1\n"
	      "namespaces:   2\n"
	      "provider 0000:02:00.0 kind cmb size 64MiB available 48MiB\n"
	      "port 1 trtype rdma traddr 192.0.2.1 trsvcid 4420 subsystems " + sub1 + "\n"
	      "ns " + sub1 + " nsid 1 path " + e.disk + " enable yes mode prefer provider auto "
	      "rule \"port 1\"\n"
	      "ns " + sub1 + " nsid 2 path " + e.disk + " enable no mode require provider cmb "
	      "rule namespace\n");

	const json j = json::parse(e.ok({"-j", "status"}));
	CHECK(j["module"] == json::parse(R"({"name": "nvmet-dda", "loaded": true,
		"version": "0.1.0", "kernel_release": "6.1.0-test", "p2pdma": true,
		"capabilities": ["p2pdma", "selftest", "rdma"]})"));
	CHECK(j["nvmet_loaded"] == true);
	CHECK(j["providers"] == json::parse(R"([{"provider": "0000:02:00.0", "kind": "cmb",
		"size": 67108864, "available": 50331648}])"));
	CHECK(j["ports"] == json::parse(R"([{"portid": 1, "trtype": "rdma", "traddr": "192.0.2.1",
		"trsvcid": "4420", "subsystems": [")" + sub1 + R"("]}])"));
	REQUIRE(j["namespaces"].size() == 2);
	CHECK(j["namespaces"][0] == json::parse(R"({"subsys": ")" + sub1 + R"(", "nsid": 1,
		"path": ")" + e.disk + R"(", "enable": true, "mode": "prefer", "provider": "auto",
		"rule": "port 1", "offload": [{"mode": "prefer", "provider": "auto",
		"rule": "port 1"}]})"));
	CHECK(j["namespaces"][1]["offload"] == json::parse(
		R"([{"mode": "require", "provider": "cmb", "rule": "namespace"}])"));
	CHECK(j["notes"] == json::array());

	// Two ports that disagree.
	e.ok({"port", "add", "2", "--trtype", "loop"});
	e.ok({"port", "link", "2", sub1});
	CHECK_THAT(e.ok({"status"}),
		   Catch::Contains("nsid 1 path " + e.disk + " enable yes mode prefer,off "
				   "provider auto,none rule \"port 1\",none\n"));
}

TEST_CASE("status without the module or nvmet says so", "[status]")
{
	Env e;
	e.ok({"subsys", "add", sub1});
	e.ok({"ns", "add", sub1, "--path", e.disk});
	e.p2p->loaded = false;
	const std::string out = e.ok({"status"});
	CHECK_THAT(out, Catch::StartsWith("module:     nvmet-dda not loaded\n"));
	CHECK_THAT(out, Catch::Contains("note: nvmet-dda is not loaded: no providers, every "
					"namespace's mode is off; modprobe nvmet-dda\n"));
	CHECK_THAT(out, Catch::Contains("nsid 1 path " + e.disk + " enable yes mode off "
					"provider none rule none\n"));
	json j = json::parse(e.ok({"-j", "status"}));
	CHECK(j["module"] == json::parse(R"({"name": "nvmet-dda", "loaded": false})"));
	CHECK(j["notes"].size() == 1);

	// No nvmet either: an empty tree without its groups.
	TempDir empty;
	std::vector<const char *> argv{"ddactl", "--configfs", empty.path().c_str(), "-j",
				       "status"};
	std::ostringstream out2, err2;
	CHECK(ddactl::run(static_cast<int>(argv.size()), argv.data(), out2, err2, {},
			  fake_p2p(e.p2p)) == 0);
	j = json::parse(out2.str());
	CHECK(j["nvmet_loaded"] == false);
	REQUIRE(j["notes"].size() == 2);
	CHECK_THAT(j["notes"][0].get<std::string>(), Catch::Contains("nvmet is not loaded"));
}

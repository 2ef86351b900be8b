// SPDX-License-Identifier: GPL-2.0-only
//
// config save / restore / clear: the nvmetcli JSON format, round trips,
// atomic writes, refusing to restore over a live target, partial failures.
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "app.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "fake_configfs.hpp"
#include "fake_p2p.hpp"
#include "target.hpp"

using namespace ddactl;
using namespace ddactl::test;
using nlohmann::json;

namespace {

const std::string sub1 = "nqn.2026-11.io.nvmet-dda:disk1";
const std::string host1 = "nqn.2014-08.org.nvmexpress:uuid:6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1";
const std::string rdma_nqn = "nqn.2026-11.io.nvmet-dda:sample-rdma";
const std::string loop_nqn = "nqn.2026-11.io.nvmet-dda:sample-loop";
// A save of an empty target on the fake kernel (6.1: no discovery_nqn).
const std::string empty_save =
	"{\n  \"discovery\": {},\n  \"hosts\": [],\n  \"ports\": [],\n  \"subsystems\": []\n}\n";
// What the fake kernel shows for a host without keys, and for a subsystem
// that is not a passthru one.
const json default_dhchap = json::parse(R"J({"ctrl_key": "", "dhgroup": "null",
	"hash": "hmac(sha256)", "key": ""})J");
const json default_passthru = json::parse(R"J([{"admin_timeout": 0, "clear_ids": 1,
	"device": {"path": "(null)"}, "io_timeout": 0}])J");

struct Run {
	int code;
	std::string out, err;
};

std::string slurp(const std::string &path)
{
	std::ifstream f(path);
	return {std::istreambuf_iterator<char>(f), {}};
}

struct Fake {
	TempDir dir;
	std::shared_ptr<FakeState> st = std::make_shared<FakeState>();
	// nvmet-dda is not loaded unless a test loads it.
	std::shared_ptr<FakeP2pState> p2p = [] {
		auto s = std::make_shared<FakeP2pState>();
		s->loaded = false;
		return s;
	}();
	std::string disk = (dir.path() / "disk.img").string();
	std::string file = (dir.path() / "etc" / "config.json").string();

	Fake()
	{
		std::ofstream(disk) << "x";
		tree();
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
		const auto s = st;
		const int code = ddactl::run(
			static_cast<int>(argv.size()), argv.data(), out, err,
			[s](const std::string &cfs) { return std::make_unique<FakeConfigfs>(cfs, s); },
			fake_p2p(p2p));
		return {code, out.str(), err.str()};
	}

	std::string ok(std::vector<std::string> args) const
	{
		const Run r = run(args);
		INFO("ddactl " << Catch::Detail::stringify(args) << "\n" << r.err);
		REQUIRE(r.code == 0);
		return r.out;
	}

	void populate() const
	{
		ok({"subsys", "add", sub1, "--serial", "DDA0001"});
		ok({"ns", "add", sub1, "--path", disk, "--uuid",
		    "6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1"});
		ok({"ns", "add", sub1, "3", "--path", disk, "--no-enable", "--uuid",
		    "6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda3"});
		ok({"host", "allow", sub1, host1});
		ok({"port", "add", "2", "--trtype", "tcp", "--traddr", "2001:db8::1"});
		ok({"port", "add", "10", "--trtype", "rdma", "--traddr", "192.0.2.1"});
		ok({"port", "link", "10", sub1});
		ok({"port", "link", "2", sub1});
	}

	// The hand-written sample (not nvmetcli's: it has every part ddactl 0.1.0
// saved), with its device paths pointing at files that exist.
	std::string sample() const
	{
		std::string s = slurp(DDACTL_SRC_DIR "/../../tests/unit/data/handwritten-sample.json");
		REQUIRE(!s.empty());
		s = std::regex_replace(s, std::regex("/dev/nvme0n1|/tmp/ddactl-sample.img"), disk);
		const std::string path = (dir.path() / "sample.json").string();
		std::ofstream(path) << s;
		return path;
	}
};

} // namespace

TEST_CASE("save writes nvmetcli's layout, sorted, mode 0600", "[config]")
{
	Fake f;
	f.populate();
	f.ok({"config", "save", f.file});
	const std::string text = slurp(f.file);
	const json j = json::parse(text);

	CHECK(j["hosts"] == json::array({{{"nqn", host1}, {"dhchap", default_dhchap}}}));
	CHECK(j["discovery"] == json::object());
	REQUIRE(j["ports"].size() == 2);
	CHECK(j["ports"][0]["portid"] == 2);	// numeric order
	CHECK(j["ports"][1]["portid"] == 10);
	CHECK(j["ports"][1] == json::parse(R"({
		"addr": {"adrfam": "ipv4", "traddr": "192.0.2.1", "treq": "not specified",
			 "trsvcid": "4420", "trtype": "rdma"},
		"ana_groups": [{"ana": {"state": "optimized"}, "grpid": 1}],
		"param": {"inline_data_size": "-1"},
		"portid": 10, "referrals": [], "subsystems": [")" + sub1 + R"("]})"));
	REQUIRE(j["subsystems"].size() == 1);
	const json &s = j["subsystems"][0];
	CHECK(s["nqn"] == sub1);
	CHECK(s["allowed_hosts"] == json::array({host1}));
	CHECK(s["attr"] == json::parse(R"({"allow_any_host": "0", "cntlid_max": "65519",
		"cntlid_min": "1", "model": "Linux", "qid_max": "128", "serial": "DDA0001",
		"version": "1.3"})"));
	CHECK(s["passthru"] == default_passthru);
	CHECK(s["passthru_enable"] == 0);
	REQUIRE(s["namespaces"].size() == 2);
	CHECK(s["namespaces"][0] == json::parse(R"({"ana": {"grpid": "1"}, "ana_grpid": 1,
		"device": {"nguid": "00000000-0000-0000-0000-000000000000", "path": ")" +
						f.disk + R"(",
		"uuid": "6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1"}, "enable": 1, "nsid": 1,
		"resv": {}, "buffered_io": 0})"));
	CHECK(s["namespaces"][1]["nsid"] == 3);
	CHECK(s["namespaces"][1]["enable"] == 0);

	// Two-space indent, sorted keys, final newline: what json.dumps(
	// sort_keys=True, indent=2) gives.
	CHECK(text == j.dump(2) + "\n");
	CHECK(text.rfind("{\n  \"discovery\": {},\n  \"hosts\": [\n    {\n      \"dhchap\": {", 0) == 0);
	struct stat st;
	REQUIRE(::stat(f.file.c_str(), &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);
	// No temporary file left behind.
	CHECK(std::distance(fs::directory_iterator(fs::path(f.file).parent_path()),
			    fs::directory_iterator()) == 1);
	CHECK(f.ok({"config", "save", "-"}) == text);
}

TEST_CASE("save, clear, restore, save gives the same bytes", "[config]")
{
	Fake f;
	f.populate();
	f.ok({"config", "save", f.file});
	const std::string first = slurp(f.file);
	f.ok({"config", "clear"});
	CHECK(f.ok({"config", "save", "-"}) == empty_save);
	CHECK(f.tree()->dirs("hosts").empty());
	const Run r = f.run({"config", "restore", f.file});
	INFO(r.err);
	REQUIRE(r.code == 0);
	CHECK(r.err.empty());
	f.ok({"config", "save", f.file});
	CHECK(slurp(f.file) == first);
}

TEST_CASE("unknown top-level sections survive save and restore", "[config]")
{
	Fake f;
	f.populate();
	f.ok({"config", "save", f.file});
	json j = json::parse(slurp(f.file));
	j["nvmet_future"] = json::parse(R"({"things": [{"name": "x"}]})");
	std::ofstream(f.file) << j.dump(2) << "\n";
	const std::string with_extra = slurp(f.file);

	// A save replacing the file keeps the section.
	f.ok({"config", "save", f.file});
	CHECK(slurp(f.file) == with_extra);
	// A restore says it does not apply it, and applies the rest.
	const Run r = f.run({"config", "restore", "--clear", f.file});
	CHECK(r.code == 0);
	CHECK(r.err == "Warning: config " + f.file + ": section \"nvmet_future\" is not "
		       "applied by this version of ddactl.\n");
	f.ok({"config", "save", f.file});
	CHECK(slurp(f.file) == with_extra);

	const ConfigFile cfg = parse_config(with_extra, "x");
	CHECK(serialize(cfg.target, cfg.extra) == with_extra);
}

TEST_CASE("restore of a hand-written nvmetcli file", "[config]")
{
	Fake f;
	const std::string sample = f.sample();
	const Run r = f.run({"config", "restore", sample});
	INFO(r.err);
	REQUIRE(r.code == 0);
	// The fake kernel, like the test kernel, has no param_pi_enable.
	CHECK(r.err == "Warning: config " + sample + ": skipped 'set port 1 param_pi_enable "
		       "= '0'': this kernel has no such attribute, and '0' is its default.\n");

	auto t = f.tree();
	const Target live = Nvmet(*t).load();
	REQUIRE(live.hosts.size() == 1);
	REQUIRE(live.ports.size() == 2);
	REQUIRE(live.subsystems.size() == 2);
	CHECK(t->read("ports/1/addr_trtype") == "rdma");
	CHECK(t->read("ports/1/param_inline_data_size") == "16384");
	CHECK(t->read("ports/2/addr_trtype") == "loop");
	CHECK(t->is_link("ports/1/subsystems/" + rdma_nqn));
	CHECK(t->is_link("ports/2/subsystems/" + loop_nqn));
	CHECK(t->is_link("subsystems/" + rdma_nqn + "/allowed_hosts/" + host1));
	CHECK(t->read("subsystems/" + loop_nqn + "/attr_allow_any_host") == "1");
	CHECK(t->read("subsystems/" + rdma_nqn + "/attr_serial") == "dda0sample0001");
	CHECK(t->read("subsystems/" + rdma_nqn + "/attr_model") == "nvmet-dda sample");
	const std::string ns = "subsystems/" + loop_nqn + "/namespaces/";
	CHECK(t->read(ns + "1/device_uuid") == "0f5c2d8e-6a41-4e3b-9c7d-2b8e1f0a9c34");
	CHECK(t->read(ns + "1/device_nguid") == "01234567-89ab-cdef-0123-456789abcdef");
	CHECK(t->read(ns + "1/enable") == "1");
	CHECK(t->read(ns + "7/enable") == "0");
	CHECK(t->read(ns + "7/device_path") == f.disk);

	// And it round-trips from here on.
	f.ok({"config", "save", f.file});
	const std::string saved = slurp(f.file);
	f.ok({"config", "restore", "--clear", f.file});
	f.ok({"config", "save", f.file});
	CHECK(slurp(f.file) == saved);
}

TEST_CASE("restore refuses to replace a live configuration", "[config]")
{
	Fake f;
	f.populate();
	const std::string sample = f.sample();
	const std::string before = f.ok({"config", "save", "-"});
	const Run r = f.run({"config", "restore", sample});
	CHECK(r.code == 4);
	CHECK(r.err == "Error: config " + sample + ": the target is already configured (2 "
		       "port(s), 1 subsystem(s), 1 host(s)); use --clear to replace it, or "
		       "run 'ddactl config clear' first.\n");
	CHECK(f.ok({"config", "save", "-"}) == before);

	f.ok({"config", "restore", "--clear", sample});
	auto t = f.tree();
	CHECK_FALSE(t->exists("subsystems/" + sub1));
	CHECK(t->exists("subsystems/" + rdma_nqn));
}

TEST_CASE("a failed restore takes back what it did", "[config]")
{
	Fake f;
	const std::string sample = f.sample();
	f.st->fail_writes["namespaces/7/device_path"] = EINVAL;
	const Run r = f.run({"config", "restore", sample});
	CHECK(r.code == 5);
	INFO(r.err);
	const std::string failed = "set namespace 7 of " + loop_nqn + " device_path = '" +
				   f.disk + "'";
	CHECK_THAT(r.err, Catch::StartsWith("Restore of " + sample + " failed at change 13 of "));
	CHECK_THAT(r.err, Catch::Contains(": " + failed + ".\nThe 12 change(s) before it "
					  "were taken back.\n"));
	const auto error_line = r.err.substr(r.err.rfind("Error: "));
	CHECK(error_line == "Error: config " + sample + ": " + failed + ": cannot write '" +
				    f.disk + "' to " + (f.dir.path() / "nvmet").string() +
				    "/subsystems/" + loop_nqn + "/namespaces/7/device_path: "
				    "Invalid argument; nothing of the file is applied; fix the "
				    "file, then run 'ddactl config restore " + sample + "'.\n");
	// Nothing of it is left.
	CHECK(f.ok({"config", "save", "-"}) == empty_save);

	// Over a live configuration with --clear: the old one comes back.
	f.st->fail_writes.clear();
	f.populate();
	const std::string before = f.ok({"config", "save", "-"});
	f.st->fail_writes["namespaces/7/device_path"] = EINVAL;
	const Run c = f.run({"config", "restore", "--clear", sample});
	CHECK(c.code == 5);
	CHECK_THAT(c.err, Catch::Contains("The configuration that --clear removed is back "
					  "in place.\n"));
	CHECK_THAT(c.err, Catch::Contains("then run 'ddactl config restore --clear " + sample));
	CHECK(f.ok({"config", "save", "-"}) == before);
}

TEST_CASE("restore checks the whole file before touching configfs", "[config]")
{
	Fake f;
	const auto bad = [&](const std::string &text, const std::string &msg) {
		const std::string path = (f.dir.path() / "bad.json").string();
		std::ofstream(path) << text;
		const Run r = f.run({"config", "restore", path});
		INFO(text << "\n" << r.err);
		CHECK(r.code == 2);
		CHECK_THAT(r.err, Catch::StartsWith("Error: config " + path + ": ") &&
					  Catch::Contains(msg));
		CHECK(f.ok({"config", "save", "-"}) == empty_save);
	};
	bad("{", "not valid JSON");
	bad("[]", "not a JSON object");
	bad(R"({"hosts": {}})", "hosts.hosts: must be a list");
	bad(R"({"hosts": [{"nqn": "a/b"}]})", "host a/b: not a name the kernel accepts");
	bad(R"({"subsystems": [{"nqn": "nqn.2014-08.org.nvmexpress.discovery"}]})",
	    "the discovery subsystem is built in");
	bad(R"({"hosts": [{"nqn": "h", "dhchap": {"key": "secret"}}]})",
	    "not a DH-HMAC-CHAP secret");
	bad(R"({"discovery": {"nqn": "d"}, "subsystems": [{"nqn": "d"}]})",
	    "is the NQN of subsystem d");
	bad(R"({"subsystems": [{"nqn": "s", "passthru": [{}, {}]}]})",
	    "lists more than one passthru");
	bad(R"({"subsystems": [{"nqn": "s", "passthru": [{"device": {"path": "/dev/nvme1"},
	    "io_timeout": "soon"}]}]})", "is not a number");
	bad(R"({"subsystems": [{"nqn": "s", "passthru_enable": 1, "passthru": [{}]}]})",
	    "passthru_enable is 1 but passthru has no device.path");
	bad(R"({"subsystems": [{"attr": {}}]})", "has no \"nqn\"");
	bad(R"({"subsystems": [{"nqn": ")" + sub1 + R"(", "namespaces": [{"nsid": 0}]}]})",
	    "from 1 to 4294967294");
	bad(R"({"subsystems": [{"nqn": ")" + sub1 + R"(", "namespaces": [{"nsid": 1,
	    "device": {"path": "/x", "uuid": "nope"}}]}]})", "is not a UUID");
	bad(R"({"subsystems": [{"nqn": ")" + sub1 + R"(", "namespaces": [{"nsid": 1},
	    {"nsid": 1}]}]})", "listed twice");
	bad(R"({"subsystems": [{"nqn": ")" + sub1 + R"(", "attr": {"allow_any_host": "1"},
	    "allowed_hosts": [")" + host1 + R"("]}]})", "allow_any_host is 1 but");
	bad(R"({"ports": [{"portid": 70000}]})", "from 0 to 65535");
	bad(R"({"ports": [{"portid": 1, "addr": {"trtype": "tcp", "adrfam": "ipv4",
	    "traddr": "2001:db8::1", "trsvcid": "4420"}}]})", "is not an IPv4 address");
	bad(R"({"ports": [{"portid": 1, "addr": {"trtype": "smoke"}}]})",
	    "unknown transport type");
	bad(R"({"ports": [{"portid": 1, "subsystems": [")" + sub1 + R"("]}]})",
	    "which the file does not define");
	bad(R"({"ports": [{"portid": 1}, {"portid": "1"}]})", "listed twice");
	const Run r = f.run({"config", "restore", (f.dir.path() / "none.json").string()});
	CHECK(r.code == 3);
}

TEST_CASE("atomic write replaces the file whole or not at all", "[config]")
{
	TempDir d;
	const std::string path = (d.path() / "sub" / "config.json").string();
	write_file_atomic(path, "first\n");
	CHECK(slurp(path) == "first\n");
	write_file_atomic(path, "second\n");
	CHECK(slurp(path) == "second\n");
	CHECK(std::distance(fs::directory_iterator(d.path() / "sub"),
			    fs::directory_iterator()) == 1);

	// A directory where the file should go: the rename fails, the
	// temporary file is removed and the directory is untouched.
	const std::string blocked = (d.path() / "blocked").string();
	fs::create_directories(fs::path(blocked) / "keep");
	CHECK_THROWS_WITH(write_file_atomic(blocked, "x"),
			  Catch::Contains("config " + blocked + ": cannot rename"));
	CHECK(fs::is_directory(fs::path(blocked) / "keep"));
	CHECK(std::distance(fs::directory_iterator(d.path()), fs::directory_iterator()) == 2);

	// A parent that is a file: nothing is written.
	CHECK_THROWS_AS(write_file_atomic(path + "/x.json", "x"), Error);
	CHECK(slurp(path) == "second\n");
}

TEST_CASE("config clear empties the target", "[config]")
{
	Fake f;
	f.populate();
	f.ok({"config", "clear"});
	auto t = f.tree();
	CHECK(Nvmet(*t).load().empty());
	f.ok({"config", "clear"});	// nothing to do is fine
}

// --- the nvmet_dda section -------------------------------------------------

namespace {

const std::string ivshmem = "0000:03:00.0";
const std::string ssd_cmb = "0000:02:00.0";

// The module with a CMB, a BAR provider and three rules.
void load_p2p(FakeP2pState &p)
{
	p.loaded = true;
	p.providers = {fake_provider(ivshmem, NVMET_DDA_PROVIDER_BAR, 32ull << 20, 2, 2ull << 20),
		       fake_provider(ssd_cmb, NVMET_DDA_PROVIDER_CMB, 64ull << 20)};
	p.rules = {{{sub1, 3, std::nullopt}, NVMET_DDA_MODE_REQUIRE, ivshmem, 4096, 1ull << 20},
		   {{"", 0, 10}, NVMET_DDA_MODE_PREFER, "auto", 0, 0},
		   {{sub1, 1, std::nullopt}, NVMET_DDA_MODE_PREFER, "cmb", 0, 0}};
}

const char *p2p_json = R"({
    "offload": [
      {
        "max_bytes": 0,
        "min_io": 0,
        "mode": "prefer",
        "portid": 10,
        "provider": "auto"
      },
      {
        "max_bytes": 0,
        "min_io": 0,
        "mode": "prefer",
        "nsid": 1,
        "provider": "cmb",
        "subsys": "nqn.2026-11.io.nvmet-dda:disk1"
      },
      {
        "max_bytes": 1048576,
        "min_io": 4096,
        "mode": "require",
        "nsid": 3,
        "provider": "0000:03:00.0",
        "subsys": "nqn.2026-11.io.nvmet-dda:disk1"
      }
    ],
    "providers": [
      {
        "address": "0000:03:00.0",
        "bar": 2,
        "offset": 2097152,
        "size": 33554432
      }
    ]
  })";

} // namespace

TEST_CASE("the nvmet_dda section: BAR providers and every rule, sorted", "[config][p2p]")
{
	FakeP2pState p;
	load_p2p(p);
	const P2pConfig c = p2p_config_of(p.providers, p.rules);
	REQUIRE(c.providers.size() == 1);	// the CMB belongs to nvme-pci
	CHECK(c.providers[0] == BarProvider{ivshmem, 2, 2ull << 20, 32ull << 20});
	REQUIRE(c.rules.size() == 3);
	CHECK(c.rules[0].target.port == 10u);	// ports first
	CHECK(c.rules[1].target.nsid == 1);
	CHECK(c.rules[2].target.nsid == 3);

	// Serialized inside the file, two-space indent, sorted keys.
	const std::string text = serialize(Target{}, json::object(), c);
	CHECK(text == "{\n  \"discovery\": {},\n  \"hosts\": [],\n  \"nvmet_dda\": " +
			      std::string(p2p_json) +
			      ",\n  \"ports\": [],\n  \"subsystems\": []\n}\n");

	// And parsed back to the same thing, not as an unknown section.
	const ConfigFile cfg = parse_config(text, "x");
	REQUIRE(cfg.p2p);
	CHECK(*cfg.p2p == c);
	CHECK(cfg.extra.empty());
	CHECK(cfg.warnings.empty());
	CHECK(serialize(cfg.target, cfg.extra, cfg.p2p) == text);

	// Numbers may be strings, as nvmetcli writes them; order does not matter.
	const ConfigFile loose = parse_config(R"({"nvmet_dda": {"offload": [
		{"subsys": "s", "nsid": "2", "mode": "off", "provider": "auto"},
		{"port": "1", "mode": "require", "provider": "03:00.0", "min_io": "512"}],
		"providers": [{"address": "03:00.0", "bar": "2", "offset": 0, "size": "4194304"}]}})",
					      "y");
	REQUIRE(loose.p2p);
	CHECK(loose.p2p->providers[0] == BarProvider{ivshmem, 2, 0, 4ull << 20});
	CHECK(loose.p2p->rules[0].target.port == 1u);
	CHECK(loose.p2p->rules[0].provider == ivshmem);
	CHECK(loose.p2p->rules[0].min_io == 512);
	CHECK(loose.p2p->rules[1].target.subsys == "s");
	CHECK(loose.p2p->rules[1].provider == "auto");
	CHECK(loose.p2p->rules[1].max_bytes == 0);

	// An empty section is kept as one.
	const ConfigFile empty = parse_config(R"({"nvmet_dda": {}})", "z");
	REQUIRE(empty.p2p);
	CHECK(empty.p2p->empty());
	CHECK(describe(c.rules[2]) == "set offload rule of namespace " + sub1 +
					      " 3: mode require provider 0000:03:00.0 "
					      "min-io 4096 max-bytes 1048576");
	CHECK(describe(c.providers[0]) ==
	      "add provider 0000:03:00.0 bar 2 offset 2MiB size 32MiB");
}

TEST_CASE("bad nvmet_dda sections are refused before anything is applied", "[config][p2p]")
{
	const auto bad = [](const std::string &section, const std::string &msg) {
		INFO(section);
		CHECK_THROWS_WITH(parse_config(R"({"nvmet_dda": )" + section + "}", "f"),
				  Catch::StartsWith("config f: nvmet_dda") && Catch::Contains(msg));
	};
	bad("[]", "must be an object");
	bad(R"({"providers": {}})", "must be a list");
	bad(R"({"providers": [{"bar": 2, "offset": 0, "size": 2097152}]})", "has no \"address\"");
	bad(R"({"providers": [{"address": "zz", "bar": 2, "offset": 0, "size": 2097152}]})",
	    "PCI address");
	bad(R"({"providers": [{"address": "03:00.0", "offset": 0, "size": 2097152}]})",
	    "has no \"bar\"");
	bad(R"({"providers": [{"address": "03:00.0", "bar": 6, "offset": 0, "size": 2097152}]})",
	    "from 0 to 5");
	bad(R"({"providers": [{"address": "03:00.0", "bar": 2, "offset": 4096, "size": 2097152}]})",
	    "multiples of 2MiB");
	bad(R"({"providers": [{"address": "03:00.0", "bar": 2, "offset": 0, "size": 2097152},
		{"address": "0000:03:00.0", "bar": 2, "offset": 0, "size": 2097152}]})",
	    "listed twice");
	bad(R"({"offload": [{"mode": "prefer", "provider": "auto"}]})", "has no \"subsys\"");
	bad(R"({"offload": [{"subsys": "s", "mode": "prefer", "provider": "auto"}]})",
	    "has no \"nsid\"");
	bad(R"({"offload": [{"port": 1, "nsid": 1, "mode": "prefer", "provider": "auto"}]})",
	    "either portid or subsys");
	bad(R"({"offload": [{"port": 70000, "mode": "prefer", "provider": "auto"}]})",
	    "from 0 to 65535");
	bad(R"({"offload": [{"port": 1, "mode": "always", "provider": "auto"}]})", "always");
	bad(R"({"offload": [{"port": 1, "mode": "off", "provider": "nic"}]})", "nic");
	bad(R"({"offload": [{"port": 1, "mode": "off"}]})", "has no \"provider\"");
	bad(R"({"offload": [{"port": 1, "mode": "off", "provider": "auto", "min_io": 4294967296}]})",
	    "less than 4GiB");
	bad(R"({"offload": [{"port": 1, "mode": "off", "provider": "auto"},
		{"port": 1, "mode": "prefer", "provider": "auto"}]})", "listed twice");

	const ConfigFile cfg = parse_config(
		R"({"nvmet_dda": {"offload": [], "providers": [], "pools": 1}})", "f");
	REQUIRE(cfg.warnings.size() == 1);
	CHECK_THAT(cfg.warnings[0], Catch::Contains("ignoring \"pools\""));
}

TEST_CASE("save has the nvmet_dda section exactly when the module is loaded", "[config][p2p]")
{
	Fake f;
	f.populate();
	const std::string without = f.ok({"config", "save", "-"});
	CHECK_FALSE(json::parse(without).contains("nvmet_dda"));

	load_p2p(*f.p2p);
	const std::string with = f.ok({"config", "save", "-"});
	CHECK(json::parse(with)["nvmet_dda"] == json::parse(p2p_json));
	// To a file: the same bytes, whatever the file it replaces held.
	f.ok({"config", "save", f.file});
	CHECK(slurp(f.file) == with);
	f.p2p->rules.clear();
	f.ok({"config", "save", f.file});
	CHECK(json::parse(slurp(f.file))["nvmet_dda"]["offload"] == json::array());
	CHECK(slurp(f.file) == f.ok({"config", "save", "-"}));

	// Module unloaded: the section goes, not kept from the old file.
	f.p2p->loaded = false;
	f.ok({"config", "save", f.file});
	CHECK(slurp(f.file) == without);
}

TEST_CASE("save, clear, restore, save with providers and rules: same bytes", "[config][p2p]")
{
	Fake f;
	f.populate();
	load_p2p(*f.p2p);
	f.ok({"config", "save", f.file});
	const std::string first = slurp(f.file);

	f.ok({"config", "clear"});
	CHECK(f.p2p->rules.empty());
	REQUIRE(f.p2p->providers.size() == 1);	// the CMB stays
	CHECK(f.p2p->providers[0].address == ssd_cmb);
	CHECK(json::parse(f.ok({"config", "save", "-"}))["nvmet_dda"] ==
	      json::parse(R"({"offload": [], "providers": []})"));

	f.p2p->calls.clear();
	const Run r = f.run({"config", "restore", f.file});
	INFO(r.err);
	REQUIRE(r.code == 0);
	CHECK(r.err.empty());
	// Providers before rules, after every configfs change.
	CHECK(f.p2p->calls == std::vector<std::string>{
				      "add " + ivshmem, "set port 10",
				      "set namespace " + sub1 + " 1",
				      "set namespace " + sub1 + " 3"});
	f.ok({"config", "save", f.file});
	CHECK(slurp(f.file) == first);

	// restore --clear over itself: rules and providers replaced.
	f.ok({"config", "restore", "--clear", f.file});
	f.ok({"config", "save", f.file});
	CHECK(slurp(f.file) == first);
}

TEST_CASE("restore skips an identical provider and refuses live rules", "[config][p2p]")
{
	Fake f;
	f.populate();
	load_p2p(*f.p2p);
	f.ok({"config", "save", f.file});
	f.ok({"config", "clear"});
	// The provider is still there (say, published again after a reboot).
	f.p2p->providers.push_back(
		fake_provider(ivshmem, NVMET_DDA_PROVIDER_BAR, 32ull << 20, 2, 2ull << 20));
	Run r = f.run({"config", "restore", f.file});
	CHECK(r.code == 0);
	CHECK(r.err == "Warning: config " + f.file + ": skipped 'add provider 0000:03:00.0 "
		       "bar 2 offset 2MiB size 32MiB': an identical provider already exists.\n");
	CHECK(f.p2p->rules.size() == 3);

	// Rules count as configuration.
	f.ok({"config", "clear"});
	f.p2p->rules = {{{"", 0, 4}, NVMET_DDA_MODE_PREFER, "auto", 0, 0}};
	r = f.run({"config", "restore", f.file});
	CHECK(r.code == 4);
	CHECK_THAT(r.err, Catch::Contains("(0 port(s), 0 subsystem(s), 0 host(s), 1 offload "
					  "rule(s)); use --clear"));
}

TEST_CASE("a failed P2P step is taken back like a configfs one", "[config][p2p]")
{
	Fake f;
	f.populate();
	load_p2p(*f.p2p);
	f.ok({"config", "save", f.file});
	f.ok({"config", "clear"});

	// A different region on the same function.
	f.p2p->providers.push_back(fake_provider(ivshmem, NVMET_DDA_PROVIDER_BAR, 8ull << 20, 2, 0));
	Run r = f.run({"config", "restore", f.file});
	INFO(r.err);
	CHECK(r.code == 5);
	CHECK_THAT(r.err, Catch::StartsWith("Restore of " + f.file + " failed at change 44 of "
					    "47: add provider 0000:03:00.0 bar 2 offset 2MiB "
					    "size 32MiB.\nThe 43 change(s) before it were taken "
					    "back.\n"));
	CHECK_THAT(r.err, Catch::EndsWith(
				  "Error: config " + f.file + ": add provider 0000:03:00.0 bar 2 "
				  "offset 2MiB size 32MiB: provider 0000:03:00.0 already exists "
				  "with another region or kind; delete it ('ddactl provider del "
				  "0000:03:00.0'); nothing of the file is applied; fix the file, "
				  "then run 'ddactl config restore " + f.file + "'.\n"));
	CHECK(f.tree()->dirs("subsystems").empty());
	CHECK(f.p2p->rules.empty());

	// The kernel refusing a rule: its errno sets the exit code, and the
	// rules and providers set before it are taken back.
	f.p2p->providers.pop_back();
	f.p2p->fail["set namespace " + sub1 + " 3"] = ENODEV;
	r = f.run({"config", "restore", f.file});
	CHECK(r.code == 3);
	CHECK_THAT(r.err, Catch::Contains("failed at change 47 of 47: set offload rule of "
					  "namespace " + sub1 + " 3: mode require provider "
					  "0000:03:00.0 min-io 4096 max-bytes 1048576.\n"));
	CHECK_THAT(r.err, Catch::Contains(": offload rule of namespace " + sub1 + " 3: "
					  "injected failure (No such device)"));
	CHECK(f.p2p->rules.empty());
	REQUIRE(f.p2p->providers.size() == 1);
	CHECK(f.p2p->providers[0].address == ssd_cmb);
	CHECK(f.tree()->dirs("subsystems").empty());
}

TEST_CASE("restore of a section without the module stops before configfs", "[config][p2p]")
{
	Fake f;
	f.populate();
	load_p2p(*f.p2p);
	f.ok({"config", "save", f.file});
	f.ok({"config", "clear"});
	f.p2p->loaded = false;
	const Run r = f.run({"config", "restore", f.file});
	CHECK(r.code == 1);
	CHECK(r.err == "Error: config " + f.file + ": section \"nvmet_dda\" has 1 provider(s) "
		       "and 3 offload rule(s), but nvmet-dda is not loaded; load it (modprobe "
		       "nvmet-dda) and restore again.\n");
	CHECK(f.tree()->dirs("subsystems").empty());

	// An empty section needs no module.
	json j = json::parse(slurp(f.file));
	j["nvmet_dda"] = json::parse(R"({"offload": [], "providers": []})");
	std::ofstream(f.file) << j.dump(2) << "\n";
	f.ok({"config", "restore", f.file});
	CHECK(f.tree()->dirs("subsystems") == std::vector<std::string>{sub1});
}

// --- nvmetcli's own files --------------------------------------------------

namespace {

// Every member and element of @want is in @got with the same value:
// nothing nvmetcli wrote is lost in ddactl's save.
void check_subset(const json &want, const json &got, const std::string &where)
{
	INFO(where);
	if (want.is_object()) {
		REQUIRE(got.is_object());
		for (const auto &[k, v] : want.items()) {
			INFO("key " << k);
			REQUIRE(got.contains(k));
			check_subset(v, got[k], where + "." + k);
		}
	} else if (want.is_array()) {
		REQUIRE(got.is_array());
		REQUIRE(got.size() == want.size());
		for (std::size_t i = 0; i < want.size(); i++)
			check_subset(want[i], got[i], where + "[" + std::to_string(i) + "]");
	} else {
		CHECK(got == want);
	}
}

std::string nvmetcli_file(const std::string &name)
{
	return slurp(DDACTL_SRC_DIR "/../../tests/data/nvmetcli/" + name);
}

} // namespace

TEST_CASE("nvmetcli's example configs restore and save back with nothing lost",
	  "[config][nvmetcli]")
{
	// name, file length as stored, the warnings a restore on the fake 6.1
	// kernel (no PI) gives, and what that kernel lacks and skips.
	struct Example {
		const char *file;
		std::size_t size;
		std::vector<std::string> names;		// outside the NVMe convention
		std::vector<std::string> skipped;	// attributes at their default
	};
	for (const Example &e : std::vector<Example>{
		     {"loop.json", 731, {"host hostnqn", "subsystem testnqn"}, {}},
		     {"rdma.json", 726, {"host hostnqn", "subsystem testnqn"}, {}},
		     {"fc.json", 753, {"host hostnqn", "subsystem testnqn"}, {}},
		     {"tcp.json", 1195, {"subsystem nvmet-always"},
		      {"set subsystem nvmet-always attr_pi_enable = '0'",
		       "set port 1 param_pi_enable = '0'"}},
	     }) {
		INFO(e.file);
		Fake f;
		const std::string original = nvmetcli_file(e.file);
		REQUIRE(original.size() == e.size);	// byte for byte as copied
		const std::string text = std::regex_replace(original, std::regex("/dev/nvme0n1"),
							    f.disk);
		const std::string path = (f.dir.path() / e.file).string();
		std::ofstream(path) << text;

		const Run r = f.run({"config", "restore", path});
		INFO(r.err);
		REQUIRE(r.code == 0);
		std::string want_err;
		for (const auto &n : e.names)
			want_err += "Warning: config " + path + ": " + n + ": not an NQN in the "
				    "NVMe convention (nqn.yyyy-mm.<reverse domain>:<name> or "
				    "nqn.2014-08.org.nvmexpress:uuid:<uuid>); the kernel "
				    "accepts it, but hosts and other tools may not.\n";
		for (const auto &s : e.skipped)
			want_err += "Warning: config " + path + ": skipped '" + s + "': this "
				    "kernel has no such attribute, and '0' is its default.\n";
		CHECK(r.err == want_err);

		json want = json::parse(text);
		// What this kernel skipped as defaults is the only thing missing.
		if (std::string(e.file) == "tcp.json") {
			want["ports"][0]["param"].erase("pi_enable");
			want["subsystems"][0]["attr"].erase("pi_enable");
		}
		const json saved = json::parse(f.ok({"config", "save", "-"}));
		check_subset(want, saved, e.file);

		// And ddactl's save restores to the same save.
		f.ok({"config", "save", f.file});
		f.ok({"config", "restore", "--clear", f.file});
		CHECK(f.ok({"config", "save", "-"}) == slurp(f.file));
	}
}

TEST_CASE("what the kernel lacks is refused, with nothing applied", "[config][nvmetcli]")
{
	Fake f;
	const std::string key = "DHHC-1:00:ia6zGodOr8SEe6tjbYOxg7amTg8dsIoiYgXzF5jVvUWzSaVD:";
	const std::string path = (f.dir.path() / "needs.json").string();
	const auto restore = [&](const json &j) {
		std::ofstream(path) << j.dump(2);
		return f.run({"config", "restore", path});
	};
	json j = json::parse(R"J({"hosts": [{"nqn": "nqn.2026-11.io.example:h",
		"dhchap": {"key": ")J" + key + R"J(", "hash": "hmac(sha384)",
		"dhgroup": "ffdhe2048", "ctrl_key": ""}}],
		"subsystems": [{"nqn": "nqn.2026-11.io.example:s",
		"allowed_hosts": ["nqn.2026-11.io.example:h"]}]})J");

	// With DH-HMAC-CHAP: the keys are the kernel's.
	Run r = restore(j);
	INFO(r.err);
	REQUIRE(r.code == 0);
	auto t = f.tree();
	CHECK(t->read("hosts/nqn.2026-11.io.example:h/dhchap_key") == key);
	CHECK(t->read("hosts/nqn.2026-11.io.example:h/dhchap_hash") == "hmac(sha384)");
	CHECK(t->read("hosts/nqn.2026-11.io.example:h/dhchap_dhgroup") == "ffdhe2048");
	CHECK(json::parse(f.ok({"config", "save", "-"}))["hosts"][0]["dhchap"] ==
	      j["hosts"][0]["dhchap"]);
	// host show tells there is a key, never what it is.
	const std::string shown = f.ok({"host", "show"});
	CHECK_THAT(shown, Catch::Contains(" key yes ctrl_key no hash hmac(sha384)"));
	CHECK(shown.find("DHHC") == std::string::npos);
	f.ok({"config", "clear"});

	// Without: refused, and what came before the key is taken back.
	f.st->auth = false;
	r = restore(j);
	CHECK(r.code == 1);
	CHECK_THAT(r.err, Catch::Contains("host nqn.2026-11.io.example:h: this kernel has no "
					  "attribute dhchap_dhgroup"));
	CHECK(f.ok({"config", "save", "-"}) == empty_save);
	// A host without keys (nvmetcli writes the defaults) needs no support.
	j["hosts"][0]["dhchap"] = default_dhchap;
	r = restore(j);
	CHECK(r.code == 0);
	f.ok({"config", "clear"});

	// Passthru.
	f.st->passthru = false;
	json pt = json::parse(R"J({"subsystems": [{"nqn": "nqn.2026-11.io.example:pt",
		"passthru": [{"device": {"path": "/dev/nvme1"}, "clear_ids": 1,
		"admin_timeout": 0, "io_timeout": 0}], "passthru_enable": 0}]})J");
	r = restore(pt);
	CHECK(r.code == 1);
	CHECK_THAT(r.err, Catch::Contains("this kernel has no passthru subsystems"));
	CHECK(f.ok({"config", "save", "-"}) == empty_save);
	pt["subsystems"][0]["passthru"][0]["device"]["path"] = "(null)";
	CHECK(restore(pt).code == 0);	// an unset one asks for nothing
	f.ok({"config", "clear"});

	// The discovery NQN: checked before anything is created.
	json d = json::parse(R"J({"discovery": {"nqn": "nqn.2026-11.io.example:disc"},
		"hosts": [{"nqn": "nqn.2026-11.io.example:h2"}]})J");
	r = restore(d);
	CHECK(r.code == 1);
	CHECK_THAT(r.err, Catch::Contains("discovery.nqn is nqn.2026-11.io.example:disc, but "
					  "this kernel cannot change the discovery NQN"));
	CHECK(f.tree()->dirs("hosts").empty());
	d["discovery"]["nqn"] = discovery_nqn;
	CHECK(restore(d).code == 0);
}

TEST_CASE("a TCP port's treq survives its tsas (6.12)", "[config]")
{
	// 6.12's tsas store resets treq's secure-channel part: found by
	// ddactl-configfs on the 6.12 test kernel, where restore lost it.
	Fake f;
	f.st->v612 = true;
	f.tree();
	f.ok({"port", "add", "1", "trtype", "tcp", "traddr", "192.0.2.1", "treq",
	      "not required", "tsas", "none"});
	f.ok({"config", "save", f.file});
	const std::string saved = slurp(f.file);
	CHECK(json::parse(saved)["ports"][0]["addr"]["treq"] == "not required");
	f.ok({"config", "clear"});
	f.ok({"config", "restore", f.file});
	CHECK(f.tree()->read("ports/1/addr_treq") == "not required");
	f.ok({"config", "save", f.file});
	CHECK(slurp(f.file) == saved);
}

TEST_CASE("passthru, discovery, ANA and referrals round trip", "[config][nvmetcli]")
{
	Fake f;
	f.st->discovery = true;
	f.st->v612 = true;
	const std::string ctrl = (f.dir.path() / "nvme1").string();
	std::ofstream(ctrl) << "c";
	f.tree();
	f.ok({"discovery", "set", "nqn", "nqn.2026-11.io.example:discovery"});
	f.ok({"subsys", "add", "nqn.2026-11.io.example:pt", "firmware", "1.0", "ieee-oui",
	      "0x0a0b0c"});
	f.ok({"passthru", "set", "nqn.2026-11.io.example:pt", "path", ctrl, "clear-ids", "0",
	      "io-timeout", "30"});
	f.ok({"passthru", "enable", "nqn.2026-11.io.example:pt"});
	f.ok({"port", "add", "1", "trtype", "tcp", "traddr", "192.0.2.1", "tsas", "none",
	      "max-queue-size", "64"});
	f.ok({"ana", "add", "1", "2", "state", "inaccessible"});
	f.ok({"referral", "add", "1", "peer", "trtype", "tcp", "traddr", "192.0.2.2",
	      "portid", "7"});
	f.ok({"port", "link", "1", "nqn.2026-11.io.example:pt"});
	f.ok({"host", "add", "nqn.2026-11.io.example:h", "key",
	      "DHHC-1:00:ia6zGodOr8SEe6tjbYOxg7amTg8dsIoiYgXzF5jVvUWzSaVD:"});

	f.ok({"config", "save", f.file});
	const json j = json::parse(slurp(f.file));
	CHECK(j["discovery"] == json{{"nqn", "nqn.2026-11.io.example:discovery"}});
	CHECK(j["subsystems"][0]["passthru"] ==
	      json::parse(R"J([{"admin_timeout": 0, "clear_ids": 0, "device": {"path": ")J" +
			  ctrl + R"J("}, "io_timeout": 30}])J"));
	CHECK(j["subsystems"][0]["passthru_enable"] == 1);
	CHECK(j["subsystems"][0]["attr"]["ieee_oui"] == "0x0a0b0c");
	CHECK(j["ports"][0]["addr"]["tsas"] == "none");
	CHECK(j["ports"][0]["param"]["max_queue_size"] == "64");
	CHECK(j["ports"][0]["ana_groups"] ==
	      json::parse(R"J([{"ana": {"state": "optimized"}, "grpid": 1},
			       {"ana": {"state": "inaccessible"}, "grpid": 2}])J"));
	CHECK(j["ports"][0]["referrals"][0]["addr"]["portid"] == "7");
	CHECK(j["ports"][0]["referrals"][0]["enable"] == 1);

	// --dry-run over itself: nothing to change; after a clear: all of it.
	CHECK(f.ok({"config", "restore", "--clear", "--dry-run", f.file}) == "no changes\n");
	f.ok({"config", "clear"});
	CHECK(f.ok({"discovery", "-j"}) ==
	      R"J({"schema":2,"nqn":"nqn.2014-08.org.nvmexpress.discovery","changeable":true})J" "\n");
	const std::string plan = f.ok({"config", "restore", "--dry-run", f.file});
	CHECK_THAT(plan, Catch::Contains("+ subsystem nqn.2026-11.io.example:pt\n"));
	CHECK_THAT(plan, Catch::Contains("~ subsystem nqn.2026-11.io.example:pt passthru " + ctrl +
					 " (enabled)\n"));
	CHECK_THAT(plan, Catch::Contains("+ port 1 referral peer\n"));
	CHECK_THAT(plan, Catch::Contains("+ port 1 ANA group 2 inaccessible\n"));
	CHECK_THAT(plan, Catch::Contains("~ target discovery_nqn: "
					 "'nqn.2014-08.org.nvmexpress.discovery' -> "
					 "'nqn.2026-11.io.example:discovery'\n"));
	CHECK(f.ok({"config", "save", "-"}) == empty_save.substr(0, 0) + f.ok({"config", "save", "-"}));
	CHECK(f.tree()->dirs("subsystems").empty());	// a dry run changes nothing

	f.ok({"config", "restore", f.file});
	CHECK(f.ok({"config", "save", "-"}) == slurp(f.file));
}

// SPDX-License-Identifier: GPL-2.0-only
//
// The provider, offload, stats and monitor commands without a kernel: their
// arguments, sizes and PCI addresses, rates and output.
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include <catch2/catch.hpp>

#include <linux/nvmet_dda.h>

#include "app.hpp"
#include "commands.hpp"
#include "errors.hpp"
#include "nl_cli.hpp"
#include "validate.hpp"

using namespace ddactl;
using Catch::Matchers::Contains;

namespace {

struct Run {
	int code;
	std::string out, err;
};

Run run_with(std::initializer_list<const char *> args)
{
	std::vector<const char *> argv{"ddactl"};
	argv.insert(argv.end(), args);
	std::ostringstream out, err;
	const int code = run(static_cast<int>(argv.size()), argv.data(), out, err);
	return {code, out.str(), err.str()};
}

Provider sample_provider()
{
	Provider p;
	p.address = "0000:03:00.0";
	p.kind = NVMET_DDA_PROVIDER_BAR;
	p.bar = 2;
	p.offset = 0;
	p.size = 64ull << 20;
	p.available = 48ull << 20;
	p.driver = "nvmet_dda_bar";
	p.stats.values = {{NVMET_DDA_STAT_P2P_IOS, 10},
			  {NVMET_DDA_STAT_P2P_BYTES, 3ull << 20},
			  {NVMET_DDA_STAT_OUTSTANDING_BYTES, 0},
			  {NVMET_DDA_STAT_OUTSTANDING_HWM, 1ull << 20},
			  {NVMET_DDA_STAT_ALLOC_FAILED, 2}};
	return p;
}

NsStats sample_ns(uint64_t scale = 1)
{
	NsStats s;
	s.subsys = "nqn.2026-11.io.example:disk1";
	s.nsid = 1;
	s.stats.values = {{NVMET_DDA_STAT_P2P_IOS, 30 * scale},
			  {NVMET_DDA_STAT_P2P_BYTES, (3ull << 20) * scale},
			  {NVMET_DDA_STAT_HOST_IOS, 10 * scale},
			  {NVMET_DDA_STAT_HOST_BYTES, (1ull << 20) * scale},
			  {NVMET_DDA_STAT_FB_EXHAUSTED, 4 * scale},
			  {NVMET_DDA_STAT_FB_TOO_SMALL, 6 * scale},
			  {NVMET_DDA_STAT_OUTSTANDING_BYTES, 8192}};
	return s;
}

} // namespace

TEST_CASE("sizes accept bytes and binary units", "[p2p][validate]")
{
	CHECK(parse_size("size", "0") == 0);
	CHECK(parse_size("size", "4096") == 4096);
	CHECK(parse_size("size", "0x200000") == 2ull << 20);
	CHECK(parse_size("size", "2M") == 2ull << 20);
	CHECK(parse_size("size", "2m") == 2ull << 20);
	CHECK(parse_size("size", "64MiB") == 64ull << 20);
	CHECK(parse_size("size", "4k") == 4096);
	CHECK(parse_size("size", "1G") == 1ull << 30);
	CHECK(parse_size("size", "1TiB") == 1ull << 40);
	CHECK(parse_size("size", "512B") == 512);
	for (const char *bad : {"", "M", "2MB", "1.5G", "-1", "2 M", "0x", "12Q",
				"99999999999999999999999", "16777216T"})
		CHECK_THROWS_AS(parse_size("size", bad), UsageError);
	CHECK_THROWS_WITH(parse_size("offset", "2MB"),
			  "offset '2MB': give bytes or a number with a binary unit, "
			  "e.g. 4096, 2M, 64MiB or 1G");
}

TEST_CASE("PCI addresses are checked and normalised", "[p2p][validate]")
{
	CHECK(check_bdf("03:00.0") == "0000:03:00.0");
	CHECK(check_bdf("0000:03:00.0") == "0000:03:00.0");
	CHECK(check_bdf("0000:AF:1F.7") == "0000:af:1f.7");
	CHECK(check_bdf("1:03:00.0") == "0001:03:00.0");
	CHECK(check_bdf("10000:e1:00.1") == "10000:e1:00.1");
	for (const char *bad : {"", "3:00.0", "03:0.0", "03:00", "03:00.8", "03:20.0",
				"0000:03:00.0 ", "gg:00.0", "0000:03:00.0.1",
				"/sys/bus/pci/devices/0000:03:00.0"})
		CHECK_THROWS_AS(check_bdf(bad), UsageError);
	CHECK_THROWS_WITH(check_bdf("3:0.0"),
			  Contains("PCI address '3:0.0': give it as DDDD:BB:DD.F"));
	CHECK(check_policy_provider("auto") == "auto");
	CHECK(check_policy_provider("cmb") == "cmb");
	CHECK(check_policy_provider("03:00.0") == "0000:03:00.0");
	CHECK_THROWS_WITH(check_policy_provider("nvme0"),
			  Contains("provider 'nvme0': use auto, cmb or a PCI address"));
}

TEST_CASE("modes, BARs, intervals and counts", "[p2p][validate]")
{
	CHECK(parse_mode("off") == NVMET_DDA_MODE_OFF);
	CHECK(parse_mode("prefer") == NVMET_DDA_MODE_PREFER);
	CHECK(parse_mode("require") == NVMET_DDA_MODE_REQUIRE);
	CHECK_THROWS_WITH(parse_mode("on"), "mode 'on': use off, prefer or require");
	CHECK(parse_bar("0") == 0);
	CHECK(parse_bar("5") == 5);
	CHECK_THROWS_AS(parse_bar("6"), UsageError);
	CHECK_THROWS_AS(parse_bar("10"), UsageError);
	CHECK(parse_interval("1") == 1.0);
	CHECK(parse_interval("0.5") == 0.5);
	for (const char *bad : {"0", "-1", "abc", "3601", "1e3", ""})
		CHECK_THROWS_AS(parse_interval(bad), UsageError);
	CHECK(parse_count("3") == 3);
	CHECK_THROWS_AS(parse_count("0"), UsageError);
	CHECK_THROWS_AS(parse_count("x"), UsageError);
}

TEST_CASE("human sizes", "[p2p][output]")
{
	CHECK(human_size(0) == "0B");
	CHECK(human_size(512) == "512B");
	CHECK(human_size(1024) == "1KiB");
	CHECK(human_size(1536) == "1.5KiB");
	CHECK(human_size(64ull << 20) == "64MiB");
	CHECK(human_size((1ull << 30) + (1ull << 29)) == "1.5GiB");
	CHECK(human_size((1ull << 20) - 1) == "1MiB");
	CHECK(human_size(1ull << 40) == "1TiB");
	CHECK(human_size(UINT64_MAX) == "16EiB");
	CHECK(one_decimal(0) == "0");
	CHECK(one_decimal(75) == "75");
	CHECK(one_decimal(12.345) == "12.3");
}

TEST_CASE("provider add takes keywords", "[p2p][cli]")
{
	const ProviderAdd r = parse_provider_add(
		{"03:00.0", "bar", "2", "offset", "2M", "size", "64MiB"});
	CHECK(r.address == "0000:03:00.0");
	CHECK(r.bar == 2u);
	CHECK(r.offset == 2ull << 20);
	CHECK(r.size == 64ull << 20);

	const ProviderAdd bare = parse_provider_add({"0000:03:00.0"});
	CHECK_FALSE(bare.bar);
	CHECK_FALSE(bare.offset);
	CHECK_FALSE(bare.size);

	CHECK_THROWS_WITH(parse_provider_add({"03:00.0", "size", "3M"}),
			  "provider 0000:03:00.0: size 3M is not a multiple of 2MiB; "
			  "round it to one, e.g. 4MiB");
	CHECK_THROWS_WITH(parse_provider_add({"03:00.0", "bar"}),
			  Contains("'bar' needs a value"));
	CHECK_THROWS_WITH(parse_provider_add({"03:00.0", "len", "2M"}),
			  Contains("unknown argument 'len'"));
	CHECK_THROWS_WITH(parse_provider_add({"03:00.0", "bar", "1", "bar", "2"}),
			  Contains("'bar' is given twice"));
	CHECK_THROWS_AS(parse_provider_add({"03:00.0", "size", "0"}), UsageError);
	CHECK_THROWS_AS(parse_provider_add({}), UsageError);
}

TEST_CASE("offload set takes a target and keywords", "[p2p][cli]")
{
	OffloadSet r = parse_offload_set({"nqn.2026-11.io.example:disk1", "1", "mode",
					  "require", "provider", "03:00.0", "min-io",
					  "4K", "max-bytes", "1G"});
	CHECK(r.target == PolicyTarget{"nqn.2026-11.io.example:disk1", 1, {}});
	CHECK(r.settings == PolicySettings{NVMET_DDA_MODE_REQUIRE, "0000:03:00.0",
					   4096, 1ull << 30});

	r = parse_offload_set({"port", "7", "mode", "prefer"});
	CHECK(r.target == PolicyTarget{"", 0, 7});
	CHECK(r.settings == PolicySettings{NVMET_DDA_MODE_PREFER, {}, {}, {}});

	CHECK_THROWS_WITH(parse_offload_set({"port", "7"}),
			  "offload rule of port 7: nothing to set; give mode, "
			  "provider, min-io or max-bytes");
	CHECK_THROWS_AS(parse_offload_set({"nqn.x"}), UsageError);
	CHECK_THROWS_AS(parse_offload_set({"nqn.x", "0", "mode", "off"}), UsageError);
	CHECK_THROWS_AS(parse_offload_set({"port", "70000", "mode", "off"}), UsageError);
	CHECK_THROWS_AS(parse_offload_set({"nqn.x", "1", "mode", "fast"}), UsageError);
	CHECK_THROWS_AS(parse_offload_set({"nqn.x", "1", "provider", "nvme0"}),
			UsageError);
	CHECK_THROWS_WITH(parse_offload_set({"nqn.x", "1", "min-io", "4G"}),
			  Contains("min-io 4G is too large"));
	CHECK_THROWS_WITH(parse_offload_set({"nqn.x", "1", "mode"}),
			  Contains("'mode' needs a value"));
}

TEST_CASE("bad arguments of the netlink commands are usage errors", "[p2p][cli]")
{
	for (auto args : {std::initializer_list<const char *>{"provider", "show", "3:0.0"},
			  {"provider", "add"},
			  {"provider", "add", "03:00.0", "size", "1M"},
			  {"provider", "del"},
			  {"provider", "show", "03:00.0", "extra"},
			  {"offload", "set", "nqn.x", "1"},
			  {"offload", "set", "port", "1", "mode", "maybe"},
			  {"offload", "del"},
			  {"offload", "del", "port"},
			  {"offload", "show", "a", "b", "c"},
			  {"stats", "-w", "0"},
			  {"stats", "show", "nqn.x", "0"},
			  {"stats", "-w"},
			  {"monitor", "-c", "0"},
			  {"monitor", "extra"},
			  {"provider", "bogus"}}) {
		INFO(*args.begin() << " " << (args.size() > 1 ? args.begin()[1] : ""));
		const Run r = run_with(args);
		CHECK(r.code == 2);
		CHECK(r.out.empty());
		CHECK(r.err.rfind("Error: ", 0) == 0);
		CHECK_THAT(r.err, Catch::Matchers::EndsWith(".\n"));
	}
}

TEST_CASE("the netlink commands parse with global options anywhere", "[p2p][cli]")
{
	for (auto args : {std::initializer_list<const char *>{"provider"},
			  {"-j", "provider", "show", "03:00.0"},
			  {"offload", "show", "port", "1", "-j"},
			  {"stats", "-w", "1"},
			  {"stats", "show", "nqn.x", "-w", "0.5", "-p"},
			  {"monitor", "-c", "2", "-j"}}) {
		std::ostringstream out, err;
		Globals g(out, err);
		auto app = build_app(g);
		std::vector<const char *> argv{"ddactl"};
		argv.insert(argv.end(), args);
		CHECK_NOTHROW(app->parse(static_cast<int>(argv.size()), argv.data()));
		CHECK(g.action);
	}
}

TEST_CASE("kernel errors are explained per object", "[p2p][errors]")
{
	const KernelError perm("provider add", EPERM, "");
	const KernelError e = explain(perm, "provider 0000:03:00.0");
	CHECK(std::string(e.what()) ==
	      "provider 0000:03:00.0: permission denied; run as root (CAP_NET_ADMIN)");
	CHECK(e.error() == EPERM);

	const KernelError busy = explain(KernelError("x", EBUSY, "buffers outstanding"),
					 "provider 0000:03:00.0",
					 {{EBUSY, "stop the I/O first"}});
	CHECK(std::string(busy.what()) ==
	      "provider 0000:03:00.0: buffers outstanding (Device or resource busy); "
	      "stop the I/O first");
	CHECK(busy.extack() == "buffers outstanding");

	const KernelError nodev = explain(KernelError("x", ENODEV, ""), "provider 0000:04:00.0");
	CHECK_THAT(nodev.what(), Contains("provider 0000:04:00.0: No such device; check"));

	const KernelError inval = explain(KernelError("x", EINVAL, "bad"), "o");
	CHECK(std::string(inval.what()) == "o: bad (Invalid argument)");

	std::ostringstream err;
	CHECK(report_error(std::make_exception_ptr(nodev), err) == 3);
	CHECK(report_error(std::make_exception_ptr(busy), err) == 4);
	CHECK(report_error(std::make_exception_ptr(e), err) == 5);
	CHECK(report_error(std::make_exception_ptr(
			explain(KernelError("x", ENOENT, ""), "offload rule of port 1")),
			   err) == 3);
}

TEST_CASE("P2P share and pool use", "[p2p][stats]")
{
	CHECK(p2p_percent(sample_ns().stats) == Approx(75.0));
	Counters none;
	none.values = {{NVMET_DDA_STAT_P2P_BYTES, 0}, {NVMET_DDA_STAT_HOST_BYTES, 0}};
	CHECK_FALSE(p2p_percent(none));
	CHECK_FALSE(p2p_percent(Counters{}));
	CHECK(used_percent(sample_provider()) == Approx(25.0));
	Provider empty;
	CHECK_FALSE(used_percent(empty));
}

TEST_CASE("rates between two samples", "[p2p][stats]")
{
	Sample before{{sample_ns(1)}, {sample_provider()}};
	Provider p2 = sample_provider();
	p2.stats.values[NVMET_DDA_STAT_P2P_IOS] = 30;
	p2.stats.values[NVMET_DDA_STAT_OUTSTANDING_BYTES] = 4096;
	NsStats fresh = sample_ns(1);
	fresh.nsid = 2;
	Sample after{{sample_ns(3), fresh}, {p2}};

	const Rates r = compute_rates(before, after, 2.0);
	CHECK(r.seconds == 2.0);
	REQUIRE(r.namespaces.size() == 2);
	const RateRow &ns = r.namespaces[0];
	CHECK(ns.subsys == "nqn.2026-11.io.example:disk1");
	CHECK(ns.per_sec.at(NVMET_DDA_STAT_P2P_IOS) == Approx(30.0));
	CHECK(ns.per_sec.at(NVMET_DDA_STAT_P2P_BYTES) == Approx(3.0 * (1 << 20)));
	CHECK(ns.per_sec.at(NVMET_DDA_STAT_HOST_IOS) == Approx(10.0));
	CHECK(ns.per_sec.count(NVMET_DDA_STAT_OUTSTANDING_BYTES) == 0);
	CHECK(ns.gauges.get(NVMET_DDA_STAT_OUTSTANDING_BYTES) == 8192u);
	CHECK(ns.p2p_percent == Approx(75.0));
	// Appeared in between: counts from zero.
	CHECK(r.namespaces[1].nsid == 2);
	CHECK(r.namespaces[1].per_sec.at(NVMET_DDA_STAT_P2P_IOS) == Approx(15.0));

	REQUIRE(r.providers.size() == 1);
	CHECK(r.providers[0].provider == "0000:03:00.0");
	CHECK(r.providers[0].per_sec.at(NVMET_DDA_STAT_P2P_IOS) == Approx(10.0));
	CHECK(r.providers[0].gauges.get(NVMET_DDA_STAT_OUTSTANDING_BYTES) == 4096u);

	// A counter that went down (module reloaded) counts from zero.
	const Rates reset = compute_rates(after, before, 1.0);
	CHECK(reset.namespaces[0].per_sec.at(NVMET_DDA_STAT_P2P_IOS) == Approx(30.0));
	CHECK(reset.namespaces.size() == 1);
}

TEST_CASE("provider show output", "[p2p][output]")
{
	std::ostringstream text, json;
	print_providers(text, Format::text, {sample_provider()});
	print_providers(json, Format::json, {sample_provider()});
	CHECK(text.str() == "provider 0000:03:00.0 kind bar driver nvmet_dda_bar bar 2 "
			    "offset 0B size 64MiB available 48MiB used 25% p2p_ios 10 "
			    "p2p_bytes 3MiB outstanding_bytes 0B outstanding_hwm 1MiB "
			    "alloc_failed 2\n");
	CHECK(json.str() == R"([{"provider":"0000:03:00.0","kind":"bar","driver":"nvmet_dda_bar",)"
			    R"("bar":2,"offset":0,"size":67108864,"available":50331648,)"
			    R"("used_percent":25.0,"p2p_ios":10,"p2p_bytes":3145728,)"
			    R"("outstanding_bytes":0,"outstanding_hwm":1048576,"alloc_failed":2}])"
			    "\n");
}

TEST_CASE("offload show output", "[p2p][output]")
{
	const std::vector<PolicyRule> rules{
		{{"nqn.x", 1, {}}, NVMET_DDA_MODE_REQUIRE, "0000:03:00.0", 4096, 0},
		{{"", 0, 2}, NVMET_DDA_MODE_PREFER, "auto", 0, 1ull << 30}};
	std::ostringstream text, json;
	print_policies(text, Format::text, rules);
	print_policies(json, Format::json, rules);
	CHECK(text.str() == "offload subsys nqn.x nsid 1 mode require provider 0000:03:00.0 "
			    "min-io 4KiB max-bytes 0B\n"
			    "offload port 2 mode prefer provider auto min-io 0B max-bytes 1GiB\n");
	CHECK(json.str() == R"([{"subsys":"nqn.x","nsid":1,"mode":"require",)"
			    R"("provider":"0000:03:00.0","min_io":4096,"max_bytes":0},)"
			    R"({"portid":2,"mode":"prefer","provider":"auto","min_io":0,)"
			    R"("max_bytes":1073741824}])"
			    "\n");
}

TEST_CASE("stats output", "[p2p][output]")
{
	const Sample s{{sample_ns()}, {sample_provider()}};
	std::ostringstream text, json;
	print_stats(text, Format::text, s);
	print_stats(json, Format::json, s);
	CHECK(text.str() == "ns nqn.2026-11.io.example:disk1 nsid 1 p2p_ios 30 p2p_bytes 3MiB "
			    "host_ios 10 host_bytes 1MiB p2p 75% fb_exhausted 4 "
			    "fb_too_small 6 outstanding_bytes 8KiB\n"
			    "provider 0000:03:00.0 p2p_ios 10 p2p_bytes 3MiB "
			    "outstanding_bytes 0B outstanding_hwm 1MiB alloc_failed 2\n");
	CHECK(json.str() == R"({"schema":2,"namespaces":[{"subsys":"nqn.2026-11.io.example:disk1","nsid":1,)"
			    R"("p2p_ios":30,"p2p_bytes":3145728,"host_ios":10,"host_bytes":1048576,)"
			    R"("p2p_percent":75.0,"fb_exhausted":4,"fb_too_small":6,)"
			    R"("outstanding_bytes":8192}],"providers":[{"provider":"0000:03:00.0",)"
			    R"("p2p_ios":10,"p2p_bytes":3145728,"outstanding_bytes":0,)"
			    R"("outstanding_hwm":1048576,"alloc_failed":2}]})"
			    "\n");

	std::ostringstream empty;
	print_stats(empty, Format::json, Sample{});
	CHECK(empty.str() == R"({"schema":2,"namespaces":[],"providers":[]})" "\n");
}

TEST_CASE("rates output", "[p2p][output]")
{
	const Rates r = compute_rates(Sample{{sample_ns(1)}, {}},
				      Sample{{sample_ns(3)}, {}}, 2.0);
	std::ostringstream text, json;
	print_rates(text, Format::text, r);
	print_rates(json, Format::json, r);
	CHECK(text.str() == "ns nqn.2026-11.io.example:disk1 nsid 1 p2p_ios/s 30 p2p_MiB/s 3 "
			    "host_ios/s 10 host_MiB/s 1 p2p 75% fallbacks/s 10 "
			    "outstanding_bytes 8KiB\n");
	CHECK(json.str() == R"({"schema":2,"interval":2.0,"namespaces":[{"subsys":"nqn.2026-11.io.example:disk1",)"
			    R"("nsid":1,"p2p_ios_per_sec":30.0,"p2p_bytes_per_sec":3145728.0,)"
			    R"("host_ios_per_sec":10.0,"host_bytes_per_sec":1048576.0,)"
			    R"("fb_exhausted_per_sec":4.0,"fb_too_small_per_sec":6.0,)"
			    R"("p2p_percent":75.0,"outstanding_bytes":8192}],"providers":[]})"
			    "\n");
}

TEST_CASE("monitor prints one line per event", "[p2p][output]")
{
	const PoolDryEvent e{"0000:03:00.0", "nqn.x", 1, 65536, 131072};
	std::ostringstream text, json;
	print_event(text, Format::text, e);
	print_event(json, Format::json, e);
	CHECK(text.str() == "event pool_dry provider 0000:03:00.0 subsys nqn.x nsid 1 "
			    "available 64KiB io_bytes 128KiB\n");
	CHECK(json.str() == R"({"schema":2,"event":"pool_dry","provider":"0000:03:00.0","subsys":"nqn.x",)"
			    R"("nsid":1,"available":65536,"io_bytes":131072})"
			    "\n");
}

TEST_CASE("stats in Prometheus' text exposition format", "[p2p][output][prometheus]")
{
	NsStats odd = sample_ns();
	odd.subsys = "nqn.x:\"quoted\"\\back";
	const Sample s{{sample_ns(), odd}, {sample_provider()}};
	std::ostringstream out;
	print_prometheus(out, s);
	const std::string ns1 = R"({subsys="nqn.2026-11.io.example:disk1",nsid="1"})";
	const std::string ns2 = R"({subsys="nqn.x:\"quoted\"\\back",nsid="1"})";
	const std::string prov = R"({provider="0000:03:00.0",kind="bar"})";
	CHECK(out.str() ==
	      "# HELP nvmet_dda_namespace_fb_exhausted_total Host-memory fallbacks: the pool was empty.\n"
	      "# TYPE nvmet_dda_namespace_fb_exhausted_total counter\n"
	      "nvmet_dda_namespace_fb_exhausted_total" + ns1 + " 4\n"
	      "nvmet_dda_namespace_fb_exhausted_total" + ns2 + " 4\n"
	      "# HELP nvmet_dda_namespace_fb_too_small_total Host-memory fallbacks: below min-io.\n"
	      "# TYPE nvmet_dda_namespace_fb_too_small_total counter\n"
	      "nvmet_dda_namespace_fb_too_small_total" + ns1 + " 6\n"
	      "nvmet_dda_namespace_fb_too_small_total" + ns2 + " 6\n"
	      "# HELP nvmet_dda_namespace_host_bytes_total Bytes of data commands staged in host memory.\n"
	      "# TYPE nvmet_dda_namespace_host_bytes_total counter\n"
	      "nvmet_dda_namespace_host_bytes_total" + ns1 + " 1048576\n"
	      "nvmet_dda_namespace_host_bytes_total" + ns2 + " 1048576\n"
	      "# HELP nvmet_dda_namespace_host_ios_total Data commands whose buffer was in host memory.\n"
	      "# TYPE nvmet_dda_namespace_host_ios_total counter\n"
	      "nvmet_dda_namespace_host_ios_total" + ns1 + " 10\n"
	      "nvmet_dda_namespace_host_ios_total" + ns2 + " 10\n"
	      "# HELP nvmet_dda_namespace_outstanding_bytes P2P bytes held now.\n"
	      "# TYPE nvmet_dda_namespace_outstanding_bytes gauge\n"
	      "nvmet_dda_namespace_outstanding_bytes" + ns1 + " 8192\n"
	      "nvmet_dda_namespace_outstanding_bytes" + ns2 + " 8192\n"
	      "# HELP nvmet_dda_namespace_p2p_bytes_total Bytes of data commands staged in P2P memory.\n"
	      "# TYPE nvmet_dda_namespace_p2p_bytes_total counter\n"
	      "nvmet_dda_namespace_p2p_bytes_total" + ns1 + " 3145728\n"
	      "nvmet_dda_namespace_p2p_bytes_total" + ns2 + " 3145728\n"
	      "# HELP nvmet_dda_namespace_p2p_ios_total Data commands whose buffer was in P2P memory.\n"
	      "# TYPE nvmet_dda_namespace_p2p_ios_total counter\n"
	      "nvmet_dda_namespace_p2p_ios_total" + ns1 + " 30\n"
	      "nvmet_dda_namespace_p2p_ios_total" + ns2 + " 30\n"
	      "# HELP nvmet_dda_provider_alloc_failed_total Allocations the pool could not satisfy.\n"
	      "# TYPE nvmet_dda_provider_alloc_failed_total counter\n"
	      "nvmet_dda_provider_alloc_failed_total" + prov + " 2\n"
	      "# HELP nvmet_dda_provider_available_bytes Bytes free in the provider's pool now.\n"
	      "# TYPE nvmet_dda_provider_available_bytes gauge\n"
	      "nvmet_dda_provider_available_bytes" + prov + " 50331648\n"
	      "# HELP nvmet_dda_provider_outstanding_bytes P2P bytes held now.\n"
	      "# TYPE nvmet_dda_provider_outstanding_bytes gauge\n"
	      "nvmet_dda_provider_outstanding_bytes" + prov + " 0\n"
	      "# HELP nvmet_dda_provider_outstanding_hwm Most P2P bytes ever held at once.\n"
	      "# TYPE nvmet_dda_provider_outstanding_hwm gauge\n"
	      "nvmet_dda_provider_outstanding_hwm" + prov + " 1048576\n"
	      "# HELP nvmet_dda_provider_p2p_bytes_total Bytes of data commands staged in P2P memory.\n"
	      "# TYPE nvmet_dda_provider_p2p_bytes_total counter\n"
	      "nvmet_dda_provider_p2p_bytes_total" + prov + " 3145728\n"
	      "# HELP nvmet_dda_provider_p2p_ios_total Data commands whose buffer was in P2P memory.\n"
	      "# TYPE nvmet_dda_provider_p2p_ios_total counter\n"
	      "nvmet_dda_provider_p2p_ios_total" + prov + " 10\n"
	      "# HELP nvmet_dda_provider_size_bytes Bytes in the provider's pool.\n"
	      "# TYPE nvmet_dda_provider_size_bytes gauge\n"
	      "nvmet_dda_provider_size_bytes" + prov + " 67108864\n");
	// tests/check hands this to 'promtool check metrics'.
	if (const char *file = std::getenv("DDACTL_PROM_OUT"))
		std::ofstream(file) << out.str();
}

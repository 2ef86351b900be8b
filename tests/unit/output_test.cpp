// SPDX-License-Identifier: GPL-2.0-only
//
// Text and JSON rendering.
#include <sstream>

#include <catch2/catch.hpp>

#include <linux/nvmet_dda.h>

#include "commands.hpp"
#include "output.hpp"

using namespace ddactl;

namespace {

const Info sample{
	.version = "0.1.0",
	.kernel_release = "6.1.192",
	.p2pdma = true,
	.caps = NVMET_DDA_CAP_P2PDMA | NVMET_DDA_CAP_SELFTEST,
	.genl_version = 1,
};

std::string render(const Info &info, Format format, bool details = false)
{
	std::ostringstream out;
	Printer p(out, format);
	print_info(p, info, details);
	p.finish();
	return out.str();
}

} // namespace

TEST_CASE("printer aligns text and keeps JSON keys in order", "[output]")
{
	std::ostringstream text, json;
	for (auto *s : {&text, &json}) {
		Printer p(*s, s == &text ? Format::text : Format::json);
		p.print_string(Show::any, "name", "name", "a");
		p.print_string(Show::text, {}, "only text", "b");
		p.print_string(Show::json, "only_json", {}, "c");
		p.print_bool(Show::any, "flag", "flag", false);
		p.print_uint(Show::any, "n", "n", 42);
		p.print_hex(Show::any, "mask", "mask", 0);
		p.print_list(Show::any, "list", "list", {});
		p.finish();
	}
	CHECK(text.str() == "name:      a\n"
			    "only text: b\n"
			    "flag:      no\n"
			    "n:         42\n"
			    "mask:      0x0\n"
			    "list:      none\n");
	CHECK(json.str() == R"({"name":"a","only_json":"c","flag":false,"n":42,)"
			    R"("mask":0,"list":[]})"
			    "\n");
}

TEST_CASE("info renders as text", "[output][info]")
{
	CHECK(render(sample, Format::text) == "module:       nvmet-dda 0.1.0\n"
					      "kernel:       6.1.192\n"
					      "p2pdma:       yes\n"
					      "netlink:      nvmet_dda v1\n"
					      "capabilities: p2pdma selftest\n");
}

TEST_CASE("info renders as JSON", "[output][info]")
{
	CHECK(render(sample, Format::json) ==
	      R"({"schema":2,"module":"nvmet-dda","version":"0.1.0","kernel_release":"6.1.192",)"
	      R"("p2pdma":true,"genl_version":1,"capabilities":["p2pdma","selftest"]})"
	      "\n");
}

TEST_CASE("info renders as pretty JSON", "[output][info]")
{
	Info info = sample;
	info.p2pdma = false;
	info.caps = 0;
	CHECK(render(info, Format::json_pretty) == "{\n"
						  "  \"schema\": 2,\n"
						  "  \"module\": \"nvmet-dda\",\n"
						  "  \"version\": \"0.1.0\",\n"
						  "  \"kernel_release\": \"6.1.192\",\n"
						  "  \"p2pdma\": false,\n"
						  "  \"genl_version\": 1,\n"
						  "  \"capabilities\": []\n"
						  "}\n");
}

TEST_CASE("info details add the raw capability mask", "[output][info]")
{
	Info info = sample;
	info.caps = 0x11;
	info.p2pdma = false;
	info.genl_version = 2;
	CHECK(render(info, Format::text, true) == "module:       nvmet-dda 0.1.0\n"
						  "kernel:       6.1.192\n"
						  "p2pdma:       no\n"
						  "netlink:      nvmet_dda v2\n"
						  "capabilities: p2pdma 0x10\n"
						  "caps mask:    0x11\n");
	CHECK_THAT(render(info, Format::json, true),
		   Catch::Matchers::EndsWith(
			   R"("capabilities":["p2pdma","0x10"],"caps":17})"
			   "\n"));
}

TEST_CASE("warnings have one prefix and a period", "[output]")
{
	std::ostringstream err;
	warn(err, "careful");
	CHECK(err.str() == "Warning: careful.\n");
}

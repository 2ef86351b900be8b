// SPDX-License-Identifier: GPL-2.0-only
//
// Command-line parsing. Parsing only records what to do, so none of this
// talks to the kernel.
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "app.hpp"

using namespace ddactl;

namespace {

std::vector<const char *> argv_of(std::initializer_list<const char *> args)
{
	std::vector<const char *> argv{"ddactl"};
	argv.insert(argv.end(), args);
	return argv;
}

// Builds the app and parses @args; parse errors propagate.
void parse(Globals &g, std::initializer_list<const char *> args)
{
	auto app = build_app(g);
	const auto argv = argv_of(args);
	app->parse(static_cast<int>(argv.size()), argv.data());
}

struct Run {
	int code;
	std::string out, err;
};

Run run_with(std::initializer_list<const char *> args)
{
	std::ostringstream out, err;
	const auto argv = argv_of(args);
	const int code = run(static_cast<int>(argv.size()), argv.data(), out, err);
	return {code, out.str(), err.str()};
}

} // namespace

TEST_CASE("--version and -V print the version", "[cli]")
{
	for (const char *flag : {"--version", "-V"}) {
		const Run r = run_with({flag});
		CHECK(r.code == 0);
		CHECK(r.out == "ddactl " DDACTL_VERSION "\n");
		CHECK(r.err.empty());
	}
	CHECK(std::string(DDACTL_VERSION) == "0.1.0");
}

TEST_CASE("info parses with global options before or after it", "[cli]")
{
	std::ostringstream out, err;
	Globals g(out, err);

	SECTION("info") {
		parse(g, {"info"});
		CHECK(g.format() == Format::text);
	}
	SECTION("info -j") {
		parse(g, {"info", "-j"});
		CHECK(g.format() == Format::json);
	}
	SECTION("--json info") {
		parse(g, {"--json", "info"});
		CHECK(g.format() == Format::json);
	}
	SECTION("-p info (pretty implies JSON)") {
		parse(g, {"-p", "info"});
		CHECK(g.format() == Format::json_pretty);
	}
	SECTION("info --pretty -d") {
		parse(g, {"info", "--pretty", "-d"});
		CHECK(g.format() == Format::json_pretty);
		CHECK(g.details);
	}
	CHECK(g.action);
	CHECK(out.str().empty());
	CHECK(err.str().empty());
}

TEST_CASE("an unknown subcommand or option is a usage error", "[cli]")
{
	for (auto args : {std::initializer_list<const char *>{"bogus"},
			  {"--bogus"},
			  {"info", "extra"},
			  {"-x", "info"}}) {
		const Run r = run_with(args);
		CHECK(r.code == 2);
		CHECK(r.out.empty());
		CHECK(r.err.rfind("Error: ", 0) == 0);
		CHECK(r.err.find("Error: ", 1) == std::string::npos);
		CHECK_THAT(r.err, Catch::Matchers::EndsWith(".\n"));
	}
	CHECK_THAT(run_with({"bogus"}).err, Catch::Matchers::Contains("bogus"));
}

TEST_CASE("no subcommand prints the help", "[cli]")
{
	const Run r = run_with({});
	CHECK(r.code == 0);
	CHECK_THAT(r.out, Catch::Matchers::Contains("Usage: ddactl"));
	CHECK_THAT(r.out, Catch::Matchers::Contains("info"));
	CHECK(r.err.empty());
}

TEST_CASE("parsing alone does not run the command", "[cli]")
{
	std::ostringstream out, err;
	Globals g(out, err);
	parse(g, {"-j"});
	CHECK_FALSE(g.action);
	CHECK(g.format() == Format::json);
}

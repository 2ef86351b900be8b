// SPDX-License-Identifier: GPL-2.0-only
//
// The man page and the bash completion cover everything --help shows.
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "app.hpp"

using namespace ddactl;

namespace {

std::string slurp(const std::string &name)
{
	const std::string path = std::string(DDACTL_SRC_DIR) + "/" + name;
	std::ifstream f(path);
	INFO("reading " << path);
	REQUIRE(f);
	return {std::istreambuf_iterator<char>(f), {}};
}

std::string help_of(std::initializer_list<const char *> args)
{
	std::vector<const char *> argv{"ddactl"};
	argv.insert(argv.end(), args);
	std::ostringstream out, err;
	REQUIRE(run(static_cast<int>(argv.size()), argv.data(), out, err) == 0);
	return out.str();
}

std::set<std::string> long_options(const std::string &help)
{
	static const std::regex re("--[a-z][a-z0-9-]*");
	std::set<std::string> opts;
	for (std::sregex_iterator it(help.begin(), help.end(), re), end; it != end; ++it)
		opts.insert(it->str());
	return opts;
}

// Names listed under "Subcommands:" in the help text; with @aliases also
// the aliases CLI11 lists after them ("show, list").
std::set<std::string> subcommands(const std::string &help, bool aliases = false)
{
	std::set<std::string> names;
	std::istringstream in(help);
	std::string line;
	bool in_list = false;
	while (std::getline(in, line)) {
		if (line == "Subcommands:") {
			in_list = true;
		} else if (line.empty()) {
			in_list = false;
		} else if (in_list) {
			// "  show, list      Description"
			const std::string cell = line.substr(2, line.find("  ", 2) - 2);
			std::istringstream words(cell);
			std::string w;
			while (std::getline(words, w, ',')) {
				w.erase(0, w.find_first_not_of(' '));
				names.insert(w);
				if (!aliases)
					break;
			}
		}
	}
	return names;
}

// @word occurs in @text as a whole word ("-" counts as part of a word).
bool has_word(const std::string &text, const std::string &word)
{
	const std::regex re("(^|[^A-Za-z0-9_-])" + word + "([^A-Za-z0-9_-]|$)");
	return std::regex_search(text, re);
}

// The man page with roff's "\-" turned into "-".
std::string man_text()
{
	return std::regex_replace(slurp("ddactl.8"), std::regex(R"(\\-)"), "-");
}

} // namespace

TEST_CASE("help lists the subcommands and options", "[docs]")
{
	const std::string help = help_of({"--help"});
	CHECK(subcommands(help) == std::set<std::string>{"info", "port", "subsys", "host",
							  "ns", "referral", "ana",
							  "passthru", "discovery",
							  "config", "provider",
							  "offload", "stats", "monitor",
							  "status", "doctor"});
	CHECK(long_options(help) == std::set<std::string>{"--help", "--version", "--json",
							   "--pretty", "--details",
							   "--configfs"});
	CHECK(subcommands(help_of({"port", "--help"}), true) ==
	      std::set<std::string>{"help", "show", "list", "add", "set", "del", "link",
				    "unlink"});
}

TEST_CASE("the man page documents every subcommand and option", "[docs]")
{
	const std::string help = help_of({"--help"});
	const std::string man = man_text();

	for (const auto &cmd : subcommands(help)) {
		INFO("subcommand " << cmd);
		CHECK(man.find("\n.SS " + cmd + "\n") != std::string::npos);
		const std::string cmd_help = help_of({cmd.c_str(), "--help"});
		for (const auto &opt : long_options(cmd_help))
			CHECK(has_word(man, opt));
		for (const auto &verb : subcommands(cmd_help)) {
			INFO("verb " << cmd << " " << verb);
			CHECK(man.find("ddactl " + cmd + " " + verb) != std::string::npos);
			for (const auto &opt :
			     long_options(help_of({cmd.c_str(), verb.c_str(), "--help"})))
				CHECK(has_word(man, opt));
		}
		for (const auto &alias : subcommands(cmd_help, true))
			CHECK(has_word(man, alias));
	}
	for (const auto &opt : long_options(help)) {
		INFO("option " << opt);
		CHECK(has_word(man, opt));
	}
	CHECK_THAT(man, Catch::Matchers::Contains(".TH DDACTL 8"));
	CHECK_THAT(man, Catch::Matchers::Contains("\"nvmet-dda " DDACTL_VERSION "\""));
}

TEST_CASE("the bash and zsh completions offer every subcommand and option", "[docs]")
{
	const std::string help = help_of({"--help"});
	for (const char *file : {"ddactl.bash-completion", "_ddactl"}) {
	INFO(file);
	const std::string comp = slurp(file);

	for (const auto &cmd : subcommands(help)) {
		INFO("subcommand " << cmd);
		CHECK(has_word(comp, cmd));
		const std::string cmd_help = help_of({cmd.c_str(), "--help"});
		for (const auto &opt : long_options(cmd_help))
			CHECK(has_word(comp, opt));
		for (const auto &verb : subcommands(cmd_help, true)) {
			INFO("verb " << cmd << " " << verb);
			CHECK(has_word(comp, verb));
			for (const auto &opt :
			     long_options(help_of({cmd.c_str(), verb.c_str(), "--help"})))
				CHECK(has_word(comp, opt));
		}
	}
	for (const auto &opt : long_options(help)) {
		INFO("option " << opt);
		CHECK(has_word(comp, opt));
	}
	}
	CHECK(has_word(slurp("ddactl.bash-completion"), "complete -F _ddactl ddactl"));
	CHECK_THAT(slurp("_ddactl"), Catch::StartsWith("#compdef ddactl\n"));
}

// SPDX-License-Identifier: GPL-2.0-only
//
// The one grammar of settings across ddactl: iproute2's "KEY VALUE" words
// after the object ("ddactl port add 1 trtype rdma traddr 192.0.2.1"), with
// nvme-cli's "--KEY VALUE" options accepted as another spelling of the same
// settings. Each verb that takes settings has a KeywordArgs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "target.hpp"

namespace ddactl {

// One setting a verb takes.
struct Keyword {
	std::string key;	// "inline-data-size"; "inline_data_size" also matches
	std::string file;	// the configfs file it sets, or "" (netlink settings)
	std::string value_name;	// "BYTES", for --help
	std::string help;
	// Checks @value and returns what to write; throws UsageError. Unset:
	// written as given.
	std::function<std::string(const std::string &what, const std::string &value)> check = {};
};

// What a verb was given, split.
struct KeywordValues {
	std::vector<std::string> leading;	// the words before the first keyword
	std::map<std::string, std::string> values;	// key -> value as given
	std::vector<std::string> order;		// keys in the order of the table

	bool has(const std::string &key) const { return values.count(key) != 0; }
};

class KeywordArgs {
public:
	// Adds the positional @positional (the objects, then KEY VALUE...) and
	// a --KEY option for every keyword to @verb.
	void attach(CLI::App *verb, const std::string &positional, const std::string &help,
		    std::vector<Keyword> keywords, bool required = true);

	// The words as given: the positional ones, then the --KEY options as
	// "KEY VALUE" pairs.
	std::vector<std::string> words() const;

	// Splits words() for @object: at least @min_leading and at most
	// @max_leading words before the first keyword, then KEY VALUE pairs,
	// each key at most once. Throws UsageError naming @object.
	KeywordValues parse(const std::string &object, std::size_t min_leading,
			    std::size_t max_leading, const std::string &usage) const;

	// The configfs settings of @v, checked, in the order of the table.
	Settings settings(const std::string &object, const KeywordValues &v) const;

	const std::vector<Keyword> &keywords() const { return keywords_; }

private:
	const Keyword *find(const std::string &word) const;

	std::vector<Keyword> keywords_;
	std::vector<std::string> positional_;
	std::vector<std::pair<std::string, std::string>> options_;
};

// "trtype, adrfam, traddr..." for messages.
std::string keyword_list(const std::vector<Keyword> &keywords);

} // namespace ddactl

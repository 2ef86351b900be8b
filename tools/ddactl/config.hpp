// SPDX-License-Identifier: GPL-2.0-only
//
// The whole target as JSON, in the layout of nvmetcli's config.json:
// top-level "hosts", "ports" and "subsystems"; attribute groups ("addr",
// "param", "attr", "device", "ana", ...) as objects of strings. Every list
// is sorted and keys are written in order, so equal targets give equal
// bytes. Top-level sections ddactl does not manage (such as "nvmet_dda")
// are kept as they are.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "target.hpp"

namespace ddactl {

inline constexpr const char *default_config_file = "/etc/nvmet/config.json";

struct ConfigFile {
	Target target;
	nlohmann::json extra = nlohmann::json::object();	// unknown top-level keys
	std::vector<std::string> warnings;			// parts that are ignored
};

nlohmann::json to_json(const Target &t);

// Two-space indented JSON with sorted keys and a final newline.
std::string serialize(const Target &t,
		      const nlohmann::json &extra = nlohmann::json::object());

// Parses and checks a whole file before anything is applied. @source names
// it in messages. Throws UsageError.
ConfigFile parse_config(const std::string &text, const std::string &source);

// Replaces @path with @content atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory. Mode 0600.
void write_file_atomic(const std::string &path, const std::string &content);

std::string read_file(const std::string &path);

} // namespace ddactl

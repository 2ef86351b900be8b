// SPDX-License-Identifier: GPL-2.0-only
//
// What the configfs commands (port, subsys, host, ns, config) share: the
// OBJECT { show | add | del | set | help } grammar and opening the tree.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cfs.hpp"
#include "commands.hpp"
#include "keywords.hpp"
#include "p2p_ctl.hpp"
#include "target.hpp"

namespace ddactl {

// The nvmet tree under --configfs.
std::unique_ptr<ConfigfsTree> open_tree(const Globals &g);

// The module's P2P control; nullptr when nvmet-dda is not loaded.
std::unique_ptr<P2pControl> open_p2p(const Globals &g);

// Adds OBJECT with a "help" verb; OBJECT alone runs @show.
CLI::App *add_object(CLI::App &app, Globals &g, const std::string &name,
		     const std::string &description, std::function<void()> show);

// Adds VERB to @object; choosing it runs @action once parsing is done.
CLI::App *add_verb(CLI::App &object, Globals &g, const std::string &name,
		   const std::string &description, std::function<void()> action);

// @value when option @o was given.
inline std::optional<std::string> given(const CLI::Option *o, const std::string &value)
{
	if (o->count() == 0)
		return std::nullopt;
	return value;
}

// All ports, or the one @port names ("" for all).
std::vector<Port> ports_or_one(const Nvmet &nv, const std::string &port);

// The address keywords of ports ("port add/set") and, with @referral,
// referrals (which have portid but no tsas or param_ files).
std::vector<Keyword> address_keywords(bool referral);

} // namespace ddactl

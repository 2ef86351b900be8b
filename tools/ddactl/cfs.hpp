// SPDX-License-Identifier: GPL-2.0-only
//
// ConfigfsTree: the narrow interface through which ddactl touches nvmet's
// configfs tree. Paths are relative to the nvmet directory
// (<configfs>/nvmet). Reads are plain file-system reads; the operations that
// change the tree are virtual so that the unit tests can stand in for the
// kernel over a temporary directory: on configfs, mkdir populates the new
// directory with attribute files and default groups, rmdir removes them and
// fails with ENOTEMPTY or EBUSY while the item has children or is the
// target of a link, and attribute writes run kernel code that may refuse.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ddactl {

class ConfigfsTree {
public:
	// @configfs: where configfs is mounted (/sys/kernel/config).
	explicit ConfigfsTree(const std::filesystem::path &configfs);
	virtual ~ConfigfsTree() = default;
	ConfigfsTree(const ConfigfsTree &) = delete;
	ConfigfsTree &operator=(const ConfigfsTree &) = delete;

	// <configfs>/nvmet
	const std::filesystem::path &root() const { return root_; }
	std::filesystem::path path(std::string_view rel) const;

	// nvmet's top-level groups exist (the nvmet module is loaded).
	bool loaded() const;

	bool exists(std::string_view rel) const;	// without following links
	bool is_dir(std::string_view rel) const;	// a directory, not a link
	bool is_link(std::string_view rel) const;
	bool is_file(std::string_view rel) const;
	bool writable(std::string_view rel) const;	// owner-writable file

	// Sorted names of the directories, links or regular files in @rel;
	// empty when @rel does not exist.
	std::vector<std::string> dirs(std::string_view rel) const;
	std::vector<std::string> links(std::string_view rel) const;
	std::vector<std::string> files(std::string_view rel) const;

	// An attribute's value without leading and trailing blanks and newlines.
	std::string read(std::string_view rel) const;
	// The last component of where link @rel points.
	std::string link_target(std::string_view rel) const;

	// One write(2) of @value; throws ConfigfsError with the kernel's errno.
	virtual void write(std::string_view rel, std::string_view value);
	virtual void mkdir(std::string_view rel);
	virtual void rmdir(std::string_view rel);
	// Creates link @link_rel pointing at the item @target_rel.
	virtual void symlink(std::string_view target_rel, std::string_view link_rel);
	virtual void unlink(std::string_view rel);

	// Whether we may change configfs; used to suggest running as root.
	virtual bool privileged() const;

private:
	std::vector<std::string> entries(std::string_view rel, int kind) const;

	std::filesystem::path root_;
};

} // namespace ddactl

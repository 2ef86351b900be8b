// SPDX-License-Identifier: GPL-2.0-only
#include "cfs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "errors.hpp"

namespace ddactl {

namespace {

enum { kind_dir, kind_link, kind_file };

[[noreturn]] void fail(const std::string &op, const std::filesystem::path &p,
		       int err)
{
	throw ConfigfsError("cannot " + op + " " + p.string() + ": " +
				    std::strerror(err),
			    err);
}

bool lstat_ok(const std::filesystem::path &p, struct stat &st)
{
	return ::lstat(p.c_str(), &st) == 0;
}

struct Fd {
	int fd;
	~Fd()
	{
		if (fd >= 0)
			::close(fd);
	}
};

} // namespace

ConfigfsTree::ConfigfsTree(const std::filesystem::path &configfs)
	: root_(configfs / "nvmet")
{
}

std::filesystem::path ConfigfsTree::path(std::string_view rel) const
{
	return rel.empty() ? root_ : root_ / std::filesystem::path(rel);
}

bool ConfigfsTree::loaded() const
{
	return is_dir("ports") && is_dir("subsystems") && is_dir("hosts");
}

bool ConfigfsTree::exists(std::string_view rel) const
{
	struct stat st;
	return lstat_ok(path(rel), st);
}

bool ConfigfsTree::is_dir(std::string_view rel) const
{
	struct stat st;
	return lstat_ok(path(rel), st) && S_ISDIR(st.st_mode);
}

bool ConfigfsTree::is_link(std::string_view rel) const
{
	struct stat st;
	return lstat_ok(path(rel), st) && S_ISLNK(st.st_mode);
}

bool ConfigfsTree::is_file(std::string_view rel) const
{
	struct stat st;
	return lstat_ok(path(rel), st) && S_ISREG(st.st_mode);
}

bool ConfigfsTree::writable(std::string_view rel) const
{
	struct stat st;
	return lstat_ok(path(rel), st) && S_ISREG(st.st_mode) &&
	       (st.st_mode & S_IWUSR);
}

std::vector<std::string> ConfigfsTree::entries(std::string_view rel,
					       int kind) const
{
	std::vector<std::string> names;
	const auto dir = path(rel);
	DIR *d = ::opendir(dir.c_str());
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return names;
		fail("list", dir, errno);
	}
	while (const dirent *e = ::readdir(d)) {
		const std::string name = e->d_name;
		if (name == "." || name == "..")
			continue;
		struct stat st;
		if (!lstat_ok(dir / name, st))
			continue;
		const bool match = kind == kind_dir ? S_ISDIR(st.st_mode) :
				   kind == kind_link ? S_ISLNK(st.st_mode) :
						       S_ISREG(st.st_mode);
		if (match)
			names.push_back(name);
	}
	::closedir(d);
	std::sort(names.begin(), names.end());
	return names;
}

std::vector<std::string> ConfigfsTree::dirs(std::string_view rel) const
{
	return entries(rel, kind_dir);
}

std::vector<std::string> ConfigfsTree::links(std::string_view rel) const
{
	return entries(rel, kind_link);
}

std::vector<std::string> ConfigfsTree::files(std::string_view rel) const
{
	return entries(rel, kind_file);
}

std::string ConfigfsTree::read(std::string_view rel) const
{
	const auto p = path(rel);
	Fd f{::open(p.c_str(), O_RDONLY | O_CLOEXEC)};
	if (f.fd < 0)
		fail("read", p, errno);
	std::string value;
	char buf[4096];
	for (;;) {
		const ssize_t n = ::read(f.fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("read", p, errno);
		}
		if (n == 0)
			break;
		value.append(buf, static_cast<std::size_t>(n));
	}
	// As nvmetcli: configfs pads some values (attr_serial) with blanks.
	const auto blank = [](char c) {
		return c == ' ' || c == '\n' || c == '\t';
	};
	while (!value.empty() && blank(value.back()))
		value.pop_back();
	value.erase(0, std::find_if_not(value.begin(), value.end(), blank) -
			       value.begin());
	return value;
}

std::string ConfigfsTree::link_target(std::string_view rel) const
{
	const auto p = path(rel);
	std::error_code ec;
	const auto target = std::filesystem::read_symlink(p, ec);
	if (ec)
		fail("read link", p, ec.value());
	auto name = target.filename();
	if (name.empty())
		name = target.parent_path().filename();
	return name.string();
}

void ConfigfsTree::write(std::string_view rel, std::string_view value)
{
	const auto p = path(rel);
	Fd f{::open(p.c_str(), O_WRONLY | O_CLOEXEC)};
	if (f.fd < 0)
		fail("open", p, errno);
	ssize_t n;
	do
		n = ::write(f.fd, value.data(), value.size());
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail("write '" + std::string(value) + "' to", p, errno);
	if (static_cast<std::size_t>(n) != value.size())
		fail("write '" + std::string(value) + "' to", p, EIO);
}

void ConfigfsTree::mkdir(std::string_view rel)
{
	const auto p = path(rel);
	if (::mkdir(p.c_str(), 0755) != 0)
		fail("create", p, errno);
}

void ConfigfsTree::rmdir(std::string_view rel)
{
	const auto p = path(rel);
	if (::rmdir(p.c_str()) != 0)
		fail("remove", p, errno);
}

void ConfigfsTree::symlink(std::string_view target_rel, std::string_view link_rel)
{
	const auto t = path(target_rel);
	const auto l = path(link_rel);
	if (::symlink(t.c_str(), l.c_str()) != 0)
		fail("link " + t.string() + " as", l, errno);
}

void ConfigfsTree::unlink(std::string_view rel)
{
	const auto p = path(rel);
	if (::unlink(p.c_str()) != 0)
		fail("remove", p, errno);
}

bool ConfigfsTree::privileged() const
{
	return ::geteuid() == 0;
}

} // namespace ddactl

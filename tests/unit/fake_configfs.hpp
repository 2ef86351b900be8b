// SPDX-License-Identifier: GPL-2.0-only
//
// A stand-in for nvmet's configfs over a temporary directory. It does what
// the kernel does on the calls ddactl makes (drivers/nvme/target/configfs.c,
// fs/configfs): mkdir populates attributes and default groups, rmdir fails
// with EBUSY while the item is a link target and ENOTEMPTY while it has
// children, attribute writes refuse what nvmet refuses.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cfs.hpp"
#include "commands.hpp"
#include "errors.hpp"
#include "validate.hpp"

namespace ddactl::test {

namespace fs = std::filesystem;

// A temporary directory removed with its contents.
class TempDir {
public:
	TempDir()
	{
		std::string t = (fs::temp_directory_path() / "ddactl-test.XXXXXX").string();
		if (!::mkdtemp(t.data()))
			throw std::runtime_error("mkdtemp failed");
		path_ = t;
	}
	~TempDir()
	{
		std::error_code ec;
		fs::remove_all(path_, ec);
	}
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;
	const fs::path &path() const { return path_; }

private:
	fs::path path_;
};

// What the tests change about the fake kernel, shared by every tree opened.
struct FakeState {
	bool privileged = true;
	// Kernel features, as the 6.1 test kernel has them by default.
	bool auth = true;	// hosts' dhchap_* (CONFIG_NVME_TARGET_AUTH)
	bool passthru = true;	// subsystems' passthru/ (CONFIG_NVME_TARGET_PASSTHRU)
	bool discovery = false;	// nvmet/discovery_nqn (Linux 6.6+)
	bool v612 = false;	// 6.12's addr_tsas, param_max_queue_size,
				// attr_ieee_oui, attr_firmware
	std::map<std::string, int> fail_writes;	// path substring -> errno
	unsigned counter = 0;			// for serials and UUIDs
};

class FakeConfigfs : public ConfigfsTree {
public:
	FakeConfigfs(const fs::path &configfs, std::shared_ptr<FakeState> st)
		: ConfigfsTree(configfs), st_(std::move(st))
	{
		for (const char *d : {"ports", "subsystems", "hosts"})
			fs::create_directories(root() / d);
		if (st_->discovery && !fs::exists(root() / "discovery_nqn"))
			put(root() / "discovery_nqn", discovery_nqn);
	}

	bool privileged() const override { return st_->privileged; }

	void mkdir(std::string_view rel) override
	{
		check_privileged("create", rel);
		const auto parts = split(rel);
		const fs::path p = path(rel);
		if (fs::exists(fs::symlink_status(p)))
			fail("create", rel, EEXIST);
		if (parts.size() == 2 && parts[0] == "ports") {
			unsigned long id = 0;
			if (!number(parts[1], id) || id > 65535)
				fail("create", rel, EINVAL);
			fs::create_directories(p / "subsystems");
			fs::create_directories(p / "referrals");
			fs::create_directories(p / "ana_groups" / "1");
			put(p / "ana_groups" / "1" / "ana_state", "optimized");
			for (const char *a : {"addr_adrfam", "addr_traddr", "addr_trsvcid",
					      "addr_trtype"})
				put(p / a, "");
			put(p / "addr_treq", "not specified");
			put(p / "param_inline_data_size", "-1");
			if (st_->v612) {
				put(p / "addr_tsas", "");
				put(p / "param_max_queue_size", "-1");
			}
		} else if (parts.size() == 4 && parts[0] == "ports" && parts[2] == "referrals") {
			fs::create_directory(p);
			for (const char *a : {"addr_adrfam", "addr_traddr", "addr_trsvcid",
					      "addr_trtype"})
				put(p / a, "");
			put(p / "addr_portid", "0");
			put(p / "addr_treq", "not specified");
			put(p / "enable", "0");
		} else if (parts.size() == 4 && parts[0] == "ports" && parts[2] == "ana_groups") {
			fs::create_directory(p);
			put(p / "ana_state", "optimized");
		} else if (parts.size() == 2 && parts[0] == "subsystems") {
			if (parts[1] == discovery_nqn ||
			    (fs::exists(root() / "discovery_nqn") && read("discovery_nqn") == parts[1]))
				fail("create", rel, EINVAL);
			fs::create_directories(p / "namespaces");
			fs::create_directories(p / "allowed_hosts");
			put(p / "attr_allow_any_host", "0");
			put(p / "attr_version", "1.3");
			put(p / "attr_serial", hex(++st_->counter, 16));
			put(p / "attr_cntlid_min", "1");
			put(p / "attr_cntlid_max", "65519");
			put(p / "attr_model", "Linux");
			put(p / "attr_qid_max", "128");
			if (st_->v612) {
				put(p / "attr_ieee_oui", "0x000000");
				put(p / "attr_firmware", "6.12.57");
			}
			if (st_->passthru) {
				fs::create_directories(p / "passthru");
				put(p / "passthru" / "device_path", "(null)");
				put(p / "passthru" / "enable", "0");
				put(p / "passthru" / "admin_timeout", "0");
				put(p / "passthru" / "io_timeout", "0");
				put(p / "passthru" / "clear_ids", "1");
			}
		} else if (parts.size() == 4 && parts[0] == "subsystems" &&
			   parts[2] == "namespaces" && fs::is_directory(p.parent_path())) {
			unsigned long nsid = 0;
			if (!number(parts[3], nsid) || nsid == 0 || nsid > nsid_max)
				fail("create", rel, EINVAL);
			fs::create_directory(p);
			put(p / "device_path", "");
			put(p / "device_nguid", "00000000-0000-0000-0000-000000000000");
			const std::string u = hex(++st_->counter, 32);
			put(p / "device_uuid", u.substr(0, 8) + "-" + u.substr(8, 4) + "-4" +
						       u.substr(13, 3) + "-8" + u.substr(17, 3) +
						       "-" + u.substr(20));
			put(p / "ana_grpid", "1");
			put(p / "enable", "0");
			put(p / "buffered_io", "0");
			put(p / "revalidate_size", "", fs::perms::owner_write);
		} else if (parts.size() == 2 && parts[0] == "hosts") {
			fs::create_directory(p);
			if (st_->auth) {
				put(p / "dhchap_key", "");
				put(p / "dhchap_ctrl_key", "");
				put(p / "dhchap_hash", "hmac(sha256)");
				put(p / "dhchap_dhgroup", "null");
			}
		} else {
			fail("create", rel, EPERM);	// no make_group here
		}
	}

	void rmdir(std::string_view rel) override
	{
		check_privileged("remove", rel);
		const auto parts = split(rel);
		const fs::path p = path(rel);
		if (!is_dir(rel))
			fail("remove", rel, ENOENT);
		if (linked(p))
			fail("remove", rel, EBUSY);
		if (parts.size() == 2 && parts[0] == "ports") {
			if (!links(std::string(rel) + "/subsystems").empty() ||
			    !dirs(std::string(rel) + "/referrals").empty() ||
			    dirs(std::string(rel) + "/ana_groups").size() > 1)
				fail("remove", rel, ENOTEMPTY);
		} else if (parts.size() == 2 && parts[0] == "subsystems") {
			if (!dirs(std::string(rel) + "/namespaces").empty() ||
			    !links(std::string(rel) + "/allowed_hosts").empty())
				fail("remove", rel, ENOTEMPTY);
		} else if (!(parts.size() == 2 && parts[0] == "hosts") &&
			   !(parts.size() == 4 && (parts[2] == "namespaces" ||
						   parts[2] == "referrals" ||
						   (parts[2] == "ana_groups" && parts[3] != "1")))) {
			fail("remove", rel, EPERM);	// a default group
		}
		fs::remove_all(p);
	}

	void write(std::string_view rel, std::string_view value) override
	{
		check_privileged("write", rel);
		const std::string op = "write '" + std::string(value) + "' to";
		for (const auto &[needle, err] : st_->fail_writes)
			if (std::string(rel).find(needle) != std::string::npos)
				fail(op.c_str(), rel, err);
		const fs::path p = path(rel);
		if (!fs::is_regular_file(fs::symlink_status(p)))
			fail(op.c_str(), rel, ENOENT);
		const std::string v(value);
		const std::string file = p.filename().string();
		const fs::path dir = p.parent_path();
		const auto parts = split(rel);

		if (parts.size() == 3 && parts[0] == "ports") {
			if (!fs::is_empty(dir / "subsystems"))
				fail(op.c_str(), rel, EACCES);	// port enabled
			if (file == "addr_trtype" && !is_valid_trtype(v))
				fail(op.c_str(), rel, EINVAL);
			if (file == "addr_adrfam" && !is_valid_adrfam(v))
				fail(op.c_str(), rel, EINVAL);
			if (file == "addr_treq" && !is_valid_treq(v))
				fail(op.c_str(), rel, EINVAL);
		}
		if (parts.size() == 5 && parts[2] == "namespaces") {
			const bool enabled = read(parent(rel) + "/enable") == "1";
			if (file.starts_with("device_") && enabled)
				fail(op.c_str(), rel, EBUSY);
			if (file == "device_path" && v.empty())
				fail(op.c_str(), rel, EINVAL);
			if (file == "enable") {
				if (v != "0" && v != "1")
					fail(op.c_str(), rel, EINVAL);
				const std::string dev = read(parent(rel) + "/device_path");
				if (v == "1" && (dev.empty() || !fs::exists(dev)))
					fail(op.c_str(), rel, ENOENT);
			}
		}
		if (parts.size() == 3 && parts[0] == "hosts") {
			if ((file == "dhchap_key" || file == "dhchap_ctrl_key") &&
			    !v.starts_with("DHHC-1:"))
				fail(op.c_str(), rel, EINVAL);
			if (file == "dhchap_hash" && v != "hmac(sha256)" && v != "hmac(sha384)" &&
			    v != "hmac(sha512)")
				fail(op.c_str(), rel, EINVAL);
			if (file == "dhchap_dhgroup" && v != "null" && !v.starts_with("ffdhe"))
				fail(op.c_str(), rel, EINVAL);
		}
		if (parts.size() == 4 && parts[0] == "subsystems" && parts[2] == "passthru") {
			const bool enabled = read(parent(rel) + "/enable") == "1";
			if (file != "enable" && enabled)
				fail(op.c_str(), rel, EBUSY);
			if (file == "enable" && v == "1") {
				const std::string dev = read(parent(rel) + "/device_path");
				if (!dirs("subsystems/" + parts[1] + "/namespaces").empty())
					fail(op.c_str(), rel, EINVAL);
				if (dev == "(null)" || !fs::exists(dev))
					fail(op.c_str(), rel, ENODEV);
			}
		}
		if (parts.size() == 1 && file == "discovery_nqn" && is_dir("subsystems/" + v))
			fail(op.c_str(), rel, EINVAL);
		if (parts.size() == 5 && parts[2] == "ana_groups" && file == "ana_state" &&
		    v != "optimized" && v != "non-optimized" && v != "inaccessible" &&
		    v != "persistent-loss" && v != "change")
			fail(op.c_str(), rel, EINVAL);
		if (parts.size() == 5 && parts[2] == "referrals" && file != "enable" &&
		    read(parent(rel) + "/enable") == "1")
			fail(op.c_str(), rel, EACCES);
		if (parts.size() == 3 && file == "attr_allow_any_host") {
			if (v != "0" && v != "1")
				fail(op.c_str(), rel, EINVAL);
			if (v == "1" && !fs::is_empty(dir / "allowed_hosts"))
				fail(op.c_str(), rel, EINVAL);
		}
		put(p, v);
		// 6.12's nvmet_addr_tsas_store(): a TCP port's tsas resets the
		// secure-channel part of treq ("not specified" without TLS).
		if (st_->v612 && parts.size() == 3 && parts[0] == "ports" &&
		    file == "addr_tsas" && read(parent(rel) + "/addr_trtype") == "tcp")
			put(dir / "addr_treq", v == "tls1.3" ? "required" : "not specified");
	}

	void symlink(std::string_view target_rel, std::string_view link_rel) override
	{
		check_privileged("link", link_rel);
		const auto parts = split(link_rel);
		const auto target = split(target_rel);
		if (fs::exists(fs::symlink_status(path(link_rel))))
			fail("link", link_rel, EEXIST);
		if (!is_dir(target_rel))
			fail("link", link_rel, ENOENT);
		if (parts.size() == 4 && parts[0] == "ports" && parts[2] == "subsystems") {
			if (target[0] != "subsystems" || target.size() != 2)
				fail("link", link_rel, EINVAL);
			// Linking the first subsystem enables the port.
			const std::string port = "ports/" + parts[1];
			if (links(port + "/subsystems").empty() &&
			    !is_valid_trtype(read(port + "/addr_trtype")))
				fail("link", link_rel, EINVAL);
		} else if (parts.size() == 4 && parts[0] == "subsystems" &&
			   parts[2] == "allowed_hosts") {
			if (target[0] != "hosts" || target.size() != 2)
				fail("link", link_rel, EINVAL);
			if (read("subsystems/" + parts[1] + "/attr_allow_any_host") == "1")
				fail("link", link_rel, EINVAL);
		} else {
			fail("link", link_rel, EPERM);
		}
		ConfigfsTree::symlink(target_rel, link_rel);
	}

	void unlink(std::string_view rel) override
	{
		check_privileged("remove", rel);
		ConfigfsTree::unlink(rel);
	}

private:
	[[noreturn]] void fail(const char *op, std::string_view rel, int err) const
	{
		throw ConfigfsError(std::string("cannot ") + op + " " + path(rel).string() +
					    ": " + std::strerror(err),
				    err);
	}

	void check_privileged(const char *op, std::string_view rel) const
	{
		if (!st_->privileged)
			fail(op, rel, EACCES);
	}

	static std::vector<std::string> split(std::string_view rel)
	{
		std::vector<std::string> parts;
		for (const auto &c : fs::path(rel))
			parts.push_back(c.string());
		return parts;
	}

	static std::string parent(std::string_view rel)
	{
		return fs::path(rel).parent_path().string();
	}

	static bool number(const std::string &s, unsigned long &v)
	{
		if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") !=
							  std::string::npos)
			return false;
		v = std::stoul(s);
		return true;
	}

	static std::string hex(unsigned n, std::size_t width)
	{
		static const char digits[] = "0123456789abcdef";
		std::string s(width, '0');
		for (std::size_t i = width; i-- > 0 && n; n >>= 4)
			s[i] = digits[n & 15];
		s[0] = 'a';
		return s;
	}

	static void put(const fs::path &p, const std::string &value,
			fs::perms perms = fs::perms::owner_read | fs::perms::owner_write |
					  fs::perms::group_read | fs::perms::others_read)
	{
		std::ofstream(p, std::ios::trunc) << value << (value.empty() ? "" : "\n");
		fs::permissions(p, perms);
	}

	// Some link in the tree points at @p.
	bool linked(const fs::path &p) const
	{
		for (const auto &e : fs::recursive_directory_iterator(root()))
			if (e.is_symlink() && fs::read_symlink(e.path()) == p)
				return true;
		return false;
	}

	std::shared_ptr<FakeState> st_;
};

} // namespace ddactl::test

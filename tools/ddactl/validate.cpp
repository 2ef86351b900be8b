// SPDX-License-Identifier: GPL-2.0-only
#include "validate.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <regex>

#include <linux/nvmet_dda.h>

#include "errors.hpp"

namespace ddactl {

namespace {

[[noreturn]] void bad(std::string_view what, const std::string &msg)
{
	throw UsageError(std::string(what) + ": " + msg);
}

bool is_hex(char c)
{
	return std::isxdigit(static_cast<unsigned char>(c));
}

bool all_digits(std::string_view s)
{
	return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
		return c >= '0' && c <= '9';
	});
}

std::string lower(std::string_view s)
{
	std::string r(s);
	for (auto &c : r)
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	return r;
}

bool is_uuid(std::string_view s)
{
	if (s.size() != 36)
		return false;
	for (std::size_t i = 0; i < s.size(); i++) {
		const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return false;
	}
	return true;
}

} // namespace

bool is_valid_nqn(std::string_view nqn)
{
	static const std::regex dated(R"(nqn\.[0-9]{4}-(0[1-9]|1[0-2])\.[A-Za-z0-9][^:]*(:.*)?)");
	static const std::string_view uuid_prefix = "nqn.2014-08.org.nvmexpress:uuid:";

	if (nqn.empty() || nqn.size() > nqn_max_len)
		return false;
	for (char c : nqn)
		if (c <= ' ' || c > '~' || c == '/')
			return false;
	if (nqn.starts_with(uuid_prefix))
		return is_uuid(nqn.substr(uuid_prefix.size()));
	return std::regex_match(nqn.begin(), nqn.end(), dated);
}

std::string check_nqn(std::string_view kind, std::string_view nqn)
{
	const std::string what = std::string(kind) + " " + std::string(nqn);
	if (nqn.empty())
		bad(std::string(kind) + " ''", "the NQN is empty; give one such as "
			  "nqn.2026-11.com.example:name");
	if (nqn.size() > nqn_max_len)
		bad(what, "NQN is " + std::to_string(nqn.size()) +
			  " bytes long; the NVMe limit is 223");
	if (nqn == "." || nqn == ".." || nqn.find('/') != std::string_view::npos ||
	    nqn.find('\0') != std::string_view::npos)
		bad(what, "not a name the kernel accepts (no '/', NUL, '.' or '..'); "
			  "use nqn.yyyy-mm.<reverse domain>:<name>");
	if (kind == "subsystem" && nqn == discovery_nqn)
		bad(what, "the discovery subsystem is built in; choose another NQN");
	return std::string(nqn);
}

std::string nqn_warning(std::string_view kind, std::string_view nqn)
{
	if (is_valid_nqn(nqn))
		return {};
	return std::string(kind) + " " + std::string(nqn) +
	       ": not an NQN in the NVMe convention (nqn.yyyy-mm.<reverse "
	       "domain>:<name> or nqn.2014-08.org.nvmexpress:uuid:<uuid>); the "
	       "kernel accepts it, but hosts and other tools may not";
}

std::string check_name(std::string_view kind, std::string_view name)
{
	if (name.empty() || name == "." || name == ".." ||
	    name.find('/') != std::string_view::npos)
		bad(std::string(kind) + " '" + std::string(name) + "'",
		    "not a valid name; give the NQN as 'ddactl " +
			    std::string(kind == "host" ? "host" : "subsys") +
			    " show' lists it");
	return std::string(name);
}

uint16_t parse_port_id(std::string_view s)
{
	unsigned v = 0;
	if (!all_digits(s) || s.size() > 5 ||
	    std::from_chars(s.data(), s.data() + s.size(), v).ec != std::errc() ||
	    v > 65535)
		bad("port '" + std::string(s) + "'",
		    "the port ID must be a number from 0 to 65535");
	return static_cast<uint16_t>(v);
}

uint32_t parse_nsid(std::string_view s)
{
	uint64_t v = 0;
	std::string_view digits = s;
	int base = 10;
	if (s.starts_with("0x") || s.starts_with("0X")) {
		digits.remove_prefix(2);
		base = 16;
	}
	const bool ok = !digits.empty() && digits.size() <= 10 &&
			std::all_of(digits.begin(), digits.end(), [&](char c) {
				return base == 16 ? is_hex(c) : c >= '0' && c <= '9';
			}) &&
			std::from_chars(digits.data(), digits.data() + digits.size(),
					v, base).ec == std::errc();
	if (!ok || v < 1 || v > nsid_max)
		bad("namespace '" + std::string(s) + "'",
		    "the NSID must be a number from 1 to 4294967294 (0xfffffffe)");
	return static_cast<uint32_t>(v);
}

bool is_valid_trtype(std::string_view s)
{
	return s == "rdma" || s == "tcp" || s == "loop" || s == "fc";
}

bool is_valid_adrfam(std::string_view s)
{
	return s == "ipv4" || s == "ipv6" || s == "ib" || s == "fc" ||
	       s == "loop" || s == "pcie";
}

bool is_valid_treq(std::string_view s)
{
	return s == "not specified" || s == "required" || s == "not required";
}

bool is_ipv4(std::string_view s)
{
	in_addr a;
	return s.size() < INET_ADDRSTRLEN &&
	       inet_pton(AF_INET, std::string(s).c_str(), &a) == 1;
}

bool is_ipv6(std::string_view s)
{
	in6_addr a;
	return s.size() < INET6_ADDRSTRLEN &&
	       inet_pton(AF_INET6, std::string(s).c_str(), &a) == 1;
}

std::string adrfam_of(std::string_view traddr)
{
	if (is_ipv4(traddr))
		return "ipv4";
	if (is_ipv6(traddr))
		return "ipv6";
	return {};
}

void check_port_address(const std::string &what, const std::string &trtype,
			const std::string &adrfam, const std::string &traddr,
			const std::string &trsvcid)
{
	if (!trtype.empty() && !is_valid_trtype(trtype))
		bad(what, "unknown transport type '" + trtype +
			  "'; use rdma, tcp, loop or fc");
	if (!adrfam.empty() && !is_valid_adrfam(adrfam))
		bad(what, "unknown address family '" + adrfam +
			  "'; use ipv4, ipv6, ib, fc or loop");
	if (traddr.size() > 256)
		bad(what, "the address is longer than 256 bytes; give a shorter one");
	for (char c : traddr + trsvcid)
		if (std::isspace(static_cast<unsigned char>(c)) || c < ' ')
			bad(what, "the address contains blanks; remove them");
	if (adrfam == "ipv4" && !traddr.empty() && !is_ipv4(traddr))
		bad(what, "'" + traddr + "' is not an IPv4 address; give one like "
			  "192.0.2.1 or use --adrfam ipv6");
	if (adrfam == "ipv6" && !traddr.empty() && !is_ipv6(traddr))
		bad(what, "'" + traddr + "' is not an IPv6 address; give one like "
			  "2001:db8::1 or use --adrfam ipv4");
	if ((trtype == "rdma" || trtype == "tcp") && !adrfam.empty() &&
	    adrfam != "ipv4" && adrfam != "ipv6" && adrfam != "ib")
		bad(what, trtype + " needs address family ipv4, ipv6 or ib, not " +
			  adrfam + "; use --adrfam ipv4 or ipv6");
	if (trtype == "rdma" || trtype == "tcp") {
		unsigned v = 0;
		if (!trsvcid.empty() &&
		    (!all_digits(trsvcid) || trsvcid.size() > 5 ||
		     std::from_chars(trsvcid.data(), trsvcid.data() + trsvcid.size(), v)
				     .ec != std::errc() ||
		     v < 1 || v > 65535))
			bad(what, "service ID '" + trsvcid + "' is not a port number; " +
				  trtype + " needs one from 1 to 65535 such as 4420");
	} else if (trsvcid.size() > 32) {
		bad(what, "the service ID is longer than 32 bytes; give a shorter one");
	}
}

std::string check_uuid(std::string_view what, std::string_view s)
{
	if (!is_uuid(s))
		bad(what, "'" + std::string(s) + "' is not a UUID; give 32 hex "
			  "digits as 8-4-4-4-12");
	return lower(s);
}

std::string check_nguid(std::string_view what, std::string_view s)
{
	std::string hex;
	std::size_t i = 0;
	bool ok = true;
	while (ok && hex.size() < 32) {
		if (i + 2 > s.size() || !is_hex(s[i]) || !is_hex(s[i + 1])) {
			ok = false;
			break;
		}
		hex += lower(s.substr(i, 2));
		i += 2;
		if (i < s.size() && (s[i] == '-' || s[i] == ':'))
			i++;
	}
	if (!ok || i != s.size())
		bad(what, "'" + std::string(s) + "' is not an NGUID; give 32 hex "
			  "digits, optionally as 8-4-4-4-12");
	return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" +
	       hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

bool parse_bool(std::string_view what, std::string_view s)
{
	const std::string v = lower(s);
	if (v == "1" || v == "yes" || v == "on" || v == "true" || v == "y")
		return true;
	if (v == "0" || v == "no" || v == "off" || v == "false" || v == "n")
		return false;
	bad(what, "'" + std::string(s) + "' is not a boolean; use 1 or 0 "
		  "(yes/no, on/off, true/false)");
}

std::string check_ascii(std::string_view what, std::string_view s,
			std::size_t max)
{
	if (s.empty() || s.size() > max)
		bad(what, "must be 1 to " + std::to_string(max) + " characters; "
			  "give a shorter value");
	for (char c : s)
		if (c < 0x20 || c > 0x7e)
			bad(what, "must be printable ASCII; remove other characters");
	return std::string(s);
}

std::string check_dhchap_key(std::string_view what, std::string_view key)
{
	static const std::regex re("DHHC-1:0*[0-3]:[^[:space:]]+.*");
	if (!std::regex_match(key.begin(), key.end(), re))
		bad(what, "not a DH-HMAC-CHAP secret; give one as 'nvme gen-dhchap-key' "
			  "prints it, DHHC-1:<hash 00 to 03>:<base64 key>:");
	return std::string(key);
}

namespace {

// kstrtoull's base 0: 0x-hex, 0-octal, else decimal.
std::optional<uint64_t> kernel_number(std::string_view s)
{
	int base = 10;
	if (s.starts_with("0x") || s.starts_with("0X")) {
		s.remove_prefix(2);
		base = 16;
	} else if (s.size() > 1 && s[0] == '0') {
		s.remove_prefix(1);
		base = 8;
	}
	uint64_t v = 0;
	if (s.empty() || s.size() > 20 ||
	    std::from_chars(s.data(), s.data() + s.size(), v, base).ec != std::errc() ||
	    std::from_chars(s.data(), s.data() + s.size(), v, base).ptr != s.data() + s.size())
		return std::nullopt;
	return v;
}

} // namespace

std::string parse_uint_attr(std::string_view what, std::string_view s)
{
	const auto v = kernel_number(s);
	if (!v || *v > UINT32_MAX)
		bad(what, "'" + std::string(s) + "' is not a number from 0 to 4294967295");
	return std::string(s);
}

std::string parse_int_attr(std::string_view what, std::string_view s)
{
	const bool neg = s.starts_with("-");
	const auto v = kernel_number(neg ? s.substr(1) : s);
	if (!v || *v > (neg ? uint64_t{INT_MAX} + 1 : uint64_t{INT_MAX}))
		bad(what, "'" + std::string(s) + "' is not a number from -2147483648 to "
			  "2147483647");
	return std::string(s);
}

int parse_inline_data_size(std::string_view s)
{
	long long v = 0;
	const bool neg = s.starts_with("-");
	const std::string_view digits = neg ? s.substr(1) : s;
	if (!all_digits(digits) || digits.size() > 10 ||
	    std::from_chars(digits.data(), digits.data() + digits.size(), v).ec !=
		    std::errc() ||
	    (neg && v != 1) || v > INT_MAX)
		bad("inline data size '" + std::string(s) + "'",
		    "give a byte count from 0 to 2147483647, or -1 for the "
		    "transport's default");
	return neg ? -1 : static_cast<int>(v);
}

std::string check_bdf(std::string_view s)
{
	static const std::regex re(
		"(([0-9a-f]{1,8}):)?([0-9a-f]{2}):([01][0-9a-f])\\.([0-7])");
	const std::string l = lower(s);
	std::smatch m;
	if (!std::regex_match(l, m, re))
		bad("PCI address '" + std::string(s) + "'",
		    "give it as DDDD:BB:DD.F or BB:DD.F, e.g. 0000:03:00.0, as "
		    "'lspci -D' prints it");
	std::string domain = m[2].matched ? m[2].str() : "0000";
	if (domain.size() < 4)
		domain.insert(0, 4 - domain.size(), '0');
	return domain + ":" + m[3].str() + ":" + m[4].str() + "." + m[5].str();
}

uint64_t parse_size(std::string_view what, std::string_view s)
{
	const auto fail = [&]() {
		bad(std::string(what) + " '" + std::string(s) + "'",
		    "give bytes or a number with a binary unit, e.g. 4096, 2M, "
		    "64MiB or 1G");
	};
	uint64_t v = 0;
	std::string_view digits = s;
	if (s.starts_with("0x") || s.starts_with("0X")) {
		digits.remove_prefix(2);
		if (digits.empty() || digits.size() > 16 ||
		    !std::all_of(digits.begin(), digits.end(), is_hex) ||
		    std::from_chars(digits.data(), digits.data() + digits.size(), v, 16)
				    .ec != std::errc())
			fail();
		return v;
	}

	const std::size_t n = std::min(s.find_first_not_of("0123456789"), s.size());
	digits = s.substr(0, n);
	const std::string unit = lower(s.substr(n));
	unsigned shift = 0;
	if (unit.empty() || unit == "b")
		shift = 0;
	else if (unit == "k" || unit == "kib")
		shift = 10;
	else if (unit == "m" || unit == "mib")
		shift = 20;
	else if (unit == "g" || unit == "gib")
		shift = 30;
	else if (unit == "t" || unit == "tib")
		shift = 40;
	else
		fail();
	if (digits.empty() || digits.size() > 20 ||
	    std::from_chars(digits.data(), digits.data() + digits.size(), v).ec !=
		    std::errc())
		fail();
	if (shift && v > (UINT64_MAX >> shift))
		bad(std::string(what) + " '" + std::string(s) + "'",
		    "too large; give at most 16 EiB");
	return v << shift;
}

uint32_t parse_bar(std::string_view s)
{
	if (s.size() != 1 || s[0] < '0' || s[0] > '5')
		bad("BAR '" + std::string(s) + "'", "give a BAR number from 0 to 5");
	return static_cast<uint32_t>(s[0] - '0');
}

uint32_t parse_mode(std::string_view s)
{
	if (s == "off")
		return NVMET_DDA_MODE_OFF;
	if (s == "prefer")
		return NVMET_DDA_MODE_PREFER;
	if (s == "require")
		return NVMET_DDA_MODE_REQUIRE;
	bad("mode '" + std::string(s) + "'", "use off, prefer or require");
}

std::string check_policy_provider(std::string_view s)
{
	if (s == "auto" || s == "cmb")
		return std::string(s);
	try {
		return check_bdf(s);
	} catch (const UsageError &) {
		bad("provider '" + std::string(s) + "'",
		    "use auto, cmb or a PCI address such as 0000:03:00.0");
	}
}

double parse_interval(std::string_view s)
{
	static const std::regex re("[0-9]{1,4}(\\.[0-9]{1,3})?");
	double v = 0;
	if (std::regex_match(s.begin(), s.end(), re))
		v = std::strtod(std::string(s).c_str(), nullptr);
	if (!(v > 0) || v > 3600)
		bad("interval '" + std::string(s) + "'",
		    "give the seconds between samples, more than 0 and at most 3600");
	return v;
}

uint64_t parse_count(std::string_view s)
{
	uint64_t v = 0;
	if (!all_digits(s) || s.size() > 18 ||
	    std::from_chars(s.data(), s.data() + s.size(), v).ec != std::errc() ||
	    v == 0)
		bad("count '" + std::string(s) + "'", "give a number of events from 1 up");
	return v;
}

} // namespace ddactl

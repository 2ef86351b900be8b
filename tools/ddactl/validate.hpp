// SPDX-License-Identifier: GPL-2.0-only
//
// Checks of user input against the NVMe specification and the nvmet configfs
// ABI, done before anything in configfs is touched. Each check throws
// UsageError with a message of the form "<object>: <what is wrong>; <what to
// do>" and returns the normalised value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ddactl {

inline constexpr std::size_t nqn_max_len = 223;	// NVMe Base Spec, 4.5
inline constexpr uint32_t nsid_max = 0xfffffffe;	// 0xffffffff is "all"
inline constexpr uint32_t ana_grpid_max = 128;	// NVMET_MAX_ANAGRPS
inline constexpr const char *discovery_nqn = "nqn.2014-08.org.nvmexpress.discovery";

// True for "nqn.yyyy-mm.<reverse domain>[:<anything>]" and for
// "nqn.2014-08.org.nvmexpress:uuid:<uuid>", at most 223 bytes, printable
// ASCII without '/' or spaces (the NQN is a configfs directory name).
bool is_valid_nqn(std::string_view nqn);

// A name for a new subsystem or host entry, checked for what the kernel
// refuses: empty, longer than 223 bytes (the NQN the target would use is cut
// there), '/' or NUL (not a configfs name), "." and "..", and the built-in
// discovery NQN for a subsystem. Anything else is accepted, also names
// outside the NVMe convention ("testnqn"): see nqn_warning(). @kind:
// "subsystem" or "host", used in the message.
std::string check_nqn(std::string_view kind, std::string_view nqn);

// "" for an NQN in the NVMe convention (is_valid_nqn()), else the warning to
// print: the kernel takes it, hosts and other tools may not.
std::string nqn_warning(std::string_view kind, std::string_view nqn);

// A name that may be used as one existing configfs entry: not empty, no '/',
// not "." or "..". For looking up objects other tools created.
std::string check_name(std::string_view kind, std::string_view name);

// Decimal 0..65535.
uint16_t parse_port_id(std::string_view s);

// Decimal or 0x-hex 1..0xfffffffe.
uint32_t parse_nsid(std::string_view s);

bool is_valid_trtype(std::string_view s);	// rdma tcp loop fc
bool is_valid_adrfam(std::string_view s);	// ipv4 ipv6 ib fc loop pcie
bool is_valid_treq(std::string_view s);		// "not specified", "required", "not required"
bool is_ipv4(std::string_view s);
bool is_ipv6(std::string_view s);

// The whole address of a port, as it will be once written. @what names the
// port ("port 1"). Empty strings stand for "not set".
void check_port_address(const std::string &what, const std::string &trtype,
			const std::string &adrfam, const std::string &traddr,
			const std::string &trsvcid);

// "ipv4" or "ipv6" for an IP address, "" otherwise.
std::string adrfam_of(std::string_view traddr);

// 8-4-4-4-12 hex digits, lower-cased.
std::string check_uuid(std::string_view what, std::string_view s);
// 32 hex digits, optionally separated by '-' or ':' after any byte, as the
// kernel parses it; returned in the kernel's 8-4-4-4-12 form.
std::string check_nguid(std::string_view what, std::string_view s);

// 1/0, yes/no, on/off, true/false (case-insensitive).
bool parse_bool(std::string_view what, std::string_view s);

// Printable ASCII, 1..@max bytes (serial 20, model 40).
std::string check_ascii(std::string_view what, std::string_view s,
			std::size_t max);

// A DH-HMAC-CHAP secret as the kernel takes it: "DHHC-1:<hash 0-3>:<key>"
// (what 'nvme gen-dhchap-key' prints). @what names it in the message.
std::string check_dhchap_key(std::string_view what, std::string_view key);

// An unsigned int attribute as the kernel parses it (kstrtouint, base 0):
// decimal, 0x-hex or 0-octal, at most 4294967295.
std::string parse_uint_attr(std::string_view what, std::string_view s);

// A C int attribute (kstrtoint, base 0), e.g. param_max_queue_size.
std::string parse_int_attr(std::string_view what, std::string_view s);

// A C int for param_inline_data_size: -1 (transport default) or 0..INT_MAX.
int parse_inline_data_size(std::string_view s);

// A PCI address, "DDDD:BB:DD.F" or "BB:DD.F" (hex; device up to 1f,
// function 0 to 7), returned lower-case with the domain padded to at least
// four digits: "3:0.0" is refused, "03:00.0" becomes "0000:03:00.0".
std::string check_bdf(std::string_view s);

// A byte count: decimal or 0x-hex bytes, or decimal with a binary unit K,
// M, G, T (also KiB, MiB, GiB, TiB; case-insensitive): "2M", "64MiB", "1G",
// "4096". @what names the value in the message ("size '2X'").
uint64_t parse_size(std::string_view what, std::string_view s);

// A memory BAR number, 0 to 5.
uint32_t parse_bar(std::string_view s);

// off, prefer or require: enum nvmet_dda_mode.
uint32_t parse_mode(std::string_view s);

// The provider of an offload rule: "auto", "cmb" or a PCI address
// (normalised as check_bdf() does).
std::string check_policy_provider(std::string_view s);

// Seconds between two samples: a positive decimal number up to 3600,
// fractions allowed ("0.5").
double parse_interval(std::string_view s);

// A positive event count.
uint64_t parse_count(std::string_view s);

} // namespace ddactl

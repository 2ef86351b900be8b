// SPDX-License-Identifier: GPL-2.0-only
//
// Error types thrown by ddactl and the exit codes they map to. The mapping
// itself lives in one place: report_error() in app.cpp.
#pragma once

#include <stdexcept>
#include <string>

namespace ddactl {

enum class ExitCode : int {
	ok = 0,
	error = 1,	// anything not covered below
	usage = 2,	// bad command line
	not_found = 3,	// the object named does not exist (kernel ENOENT, ENODEV)
	busy = 4,	// the object is in use (kernel EBUSY, ENOTEMPTY)
	kernel = 5,	// netlink or configfs failure, malformed reply or other
			// kernel error
};

// Generic failure; exit code 1.
class Error : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

// The nvmet_dda generic netlink family is not registered.
class ModuleNotLoaded : public Error {
public:
	ModuleNotLoaded() : Error("nvmet-dda is not loaded (modprobe nvmet-dda)") {}
};

class UsageError : public Error {
public:
	using Error::Error;
};

class NotFoundError : public Error {
public:
	using Error::Error;
};

class BusyError : public Error {
public:
	using Error::Error;
};

// A configfs operation failed with errno @err. The exit code follows the
// errno like the kernel's netlink errors: ENOENT not found, EBUSY and
// ENOTEMPTY busy, anything else a kernel error.
class ConfigfsError : public Error {
public:
	ConfigfsError(const std::string &msg, int err) : Error(msg), err_(err) {}

	int error() const noexcept { return err_; }

private:
	int err_;
};

// Talking to the kernel failed: socket errors, libnl errors and replies that
// do not follow the ABI in <linux/nvmet_dda.h>.
class NetlinkError : public Error {
public:
	using Error::Error;
};

// The kernel answered a request with an error ACK.
class KernelError : public NetlinkError {
public:
	// @what: what was being done ("cannot get module info");
	// @err: positive errno from the ACK; @extack: the kernel's message, if any.
	KernelError(const std::string &what, int err, std::string extack);

	// The same with @msg as the whole message, for callers that explain
	// the error themselves ("<object>: <what went wrong>; <what to do>").
	struct Verbatim {};
	KernelError(Verbatim, const std::string &msg, int err, std::string extack);

	int error() const noexcept { return err_; }
	const std::string &extack() const noexcept { return extack_; }

private:
	int err_;
	std::string extack_;
};

} // namespace ddactl

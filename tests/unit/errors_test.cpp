// SPDX-License-Identifier: GPL-2.0-only
//
// The mapping of exceptions to messages and exit codes.
#include <cerrno>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "app.hpp"
#include "errors.hpp"

using namespace ddactl;

namespace {

struct Reported {
	int code;
	std::string err;
};

template <typename E>
Reported report(E e)
{
	std::ostringstream err;
	const int code = report_error(std::make_exception_ptr(e), err);
	return {code, err.str()};
}

} // namespace

TEST_CASE("exit codes have their documented values", "[errors]")
{
	CHECK(static_cast<int>(ExitCode::ok) == 0);
	CHECK(static_cast<int>(ExitCode::error) == 1);
	CHECK(static_cast<int>(ExitCode::usage) == 2);
	CHECK(static_cast<int>(ExitCode::not_found) == 3);
	CHECK(static_cast<int>(ExitCode::busy) == 4);
	CHECK(static_cast<int>(ExitCode::kernel) == 5);
}

TEST_CASE("the module missing is a generic error with a hint", "[errors]")
{
	const auto r = report(ModuleNotLoaded());
	CHECK(r.code == 1);
	CHECK(r.err == "Error: nvmet-dda is not loaded (modprobe nvmet-dda).\n");
}

TEST_CASE("each error class maps to its exit code", "[errors]")
{
	CHECK(report(Error("oops")).code == 1);
	CHECK(report(std::runtime_error("oops")).code == 1);
	CHECK(report(std::bad_alloc()).err == "Error: out of memory.\n");
	CHECK(report(UsageError("bad")).code == 2);
	CHECK(report(CLI::ExtrasError({"bogus"})).code == 2);
	CHECK(report(NotFoundError("no port 7")).code == 3);
	CHECK(report(BusyError("port 7 is enabled")).code == 4);
	CHECK(report(NetlinkError("cannot open")).code == 5);
}

TEST_CASE("kernel errors map by errno and carry the extack", "[errors]")
{
	CHECK(report(KernelError("x", ENOENT, "")).code == 3);
	CHECK(report(KernelError("x", EBUSY, "")).code == 4);
	CHECK(report(KernelError("x", EPERM, "")).code == 5);

	const auto r = report(KernelError("cannot get module info", EINVAL,
					  "Unknown attribute type"));
	CHECK(r.code == 5);
	CHECK(r.err == "Error: cannot get module info: Unknown attribute type "
		       "(Invalid argument).\n");
	CHECK(report(KernelError("cannot get module info", EPERM, "")).err ==
	      "Error: cannot get module info: Operation not permitted.\n");
}

TEST_CASE("messages get exactly one prefix and one period", "[errors]")
{
	CHECK(report(Error("Error: already prefixed.")).err ==
	      "Error: already prefixed.\n");
	CHECK(report(Error("trailing dots...\n")).err == "Error: trailing dots.\n");
	CHECK(report(Error("")).err == "Error: unknown error.\n");
}

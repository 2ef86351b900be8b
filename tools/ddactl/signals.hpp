// SPDX-License-Identifier: GPL-2.0-only
//
// SignalGuard: SIGINT and SIGTERM end a command that runs until
// interrupted (monitor, stats -w) with status 0. They are blocked except
// while waiting in ppoll(), so that one arriving between two waits is not
// lost; the previous handlers and mask come back when it goes out of scope.
#pragma once

#include <signal.h>

namespace ddactl {

class SignalGuard {
public:
	SignalGuard();
	~SignalGuard();
	SignalGuard(const SignalGuard &) = delete;
	SignalGuard &operator=(const SignalGuard &) = delete;

	// The mask to pass to ppoll().
	const sigset_t *wait_mask() const { return &wait_mask_; }
	// A SIGINT or SIGTERM arrived.
	bool interrupted() const;
	// Sleeps @seconds; false when a signal ended the sleep.
	bool sleep(double seconds) const;

private:
	struct sigaction old_int_ {}, old_term_ {};
	sigset_t old_mask_{}, wait_mask_{};
};

} // namespace ddactl

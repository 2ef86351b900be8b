// SPDX-License-Identifier: GPL-2.0-only
#include "signals.hpp"

#include <poll.h>
#include <time.h>

#include <cerrno>
#include <cmath>
#include <csignal>

namespace ddactl {

namespace {

volatile std::sig_atomic_t caught = 0;

extern "C" void on_signal(int)
{
	caught = 1;
}

} // namespace

SignalGuard::SignalGuard()
{
	struct sigaction sa {};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int_);
	sigaction(SIGTERM, &sa, &old_term_);

	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old_mask_);
	wait_mask_ = old_mask_;
	sigdelset(&wait_mask_, SIGINT);
	sigdelset(&wait_mask_, SIGTERM);
	caught = 0;
}

SignalGuard::~SignalGuard()
{
	sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
	sigaction(SIGINT, &old_int_, nullptr);
	sigaction(SIGTERM, &old_term_, nullptr);
}

bool SignalGuard::interrupted() const
{
	return caught != 0;
}

bool SignalGuard::sleep(double seconds) const
{
	timespec left{};
	clock_gettime(CLOCK_MONOTONIC, &left);
	const double end = static_cast<double>(left.tv_sec) + left.tv_nsec / 1e9 + seconds;
	while (!caught) {
		timespec now{};
		clock_gettime(CLOCK_MONOTONIC, &now);
		const double rest = end - (static_cast<double>(now.tv_sec) + now.tv_nsec / 1e9);
		if (rest <= 0)
			return true;
		timespec ts{static_cast<time_t>(rest),
			    static_cast<long>((rest - std::floor(rest)) * 1e9)};
		if (ppoll(nullptr, 0, &ts, &wait_mask_) < 0 && errno != EINTR)
			return !caught;
	}
	return false;
}

} // namespace ddactl

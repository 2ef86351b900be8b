// SPDX-License-Identifier: GPL-2.0-only
//
// Arithmetic on the module's counters: shares and rates between two samples.
// Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"

namespace ddactl {

// What "ddactl stats" reads in one go.
struct Sample {
	std::vector<NsStats> namespaces;
	std::vector<Provider> providers;
};

// P2P_BYTES / (P2P_BYTES + HOST_BYTES) in percent; nullopt when either is
// missing or no bytes moved.
std::optional<double> p2p_percent(const Counters &c);

// Share of the pool in use, in percent; nullopt for an empty pool.
std::optional<double> used_percent(const Provider &p);

// Counters that are levels, not event counts: OUTSTANDING_BYTES and
// OUTSTANDING_HWM.
bool is_gauge(int stat);

// The change of one object's counters between two samples.
struct RateRow {
	std::string subsys;		// namespaces
	uint32_t nsid = 0;
	std::string provider;		// providers
	std::map<int, double> per_sec;	// event counters, per second
	Counters gauges;		// levels at the second sample
	std::optional<double> p2p_percent;	// of the bytes of the interval
};

struct Rates {
	double seconds = 0;
	std::vector<RateRow> namespaces;
	std::vector<RateRow> providers;
};

// Rates from @before to @after, @seconds apart. Objects only in @after
// count from zero (they appeared in between); objects only in @before are
// left out. A counter that went down (module reloaded) counts from zero.
Rates compute_rates(const Sample &before, const Sample &after, double seconds);

} // namespace ddactl

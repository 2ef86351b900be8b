// SPDX-License-Identifier: GPL-2.0-only
#include "stats.hpp"

#include <algorithm>

#include <linux/nvmet_dda.h>

namespace ddactl {

namespace {

std::optional<double> share(uint64_t part, uint64_t other)
{
	const double total = static_cast<double>(part) + static_cast<double>(other);
	if (total == 0)
		return std::nullopt;
	return 100.0 * static_cast<double>(part) / total;
}

// Per-second changes of @after's event counters since @before (null: zero).
RateRow diff(const Counters *before, const Counters &after, double seconds)
{
	RateRow r;
	for (const auto &[id, now] : after.values) {
		if (is_gauge(id)) {
			r.gauges.values[id] = now;
			continue;
		}
		uint64_t then = 0;
		if (before)
			then = before->get(id).value_or(0);
		const uint64_t delta = now >= then ? now - then : now;
		r.per_sec[id] = static_cast<double>(delta) / seconds;
	}
	const auto p2p = r.per_sec.find(NVMET_DDA_STAT_P2P_BYTES);
	const auto host = r.per_sec.find(NVMET_DDA_STAT_HOST_BYTES);
	if (p2p != r.per_sec.end() && host != r.per_sec.end()) {
		const double total = p2p->second + host->second;
		if (total > 0)
			r.p2p_percent = 100.0 * p2p->second / total;
	}
	return r;
}

} // namespace

std::optional<double> p2p_percent(const Counters &c)
{
	const auto p2p = c.get(NVMET_DDA_STAT_P2P_BYTES);
	const auto host = c.get(NVMET_DDA_STAT_HOST_BYTES);
	if (!p2p || !host)
		return std::nullopt;
	return share(*p2p, *host);
}

std::optional<double> used_percent(const Provider &p)
{
	if (!p.size || !p.available || *p.size == 0)
		return std::nullopt;
	const uint64_t used = *p.size - std::min(*p.available, *p.size);
	return 100.0 * static_cast<double>(used) / static_cast<double>(*p.size);
}

bool is_gauge(int stat)
{
	return stat == NVMET_DDA_STAT_OUTSTANDING_BYTES ||
	       stat == NVMET_DDA_STAT_OUTSTANDING_HWM;
}

Rates compute_rates(const Sample &before, const Sample &after, double seconds)
{
	Rates r;
	r.seconds = seconds;

	for (const auto &ns : after.namespaces) {
		const auto it = std::find_if(
			before.namespaces.begin(), before.namespaces.end(),
			[&](const NsStats &b) {
				return b.subsys == ns.subsys && b.nsid == ns.nsid;
			});
		RateRow row = diff(it == before.namespaces.end() ? nullptr : &it->stats,
				   ns.stats, seconds);
		row.subsys = ns.subsys;
		row.nsid = ns.nsid;
		r.namespaces.push_back(std::move(row));
	}
	for (const auto &p : after.providers) {
		const auto it = std::find_if(
			before.providers.begin(), before.providers.end(),
			[&](const Provider &b) { return b.address == p.address; });
		RateRow row = diff(it == before.providers.end() ? nullptr : &it->stats,
				   p.stats, seconds);
		row.provider = p.address;
		r.providers.push_back(std::move(row));
	}
	return r;
}

} // namespace ddactl

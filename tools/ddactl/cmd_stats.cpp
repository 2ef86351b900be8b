// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl stats [show [SUBSYS [NSID]]] [-w SECONDS]: where the data of
// namespaces went and how full the providers are.
#include <cerrno>
#include <chrono>
#include <memory>
#include <ostream>
#include <thread>

#include <linux/nvmet_dda.h>

#include "cfs_cli.hpp"
#include "codec.hpp"
#include "nl_cli.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct StatsArgs {
	std::vector<std::string> show;
	std::string interval;
	CLI::Option *interval_opt = nullptr;
};

// Which namespaces to read: all, one subsystem's or one.
struct Filter {
	std::optional<std::string> subsys;
	std::optional<uint32_t> nsid;
};

Filter parse_filter(const std::vector<std::string> &args)
{
	Filter f;
	if (!args.empty())
		f.subsys = check_name("subsystem", args[0]);
	if (args.size() > 1)
		f.nsid = parse_nsid(args[1]);
	return f;
}

bool is_bytes(int id)
{
	return id == NVMET_DDA_STAT_P2P_BYTES || id == NVMET_DDA_STAT_HOST_BYTES ||
	       id == NVMET_DDA_STAT_OUTSTANDING_BYTES ||
	       id == NVMET_DDA_STAT_OUTSTANDING_HWM;
}

// The counters of @c in enum order, human sizes in text; the P2P share
// after HOST_BYTES.
void add_counters(Row &row, const Counters &c)
{
	for (const auto &[id, v] : c.values) {
		row.add(stat_key(id), is_bytes(id) ? nlohmann::ordered_json(human_size(v))
						   : nlohmann::ordered_json(v),
			v);
		if (id == NVMET_DDA_STAT_HOST_BYTES) {
			const auto pct = p2p_percent(c);
			row.text["p2p"] = pct ? one_decimal(*pct) + "%" : "-";
			if (pct)
				row.json["p2p_percent"] = *pct;
		}
	}
}

Row ns_row(const NsStats &s)
{
	Row row;
	row.add("subsys", s.subsys);
	row.add("nsid", s.nsid);
	add_counters(row, s.stats);
	return row;
}

Row provider_row(const Provider &p)
{
	Row row;
	row.add("provider", p.address);
	add_counters(row, p.stats);
	return row;
}

double mib(double bytes)
{
	return bytes / (1024.0 * 1024.0);
}

Row rate_row(const RateRow &r)
{
	Row row;
	if (r.provider.empty()) {
		row.add("subsys", r.subsys);
		row.add("nsid", r.nsid);
	} else {
		row.add("provider", r.provider);
	}
	const auto is_fallback = [](int id) {
		return (id >= NVMET_DDA_STAT_FB_EXHAUSTED &&
			id <= NVMET_DDA_STAT_FB_POLICY_OFF) ||
		       id == NVMET_DDA_STAT_FB_INLINE;
	};
	double fallbacks = 0;
	for (const auto &[id, v] : r.per_sec)
		if (is_fallback(id))
			fallbacks += v;
	// Text: the fallbacks summed up, where the first of them would be.
	for (const auto &[id, v] : r.per_sec) {
		const std::string key = stat_key(id);
		row.json[key + "_per_sec"] = v;
		if (is_fallback(id)) {
			if (!row.text.contains("fallbacks/s"))
				row.text["fallbacks/s"] = one_decimal(fallbacks);
		} else if (is_bytes(id)) {
			row.text[key.substr(0, key.size() - 6) + "_MiB/s"] =
				one_decimal(mib(v));
		} else {
			row.text[key + "/s"] = one_decimal(v);
		}
		if (id == NVMET_DDA_STAT_HOST_BYTES)
			row.text["p2p"] = r.p2p_percent ? one_decimal(*r.p2p_percent) + "%"
							: "-";
	}
	if (r.p2p_percent)
		row.json["p2p_percent"] = *r.p2p_percent;
	for (const auto &[id, v] : r.gauges.values)
		row.add(stat_key(id), human_size(v), v);
	return row;
}

Sample take_sample(GenlClient &nl, const Filter &f)
{
	Sample s;
	if (f.nsid) {
		MsgPtr msg = encode_stats_get(nl.family(), *f.subsys, *f.nsid);
		s.namespaces = collect<NsStats>(
			nl, *msg, decode_ns_stats,
			"statistics of namespace " + *f.subsys + " " + std::to_string(*f.nsid),
			{{ENOENT, "nvmet-dda has not served it and it has no offload "
				   "rule; 'ddactl stats' lists the namespaces it has"}});
		return s;
	}
	MsgPtr msg = encode_stats_dump(nl.family(), f.subsys);
	s.namespaces = collect<NsStats>(nl, *msg, decode_ns_stats,
					f.subsys ? "statistics of subsystem " + *f.subsys
						 : "statistics");
	if (f.subsys)
		return s;

	msg = encode_provider_get(nl.family(), {});
	try {
		s.providers = collect<Provider>(nl, *msg, decode_provider, "providers");
	} catch (const KernelError &e) {
		// No CONFIG_PCI_P2PDMA: no providers, namespaces still count.
		if (e.error() != EOPNOTSUPP)
			throw;
	}
	return s;
}

void show(const Globals &g, const StatsArgs &a)
{
	const Filter f = parse_filter(a.show);
	const bool watch = a.interval_opt && a.interval_opt->count();
	const double seconds = watch ? parse_interval(a.interval) : 0;

	GenlClient nl;
	const Sample before = take_sample(nl, f);
	if (!watch) {
		print_stats(g.out, g.format(), before);
		return;
	}
	std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
	const Sample after = take_sample(nl, f);
	print_rates(g.out, g.format(), compute_rates(before, after, seconds));
}

} // namespace

void print_stats(std::ostream &out, Format format, const Sample &sample)
{
	std::vector<Row> ns, providers;
	for (const auto &s : sample.namespaces)
		ns.push_back(ns_row(s));
	for (const auto &p : sample.providers)
		providers.push_back(provider_row(p));

	if (format == Format::text) {
		print_rows(out, format, "ns", ns);
		print_rows(out, format, "provider", providers);
		return;
	}
	nlohmann::ordered_json doc;
	doc["schema"] = json_schema;
	doc["namespaces"] = nlohmann::ordered_json::array();
	for (const auto &r : ns)
		doc["namespaces"].push_back(r.json);
	doc["providers"] = nlohmann::ordered_json::array();
	for (const auto &r : providers)
		doc["providers"].push_back(r.json);
	print_json(out, format, doc);
}

void print_rates(std::ostream &out, Format format, const Rates &rates)
{
	std::vector<Row> ns, providers;
	for (const auto &r : rates.namespaces)
		ns.push_back(rate_row(r));
	for (const auto &r : rates.providers)
		providers.push_back(rate_row(r));

	if (format == Format::text) {
		print_rows(out, format, "ns", ns);
		print_rows(out, format, "provider", providers);
		return;
	}
	nlohmann::ordered_json doc;
	doc["schema"] = json_schema;
	doc["interval"] = rates.seconds;
	doc["namespaces"] = nlohmann::ordered_json::array();
	for (const auto &r : ns)
		doc["namespaces"].push_back(r.json);
	doc["providers"] = nlohmann::ordered_json::array();
	for (const auto &r : providers)
		doc["providers"].push_back(r.json);
	print_json(out, format, doc);
}

void set_stats_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<StatsArgs>();
	auto *obj = add_object(app, g, "stats",
			       "Show where namespaces' data went: P2P or host "
			       "memory, fallbacks, provider use (netlink)",
			       [&g, a] { show(g, *a); });
	// On the object, so that both "stats -w 1" and "stats show -w 1" work.
	a->interval_opt = obj->add_option(
		"-w,--interval", a->interval,
		"Sample twice SECONDS apart and show rates per second");
	a->interval_opt->type_name("SECONDS");

	auto *v = add_verb(*obj, g, "show",
			   "Show the counters of all namespaces and providers, of "
			   "one subsystem or one namespace",
			   [&g, a] { show(g, *a); });
	v->alias("list");
	v->add_option("NAMESPACE", a->show, "[SUBSYS [NSID]]")->expected(0, 2);
}

} // namespace ddactl

// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl stats [show [SUBSYS [NSID]]] [-w SECONDS]: where the data of
// namespaces went and how full the providers are.
#include <cerrno>
#include <chrono>
#include <memory>
#include <ostream>
#include <map>

#include <linux/nvmet_dda.h>

#include "cfs_cli.hpp"
#include "codec.hpp"
#include "nl_cli.hpp"
#include "signals.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct StatsArgs {
	std::vector<std::string> show;
	std::string interval, count, format;
	CLI::Option *interval_opt = nullptr, *count_opt = nullptr;
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
	const uint64_t count = a.count_opt && a.count_opt->count() ? parse_count(a.count) : 0;
	const bool prometheus = a.format == "prometheus";
	if (!a.format.empty() && !prometheus && a.format != "text" && a.format != "json")
		throw UsageError("stats: unknown format '" + a.format + "'; use text, json or "
				 "prometheus");
	if (prometheus && watch)
		throw UsageError("stats: --format prometheus writes the counters once; leave "
				 "out -w (the scraper computes rates)");
	if (count && !watch)
		throw UsageError("stats: -c counts the intervals of -w; give -w SECONDS too");
	const Format format = a.format == "json" && g.format() == Format::text ? Format::json
									   : g.format();

	GenlClient nl;
	Sample before = take_sample(nl, f);
	if (prometheus) {
		print_prometheus(g.out, before);
		return;
	}
	if (!watch) {
		print_stats(g.out, format, before);
		return;
	}
	// Until interrupted (status 0) or @count intervals.
	SignalGuard signals;
	for (uint64_t n = 0; !count || n < count; n++) {
		if (!signals.sleep(seconds))
			break;
		Sample after = take_sample(nl, f);
		print_rates(g.out, format, compute_rates(before, after, seconds));
		g.out.flush();
		if (!g.out)
			throw Error("cannot write to standard output");
		before = std::move(after);
	}
}

// A Prometheus label value: backslash, double quote and newline escaped.
std::string label(const std::string &v)
{
	std::string r;
	for (char c : v) {
		if (c == '\\' || c == '"')
			r += '\\';
		if (c == '\n') {
			r += "\\n";
			continue;
		}
		r += c;
	}
	return r;
}

const char *stat_help(int id)
{
	switch (id) {
	case NVMET_DDA_STAT_P2P_IOS: return "Data commands whose buffer was in P2P memory.";
	case NVMET_DDA_STAT_P2P_BYTES: return "Bytes of data commands staged in P2P memory.";
	case NVMET_DDA_STAT_HOST_IOS: return "Data commands whose buffer was in host memory.";
	case NVMET_DDA_STAT_HOST_BYTES: return "Bytes of data commands staged in host memory.";
	case NVMET_DDA_STAT_FB_EXHAUSTED: return "Host-memory fallbacks: the pool was empty.";
	case NVMET_DDA_STAT_FB_QUOTA: return "Host-memory fallbacks: max-bytes was reached.";
	case NVMET_DDA_STAT_FB_TOO_SMALL: return "Host-memory fallbacks: below min-io.";
	case NVMET_DDA_STAT_FB_UNREACHABLE: return "Host-memory fallbacks: no provider reaches the device.";
	case NVMET_DDA_STAT_FB_POLICY_OFF: return "Host-memory commands under mode off.";
	case NVMET_DDA_STAT_REQUIRE_FAILED: return "Commands failed under mode require.";
	case NVMET_DDA_STAT_OUTSTANDING_BYTES: return "P2P bytes held now.";
	case NVMET_DDA_STAT_OUTSTANDING_HWM: return "Most P2P bytes ever held at once.";
	case NVMET_DDA_STAT_ALLOC_FAILED: return "Allocations the pool could not satisfy.";
	case NVMET_DDA_STAT_FB_INLINE: return "Writes whose data came in the command capsule.";
	default: return "nvmet-dda counter.";
	}
}

} // namespace

void print_prometheus(std::ostream &out, const Sample &sample)
{
	// One metric family per counter, every object's sample under it.
	struct Family {
		std::string type, help;
		std::vector<std::string> lines;
	};
	std::map<std::string, Family> families;
	const auto add = [&](const std::string &name, const std::string &type,
			     const std::string &help, const std::string &labels, uint64_t v) {
		auto &fam = families[name];
		fam.type = type;
		fam.help = help;
		fam.lines.push_back(name + "{" + labels + "} " + std::to_string(v));
	};
	const auto counters = [&](const std::string &object, const std::string &labels,
				  const Counters &c) {
		for (const auto &[id, v] : c.values) {
			const char *key = stat_key(id);
			if (!key)
				continue;
			const bool gauge = is_gauge(id);
			add("nvmet_dda_" + object + "_" + key + (gauge ? "" : "_total"),
			    gauge ? "gauge" : "counter", stat_help(id), labels, v);
		}
	};
	for (const auto &n : sample.namespaces)
		counters("namespace",
			 "subsys=\"" + label(n.subsys) + "\",nsid=\"" + std::to_string(n.nsid) + "\"",
			 n.stats);
	for (const auto &p : sample.providers) {
		const std::string labels = "provider=\"" + label(p.address) + "\",kind=\"" +
					   label(provider_kind_name(p.kind)) + "\"";
		// A sample the kernel does not know is left out, not made 0.
		if (p.size)
			add("nvmet_dda_provider_size_bytes", "gauge",
			    "Bytes in the provider's pool.", labels, *p.size);
		if (p.available)
			add("nvmet_dda_provider_available_bytes", "gauge",
			    "Bytes free in the provider's pool now.", labels, *p.available);
		counters("provider", labels, p.stats);
	}
	for (const auto &[name, fam] : families) {
		out << "# HELP " << name << ' ' << fam.help << '\n'
		    << "# TYPE " << name << ' ' << fam.type << '\n';
		for (const auto &l : fam.lines)
			out << l << '\n';
	}
}

namespace {

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
		"Show rates per second every SECONDS until interrupted");
	a->interval_opt->type_name("SECONDS");
	a->count_opt = obj->add_option("-c,--count", a->count,
				       "With -w: stop after COUNT intervals");
	a->count_opt->type_name("COUNT");
	obj->add_option("--format", a->format,
			"text, json (as -j) or prometheus (the text exposition "
			"format, for node_exporter's textfile collector)")
		->type_name("FORMAT");

	auto *v = add_verb(*obj, g, "show",
			   "Show the counters of all namespaces and providers, of "
			   "one subsystem or one namespace",
			   [&g, a] { show(g, *a); });
	v->alias("list");
	v->add_option("NAMESPACE", a->show, "[SUBSYS [NSID]]")->expected(0, 2);
}

} // namespace ddactl

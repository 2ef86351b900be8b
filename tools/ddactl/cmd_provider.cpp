// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl provider { show | add | del | help }: PCI P2P memory providers.
#include <memory>
#include <ostream>

#include <linux/nvmet_dda.h>

#include "cfs_cli.hpp"
#include "codec.hpp"
#include "nl_cli.hpp"
#include "p2p_ctl.hpp"
#include "validate.hpp"

namespace ddactl {

namespace {

struct ProviderArgs {
	std::string address;
	KeywordArgs add;
};

// Text and JSON values of counter @id, when @c has it.
void add_counter(Row &row, const Counters &c, int id)
{
	const auto v = c.get(id);
	if (!v)
		return;
	const bool bytes = id == NVMET_DDA_STAT_P2P_BYTES ||
			   id == NVMET_DDA_STAT_HOST_BYTES ||
			   id == NVMET_DDA_STAT_OUTSTANDING_BYTES ||
			   id == NVMET_DDA_STAT_OUTSTANDING_HWM;
	row.add(stat_key(id), bytes ? nlohmann::ordered_json(human_size(*v))
				    : nlohmann::ordered_json(*v),
		*v);
}

Row provider_row(const Provider &p)
{
	Row row;
	row.add("provider", p.address);
	row.add("kind", provider_kind_name(p.kind));
	row.add("driver", p.driver);
	if (p.bar)
		row.add("bar", *p.bar);
	if (p.offset)
		row.add("offset", human_size(*p.offset), *p.offset);
	row.add_bytes("size", p.size);
	row.add_bytes("available", p.available);
	const auto used = used_percent(p);
	row.text["used"] = used ? one_decimal(*used) + "%" : "-";
	if (used)
		row.json["used_percent"] = *used;
	for (int id : {NVMET_DDA_STAT_P2P_IOS, NVMET_DDA_STAT_P2P_BYTES,
		       NVMET_DDA_STAT_OUTSTANDING_BYTES, NVMET_DDA_STAT_OUTSTANDING_HWM,
		       NVMET_DDA_STAT_ALLOC_FAILED})
		add_counter(row, p.stats, id);
	return row;
}

void show(const Globals &g, const std::string &arg)
{
	const std::string address = arg.empty() ? "" : check_bdf(arg);
	GenlClient nl;
	MsgPtr msg = encode_provider_get(nl.family(), address);
	const auto providers = collect<Provider>(
		nl, *msg, decode_provider,
		address.empty() ? "providers" : "provider " + address,
		{{ENODEV, "it is not a provider; 'ddactl provider show' lists them"}});
	print_providers(g.out, g.format(), providers);
}

void add(const std::vector<std::string> &args)
{
	const ProviderAdd req = parse_provider_add(args);
	NetlinkP2p().add_provider(req);
}

void del(const std::string &arg)
{
	NetlinkP2p().del_provider(check_bdf(arg));
}

[[noreturn]] void bad(const std::string &object, const std::string &msg)
{
	throw UsageError(object + ": " + msg);
}

} // namespace

ProviderAdd parse_provider_add(const std::vector<std::string> &args)
{
	if (args.empty())
		bad("provider add", "give the PCI address of the function");
	ProviderAdd req;
	req.address = check_bdf(args[0]);
	const std::string object = "provider " + req.address;

	for (std::size_t i = 1; i < args.size(); i += 2) {
		const std::string &key = args[i];
		if (key != "bar" && key != "offset" && key != "size")
			bad(object, "unknown argument '" + key +
				    "'; use bar N, offset SIZE or size SIZE");
		if (i + 1 >= args.size())
			bad(object, "'" + key + "' needs a value; e.g. " + key +
				    (key == "bar" ? " 2" : " 64M"));
		const std::string &value = args[i + 1];
		if ((key == "bar" && req.bar) || (key == "offset" && req.offset) ||
		    (key == "size" && req.size))
			bad(object, "'" + key + "' is given twice; give it once");
		if (key == "bar") {
			req.bar = parse_bar(value);
			continue;
		}
		const uint64_t v = parse_size(key, value);
		if (v % NVMET_DDA_PROVIDER_ALIGN)
			bad(object, key + " " + value + " is not a multiple of 2MiB; "
				    "round it to one, e.g. " +
				    human_size(v - v % NVMET_DDA_PROVIDER_ALIGN +
					       NVMET_DDA_PROVIDER_ALIGN));
		if (key == "size" && v == 0)
			bad(object, "size 0 publishes nothing; give at least 2M or "
				    "leave size out for the rest of the BAR");
		(key == "offset" ? req.offset : req.size) = v;
	}
	return req;
}

void print_providers(std::ostream &out, Format format,
		     const std::vector<Provider> &providers)
{
	std::vector<Row> rows;
	for (const auto &p : providers)
		rows.push_back(provider_row(p));
	print_rows(out, format, "provider", rows);
}

void set_provider_command(CLI::App &app, Globals &g)
{
	auto a = std::make_shared<ProviderArgs>();
	auto *obj = add_object(app, g, "provider",
			       "Show, publish and remove PCI P2P memory providers "
			       "(netlink)",
			       [&g] { show(g, {}); });

	auto *v = add_verb(*obj, g, "show", "Show all providers or one",
			   [&g, a] { show(g, a->address); });
	v->alias("list");
	v->add_option("BDF", a->address, "PCI address, DDDD:BB:DD.F or BB:DD.F");

	v = add_verb(*obj, g, "add",
		     "Publish a BAR region as P2P memory: BDF [bar N] [offset SIZE] "
		     "[size SIZE]",
		     [a] { add(a->add.words()); });
	a->add.attach(v, "ARGS", "BDF, then keywords bar, offset, size with their values",
		      {{"bar", "", "N", "Memory BAR, 0 to 5 (default: the largest)"},
		       {"offset", "", "SIZE", "Where the region starts in the BAR (default 0)"},
		       {"size", "", "SIZE", "Size of the region (default: the rest of the BAR)"}});

	v = add_verb(*obj, g, "del", "Unpublish a BAR provider",
		     [a] { del(a->address); });
	v->add_option("BDF", a->address, "PCI address")->required();
}

} // namespace ddactl

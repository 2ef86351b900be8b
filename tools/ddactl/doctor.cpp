// SPDX-License-Identifier: GPL-2.0-only
#include "doctor.hpp"

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <linux/nvmet_dda.h>

namespace ddactl {

namespace fs = std::filesystem;

namespace {

// Paths below the system root.
class Sys {
public:
	explicit Sys(fs::path root) : root_(std::move(root)) {}

	fs::path path(const std::string &abs) const
	{
		return root_ / fs::path(abs).relative_path();
	}

	bool exists(const std::string &abs) const
	{
		std::error_code ec;
		return fs::exists(fs::symlink_status(path(abs), ec));
	}

	std::optional<std::string> read(const std::string &abs) const
	{
		std::ifstream f(path(abs), std::ios::binary);
		if (!f)
			return std::nullopt;
		std::string s{std::istreambuf_iterator<char>(f), {}};
		while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
			s.pop_back();
		return s;
	}

	std::vector<uint8_t> bytes(const std::string &abs) const
	{
		std::ifstream f(path(abs), std::ios::binary);
		return {std::istreambuf_iterator<char>(f), {}};
	}

	// Sorted names in directory @abs.
	std::vector<std::string> list(const std::string &abs) const
	{
		std::vector<std::string> v;
		std::error_code ec;
		for (fs::directory_iterator it(path(abs), ec), end; !ec && it != end;
		     it.increment(ec))
			v.push_back(it->path().filename().string());
		std::sort(v.begin(), v.end());
		return v;
	}

	// Where symlink @abs points, as written; empty when it is not one.
	std::string link(const std::string &abs) const
	{
		std::error_code ec;
		const fs::path p = fs::read_symlink(path(abs), ec);
		return ec ? std::string() : p.string();
	}

	// The decompressed contents of gzip file @abs.
	std::optional<std::string> gunzip(const std::string &abs) const
	{
		gzFile f = gzopen(path(abs).c_str(), "rb");
		if (!f)
			return std::nullopt;
		std::string s;
		char buf[16384];
		int n;
		while ((n = gzread(f, buf, sizeof(buf))) > 0)
			s.append(buf, static_cast<std::size_t>(n));
		const bool ok = n == 0;
		gzclose(f);
		if (!ok)
			return std::nullopt;
		return s;
	}

private:
	fs::path root_;
};

const std::regex bdf_re("[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
const std::regex root_re("pci([0-9a-f]{4,}):([0-9a-f]{2})");

std::vector<std::string> components(const std::string &path)
{
	std::vector<std::string> v;
	std::istringstream in(path);
	std::string c;
	while (std::getline(in, c, '/'))
		if (!c.empty())
			v.push_back(c);
	return v;
}

// A PCI function and where it sits: the host bridge ("pci0000:00") and
// the functions from the root port down to itself.
struct PciDev {
	std::string bdf;
	std::string root;
	std::vector<std::string> chain;
	uint32_t cls = 0;
	uint32_t vendor = 0, device = 0;
};

// The PCI position from a sysfs path such as
// "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0[/nvme/nvme0]".
void place(PciDev &d, const std::string &link)
{
	for (const auto &c : components(link)) {
		if (std::regex_match(c, root_re))
			d.root = c;
		else if (std::regex_match(c, bdf_re))
			d.chain.push_back(c);
	}
}

uint32_t hex(const std::optional<std::string> &s)
{
	if (!s)
		return 0;
	try {
		return static_cast<uint32_t>(std::stoul(*s, nullptr, 16));
	} catch (const std::exception &) {
		return 0;
	}
}

std::map<std::string, PciDev> pci_devices(const Sys &sys)
{
	std::map<std::string, PciDev> m;
	const std::string dir = "/sys/bus/pci/devices/";
	for (const auto &bdf : sys.list(dir)) {
		PciDev d;
		d.bdf = bdf;
		place(d, sys.link(dir + bdf));
		if (d.chain.empty() || d.chain.back() != bdf)
			d.chain = {bdf};
		if (d.root.empty())
			d.root = "pci" + bdf.substr(0, bdf.rfind(':'));
		d.cls = hex(sys.read(dir + bdf + "/class"));
		d.vendor = hex(sys.read(dir + bdf + "/vendor"));
		d.device = hex(sys.read(dir + bdf + "/device"));
		m[bdf] = std::move(d);
	}
	return m;
}

uint32_t le(const std::vector<uint8_t> &b, std::size_t pos, int n)
{
	uint32_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | b[pos + static_cast<std::size_t>(i)];
	return v;
}

std::string hex4(uint32_t v)
{
	char buf[8];
	std::snprintf(buf, sizeof(buf), "%04x", v & 0xffff);
	return buf;
}

// --- findings ------------------------------------------------------------

class Doctor {
public:
	Doctor(const fs::path &root, const std::optional<ModuleState> &m)
		: sys_(root), mod_(m)
	{
	}

	std::vector<Finding> run();

private:
	void add(std::string id, Severity s, std::string object, std::string msg,
		 std::string hint = {})
	{
		out_.push_back({std::move(id), s, std::move(object), std::move(msg),
				std::move(hint)});
	}

	void kernel_config();
	void module();
	void iommu();
	void devices();
	bool whitelisted(const PciDev &a, const PciDev &b, std::string &why) const;

	struct Route {
		bool ok = false;
		std::string message, hint;
	};
	Route route(const PciDev &a, const PciDev &b, const std::string &what);

	Sys sys_;
	const std::optional<ModuleState> &mod_;
	std::vector<Finding> out_;
	std::map<std::string, PciDev> pci_;
	std::set<std::string> acs_reported_;
	bool acs_unreadable_reported_ = false;
};

void Doctor::kernel_config()
{
	const std::string id = "kernel-p2pdma";
	const std::string hint = "use a kernel built with CONFIG_PCI_P2PDMA=y (Debian's "
				 "stock kernel lacks it); without it nvmet-dda only "
				 "uses host memory";
	if (mod_) {
		if (mod_->info.p2pdma)
			add(id, Severity::ok, {}, "the kernel has CONFIG_PCI_P2PDMA "
				"(nvmet-dda reports p2pdma)");
		else
			add(id, Severity::error, {}, "the kernel lacks CONFIG_PCI_P2PDMA "
				"(nvmet-dda reports p2pdma: no)", hint);
		return;
	}
	const std::string release = sys_.read("/proc/sys/kernel/osrelease").value_or("");
	std::optional<std::string> text;
	std::string source;
	if (!release.empty()) {
		source = "/boot/config-" + release;
		text = sys_.read(source);
	}
	if (!text) {
		source = "/proc/config.gz";
		text = sys_.gunzip(source);
	}
	if (!text) {
		add(id, Severity::warn, {}, "cannot tell whether the kernel has "
			"CONFIG_PCI_P2PDMA: neither /boot/config-" + release +
			" nor /proc/config.gz is readable",
			"load nvmet-dda (modprobe nvmet-dda), which reports it "
			"('ddactl info': p2pdma)");
		return;
	}
	const std::regex set_re("(^|\n)CONFIG_PCI_P2PDMA=y(\n|$)");
	if (std::regex_search(*text, set_re))
		add(id, Severity::ok, {}, "the kernel has CONFIG_PCI_P2PDMA=y (" + source + ")");
	else
		add(id, Severity::error, {}, "the kernel lacks CONFIG_PCI_P2PDMA (" + source +
			")", hint);
}

void Doctor::module()
{
	const auto modules = sys_.read("/proc/modules").value_or("");
	const bool rdma_loaded = std::regex_search(modules, std::regex("(^|\n)nvmet_rdma "));
	if (!mod_) {
		add("module", Severity::warn, {}, std::string(module_name) + " is not loaded",
		    "modprobe nvmet-dda");
	} else {
		add("module", Severity::ok, {}, std::string(module_name) + " " +
			mod_->info.version + " is loaded");
		if (mod_->info.caps & NVMET_DDA_CAP_RDMA)
			add("module-rdma", Severity::ok, {}, "nvmet-dda serves nvmet's rdma "
				"transport type");
		else
			add("module-rdma", Severity::error, {}, "nvmet-dda does not serve "
				"nvmet's rdma transport type, so no port uses it",
				rdma_loaded ? "nvmet-rdma took it first: modprobe -r nvmet-dda "
					      "nvmet-rdma; modprobe nvmet-dda"
					    : "reload it (modprobe -r nvmet-dda; modprobe "
					      "nvmet-dda) and see the kernel log (dmesg)");
	}
	if (rdma_loaded)
		add("nvmet-rdma", Severity::error, {}, "nvmet-rdma is loaded and holds "
			"nvmet's rdma transport type: rdma ports use host memory only",
			"unload it (modprobe -r nvmet-rdma) and install "
			"dist/nvmet-dda.conf in /etc/modprobe.d so that rdma ports load "
			"nvmet-dda instead");
	else
		add("nvmet-rdma", Severity::ok, {}, "nvmet-rdma is not loaded");
}

void Doctor::iommu()
{
	const auto units = sys_.list("/sys/class/iommu");
	if (units.empty()) {
		add("iommu", Severity::ok, {}, "no IOMMU is active: devices use bus "
			"addresses directly");
		return;
	}
	std::set<std::string> types;
	for (const auto &g : sys_.list("/sys/kernel/iommu_groups"))
		if (auto t = sys_.read("/sys/kernel/iommu_groups/" + g + "/type"))
			types.insert(*t);
	std::string list;
	for (const auto &u : units)
		list += (list.empty() ? "" : ", ") + u;
	const bool translated = types.count("DMA") || types.count("DMA-FQ");
	if (translated)
		add("iommu", Severity::warn, {}, "the IOMMU (" + list + ") translates DMA: "
			"P2P through the root complex must be mapped by it, and ACS "
			"redirect, which IOMMU setups enable, sends P2P traffic up to it",
			"boot with iommu=pt (passthrough) or keep the devices behind one "
			"PCIe switch with ACS redirect off");
	else
		add("iommu", Severity::ok, {}, "the IOMMU (" + list + ") is in passthrough "
			"(identity) mode");
}

// The kernel's host bridge whitelist (drivers/pci/p2pdma.c, 6.1) and its
// AMD Zen rule.
bool Doctor::whitelisted(const PciDev &a, const PciDev &b, std::string &why) const
{
	const auto cpu = sys_.read("/proc/cpuinfo").value_or("");
	std::smatch m;
	if (cpu.find("AuthenticAMD") != std::string::npos &&
	    std::regex_search(cpu, m, std::regex("cpu family\\s*:\\s*([0-9]+)")) &&
	    std::stoi(m[1]) >= 0x17) {
		why = "AMD Zen CPUs support P2P through the root complex";
		return true;
	}
	struct Entry {
		uint32_t vendor, device;
		bool same_host_bridge;
	};
	static const Entry list[] = {
		{0x8086, 0x3c00, true}, {0x8086, 0x3c01, true}, {0x8086, 0x2f00, true},
		{0x8086, 0x2f01, true}, {0x8086, 0x2030, false}, {0x8086, 0x2031, false},
		{0x8086, 0x2032, false}, {0x8086, 0x2033, false}, {0x8086, 0x2020, false},
		{0x8086, 0x09a2, false},
	};
	const auto ok = [&](const PciDev &d, bool same, std::string &host) {
		std::smatch r;
		if (!std::regex_match(d.root, r, root_re))
			return false;
		host = r[1].str() + ":" + r[2].str() + ":00.0";
		const auto it = pci_.find(host);
		if (it == pci_.end())
			return false;
		host += " (" + hex4(it->second.vendor) + ":" + hex4(it->second.device) + ")";
		for (const auto &e : list)
			if (e.vendor == it->second.vendor && e.device == it->second.device &&
			    (same || !e.same_host_bridge))
				return true;
		return false;
	};
	std::string ha, hb;
	const bool same = a.root == b.root;
	const bool ra = ok(a, same, ha);
	const bool rb = same ? ra : ok(b, false, hb);
	if (ra && rb) {
		why = "host bridge " + ha + (same ? "" : " and " + hb) +
		      " is on the kernel's P2PDMA whitelist";
		return true;
	}
	why = "host bridge " + (ra ? hb : ha) + " is not on the kernel's P2PDMA "
	      "whitelist (drivers/pci/p2pdma.c), so the kernel refuses P2P DMA "
	      "that has to cross the root complex";
	if (ha.empty())
		why = "the host bridge (devfn 00.0 of the root bus) is not known, so "
		      "the kernel cannot whitelist it and refuses P2P DMA that has to "
		      "cross the root complex";
	return false;
}

Doctor::Route Doctor::route(const PciDev &a, const PciDev &b, const std::string &what)
{
	Route r;
	if (a.bdf == b.bdf) {
		r.ok = true;
		r.message = what + ": the same function (its own memory): no PCI hop";
		return r;
	}
	std::size_t k = 0;
	if (a.root == b.root)
		while (k < a.chain.size() && k < b.chain.size() && a.chain[k] == b.chain[k])
			k++;

	// The functions the kernel checks for ACS redirect: from a up to and
	// including the common upstream bridge, and from b up to below it.
	std::vector<std::string> acs_path;
	const std::size_t from = k ? k - 1 : 0;
	for (std::size_t i = from; i < a.chain.size(); i++)
		acs_path.push_back(a.chain[i]);
	for (std::size_t i = k; i < b.chain.size(); i++)
		acs_path.push_back(b.chain[i]);
	std::vector<std::string> redirect;
	for (const auto &bdf : acs_path) {
		const AcsInfo acs = parse_acs(sys_.bytes("/sys/bus/pci/devices/" + bdf +
							 "/config"));
		if (!acs.readable) {
			if (!acs_unreadable_reported_)
				add("acs-unreadable", Severity::warn, bdf,
				    "cannot read the extended PCI config space of " + bdf +
					    ", so ACS redirect is not checked",
				    "run ddactl doctor as root");
			acs_unreadable_reported_ = true;
			continue;
		}
		if (acs.ctrl && (*acs.ctrl & (acs_rr | acs_cr | acs_ec))) {
			redirect.push_back(bdf);
			if (acs_reported_.insert(bdf).second) {
				std::string bits;
				for (auto [bit, name] : {std::pair{acs_rr, "RR"},
							 std::pair{acs_cr, "CR"},
							 std::pair{acs_ec, "EC"}})
					if (*acs.ctrl & bit)
						bits += std::string(bits.empty() ? "" : "/") + name;
				add("acs-redirect", Severity::warn, bdf,
				    bdf + " has ACS " + bits + " on (control 0x" +
					    hex4(*acs.ctrl) + "): peer-to-peer requests "
					    "through it are redirected up to the root complex",
				    "boot with pci=disable_acs_redir=" + bdf +
					    " (or turn ACS off for it in the firmware)");
			}
		}
	}

	const auto hops = [](std::size_t n) {
		return std::to_string(n) + (n == 1 ? " hop" : " hops");
	};
	if (k > 0 && redirect.empty()) {
		r.ok = true;
		r.message = what + ": both below " + a.chain[k - 1] + " (" +
			    hops(a.chain.size() - k) + " and " + hops(b.chain.size() - k) +
			    "): P2P traffic stays in the PCIe switch";
		return r;
	}
	std::string via;
	if (k > 0) {
		std::string list;
		for (const auto &d : redirect)
			list += (list.empty() ? "" : ", ") + d;
		via = "below " + a.chain[k - 1] + ", but ACS redirect on " + list +
		      " sends P2P traffic to the root complex";
	} else if (a.root == b.root) {
		via = "they only share the root complex (" + a.root + ")";
	} else {
		via = "they are below different host bridges (" + std::min(a.root, b.root) +
		      ", " + std::max(a.root, b.root) + ")";
	}
	std::string why;
	r.ok = whitelisted(a, b, why);
	r.message = what + ": " + via + "; " + why;
	if (!r.ok)
		r.hint = k > 0 ? "turn ACS redirect off on the bridges named (pci=disable_acs_redir=)"
			       : "put the devices behind one PCIe switch, or use the SSD's "
				 "own CMB (offload provider cmb)";
	return r;
}

void Doctor::devices()
{
	pci_ = pci_devices(sys_);
	const std::string dir = "/sys/bus/pci/devices/";

	// NVMe controllers (class 010802) and their CMBs.
	std::vector<const PciDev *> ssds;
	for (const auto &[bdf, d] : pci_) {
		if (d.cls != 0x010802)
			continue;
		ssds.push_back(&d);
		const std::string p2pmem = dir + bdf + "/p2pmem";
		if (!sys_.exists(p2pmem))
			add("cmb", Severity::warn, bdf, "NVMe controller " + bdf +
				" has no published CMB (no p2pmem in sysfs)",
				"its CMB, if any, lacks RDS/WDS support or is absent: use "
				"another provider for it (ddactl provider add BDF)");
		else if (sys_.read(p2pmem + "/published").value_or("1") != "1")
			add("cmb", Severity::warn, bdf, "NVMe controller " + bdf +
				" has a CMB that nvme-pci did not publish (it lacks "
				"RDS/WDS support)",
				"use another provider for it (ddactl provider add BDF)");
		else
			add("cmb", Severity::ok, bdf, "NVMe controller " + bdf +
				" publishes its CMB as P2P memory");
	}
	if (ssds.empty())
		add("ssd", Severity::error, {}, "no local NVMe SSD (PCI class 010802)",
		    "P2P placement moves data between a local NVMe SSD and P2P memory; "
		    "serve an NVMe SSD");

	// Providers: published p2pmem and what the module lists.
	std::set<std::string> provs;
	for (const auto &[bdf, d] : pci_)
		if (sys_.exists(dir + bdf + "/p2pmem") &&
		    sys_.read(dir + bdf + "/p2pmem/published").value_or("1") == "1")
			provs.insert(bdf);
	if (mod_)
		for (const auto &p : mod_->providers)
			if (pci_.count(p.address))
				provs.insert(p.address);
	if (provs.empty())
		add("providers", Severity::error, {}, "no P2P memory provider: no "
			"function publishes p2pmem",
		    "publish a BAR with 'ddactl provider add BDF' or use an SSD whose "
		    "CMB supports RDS and WDS");
	else {
		std::string list;
		for (const auto &p : provs)
			list += (list.empty() ? "" : ", ") + p;
		add("providers", Severity::ok, {}, "P2P memory providers: " + list);
	}

	for (const auto *ssd : ssds) {
		bool any = false;
		for (const auto &p : provs) {
			const std::string what = "SSD " + ssd->bdf + " and provider " + p;
			const Route r = route(pci_.at(p), *ssd, what);
			add("path", r.ok ? Severity::ok : Severity::warn,
			    ssd->bdf + " " + p, r.message, r.hint);
			any = any || r.ok;
		}
		if (provs.empty())
			continue;
		if (any)
			add("ssd-reach", Severity::ok, ssd->bdf, "SSD " + ssd->bdf +
				" can use P2P memory");
		else
			add("ssd-reach", Severity::error, ssd->bdf, "no provider can do P2P "
				"DMA with SSD " + ssd->bdf + " (see the path findings)",
			    "publish a BAR behind the same PCIe switch as the SSD "
			    "(ddactl provider add BDF)");
	}

	// RDMA devices: PCI functions or software.
	std::vector<std::string> soft;
	std::vector<PciDev> nics;
	for (const auto &ib : sys_.list("/sys/class/infiniband")) {
		PciDev d;
		place(d, sys_.link("/sys/class/infiniband/" + ib));
		if (d.chain.empty()) {
			soft.push_back(ib);
			continue;
		}
		const auto it = pci_.find(d.chain.back());
		nics.push_back(it != pci_.end() ? it->second : d);
		nics.back().bdf = ib + " (" + d.chain.back() + ")";
	}
	if (soft.empty() && nics.empty())
		add("rdma", Severity::warn, {}, "no RDMA device",
		    "nvmet-dda serves NVMe-oF over RDMA: load the NIC's driver, or "
		    "for tests 'rdma link add rxe0 type rxe netdev IFACE'");
	for (const auto &s : soft)
		add("rdma", Severity::ok, s, s + " is a software RDMA device: the CPU "
			"copies between the network and the P2P pages; the SSD side is "
			"still P2P DMA");
	for (const auto &n : nics) {
		add("rdma", Severity::ok, n.bdf, "RDMA device " + n.bdf + " is a PCI "
			"function: it reads and writes P2P memory directly");
		PciDev nic = n;
		nic.bdf = nic.chain.back();
		for (const auto &p : provs) {
			const Route r = route(pci_.at(p), nic, "RDMA device " + n.bdf +
								       " and provider " + p);
			add("rdma-path", r.ok ? Severity::ok : Severity::warn,
			    nic.bdf + " " + p, r.message, r.hint);
		}
	}
}

std::vector<Finding> Doctor::run()
{
	kernel_config();
	module();
	iommu();
	devices();
	return out_;
}

} // namespace

const char *severity_name(Severity s)
{
	switch (s) {
	case Severity::ok:
		return "ok";
	case Severity::warn:
		return "warn";
	default:
		return "error";
	}
}

AcsInfo parse_acs(const std::vector<uint8_t> &config)
{
	AcsInfo a;
	if (config.size() < 0x104)
		return a;
	a.readable = true;
	std::size_t pos = 0x100;
	for (int guard = 0; guard < 128 && pos + 8 <= config.size(); guard++) {
		const uint32_t hdr = le(config, pos, 4);
		if (hdr == 0 || hdr == 0xffffffff)
			break;
		if ((hdr & 0xffff) == 0x0d) {
			a.ctrl = static_cast<uint16_t>(le(config, pos + 6, 2));
			break;
		}
		const std::size_t next = (hdr >> 20) & 0xffc;
		if (next < 0x100)
			break;
		pos = next;
	}
	return a;
}

std::vector<Finding> diagnose(const fs::path &sysroot,
			      const std::optional<ModuleState> &module)
{
	return Doctor(sysroot, module).run();
}

bool p2p_can_work(const std::vector<Finding> &findings)
{
	return std::none_of(findings.begin(), findings.end(), [](const Finding &f) {
		return f.severity == Severity::error;
	});
}

} // namespace ddactl

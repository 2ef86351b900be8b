// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl doctor on fake sysfs trees: every finding, and the exit status.
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "app.hpp"
#include "doctor.hpp"
#include "fake_configfs.hpp"
#include "fake_p2p.hpp"

using namespace ddactl;
using namespace ddactl::test;
using nlohmann::json;

namespace {

constexpr uint32_t nvme_class = 0x010802, bridge_class = 0x060400, host_class = 0x060000,
		   mem_class = 0x050000, nic_class = 0x020000;

// A sysfs, procfs and /boot below a temporary directory.
struct FakeSys {
	TempDir dir;
	const fs::path &root = dir.path();

	void file(const std::string &abs, const std::string &content) const
	{
		const fs::path p = root / fs::path(abs).relative_path();
		fs::create_directories(p.parent_path());
		std::ofstream(p, std::ios::binary) << content;
	}

	void link(const std::string &abs, const std::string &target) const
	{
		const fs::path p = root / fs::path(abs).relative_path();
		fs::create_directories(p.parent_path());
		fs::create_symlink(target, p);
	}

	// A PCI function at @path ("pci0000:00/0000:00:01.0/0000:01:00.0")
	// with a 4 KiB config space; @acs: the ACS control register, behind an
	// AER capability so that the list is walked.
	void pci(const std::string &path, uint32_t cls, uint32_t vendor = 0x1b36,
		 uint32_t device = 0x0001, std::optional<uint16_t> acs = {},
		 std::size_t config_size = 4096) const
	{
		const std::string bdf = path.substr(path.rfind('/') + 1);
		const std::string dev = "/sys/devices/" + path;
		char buf[16];
		std::snprintf(buf, sizeof(buf), "0x%06x\n", cls);
		file(dev + "/class", buf);
		std::snprintf(buf, sizeof(buf), "0x%04x\n", vendor);
		file(dev + "/vendor", buf);
		std::snprintf(buf, sizeof(buf), "0x%04x\n", device);
		file(dev + "/device", buf);
		std::string cfg(4096, '\0');
		const auto put = [&](std::size_t pos, uint32_t v, int n) {
			for (int i = 0; i < n; i++)
				cfg[pos + static_cast<std::size_t>(i)] =
					static_cast<char>((v >> (8 * i)) & 0xff);
		};
		put(0, vendor | device << 16, 4);
		if (acs) {
			put(0x100, 0x0001 | 1u << 16 | 0x148u << 20, 4);	// AER -> 0x148
			put(0x148, 0x000d | 1u << 16, 4);			// ACS, last
			put(0x14c, 0x001f, 2);					// capabilities
			put(0x14e, *acs, 2);					// control
		}
		cfg.resize(config_size);
		file(dev + "/config", cfg);
		link("/sys/bus/pci/devices/" + bdf, "../../../devices/" + path);
	}

	void p2pmem(const std::string &bdf, bool published = true) const
	{
		const std::string d = "/sys/bus/pci/devices/" + bdf + "/p2pmem/";
		file(d + "size", "67108864\n");
		file(d + "available", "67108864\n");
		file(d + "published", published ? "1\n" : "0\n");
	}

	// The test VM: q35 host bridge, a PCIe switch with the SSD (CMB
	// published) and the ivshmem BAR (published by nvmet-dda), rxe0,
	// CONFIG_PCI_P2PDMA=y, no IOMMU.
	void vm() const
	{
		file("/proc/sys/kernel/osrelease", "6.1.192\n");
		file("/boot/config-6.1.192", "CONFIG_PCI=y\nCONFIG_PCI_P2PDMA=y\n");
		file("/proc/modules", "nvmet_dda 200704 0 - Live 0x0\nnvmet 147456 1 nvmet_dda, Live 0x0\n");
		file("/proc/cpuinfo", "vendor_id\t: GenuineIntel\ncpu family\t: 6\n");
		pci("pci0000:00/0000:00:00.0", host_class, 0x8086, 0x29c0);
		pci("pci0000:00/0000:00:02.0", bridge_class, 0x104c, 0x8232, 0);
		pci("pci0000:00/0000:00:02.0/0000:01:00.0", bridge_class, 0x104c, 0x8233, 0);
		pci("pci0000:00/0000:00:02.0/0000:01:01.0", bridge_class, 0x104c, 0x8233, 0);
		pci("pci0000:00/0000:00:02.0/0000:01:00.0/0000:02:00.0", nvme_class, 0x1b36, 0x0010);
		pci("pci0000:00/0000:00:02.0/0000:01:01.0/0000:03:00.0", mem_class, 0x1af4, 0x1110);
		p2pmem("0000:02:00.0");
		p2pmem("0000:03:00.0");
		link("/sys/class/infiniband/rxe0", "../../devices/virtual/infiniband/rxe0");
	}
};

ModuleState loaded(uint32_t caps = NVMET_DDA_CAP_ALL, bool p2pdma = true)
{
	ModuleState m;
	m.info = {"0.1.0", "6.1.192", p2pdma, caps, 1};
	return m;
}

std::vector<Finding> of(const std::vector<Finding> &all, const std::string &id)
{
	std::vector<Finding> v;
	for (const auto &f : all)
		if (f.id == id)
			v.push_back(f);
	return v;
}

// The one finding @id (about @object, when given).
Finding one(const std::vector<Finding> &all, const std::string &id,
	    const std::string &object = {})
{
	std::vector<Finding> v;
	for (const auto &f : of(all, id))
		if (object.empty() || f.object == object)
			v.push_back(f);
	INFO("finding " << id << " " << object);
	REQUIRE(v.size() == 1);
	return v[0];
}

std::string dump(const std::vector<Finding> &all)
{
	std::string s;
	for (const auto &f : all)
		s += std::string(severity_name(f.severity)) + " " + f.id + " [" + f.object +
		     "] " + f.message + " | " + f.hint + "\n";
	return s;
}

} // namespace

TEST_CASE("doctor: the test VM can do P2P", "[doctor]")
{
	FakeSys s;
	s.vm();
	const auto all = diagnose(s.root, loaded());
	INFO(dump(all));
	CHECK(p2p_can_work(all));
	for (const auto &f : all)
		CHECK(f.severity == Severity::ok);
	CHECK(one(all, "kernel-p2pdma").message == "the kernel has CONFIG_PCI_P2PDMA (nvmet-dda "
						   "reports p2pdma)");
	CHECK(one(all, "module").message == "nvmet-dda 0.1.0 is loaded");
	CHECK(one(all, "module-rdma").severity == Severity::ok);
	CHECK(one(all, "nvmet-rdma").severity == Severity::ok);
	CHECK(one(all, "iommu").message == "no IOMMU is active: devices use bus addresses directly");
	CHECK(one(all, "cmb", "0000:02:00.0").message ==
	      "NVMe controller 0000:02:00.0 publishes its CMB as P2P memory");
	CHECK(one(all, "providers").message == "P2P memory providers: 0000:02:00.0, 0000:03:00.0");
	CHECK(one(all, "path", "0000:02:00.0 0000:02:00.0").message ==
	      "SSD 0000:02:00.0 and provider 0000:02:00.0: the same function (its own "
	      "memory): no PCI hop");
	CHECK(one(all, "path", "0000:02:00.0 0000:03:00.0").message ==
	      "SSD 0000:02:00.0 and provider 0000:03:00.0: both below 0000:00:02.0 (2 hops "
	      "and 2 hops): P2P traffic stays in the PCIe switch");
	CHECK(one(all, "ssd-reach", "0000:02:00.0").severity == Severity::ok);
	CHECK_THAT(one(all, "rdma", "rxe0").message, Catch::Contains("software RDMA device"));
	CHECK(of(all, "acs-redirect").empty());
	CHECK(of(all, "rdma-path").empty());
}

TEST_CASE("doctor: kernel config from the module, /boot or /proc/config.gz", "[doctor]")
{
	FakeSys s;
	s.vm();
	// The module's word first.
	auto all = diagnose(s.root, loaded(NVMET_DDA_CAP_RDMA, false));
	auto f = one(all, "kernel-p2pdma");
	CHECK(f.severity == Severity::error);
	CHECK(f.message == "the kernel lacks CONFIG_PCI_P2PDMA (nvmet-dda reports p2pdma: no)");
	CHECK_THAT(f.hint, Catch::Contains("CONFIG_PCI_P2PDMA=y"));
	CHECK_FALSE(p2p_can_work(all));

	// Without the module: /boot/config-RELEASE.
	f = one(diagnose(s.root, std::nullopt), "kernel-p2pdma");
	CHECK(f.severity == Severity::ok);
	CHECK(f.message == "the kernel has CONFIG_PCI_P2PDMA=y (/boot/config-6.1.192)");
	s.file("/boot/config-6.1.192", "CONFIG_PCI=y\n# CONFIG_PCI_P2PDMA is not set\n");
	f = one(diagnose(s.root, std::nullopt), "kernel-p2pdma");
	CHECK(f.severity == Severity::error);
	CHECK(f.message == "the kernel lacks CONFIG_PCI_P2PDMA (/boot/config-6.1.192)");

	// No /boot config: /proc/config.gz.
	fs::remove(s.root / "boot/config-6.1.192");
	f = one(diagnose(s.root, std::nullopt), "kernel-p2pdma");
	CHECK(f.severity == Severity::warn);
	CHECK_THAT(f.message, Catch::StartsWith("cannot tell whether the kernel has"));
	CHECK_THAT(f.hint, Catch::Contains("modprobe nvmet-dda"));
	const auto gz = [&](const std::string &text) {
		gzFile z = gzopen((s.root / "proc/config.gz").c_str(), "wb");
		REQUIRE(z);
		REQUIRE(gzwrite(z, text.data(), static_cast<unsigned>(text.size())) ==
			static_cast<int>(text.size()));
		gzclose(z);
	};
	gz("CONFIG_X=y\nCONFIG_PCI_P2PDMA=y\nCONFIG_Y=m\n");
	f = one(diagnose(s.root, std::nullopt), "kernel-p2pdma");
	CHECK(f.severity == Severity::ok);
	CHECK(f.message == "the kernel has CONFIG_PCI_P2PDMA=y (/proc/config.gz)");
	gz("CONFIG_X=y\nCONFIG_PCI_P2PDMA_TEST=y\n");
	CHECK(one(diagnose(s.root, std::nullopt), "kernel-p2pdma").severity == Severity::error);
}

TEST_CASE("doctor: module state and nvmet-rdma", "[doctor]")
{
	FakeSys s;
	s.vm();
	auto all = diagnose(s.root, std::nullopt);
	auto f = one(all, "module");
	CHECK(f.severity == Severity::warn);
	CHECK(f.message == "nvmet-dda is not loaded");
	CHECK(f.hint == "modprobe nvmet-dda");
	CHECK(of(all, "module-rdma").empty());
	CHECK(p2p_can_work(all));	// warnings only

	all = diagnose(s.root, loaded(NVMET_DDA_CAP_P2PDMA));
	f = one(all, "module-rdma");
	CHECK(f.severity == Severity::error);
	CHECK_THAT(f.hint, Catch::StartsWith("reload it"));
	CHECK_FALSE(p2p_can_work(all));

	s.file("/proc/modules", "nvmet_rdma 61440 0 - Live 0x0\nnvmet_dda 200704 0 - Live 0x0\n");
	all = diagnose(s.root, loaded(NVMET_DDA_CAP_P2PDMA));
	CHECK_THAT(one(all, "module-rdma").hint, Catch::StartsWith("nvmet-rdma took it first"));
	f = one(all, "nvmet-rdma");
	CHECK(f.severity == Severity::error);
	CHECK_THAT(f.message, Catch::StartsWith("nvmet-rdma is loaded and holds"));
	CHECK_THAT(f.hint, Catch::Contains("modprobe -r nvmet-rdma"));
}

TEST_CASE("doctor: IOMMU off, passthrough, translating", "[doctor]")
{
	FakeSys s;
	s.vm();
	s.file("/sys/class/iommu/dmar0/x", "");
	s.file("/sys/kernel/iommu_groups/0/type", "identity\n");
	s.file("/sys/kernel/iommu_groups/1/type", "identity\n");
	auto f = one(diagnose(s.root, loaded()), "iommu");
	CHECK(f.severity == Severity::ok);
	CHECK(f.message == "the IOMMU (dmar0) is in passthrough (identity) mode");
	s.file("/sys/kernel/iommu_groups/1/type", "DMA-FQ\n");
	const auto all = diagnose(s.root, loaded());
	f = one(all, "iommu");
	CHECK(f.severity == Severity::warn);
	CHECK_THAT(f.message, Catch::StartsWith("the IOMMU (dmar0) translates DMA"));
	CHECK_THAT(f.hint, Catch::Contains("iommu=pt"));
	CHECK(p2p_can_work(all));
}

TEST_CASE("doctor: SSDs, CMBs and providers", "[doctor]")
{
	SECTION("no SSD")
	{
		FakeSys s;
		s.vm();
		fs::remove_all(s.root / "sys/devices/pci0000:00/0000:00:02.0/0000:01:00.0/0000:02:00.0");
		fs::remove(s.root / "sys/bus/pci/devices/0000:02:00.0");
		const auto all = diagnose(s.root, loaded());
		CHECK(one(all, "ssd").severity == Severity::error);
		CHECK(of(all, "cmb").empty());
		CHECK_FALSE(p2p_can_work(all));
	}
	SECTION("a CMB that is not published, no other provider")
	{
		FakeSys s;
		s.vm();
		s.p2pmem("0000:02:00.0", false);
		fs::remove_all(s.root / "sys/devices/pci0000:00/0000:00:02.0/0000:01:01.0/0000:03:00.0/p2pmem");
		const auto all = diagnose(s.root, loaded());
		INFO(dump(all));
		auto f = one(all, "cmb", "0000:02:00.0");
		CHECK(f.severity == Severity::warn);
		CHECK_THAT(f.message, Catch::Contains("did not publish (it lacks RDS/WDS support)"));
		f = one(all, "providers");
		CHECK(f.severity == Severity::error);
		CHECK_THAT(f.hint, Catch::Contains("ddactl provider add BDF"));
		CHECK(of(all, "ssd-reach").empty());
		CHECK_FALSE(p2p_can_work(all));
	}
	SECTION("no CMB at all; the module's BAR provider serves")
	{
		FakeSys s;
		s.vm();
		fs::remove_all(s.root / "sys/devices/pci0000:00/0000:00:02.0/0000:01:00.0/0000:02:00.0/p2pmem");
		fs::remove_all(s.root / "sys/devices/pci0000:00/0000:00:02.0/0000:01:01.0/0000:03:00.0/p2pmem");
		ModuleState m = loaded();
		m.providers = {fake_provider("0000:03:00.0", NVMET_DDA_PROVIDER_BAR, 64ull << 20, 2, 0)};
		const auto all = diagnose(s.root, m);
		INFO(dump(all));
		const auto f = one(all, "cmb", "0000:02:00.0");
		CHECK(f.severity == Severity::warn);
		CHECK(f.message == "NVMe controller 0000:02:00.0 has no published CMB (no p2pmem in sysfs)");
		CHECK(one(all, "providers").message == "P2P memory providers: 0000:03:00.0");
		CHECK(one(all, "ssd-reach").severity == Severity::ok);
		CHECK(p2p_can_work(all));
	}
}

TEST_CASE("doctor: ACS redirect on the switch", "[doctor]")
{
	FakeSys s;
	s.vm();
	// The downstream port of the provider redirects P2P requests.
	fs::remove(s.root / "sys/bus/pci/devices/0000:01:01.0");
	s.pci("pci0000:00/0000:00:02.0/0000:01:01.0", bridge_class, 0x104c, 0x8233,
	      acs_rr | acs_cr | 0x1);
	const auto all = diagnose(s.root, loaded());
	INFO(dump(all));
	auto f = one(all, "acs-redirect", "0000:01:01.0");
	CHECK(f.severity == Severity::warn);
	CHECK(f.message == "0000:01:01.0 has ACS RR/CR on (control 0x000d): peer-to-peer requests "
			   "through it are redirected up to the root complex");
	CHECK(f.hint == "boot with pci=disable_acs_redir=0000:01:01.0 (or turn ACS off for it in "
			"the firmware)");
	// q35's host bridge is not whitelisted: the BAR cannot serve the SSD,
	// its own CMB still can.
	f = one(all, "path", "0000:02:00.0 0000:03:00.0");
	CHECK(f.severity == Severity::warn);
	CHECK_THAT(f.message, Catch::Contains("below 0000:00:02.0, but ACS redirect on 0000:01:01.0 "
					      "sends P2P traffic to the root complex; host bridge "
					      "0000:00:00.0 (8086:29c0) is not on the kernel's P2PDMA "
					      "whitelist"));
	CHECK_THAT(f.hint, Catch::Contains("pci=disable_acs_redir="));
	CHECK(one(all, "ssd-reach").severity == Severity::ok);
	CHECK(p2p_can_work(all));

	// Without the CMB the SSD is left without a provider.
	s.p2pmem("0000:02:00.0", false);
	const auto all2 = diagnose(s.root, loaded());
	f = one(all2, "ssd-reach", "0000:02:00.0");
	CHECK(f.severity == Severity::error);
	CHECK_FALSE(p2p_can_work(all2));

	// Egress control counts too, as in the kernel.
	fs::remove(s.root / "sys/bus/pci/devices/0000:01:01.0");
	s.pci("pci0000:00/0000:00:02.0/0000:01:01.0", bridge_class, 0x104c, 0x8233, acs_ec);
	CHECK_THAT(one(diagnose(s.root, loaded()), "acs-redirect").message,
		   Catch::Contains("has ACS EC on"));
	// Other ACS bits (source validation) do not.
	fs::remove(s.root / "sys/bus/pci/devices/0000:01:01.0");
	s.pci("pci0000:00/0000:00:02.0/0000:01:01.0", bridge_class, 0x104c, 0x8233, 0x1 | 0x10);
	CHECK(of(diagnose(s.root, loaded()), "acs-redirect").empty());
}

TEST_CASE("doctor: ACS unreadable without root", "[doctor]")
{
	FakeSys s;
	s.vm();
	fs::remove(s.root / "sys/bus/pci/devices/0000:01:01.0");
	s.pci("pci0000:00/0000:00:02.0/0000:01:01.0", bridge_class, 0x104c, 0x8233, 0, 64);
	const auto all = diagnose(s.root, loaded());
	const auto f = one(all, "acs-unreadable");
	CHECK(f.severity == Severity::warn);
	CHECK(f.hint == "run ddactl doctor as root");
	CHECK(p2p_can_work(all));
}

TEST_CASE("doctor: devices that only share the root complex", "[doctor]")
{
	const auto tree = [](FakeSys &s, uint32_t host_vendor, uint32_t host_device) {
		s.vm();
		fs::remove_all(s.root / "sys");
		s.pci("pci0000:00/0000:00:00.0", host_class, host_vendor, host_device);
		s.pci("pci0000:00/0000:00:01.0", bridge_class);
		s.pci("pci0000:00/0000:00:03.0", bridge_class);
		s.pci("pci0000:00/0000:00:01.0/0000:01:00.0", nvme_class);
		s.pci("pci0000:00/0000:00:03.0/0000:02:00.0", mem_class);
		s.p2pmem("0000:02:00.0");
	};
	SECTION("not whitelisted")
	{
		FakeSys s;
		tree(s, 0x8086, 0x29c0);
		const auto all = diagnose(s.root, loaded());
		INFO(dump(all));
		const auto f = one(all, "path", "0000:01:00.0 0000:02:00.0");
		CHECK(f.severity == Severity::warn);
		CHECK(f.message == "SSD 0000:01:00.0 and provider 0000:02:00.0: they only share the "
				   "root complex (pci0000:00); host bridge 0000:00:00.0 (8086:29c0) "
				   "is not on the kernel's P2PDMA whitelist (drivers/pci/p2pdma.c), "
				   "so the kernel refuses P2P DMA that has to cross the root complex");
		CHECK_THAT(f.hint, Catch::StartsWith("put the devices behind one PCIe switch"));
		CHECK(one(all, "cmb").severity == Severity::warn);
		CHECK(one(all, "ssd-reach").severity == Severity::error);
		CHECK_FALSE(p2p_can_work(all));
	}
	SECTION("a whitelisted Intel host bridge")
	{
		FakeSys s;
		tree(s, 0x8086, 0x2020);
		const auto all = diagnose(s.root, loaded());
		const auto f = one(all, "path", "0000:01:00.0 0000:02:00.0");
		CHECK(f.severity == Severity::ok);
		CHECK_THAT(f.message, Catch::EndsWith("host bridge 0000:00:00.0 (8086:2020) is on "
						      "the kernel's P2PDMA whitelist"));
		CHECK(p2p_can_work(all));
	}
	SECTION("an AMD Zen CPU")
	{
		FakeSys s;
		tree(s, 0x1022, 0x1480);
		s.file("/proc/cpuinfo", "vendor_id\t: AuthenticAMD\ncpu family\t: 25\n");
		const auto f = one(diagnose(s.root, loaded()), "path");
		CHECK(f.severity == Severity::ok);
		CHECK_THAT(f.message, Catch::EndsWith("AMD Zen CPUs support P2P through the root "
						      "complex"));
		s.file("/proc/cpuinfo", "vendor_id\t: AuthenticAMD\ncpu family\t: 21\n");
		CHECK(one(diagnose(s.root, loaded()), "path").severity == Severity::warn);
	}
	SECTION("different host bridges: entries that need the same one do not count")
	{
		FakeSys s;
		tree(s, 0x8086, 0x2f00);
		s.pci("pci0000:80/0000:80:00.0", host_class, 0x8086, 0x2f00);
		s.pci("pci0000:80/0000:80:02.0", bridge_class);
		s.pci("pci0000:80/0000:80:02.0/0000:81:00.0", mem_class);
		s.p2pmem("0000:81:00.0");
		const auto all = diagnose(s.root, loaded());
		INFO(dump(all));
		CHECK(one(all, "path", "0000:01:00.0 0000:02:00.0").severity == Severity::ok);
		const auto f = one(all, "path", "0000:01:00.0 0000:81:00.0");
		CHECK(f.severity == Severity::warn);
		CHECK_THAT(f.message, Catch::Contains("they are below different host bridges "
						      "(pci0000:00, pci0000:80)"));
	}
}

TEST_CASE("doctor: RDMA devices", "[doctor]")
{
	FakeSys s;
	s.vm();
	fs::remove(s.root / "sys/class/infiniband/rxe0");
	auto all = diagnose(s.root, loaded());
	auto f = one(all, "rdma");
	CHECK(f.severity == Severity::warn);
	CHECK(f.message == "no RDMA device");
	CHECK(p2p_can_work(all));

	// A NIC below the same switch as the providers, and one outside it.
	s.pci("pci0000:00/0000:00:02.0/0000:01:02.0", bridge_class, 0x104c, 0x8233, 0);
	s.pci("pci0000:00/0000:00:02.0/0000:01:02.0/0000:04:00.0", nic_class, 0x15b3, 0x101d);
	s.link("/sys/class/infiniband/mlx5_0",
	       "../../devices/pci0000:00/0000:00:02.0/0000:01:02.0/0000:04:00.0/infiniband/mlx5_0");
	s.pci("pci0000:00/0000:00:05.0", nic_class, 0x15b3, 0x101d);
	s.link("/sys/class/infiniband/mlx5_1",
	       "../../devices/pci0000:00/0000:00:05.0/infiniband/mlx5_1");
	all = diagnose(s.root, loaded());
	INFO(dump(all));
	CHECK(one(all, "rdma", "mlx5_0 (0000:04:00.0)").message ==
	      "RDMA device mlx5_0 (0000:04:00.0) is a PCI function: it reads and writes P2P "
	      "memory directly");
	CHECK(one(all, "rdma-path", "0000:04:00.0 0000:03:00.0").message ==
	      "RDMA device mlx5_0 (0000:04:00.0) and provider 0000:03:00.0: both below "
	      "0000:00:02.0 (2 hops and 2 hops): P2P traffic stays in the PCIe switch");
	f = one(all, "rdma-path", "0000:00:05.0 0000:03:00.0");
	CHECK(f.severity == Severity::warn);
	CHECK_THAT(f.message, Catch::Contains("they only share the root complex"));
	CHECK(of(all, "rdma-path").size() == 4);
}

TEST_CASE("parse_acs walks the extended capabilities", "[doctor]")
{
	std::vector<uint8_t> cfg(4096, 0);
	CHECK(parse_acs(std::vector<uint8_t>(64, 0)).readable == false);
	AcsInfo a = parse_acs(cfg);
	CHECK(a.readable);
	CHECK_FALSE(a.ctrl);
	// 0x100: id 0x0d, next 0; control 0x0004 at +6.
	cfg[0x100] = 0x0d;
	cfg[0x102] = 0x01;
	cfg[0x106] = 0x04;
	a = parse_acs(cfg);
	REQUIRE(a.ctrl);
	CHECK(*a.ctrl == acs_rr);
	// A loop in the list ends.
	cfg[0x100] = 0x01;
	cfg[0x103] = 0x10;	// next = 0x100
	CHECK_FALSE(parse_acs(cfg).ctrl);
}

TEST_CASE("ddactl doctor: text, JSON and exit status", "[doctor]")
{
	FakeSys s;
	s.vm();
	auto p2p = std::make_shared<FakeP2pState>();
	const auto run_doctor = [&](std::vector<std::string> extra) {
		std::vector<std::string> args{"ddactl", "doctor", "--sysroot", s.root.string()};
		args.insert(args.end(), extra.begin(), extra.end());
		std::vector<const char *> argv;
		for (const auto &a : args)
			argv.push_back(a.c_str());
		std::ostringstream out, err;
		const int code = ddactl::run(static_cast<int>(argv.size()), argv.data(), out,
					     err, {}, fake_p2p(p2p));
		CHECK(err.str().empty());
		return std::pair{code, out.str()};
	};
	auto [code, out] = run_doctor({});
	CHECK(code == 0);
	CHECK_THAT(out, Catch::StartsWith("ok    kernel-p2pdma: the kernel has CONFIG_PCI_P2PDMA"));
	CHECK_THAT(out, Catch::EndsWith("\nP2P can work on this machine.\n"));

	p2p->info.p2pdma = false;
	std::tie(code, out) = run_doctor({});
	CHECK(code == 1);
	CHECK_THAT(out, Catch::StartsWith("error kernel-p2pdma: the kernel lacks "
					  "CONFIG_PCI_P2PDMA (nvmet-dda reports p2pdma: no)\n"
					  "      hint: use a kernel built with"));
	CHECK_THAT(out, Catch::EndsWith("\nP2P cannot work on this machine: 1 problem(s) above "
					"marked error.\n"));

	std::tie(code, out) = run_doctor({"-j"});
	CHECK(code == 1);
	const json j = json::parse(out);
	REQUIRE(j.is_array());
	CHECK(j[0]["id"] == "kernel-p2pdma");
	CHECK(j[0]["severity"] == "error");
	CHECK(j[0].contains("hint"));
	CHECK_FALSE(j[0].contains("object"));
	bool has_object = false;
	for (const auto &f : j)
		has_object = has_object || (f["id"] == "cmb" && f["object"] == "0000:02:00.0");
	CHECK(has_object);
}

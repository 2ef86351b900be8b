// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl doctor: whether PCI P2P placement can work on this machine and,
// for each blocker, why and what to do. Everything is read below a system
// root directory (normally "/": /sys, /proc, /boot) and from what the
// module reports, so that every finding is testable on a fake tree.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"

namespace ddactl {

enum class Severity { ok, warn, error };

const char *severity_name(Severity s);

// One finding. @id is stable (scripts may match on it); @object names the
// device or pair it is about, when there is one.
struct Finding {
	std::string id;
	Severity severity = Severity::ok;
	std::string object;
	std::string message;
	std::string hint;	// what to do; empty for ok findings
};

// What INFO_GET and PROVIDER_GET said; unset when nvmet-dda is not loaded.
struct ModuleState {
	Info info;
	std::vector<Provider> providers;
};

// Every finding, in a stable order. Ids:
//   kernel-p2pdma   CONFIG_PCI_P2PDMA (INFO_GET, /boot/config-R, /proc/config.gz)
//   module          nvmet-dda loaded
//   module-rdma     nvmet-dda holds nvmet's rdma transport type
//   nvmet-rdma      nvmet-rdma is loaded (and holds trtype rdma)
//   iommu           IOMMU present and whether it translates
//   ssd             no local NVMe SSD at all
//   cmb             per NVMe controller: published CMB, unpublished (no
//                   RDS/WDS), none
//   providers       no P2P memory provider at all
//   acs-redirect    per bridge on a provider-device path with ACS P2P
//                   Request/Completion Redirect (or Egress Control) on
//   acs-unreadable  config space beyond 64 bytes not readable (not root)
//   path            per SSD and provider: same device, one switch, host
//                   bridge (whitelisted or not), different host bridges
//   ssd-reach       per SSD: a provider can serve it, or none can
//   rdma            RDMA devices: none, software (rxe, siw), PCI
//   rdma-path       per PCI RDMA device and provider
std::vector<Finding> diagnose(const std::filesystem::path &sysroot,
			      const std::optional<ModuleState> &module);

// No finding is an error.
bool p2p_can_work(const std::vector<Finding> &findings);

// The ACS control register of a PCI function from its config space (the
// sysfs "config" file): the extended capability list from 0x100 is walked
// for PCI_EXT_CAP_ID_ACS (0x0d). Unset when the function has no ACS
// capability; @readable is false when @config is too short to hold the
// extended space (sysfs gives 64 bytes to non-root readers).
struct AcsInfo {
	bool readable = false;
	std::optional<uint16_t> ctrl;
};
AcsInfo parse_acs(const std::vector<uint8_t> &config);

// ACS control bits that send peer-to-peer TLPs up to the root complex, as
// the kernel's pci_bridge_has_acs_redir() checks them.
inline constexpr uint16_t acs_rr = 0x4, acs_cr = 0x8, acs_ec = 0x20;

} // namespace ddactl

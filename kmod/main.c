// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda: direct device access for the Linux NVMe-oF target.
 *
 * Module entry points. Each part of the module is set up in order here and
 * torn down in reverse order, both on unload and when a later step fails.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <net/genetlink.h>
#include <linux/nvmet_dda.h>

#include "nvmet_dda.h"
#include "rdma.h"
#include "p2p.h"

static int __init nvmet_dda_init(void)
{
	int ret;

	/* The providers there are, and the PCI events that change them. */
	ret = dda_p2p_init();
	if (ret)
		return ret;

	ret = dda_bar_init();
	if (ret)
		goto out_p2p_exit;

	/* Before the family, so it never shows a module without it. */
	ret = dda_rdma_init();
	if (ret)
		goto out_bar_exit;

	ret = nvmet_dda_genl_init();
	if (ret) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       NVMET_DDA_GENL_NAME, ret);
		goto out_rdma_exit;
	}

	pr_info("version %s loaded, P2PDMA %s\n", NVMET_DDA_VERSION,
		IS_ENABLED(CONFIG_PCI_P2PDMA) ? "available" :
		"not in this kernel (host-memory mode only)");
	return 0;

out_rdma_exit:
	dda_rdma_exit();
out_bar_exit:
	dda_bar_exit();
out_p2p_exit:
	dda_p2p_exit();
	dda_policy_exit();
	return ret;
}

static void __exit nvmet_dda_exit(void)
{
	nvmet_dda_genl_exit();
	dda_rdma_exit();
	/* No command runs now: no buffer of a BAR provider is out. */
	dda_bar_exit();
	dda_p2p_exit();
	dda_policy_exit();
	pr_info("unloaded\n");
}

module_init(nvmet_dda_init);
module_exit(nvmet_dda_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("nvmet-dda developers");
MODULE_DESCRIPTION("NVMe-oF target with PCI peer-to-peer data placement");
MODULE_VERSION(NVMET_DDA_VERSION);
MODULE_ALIAS_GENL_FAMILY(NVMET_DDA_GENL_NAME);

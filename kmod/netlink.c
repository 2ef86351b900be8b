// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda generic netlink family. The ABI is documented in
 * include/uapi/linux/nvmet_dda.h.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/utsname.h>
#include <generated/utsrelease.h>
#include <net/genetlink.h>
#include <linux/nvmet_dda.h>

#include "nvmet_dda.h"
#include "rdma.h"

static struct genl_family nvmet_dda_genl_family;

/**
 * nvmet_dda_caps() - Capabilities of this build of the module.
 *
 * Return: a mask of enum nvmet_dda_caps bits, always within
 * NVMET_DDA_CAP_ALL.
 */
u32 nvmet_dda_caps(void)
{
	u32 caps = 0;

	if (IS_ENABLED(CONFIG_PCI_P2PDMA))
		caps |= NVMET_DDA_CAP_P2PDMA;
	if (IS_ENABLED(CONFIG_KUNIT))
		caps |= NVMET_DDA_CAP_SELFTEST;
	if (dda_rdma_registered())
		caps |= NVMET_DDA_CAP_RDMA;
	return caps;
}

/**
 * nvmet_dda_info_fill() - Put the INFO_GET reply attributes into @skb.
 * @skb: message being built, positioned after the genetlink header.
 *
 * Return: 0, or -EMSGSIZE when @skb has no room left.
 */
int nvmet_dda_info_fill(struct sk_buff *skb)
{
	if (nla_put_string(skb, NVMET_DDA_A_INFO_VERSION, NVMET_DDA_VERSION) ||
	    nla_put_string(skb, NVMET_DDA_A_INFO_KERNEL_RELEASE, UTS_RELEASE) ||
	    nla_put_u8(skb, NVMET_DDA_A_INFO_P2PDMA,
		       IS_ENABLED(CONFIG_PCI_P2PDMA)) ||
	    nla_put_u32(skb, NVMET_DDA_A_INFO_CAPS, nvmet_dda_caps()) ||
	    nla_put_u32(skb, NVMET_DDA_A_INFO_GENL_VERSION,
			NVMET_DDA_GENL_VERSION))
		return -EMSGSIZE;
	return 0;
}

static int nvmet_dda_info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &nvmet_dda_genl_family, 0,
				NVMET_DDA_CMD_INFO_GET);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto out_free_msg;
	}

	ret = nvmet_dda_info_fill(msg);
	if (ret)
		goto out_free_msg;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free_msg:
	nlmsg_free(msg);
	return ret;
}

/*
 * For ops that take no attributes: type 1 is rejected explicitly, and strict
 * validation rejects type 0 and every type above maxattr, so any attribute
 * at all fails with an extack message. (The core does the same for ops
 * without a policy only from v6.0 on, and only when maxattr is non-zero.)
 */
static const struct nla_policy nvmet_dda_reject_all_policy[2] = {
	[1] = { .type = NLA_REJECT },
};

static const struct genl_ops nvmet_dda_genl_ops[] = {
	{
		.cmd = NVMET_DDA_CMD_INFO_GET,
		.doit = nvmet_dda_info_get_doit,
		.policy = nvmet_dda_reject_all_policy,
		.maxattr = ARRAY_SIZE(nvmet_dda_reject_all_policy) - 1,
	},
};

static struct genl_family nvmet_dda_genl_family __ro_after_init = {
	.name = NVMET_DDA_GENL_NAME,
	.version = NVMET_DDA_GENL_VERSION,
	.module = THIS_MODULE,
	.netnsok = true,
	.ops = nvmet_dda_genl_ops,
	.n_ops = ARRAY_SIZE(nvmet_dda_genl_ops),
	COMPAT_GENL_RESV_START_OP(NVMET_DDA_CMD_INFO_GET)
};

int __init nvmet_dda_genl_init(void)
{
	return genl_register_family(&nvmet_dda_genl_family);
}

void nvmet_dda_genl_exit(void)
{
	genl_unregister_family(&nvmet_dda_genl_family);
}

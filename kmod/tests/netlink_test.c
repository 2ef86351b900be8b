// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the INFO_GET reply as a strict userspace parser takes it, whole
 * or cut short.
 */
#include <kunit/test.h>
#include <linux/skbuff.h>
#include <net/netlink.h>
#include <linux/nvmet_dda.h>

#include "../nvmet_dda.h"

/* What a strict userspace parser accepts; mirrors the uapi comment. */
static const struct nla_policy info_reply_policy[NVMET_DDA_A_INFO_MAX + 1] = {
	[NVMET_DDA_A_INFO_VERSION] = { .type = NLA_NUL_STRING,
				       .len = NVMET_DDA_STR_MAX - 1 },
	[NVMET_DDA_A_INFO_KERNEL_RELEASE] = { .type = NLA_NUL_STRING,
					      .len = NVMET_DDA_STR_MAX - 1 },
	[NVMET_DDA_A_INFO_P2PDMA] = NLA_POLICY_MAX(NLA_U8, 1),
	[NVMET_DDA_A_INFO_CAPS] = NLA_POLICY_MASK(NLA_U32, NVMET_DDA_CAP_ALL),
	[NVMET_DDA_A_INFO_GENL_VERSION] = { .type = NLA_U32 },
};

static void info_fill_parses_strictly(struct kunit *test)
{
	struct nlattr *tb[NVMET_DDA_A_INFO_MAX + 1];
	struct sk_buff *skb;
	int i;

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);

	KUNIT_ASSERT_EQ(test, nvmet_dda_info_fill(skb), 0);
	KUNIT_ASSERT_EQ(test, nla_parse(tb, NVMET_DDA_A_INFO_MAX,
					(struct nlattr *)skb->data, skb->len,
					info_reply_policy, NULL), 0);

	for (i = 1; i <= NVMET_DDA_A_INFO_MAX; i++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, tb[i], "attribute %d missing", i);
	kfree_skb(skb);
}

/* Every size short of the full reply must fail cleanly, never overrun. */
static void info_fill_reports_emsgsize(struct kunit *test)
{
	struct sk_buff *skb;
	unsigned int full, room;

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, nvmet_dda_info_fill(skb), 0);
	full = skb->len;
	kfree_skb(skb);

	for (room = 0; room < full; room += 4) {
		skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		/* Use up all but exactly @room bytes of tailroom. */
		skb_put(skb, skb_tailroom(skb) - room);
		KUNIT_EXPECT_EQ_MSG(test, nvmet_dda_info_fill(skb), -EMSGSIZE,
				    "room %u of %u", room, full);
		kfree_skb(skb);
	}
}

static struct kunit_case nvmet_dda_netlink_cases[] = {
	KUNIT_CASE(info_fill_parses_strictly),
	KUNIT_CASE(info_fill_reports_emsgsize),
	{}
};

static struct kunit_suite nvmet_dda_netlink_suite = {
	.name = "nvmet_dda_netlink",
	.test_cases = nvmet_dda_netlink_cases,
};

kunit_test_suites(&nvmet_dda_netlink_suite);

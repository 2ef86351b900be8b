// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: offload policy matching, provider choice and accounting, the
 * namespace records, which DMA devices may take P2P pages, and the RDMA
 * device's part in the choice of a provider.
 */
#include <kunit/test.h>
#include <linux/genalloc.h>
#include <linux/jiffies.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/range.h>
#include <linux/cpu.h>
#include <linux/smp.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/swiotlb.h>
#include <net/netlink.h>

#include "../p2p.h"
#include "fakes.h"

static void rule_namespace_beats_port(struct kunit *test)
{
	struct dda_rule ns = { .mode = NVMET_DDA_MODE_REQUIRE };
	struct dda_rule port = { .mode = NVMET_DDA_MODE_PREFER };

	KUNIT_EXPECT_PTR_EQ(test, dda_rule_effective(&ns, &port), &ns);
	KUNIT_EXPECT_PTR_EQ(test, dda_rule_effective(&ns, NULL), &ns);
	KUNIT_EXPECT_PTR_EQ(test, dda_rule_effective(NULL, &port), &port);
}

struct sel_case {
	const char *in;
	int ret;
	u32 sel;
	const char *pci;
};

static const struct sel_case sel_cases[] = {
	{ "auto", 0, DDA_SEL_AUTO, "" },
	{ "cmb", 0, DDA_SEL_CMB, "" },
	{ "0000:03:00.0", 0, DDA_SEL_PCI, "0000:03:00.0" },
	{ "03:00.0", 0, DDA_SEL_PCI, "0000:03:00.0" },
	{ "0001:0A:1f.7", 0, DDA_SEL_PCI, "0001:0a:1f.7" },
	{ "", -EINVAL },
	{ "AUTO", -EINVAL },
	{ "03:20.0", -EINVAL },		/* device 32 */
	{ "03:00.8", -EINVAL },		/* function 8 */
	{ "0000:100:00.0", -EINVAL },	/* bus 256 */
	{ "03:00.0x", -EINVAL },
	{ "cmb0", -EINVAL },
};

static void sel_case_desc(const struct sel_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "'%s'", c->in);
}

KUNIT_ARRAY_PARAM(sel, sel_cases, sel_case_desc);

static void sel_parsed(struct kunit *test)
{
	const struct sel_case *c = test->param_value;
	struct dda_rule r = {};

	KUNIT_ASSERT_EQ(test, dda_sel_parse(c->in, &r, NULL), c->ret);
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, r.sel, c->sel);
	KUNIT_EXPECT_STREQ(test, r.pci, c->pci);
	KUNIT_EXPECT_STREQ(test, dda_sel_name(&r),
			   c->sel == DDA_SEL_PCI ? c->pci : c->in);
}

static void pick_closest_provider(struct kunit *test)
{
	static const int none[] = { -1, -1 };
	static const int one[] = { -1, 4 };
	static const int tie[] = { 6, 2, 2 };
	static const int zero[] = { 3, 0, 1 };

	KUNIT_EXPECT_EQ(test, dda_pick_closest(none, 0), -1);
	KUNIT_EXPECT_EQ(test, dda_pick_closest(none, 2), -1);
	KUNIT_EXPECT_EQ(test, dda_pick_closest(one, 2), 1);
	KUNIT_EXPECT_EQ(test, dda_pick_closest(tie, 3), 1);
	KUNIT_EXPECT_EQ(test, dda_pick_closest(zero, 3), 1);
}

/* Zeroed counters; the caller dda_counters_destroy()s them. */
static struct dda_counters *test_counters(struct kunit *test)
{
	struct dda_counters *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, dda_counters_init(s), 0);
	return s;
}

static void quota_reserve_and_release(struct kunit *test)
{
	struct dda_counters *s = test_counters(test);

	KUNIT_EXPECT_TRUE(test, dda_outstanding_reserve(s, 4096, 8192));
	KUNIT_EXPECT_TRUE(test, dda_outstanding_reserve(s, 4096, 8192));
	/* Full: refused, and nothing changes. */
	KUNIT_EXPECT_FALSE(test, dda_outstanding_reserve(s, 1, 8192));
	KUNIT_EXPECT_EQ(test,
			dda_counter(s, NVMET_DDA_STAT_OUTSTANDING_BYTES), 8192ULL);
	KUNIT_EXPECT_EQ(test,
			dda_counter(s, NVMET_DDA_STAT_OUTSTANDING_HWM), 8192ULL);
	dda_outstanding_release(s, 4096);
	KUNIT_EXPECT_TRUE(test, dda_outstanding_reserve(s, 4096, 8192));
	dda_outstanding_release(s, 8192);
	KUNIT_EXPECT_EQ(test,
			dda_counter(s, NVMET_DDA_STAT_OUTSTANDING_BYTES), 0ULL);
	/* The high-water mark stays. */
	KUNIT_EXPECT_EQ(test,
			dda_counter(s, NVMET_DDA_STAT_OUTSTANDING_HWM), 8192ULL);
	/* No quota: anything goes, the mark follows. */
	KUNIT_EXPECT_TRUE(test, dda_outstanding_reserve(s, 1 << 20, 0));
	KUNIT_EXPECT_EQ(test,
			dda_counter(s, NVMET_DDA_STAT_OUTSTANDING_HWM),
			(u64)(1 << 20));
	dda_counters_destroy(s);
}

static void count_one(void *arg)
{
	struct dda_counters *s = arg;

	dda_count(s, NVMET_DDA_STAT_HOST_IOS, 1);
	dda_count(s, NVMET_DDA_STAT_HOST_BYTES, 4096);
}

/* Events counted on every CPU add up; the gauges are not in the sums. */
static void counters_sum_cpus(struct kunit *test)
{
	struct dda_counters *s = test_counters(test);
	unsigned int cpus;

	cpus_read_lock();
	cpus = num_online_cpus();
	on_each_cpu(count_one, s, 1);
	cpus_read_unlock();
	dda_count(s, NVMET_DDA_STAT_HOST_IOS, 1);
	KUNIT_EXPECT_TRUE(test, dda_outstanding_reserve(s, 512, 0));
	KUNIT_EXPECT_EQ(test, dda_counter(s, NVMET_DDA_STAT_HOST_IOS),
			(u64)cpus + 1);
	KUNIT_EXPECT_EQ(test, dda_counter(s, NVMET_DDA_STAT_HOST_BYTES),
			(u64)cpus * 4096);
	KUNIT_EXPECT_EQ(test, dda_counter(s, NVMET_DDA_STAT_OUTSTANDING_BYTES),
			512ULL);
	KUNIT_EXPECT_EQ(test, dda_counter(s, NVMET_DDA_STAT_P2P_IOS), 0ULL);
	dda_counters_destroy(s);
}

static void counters_fill_nests(struct kunit *test)
{
	struct dda_counters *s = test_counters(test);
	struct nlattr *tb[NVMET_DDA_STAT_MAX + 1], *nest;
	struct sk_buff *skb;

	dda_count(s, NVMET_DDA_STAT_P2P_BYTES, 12345);
	dda_count(s, NVMET_DDA_STAT_FB_QUOTA, 7);
	dda_count(s, NVMET_DDA_STAT_ALLOC_FAILED, 3);

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, dda_counters_fill(skb, s, false), 0);
	nest = (struct nlattr *)skb->data;
	KUNIT_ASSERT_EQ(test, nla_type(nest), NVMET_DDA_A_STATS);
	KUNIT_ASSERT_EQ(test, nla_parse_nested(tb, NVMET_DDA_STAT_MAX, nest,
					       NULL, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[NVMET_DDA_STAT_P2P_BYTES]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[NVMET_DDA_STAT_P2P_BYTES]),
			12345ULL);
	KUNIT_ASSERT_NOT_NULL(test, tb[NVMET_DDA_STAT_FB_QUOTA]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[NVMET_DDA_STAT_FB_QUOTA]), 7ULL);
	/* Namespace counters carry no ALLOC_FAILED; providers no FB_*. */
	KUNIT_EXPECT_NULL(test, tb[NVMET_DDA_STAT_ALLOC_FAILED]);
	kfree_skb(skb);

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, dda_counters_fill(skb, s, true), 0);
	KUNIT_ASSERT_EQ(test, nla_parse_nested(tb, NVMET_DDA_STAT_MAX,
					       (struct nlattr *)skb->data,
					       NULL, NULL), 0);
	KUNIT_EXPECT_NULL(test, tb[NVMET_DDA_STAT_FB_QUOTA]);
	KUNIT_ASSERT_NOT_NULL(test, tb[NVMET_DDA_STAT_ALLOC_FAILED]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[NVMET_DDA_STAT_ALLOC_FAILED]),
			3ULL);
	kfree_skb(skb);
	dda_counters_destroy(s);
}

/* A pool as p2pdma builds one: page granularity, one 2 MiB chunk at @bus. */
static struct gen_pool *fake_p2p_pool(struct kunit *test, int order, u64 bus)
{
	struct gen_pool *pool = gen_pool_create(order, NUMA_NO_NODE);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	/* The virtual address is only recorded, never touched. */
	KUNIT_ASSERT_EQ(test, gen_pool_add_virt(pool, SZ_1G,
						bus, SZ_2M, NUMA_NO_NODE), 0);
	return pool;
}

static void pool_sanity(struct kunit *test)
{
	const struct range bars[] = {
		{ .start = 0x100000, .end = 0x1fffff },		/* 1 MiB */
		{ .start = 0x80000000, .end = 0x83ffffff },	/* 64 MiB */
	};
	struct gen_pool *pool;

	rcu_read_lock();
	KUNIT_EXPECT_FALSE(test, dda_pool_sane(NULL, bars, 2));
	rcu_read_unlock();

	/* Inside the 64 MiB BAR, at its start and at its very end. */
	pool = fake_p2p_pool(test, PAGE_SHIFT, 0x80000000);
	rcu_read_lock();
	KUNIT_EXPECT_TRUE(test, dda_pool_sane(pool, bars, 2));
	/* ... but not when that BAR is not the function's. */
	KUNIT_EXPECT_FALSE(test, dda_pool_sane(pool, bars, 1));
	rcu_read_unlock();
	gen_pool_destroy(pool);
	pool = fake_p2p_pool(test, PAGE_SHIFT, 0x83ffffff - SZ_2M + 1);
	rcu_read_lock();
	KUNIT_EXPECT_TRUE(test, dda_pool_sane(pool, bars, 2));
	rcu_read_unlock();
	gen_pool_destroy(pool);

	/* One byte past the BAR's end. */
	pool = fake_p2p_pool(test, PAGE_SHIFT, 0x83ffffff - SZ_2M + 2);
	rcu_read_lock();
	KUNIT_EXPECT_FALSE(test, dda_pool_sane(pool, bars, 2));
	rcu_read_unlock();
	gen_pool_destroy(pool);

	/* Not p2pdma's granularity. */
	pool = fake_p2p_pool(test, 3, 0x80000000);
	rcu_read_lock();
	KUNIT_EXPECT_FALSE(test, dda_pool_sane(pool, bars, 2));
	rcu_read_unlock();
	gen_pool_destroy(pool);

	/* No chunk at all. */
	pool = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	rcu_read_lock();
	KUNIT_EXPECT_FALSE(test, dda_pool_sane(pool, bars, 2));
	rcu_read_unlock();
	gen_pool_destroy(pool);
}

/* An NQN of @len characters, unique to the KUnit suites. */
static void kunit_nqn(char *nqn, size_t len, char fill)
{
	static const char pfx[] = "nqn.2026-11.io.nvmet-dda:kunit-";

	memset(nqn, fill, len);
	memcpy(nqn, pfx, sizeof(pfx) - 1);
	nqn[len] = 0;
}

/* Forget that the records were used: the reclaimer may take them now. */
static void nsrec_age(struct dda_nsrec *ns)
{
	WRITE_ONCE(ns->last_used, jiffies - 3600 * HZ);
}

/*
 * nvmet keeps subsystem NQNs of up to NVMF_NQN_SIZE (223) characters: such
 * a name finds its record again, and a name one character shorter is
 * another namespace.
 */
static void nsrec_longest_nqn(struct kunit *test)
{
	char nqn[NVMF_NQN_SIZE + 2], shorter[NVMF_NQN_SIZE + 1];
	struct dda_nsrec *a, *b, *c, *d;
	unsigned int before = dda_nsrec_count();

	kunit_nqn(nqn, NVMF_NQN_SIZE, 'l');
	kunit_nqn(shorter, NVMF_NQN_SIZE - 1, 'l');

	a = dda_nsrec_get(nqn, 7, true);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_STREQ(test, a->nqn, nqn);
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 1);
	b = dda_nsrec_get(nqn, 7, true);
	KUNIT_EXPECT_PTR_EQ(test, b, a);
	c = dda_nsrec_get(nqn, 7, false);
	KUNIT_EXPECT_PTR_EQ(test, c, a);
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 1);
	d = dda_nsrec_get(shorter, 7, true);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_PTR_NE(test, d, a);
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 2);

	/* Longer than nvmet allows: no record, nothing made. */
	kunit_nqn(nqn, NVMF_NQN_SIZE + 1, 'l');
	KUNIT_EXPECT_NULL(test, dda_nsrec_get(nqn, 7, true));
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 2);

	nsrec_age(a);
	nsrec_age(d);
	dda_nsrec_put(d);
	if (b)
		dda_nsrec_put(b);
	if (c)
		dda_nsrec_put(c);
	dda_nsrec_put(a);
	dda_nsrec_reclaim();
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before);
}

/*
 * Every rule dda_rule_set() makes is a version with an id of its own, even
 * with the same values, so a namespace's provider choice (made under one
 * id) is made again after any change. The built-in default has id 0.
 */
static void rule_versions(struct kunit *test)
{
	bool given[NVMET_DDA_A_MAX + 1] = {
		[NVMET_DDA_A_POLICY_MODE] = true,
	};
	struct dda_rule tmpl = { .mode = NVMET_DDA_MODE_PREFER };
	struct dda_nsrec *ns;
	u64 first, second;
	char nqn[64];

	KUNIT_EXPECT_EQ(test, dda_rule_effective(NULL, NULL)->id, 0ULL);
	kunit_nqn(nqn, 40, 'v');
	KUNIT_ASSERT_EQ(test, dda_rule_set(nqn, 1, false, 0, &tmpl, given,
					   NULL), 0);
	ns = dda_nsrec_get(nqn, 1, false);
	KUNIT_ASSERT_NOT_NULL(test, ns);
	first = rcu_dereference_protected(ns->rule, 1)->id;
	KUNIT_EXPECT_EQ(test, dda_rule_set(nqn, 1, false, 0, &tmpl, given,
					   NULL), 0);
	second = rcu_dereference_protected(ns->rule, 1)->id;
	KUNIT_EXPECT_NE(test, first, 0ULL);
	KUNIT_EXPECT_GT(test, second, first);
	KUNIT_EXPECT_EQ(test, dda_rule_del(nqn, 1, false, 0), 0);
	nsrec_age(ns);
	dda_nsrec_put(ns);
	dda_nsrec_reclaim();
}

/*
 * A record without a rule goes once nobody holds it and it is idle (no
 * controller serves these names); one that is held, recently used or has
 * a rule stays.
 */
static void nsrec_reclaimed(struct kunit *test)
{
	bool given[NVMET_DDA_A_MAX + 1] = {
		[NVMET_DDA_A_POLICY_MODE] = true,
	};
	struct dda_rule tmpl = { .mode = NVMET_DDA_MODE_PREFER };
	unsigned int before = dda_nsrec_count();
	struct dda_nsrec *held, *fresh, *ruled, *gone, *again;
	char nqn[64];

	kunit_nqn(nqn, 40, 'r');
	held = dda_nsrec_get(nqn, 1, true);
	fresh = dda_nsrec_get(nqn, 2, true);
	gone = dda_nsrec_get(nqn, 4, true);
	KUNIT_ASSERT_NOT_NULL(test, held);
	KUNIT_ASSERT_NOT_NULL(test, fresh);
	KUNIT_ASSERT_NOT_NULL(test, gone);
	KUNIT_ASSERT_EQ(test, dda_rule_set(nqn, 3, false, 0, &tmpl, given,
					   NULL), 0);
	ruled = dda_nsrec_get(nqn, 3, false);
	KUNIT_ASSERT_NOT_NULL(test, ruled);
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 4);

	nsrec_age(held);
	nsrec_age(ruled);
	nsrec_age(gone);
	dda_nsrec_put(fresh);
	dda_nsrec_put(ruled);
	dda_nsrec_put(gone);
	dda_nsrec_reclaim();
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 3);
	KUNIT_EXPECT_NULL(test, dda_nsrec_get(nqn, 4, false));

	/* Used again, a name gets a new record, empty. */
	again = dda_nsrec_get(nqn, 4, true);
	KUNIT_ASSERT_NOT_NULL(test, again);
	KUNIT_EXPECT_EQ(test, dda_counter(&again->st, NVMET_DDA_STAT_HOST_IOS),
			0ULL);

	KUNIT_EXPECT_EQ(test, dda_rule_del(nqn, 3, false, 0), 0);
	nsrec_age(fresh);
	nsrec_age(again);
	dda_nsrec_put(again);
	dda_nsrec_put(held);
	dda_nsrec_reclaim();
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before);
}

/*
 * A queue's cache finds a record by NSID alone (its queue serves one
 * subsystem), holds it in a slot so it is not reclaimed, gives the slot up
 * to another NSID that maps there, and on clear lets its records age from
 * then on.
 */
static void nscache_slots(struct kunit *test)
{
	unsigned int before = dda_nsrec_count();
	struct dda_nscache nsc = {};
	struct dda_nsrec *a, *b, *c;
	char nqn[64];
	int base;

	kunit_nqn(nqn, 40, 'c');
	a = dda_nscache_get(&nsc, nqn, 1);
	KUNIT_ASSERT_NOT_NULL(test, a);
	/* The table's, the slot's, ours. */
	base = refcount_read(&a->ref);
	KUNIT_EXPECT_EQ(test, base, 3);
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 1);

	/* A hit: no NQN compared, no record made. */
	b = dda_nscache_get(&nsc, "nqn.2026-11.io.nvmet-dda:not-looked-at", 1);
	KUNIT_EXPECT_PTR_EQ(test, b, a);
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 1);
	if (b)
		dda_nsrec_put(b);

	/* Same slot, other namespace: the slot lets go of the first. */
	c = dda_nscache_get(&nsc, nqn, 1 + DDA_NSC_SLOTS);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_PTR_NE(test, c, a);
	KUNIT_EXPECT_EQ(test, refcount_read(&a->ref), base - 1);
	KUNIT_EXPECT_PTR_EQ(test, nsc.slot[1], c);
	dda_nsrec_put(c);

	/* Held by the slot, an idle record stays. */
	nsrec_age(c);
	dda_nsrec_reclaim();
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 2);

	/* Cleared, it is idle from now: still there, until it ages. */
	dda_nscache_clear(&nsc);
	KUNIT_EXPECT_NULL(test, nsc.slot[1]);
	KUNIT_EXPECT_EQ(test, refcount_read(&c->ref), 1);
	dda_nsrec_reclaim();
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before + 2);
	nsrec_age(a);
	nsrec_age(c);
	dda_nsrec_put(a);
	dda_nsrec_reclaim();
	KUNIT_EXPECT_EQ(test, dda_nsrec_count(), before);
}

/* Only trusted, coherent, unbounced PCI functions may map P2P pages. */
static void dma_p2p_safety(struct kunit *test)
{
	struct pci_dev *pdev = kunit_kzalloc(test, sizeof(*pdev), GFP_KERNEL);
	struct device *plain = kunit_kzalloc(test, sizeof(*plain), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_NOT_NULL(test, plain);
	KUNIT_EXPECT_FALSE(test, dda_dma_p2p_safe(NULL));
	KUNIT_EXPECT_FALSE(test, dda_dma_p2p_safe(plain));
	dda_fake_pci(pdev);
	KUNIT_EXPECT_TRUE(test, dda_dma_p2p_safe(&pdev->dev));
	/* dma-iommu bounces unaligned segments of untrusted devices. */
	pdev->untrusted = 1;
	KUNIT_EXPECT_FALSE(test, dda_dma_p2p_safe(&pdev->dev));
	pdev->untrusted = 0;
#ifdef CONFIG_SWIOTLB
	{
		struct io_tlb_mem *mem = kunit_kzalloc(test, sizeof(*mem),
						       GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, mem);
		mem->force_bounce = true;
		pdev->dev.dma_io_tlb_mem = mem;
		KUNIT_EXPECT_FALSE(test, dda_dma_p2p_safe(&pdev->dev));
		pdev->dev.dma_io_tlb_mem = NULL;
	}
#endif
#if defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
	pdev->dev.dma_coherent = false;
	KUNIT_EXPECT_FALSE(test, dda_dma_p2p_safe(&pdev->dev));
#endif
}

/* dda_choose() gives @want (NULL: none); its reference is dropped. */
static void expect_choice(struct kunit *test, const struct dda_rule *r,
			  struct block_device *bdev,
			  const struct dda_peer *peer, struct dda_provider *want)
{
	struct dda_provider *got = dda_choose(r, bdev, peer);

	KUNIT_EXPECT_PTR_EQ(test, got, want);
	if (got)
		dda_provider_put(got);
}

/*
 * The RDMA device is part of the choice. A PCI NIC that cannot take P2P
 * pages leaves no provider reachable and dda_ns_check() refuses the rule;
 * one that can is a client of the P2P distance check, beside the SSD. On
 * the test VM's devices: the SSD with its CMB as the provider, and the
 * ivshmem function behind the same PCIe switch standing in for the NIC.
 * (kunit.sh fails the run if this case is skipped there.)
 */
static void nic_in_the_choice(struct kunit *test)
{
	struct dda_rule cmb = { .mode = NVMET_DDA_MODE_PREFER,
				.sel = DDA_SEL_CMB };
	struct dda_rule any = { .mode = NVMET_DDA_MODE_PREFER,
				.sel = DDA_SEL_AUTO };
	struct dda_peer virt = { }, good, bad;
	struct netlink_ext_ack ext = { };
	struct block_device *bdev, *plain;
	struct pci_dev *ssd = NULL, *nic;
	struct dda_provider *prov;
	int alone, with_nic;

	while ((ssd = pci_get_class(PCI_CLASS_STORAGE_EXPRESS, ssd)))
		if (pci_has_p2pmem(ssd))
			break;
	if (!ssd)
		kunit_skip(test, "no NVMe function with a published CMB");
	nic = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110, NULL);
	if (!nic) {
		pci_dev_put(ssd);
		kunit_skip(test, "no ivshmem function to stand in for a NIC");
	}
	dda_p2p_scan();
	prov = dda_provider_find(pci_name(ssd));
	bdev = dda_fake_bdev(true, &ssd->dev);
	plain = dda_fake_bdev(false, &ssd->dev);
	if (!prov || !bdev || !plain)
		goto out;

	good.dma = &nic->dev;
	good.p2p = true;
	bad.dma = &nic->dev;
	bad.p2p = false;

	alone = dda_p2p_reachable(prov, bdev, &virt);
	with_nic = dda_p2p_reachable(prov, bdev, &good);
	KUNIT_EXPECT_EQ(test, alone, 0);	/* the SSD's own CMB */
	KUNIT_EXPECT_GT(test, with_nic, alone);	/* NIC -> switch -> SSD */
	KUNIT_EXPECT_EQ(test, dda_p2p_reachable(prov, bdev, &bad), -1);
	KUNIT_EXPECT_EQ(test, dda_p2p_reachable(prov, plain, &virt), -1);

	expect_choice(test, &cmb, bdev, &good, prov);
	expect_choice(test, &cmb, bdev, &bad, NULL);
	expect_choice(test, &any, bdev, &bad, NULL);

	KUNIT_EXPECT_EQ(test, dda_ns_check(bdev, &good, &cmb, &ext), 0);
	KUNIT_EXPECT_EQ(test, dda_ns_check(bdev, &bad, &cmb, &ext), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, ext._msg);
	if (ext._msg)
		KUNIT_EXPECT_NOT_NULL(test, strstr(ext._msg, "RDMA device"));
	ext._msg = NULL;
	KUNIT_EXPECT_EQ(test, dda_ns_check(bdev, &bad, &any, &ext), -EINVAL);
	ext._msg = NULL;
	KUNIT_EXPECT_EQ(test, dda_ns_check(plain, &virt, &any, &ext), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, ext._msg);
	if (ext._msg)
		KUNIT_EXPECT_NOT_NULL(test, strstr(ext._msg, "backing device"));
out:
	KUNIT_EXPECT_NOT_NULL(test, prov);
	KUNIT_EXPECT_NOT_NULL(test, bdev);
	KUNIT_EXPECT_NOT_NULL(test, plain);
	if (plain)
		dda_fake_bdev_put(plain);
	if (bdev)
		dda_fake_bdev_put(bdev);
	if (prov)
		dda_provider_put(prov);
	pci_dev_put(nic);
	pci_dev_put(ssd);
}

/*
 * A namespace that reaches no provider chooses again after a second, then
 * after two, four... up to DDA_NONE_RETRY_MAX while nothing changes (each
 * new choice may ask for a PCI bus scan); within the wait the choice
 * stands. A change (here the rule) starts over at a second.
 */
static void resolve_backs_off(struct kunit *test)
{
	/* Made-up ids: no rule of dda_rule_set() reaches this record. */
	struct dda_rule gone = { .id = 1, .mode = NVMET_DDA_MODE_PREFER,
				 .sel = DDA_SEL_PCI, .pci = "0000:ff:1f.7" };
	struct dda_rule other = gone;
	unsigned long want = DDA_NONE_RETRY;
	struct dda_peer virt = { };
	struct block_device *bdev;
	struct dda_nsrec *ns;
	struct dda_pick *p;
	char nqn[64];
	int i;

	other.id = 2;
	other.pci[strlen(other.pci) - 1] = '6';
	kunit_nqn(nqn, 40, 'b');
	bdev = dda_fake_bdev(true, NULL);
	ns = dda_nsrec_get(nqn, 1, true);
	if (!bdev || !ns)
		goto out;
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_NULL(test, dda_resolve(ns, &gone, bdev, &virt));
		p = rcu_dereference_protected(ns->pick, 1);
		if (!p)
			break;
		KUNIT_EXPECT_EQ(test, p->wait, want);
		KUNIT_EXPECT_NULL(test, dda_resolve(ns, &gone, bdev, &virt));
		KUNIT_EXPECT_PTR_EQ(test, rcu_dereference_protected(ns->pick, 1),
				    p);
		/* Only this test uses the record: its wait ends now. */
		p->time = jiffies - p->wait - 1;
		want = min_t(unsigned long, 2 * want, DDA_NONE_RETRY_MAX);
	}
	KUNIT_EXPECT_EQ(test, i, 10);
	KUNIT_EXPECT_EQ(test, want, (unsigned long)DDA_NONE_RETRY_MAX);
	KUNIT_EXPECT_NULL(test, dda_resolve(ns, &other, bdev, &virt));
	p = rcu_dereference_protected(ns->pick, 1);
	KUNIT_EXPECT_NOT_NULL(test, p);
	if (p)
		KUNIT_EXPECT_EQ(test, p->wait, (unsigned long)DDA_NONE_RETRY);
out:
	KUNIT_EXPECT_NOT_NULL(test, bdev);
	KUNIT_EXPECT_NOT_NULL(test, ns);
	if (ns) {
		nsrec_age(ns);
		dda_nsrec_put(ns);
		dda_nsrec_reclaim();
	}
	if (bdev)
		dda_fake_bdev_put(bdev);
}

static struct kunit_case nvmet_dda_p2p_cases[] = {
	KUNIT_CASE(rule_namespace_beats_port),
	KUNIT_CASE(rule_versions),
	KUNIT_CASE_PARAM(sel_parsed, sel_gen_params),
	KUNIT_CASE(pick_closest_provider),
	KUNIT_CASE(quota_reserve_and_release),
	KUNIT_CASE(counters_sum_cpus),
	KUNIT_CASE(counters_fill_nests),
	KUNIT_CASE(pool_sanity),
	KUNIT_CASE(nsrec_longest_nqn),
	KUNIT_CASE(nsrec_reclaimed),
	KUNIT_CASE(nscache_slots),
	KUNIT_CASE(dma_p2p_safety),
	KUNIT_CASE(nic_in_the_choice),
	KUNIT_CASE(resolve_backs_off),
	{}
};

static struct kunit_suite nvmet_dda_p2p_suite = {
	.name = "nvmet_dda_p2p",
	.test_cases = nvmet_dda_p2p_cases,
};

kunit_test_suites(&nvmet_dda_p2p_suite);

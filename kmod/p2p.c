// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda P2P providers and the per-command buffer choice.
 *
 * A provider is a PCI function with published p2pmem: an NVMe CMB that
 * nvme-pci published, or a BAR that provider.c published. Providers of other
 * drivers are found by scanning the PCI bus (dda_p2p_scan()); they live here
 * until their pool goes away and nothing of theirs is outstanding.
 *
 * For every command that moves data, dda_data_alloc() looks up the
 * namespace's effective rule, picks the provider (cached per namespace until
 * a provider or rule changes: dda_p2p_gen), applies MIN_IO and the quota,
 * allocates from the provider's pool, and counts what it did. The buffer is
 * one P2PDMA scatterlist: rdma_rw maps it to bus addresses for PCI RDMA
 * devices, and virtual-DMA devices (rxe, siw) copy through its kernel mapping.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/ctype.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/genalloc.h>
#include <linux/range.h>
#include <linux/blkdev.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "nvmet.h"
#include "p2p.h"

/* Writers of the provider list; readers may use RCU. */
DEFINE_MUTEX(dda_p2p_lock);
LIST_HEAD(dda_providers);
atomic_t dda_p2p_gen = ATOMIC_INIT(1);

/**
 * dda_outstanding_reserve() - Account @len more outstanding bytes.
 * @s: counters with OUTSTANDING_BYTES and OUTSTANDING_HWM.
 * @len: bytes.
 * @max: limit for OUTSTANDING_BYTES, 0 for none.
 *
 * Return: true when reserved; false (nothing changed) when @max would be
 * exceeded.
 */
bool dda_outstanding_reserve(struct dda_counters *s, u64 len, u64 max)
{
	atomic64_t *out = &s->c[NVMET_DDA_STAT_OUTSTANDING_BYTES];
	atomic64_t *hwm = &s->c[NVMET_DDA_STAT_OUTSTANDING_HWM];
	s64 now, old;

	now = atomic64_add_return(len, out);
	if (max && now > max) {
		atomic64_sub(len, out);
		return false;
	}
	old = atomic64_read(hwm);
	while (now > old) {
		s64 seen = atomic64_cmpxchg(hwm, old, now);

		if (seen == old)
			break;
		old = seen;
	}
	return true;
}

void dda_outstanding_release(struct dda_counters *s, u64 len)
{
	atomic64_sub(len, &s->c[NVMET_DDA_STAT_OUTSTANDING_BYTES]);
}

/**
 * dda_counters_fill() - Put @s as an NVMET_DDA_A_STATS nest into @skb.
 * @skb: message being built.
 * @s: counters.
 * @provider: provider counters (a subset) rather than namespace ones.
 *
 * Return: 0 or -EMSGSIZE.
 */
int dda_counters_fill(struct sk_buff *skb, const struct dda_counters *s,
		      bool provider)
{
	static const u8 prov_stats[] = {
		NVMET_DDA_STAT_P2P_IOS, NVMET_DDA_STAT_P2P_BYTES,
		NVMET_DDA_STAT_OUTSTANDING_BYTES,
		NVMET_DDA_STAT_OUTSTANDING_HWM, NVMET_DDA_STAT_ALLOC_FAILED,
	};
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, NVMET_DDA_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (provider) {
		for (i = 0; i < ARRAY_SIZE(prov_stats); i++)
			if (nla_put_u64_64bit(skb, prov_stats[i],
					      dda_counter(s, prov_stats[i]),
					      NVMET_DDA_STAT_PAD))
				goto cancel;
	} else {
		for (i = NVMET_DDA_STAT_P2P_IOS; i <= NVMET_DDA_STAT_MAX; i++) {
			if (i == NVMET_DDA_STAT_ALLOC_FAILED)
				continue;
			if (nla_put_u64_64bit(skb, i, dda_counter(s, i),
					      NVMET_DDA_STAT_PAD))
				goto cancel;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/**
 * dda_pci_name_parse() - Check and normalise a PCI address.
 * @in: "DDDD:BB:DD.F" or "BB:DD.F" (hex).
 * @out: DDA_PCI_NAME_LEN bytes for "DDDD:BB:DD.F", lower case.
 * @ext: error message on failure, may be NULL.
 *
 * Return: 0 or -EINVAL.
 */
int dda_pci_name_parse(const char *in, char *out, struct netlink_ext_ack *ext)
{
	/* h: hex digit; anything else must match as is. */
	static const char long_form[] = "hhhh:hh:hh.h";
	const char *form = long_form;
	unsigned int dom = 0, bus, dev, fn;
	size_t i, len = strlen(in);

	if (len == sizeof(long_form) - 1 - 5)
		form += 5;
	else if (len != sizeof(long_form) - 1)
		goto bad;
	for (i = 0; i < len; i++)
		if (form[i] == 'h' ? !isxdigit(in[i]) : in[i] != form[i])
			goto bad;
	if (form == long_form &&
	    sscanf(in, "%4x:%2x:%2x.%1x", &dom, &bus, &dev, &fn) != 4)
		goto bad;
	if (form != long_form && sscanf(in, "%2x:%2x.%1x", &bus, &dev, &fn) != 3)
		goto bad;
	if (dev > 0x1f || fn > 7)
		goto bad;
	snprintf(out, DDA_PCI_NAME_LEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
bad:
	NL_SET_ERR_MSG(ext, "not a PCI address (DDDD:BB:DD.F)");
	return -EINVAL;
}

static void dda_provider_free_rcu(struct rcu_head *head)
{
	struct dda_provider *prov = container_of(head, struct dda_provider,
						 rcu);

	kfree(prov);
}

static void dda_provider_release(struct kref *ref)
{
	struct dda_provider *prov = container_of(ref, struct dda_provider, ref);

	pci_dev_put(prov->pdev);
	call_rcu(&prov->rcu, dda_provider_free_rcu);
}

void dda_provider_put(struct dda_provider *prov)
{
	kref_put(&prov->ref, dda_provider_release);
}

static struct dda_provider *dda_provider_find_pdev(struct pci_dev *pdev)
{
	struct dda_provider *prov;

	lockdep_assert_held(&dda_p2p_lock);
	list_for_each_entry(prov, &dda_providers, entry)
		if (prov->pdev == pdev)
			return prov;
	return NULL;
}

/**
 * dda_provider_register() - Add a provider for @pdev to the list.
 * @pdev: function whose p2pmem is published.
 * @kind: enum nvmet_dda_provider_kind.
 *
 * Caller holds dda_p2p_lock.
 *
 * Return: the provider, or NULL on allocation failure.
 */
struct dda_provider *dda_provider_register(struct pci_dev *pdev, u32 kind)
{
	struct dda_provider *prov;

	lockdep_assert_held(&dda_p2p_lock);
	prov = kzalloc(sizeof(*prov), GFP_KERNEL);
	if (!prov)
		return NULL;
	prov->pdev = pci_dev_get(pdev);
	strscpy(prov->name, pci_name(pdev), sizeof(prov->name));
	prov->kind = kind;
	prov->bar = -1;
	kref_init(&prov->ref);
	init_waitqueue_head(&prov->drained);
	prov->last_event = jiffies - HZ;
	list_add_tail_rcu(&prov->entry, &dda_providers);
	atomic_inc(&dda_p2p_gen);
	return prov;
}

/**
 * dda_provider_unlist() - Take @prov off the list.
 * @prov: a listed provider.
 *
 * Caller holds dda_p2p_lock. New commands stop choosing @prov at once; the
 * list's reference passes to the caller, for dda_provider_drain_put().
 */
void dda_provider_unlist(struct dda_provider *prov)
{
	lockdep_assert_held(&dda_p2p_lock);
	WRITE_ONCE(prov->dead, true);
	/* Pairs with the barrier after a command's outstanding increment. */
	smp_mb();
	list_del_rcu(&prov->entry);
	atomic_inc(&dda_p2p_gen);
}

/**
 * dda_provider_drain_put() - Wait until no buffer of @prov is outstanding.
 * @prov: an unlisted provider; the reference dda_provider_unlist() passed.
 *
 * Commands holding its buffers finish on their own. Never call this with
 * dda_p2p_lock held: completing them may need it.
 */
void dda_provider_drain_put(struct dda_provider *prov)
{
	wait_event(prov->drained,
		   !dda_counter(&prov->st, NVMET_DDA_STAT_OUTSTANDING_BYTES));
	dda_provider_put(prov);
}

/**
 * dda_p2p_scan() - Bring the list in line with the p2pmem on the PCI bus.
 *
 * Adds functions that published p2pmem through their own driver (kind CMB
 * for NVMe controllers, PUBLISHED otherwise) and drops such providers whose
 * pool is gone and who have nothing outstanding.
 */
void dda_p2p_scan(void)
{
	struct dda_provider *prov, *tmp;
	struct pci_dev *pdev = NULL;

	if (!IS_ENABLED(CONFIG_PCI_P2PDMA))
		return;

	mutex_lock(&dda_p2p_lock);
	list_for_each_entry_safe(prov, tmp, &dda_providers, entry) {
		if (prov->kind == NVMET_DDA_PROVIDER_BAR ||
		    pci_has_p2pmem(prov->pdev) ||
		    dda_counter(&prov->st, NVMET_DDA_STAT_OUTSTANDING_BYTES))
			continue;
		/* Nothing outstanding: drop the list's reference. */
		dda_provider_unlist(prov);
		dda_provider_put(prov);
	}
	for_each_pci_dev(pdev) {
		u32 kind = NVMET_DDA_PROVIDER_PUBLISHED;

		if (!pci_has_p2pmem(pdev) || dda_provider_find_pdev(pdev))
			continue;
		if (pdev->class == PCI_CLASS_STORAGE_EXPRESS)
			kind = NVMET_DDA_PROVIDER_CMB;
		dda_provider_register(pdev, kind);
	}
	mutex_unlock(&dda_p2p_lock);
}

/**
 * dda_provider_find() - The provider named @name, with a reference.
 * @name: normalised PCI address.
 *
 * Return: the provider (dda_provider_put() it) or NULL.
 */
struct dda_provider *dda_provider_find(const char *name)
{
	struct dda_provider *prov, *found = NULL;

	mutex_lock(&dda_p2p_lock);
	list_for_each_entry(prov, &dda_providers, entry) {
		if (!strcmp(prov->name, name)) {
			kref_get(&prov->ref);
			found = prov;
			break;
		}
	}
	mutex_unlock(&dda_p2p_lock);
	return found;
}

/*
 * Pool sizes come from compat_p2pmem_pool(), which reads a struct private to
 * the PCI core. The build probe checked its layout in this kernel's source;
 * the first pool read here is checked as well (dda_pool_sane()), and one
 * that does not look like the p2pmem pool of its function turns pool
 * reporting off for good: 0 not checked yet, 1 checked, -1 off.
 */
static int dda_pool_layout = COMPAT_HAVE_P2PMEM_POOL ? 0 : -1;

/**
 * dda_pool_sane() - Does @pool look like the p2pmem pool of a function?
 * @pool: what compat_p2pmem_pool() read, or NULL.
 * @bars: bus address ranges of the function's memory BARs.
 * @n: entries in @bars.
 *
 * p2pdma makes the pool with page granularity and adds each published
 * region as one chunk whose "physical" address is the region's PCI bus
 * address. Caller holds rcu_read_lock().
 *
 * Return: true when @pool has that granularity and between 1 and 64 chunks,
 * each inside one of @bars.
 */
bool dda_pool_sane(struct gen_pool *pool, const struct range *bars, int n)
{
	struct gen_pool_chunk *chunk;
	int chunks = 0, i;

	if (!pool || !virt_addr_valid(pool) ||
	    pool->min_alloc_order != PAGE_SHIFT)
		return false;
	list_for_each_entry_rcu(chunk, &pool->chunks, next_chunk) {
		u64 start = chunk->phys_addr;
		u64 end = start + (chunk->end_addr - chunk->start_addr);
		bool inside = false;

		if (++chunks > 64 || chunk->end_addr < chunk->start_addr)
			return false;
		for (i = 0; i < n; i++)
			if (start >= bars[i].start && end <= bars[i].end)
				inside = true;
		if (!inside)
			return false;
	}
	return chunks > 0;
}

/* The bus address ranges of @pdev's memory BARs; returns how many. */
static int dda_bar_ranges(struct pci_dev *pdev, struct range *bars)
{
	int bar, n = 0;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
		    !pci_resource_len(pdev, bar))
			continue;
		bars[n].start = pci_bus_address(pdev, bar);
		bars[n].end = bars[n].start + pci_resource_len(pdev, bar) - 1;
		n++;
	}
	return n;
}

/**
 * dda_provider_pool_stats() - Size and free bytes of @prov's pool.
 * @prov: provider.
 * @size: pool size in bytes.
 * @avail: free bytes now.
 *
 * Return: false when the pool cannot be read (none now, or pool reporting is
 * off in this kernel: see dda_pool_layout).
 */
bool dda_provider_pool_stats(struct dda_provider *prov, u64 *size, u64 *avail)
{
	struct range bars[PCI_STD_NUM_BARS];
	struct gen_pool *pool;
	int layout = READ_ONCE(dda_pool_layout);
	bool ok = false;

	if (layout < 0)
		return false;
	rcu_read_lock();
	pool = compat_p2pmem_pool(prov->pdev);
	if (pool && !layout) {
		layout = dda_pool_sane(pool, bars,
				       dda_bar_ranges(prov->pdev, bars)) ? 1 : -1;
		if (cmpxchg(&dda_pool_layout, 0, layout) == 0 && layout < 0)
			pci_warn(prov->pdev,
				 "its p2pmem pool does not look like one: this kernel's struct pci_p2pdma differs from what nvmet-dda was built for; pool size and available bytes are not reported\n");
	}
	if (pool && layout > 0) {
		*size = gen_pool_size(pool);
		*avail = gen_pool_avail(pool);
		ok = true;
	}
	rcu_read_unlock();
	return ok;
}

/**
 * dda_provider_fill() - The PROVIDER_GET attributes of @prov.
 * @skb: message being built.
 * @prov: provider.
 *
 * Return: 0 or -EMSGSIZE.
 */
int dda_provider_fill(struct sk_buff *skb, struct dda_provider *prov)
{
	const char *drv = "";
	u64 size = 0, avail = 0;
	bool pool = dda_provider_pool_stats(prov, &size, &avail);

	device_lock(&prov->pdev->dev);
	if (prov->pdev->dev.driver)
		drv = prov->pdev->dev.driver->name;
	if (nla_put_string(skb, NVMET_DDA_A_PROVIDER_DRIVER, drv)) {
		device_unlock(&prov->pdev->dev);
		return -EMSGSIZE;
	}
	device_unlock(&prov->pdev->dev);

	if (nla_put_string(skb, NVMET_DDA_A_PROVIDER, prov->name) ||
	    nla_put_u32(skb, NVMET_DDA_A_PROVIDER_KIND, prov->kind))
		return -EMSGSIZE;
	/* A BAR provider's pool is the region it published. */
	if (!pool && prov->kind == NVMET_DDA_PROVIDER_BAR)
		size = prov->size;
	if ((pool || prov->kind == NVMET_DDA_PROVIDER_BAR) &&
	    nla_put_u64_64bit(skb, NVMET_DDA_A_PROVIDER_SIZE, size,
			      NVMET_DDA_A_PAD))
		return -EMSGSIZE;
	if (pool && nla_put_u64_64bit(skb, NVMET_DDA_A_PROVIDER_AVAILABLE,
				      avail, NVMET_DDA_A_PAD))
		return -EMSGSIZE;
	if (prov->kind == NVMET_DDA_PROVIDER_BAR &&
	    (nla_put_u32(skb, NVMET_DDA_A_PROVIDER_BAR, prov->bar) ||
	     nla_put_u64_64bit(skb, NVMET_DDA_A_PROVIDER_OFFSET, prov->offset,
			       NVMET_DDA_A_PAD)))
		return -EMSGSIZE;
	return dda_counters_fill(skb, &prov->st, true);
}

/**
 * dda_pick_closest() - Index of the smallest non-negative distance.
 * @dist: distances, negative for unreachable.
 * @n: entries.
 *
 * Ties go to the earlier entry, so the choice is stable.
 *
 * Return: the index, or -1 when nothing is reachable.
 */
int dda_pick_closest(const int *dist, int n)
{
	int i, best = -1;

	for (i = 0; i < n; i++)
		if (dist[i] >= 0 && (best < 0 || dist[i] < dist[best]))
			best = i;
	return best;
}

static struct pci_dev *dda_pci_of(struct device *dev)
{
	for (; dev; dev = dev->parent)
		if (dev_is_pci(dev))
			return to_pci_dev(dev);
	return NULL;
}

/**
 * dda_p2p_reachable() - P2P distance from @prov to the devices doing DMA.
 * @prov: provider.
 * @bdev: the namespace's backing block device.
 * @rdma: the RDMA device's DMA device; counted only when it is PCI (a
 *	virtual-DMA device copies with the CPU, from anywhere).
 *
 * Return: the summed distance, or -1 when P2PDMA between them cannot work.
 */
int dda_p2p_reachable(struct dda_provider *prov, struct block_device *bdev,
		      struct device *rdma)
{
	struct device *clients[2];
	int n = 0;

	if (!bdev || !blk_queue_pci_p2pdma(bdev_get_queue(bdev)))
		return -1;
	clients[n++] = disk_to_dev(bdev->bd_disk);
	if (rdma && dda_pci_of(rdma))
		clients[n++] = rdma;
	return pci_p2pdma_distance_many(prov->pdev, clients, n, false);
}

/* Choose a provider for @r; a reference to it, or NULL. */
static struct dda_provider *dda_choose(const struct dda_rule *r,
				       struct block_device *bdev,
				       struct device *rdma)
{
	struct dda_provider *prov, *cand[16], *found = NULL;
	int dist[16], n = 0, i;
	struct pci_dev *ssd;

	if (!bdev)
		return NULL;
	ssd = dda_pci_of(disk_to_dev(bdev->bd_disk));

	mutex_lock(&dda_p2p_lock);
	list_for_each_entry(prov, &dda_providers, entry) {
		if (n == ARRAY_SIZE(cand))
			break;
		if (r->sel == DDA_SEL_CMB && prov->pdev != ssd)
			continue;
		if (r->sel == DDA_SEL_PCI && strcmp(prov->name, r->pci))
			continue;
		cand[n] = prov;
		dist[n++] = dda_p2p_reachable(prov, bdev, rdma);
	}
	i = dda_pick_closest(dist, n);
	if (i >= 0) {
		found = cand[i];
		kref_get(&found->ref);
	}
	mutex_unlock(&dda_p2p_lock);
	return found;
}

/**
 * dda_ns_check() - Can the rule @r work for a namespace?
 * @bdev: its backing block device, NULL for a file.
 * @rdma: the RDMA device's DMA device.
 * @r: rule (mode other than OFF).
 * @ext: error message.
 *
 * Return: 0, -ENODEV when @r names a provider that does not exist, or
 * -EINVAL.
 */
int dda_ns_check(struct block_device *bdev, struct device *rdma,
		 const struct dda_rule *r, struct netlink_ext_ack *ext)
{
	struct dda_provider *prov;

	if (!bdev || !blk_queue_pci_p2pdma(bdev_get_queue(bdev))) {
		NL_SET_ERR_MSG(ext,
			       "the namespace's backing device cannot do P2PDMA (it must be a block device whose driver supports P2P, e.g. a PCIe NVMe SSD)");
		return -EINVAL;
	}
	if (r->sel == DDA_SEL_AUTO)
		return 0;
	dda_p2p_scan();
	prov = dda_choose(r, bdev, rdma);
	if (!prov) {
		if (r->sel == DDA_SEL_PCI) {
			prov = dda_provider_find(r->pci);
			if (!prov) {
				NL_SET_ERR_MSG(ext,
					       "no such provider: the PCI function has no published p2pmem (it was never added, or it was removed)");
				return -ENODEV;
			}
			dda_provider_put(prov);
		}
		if (r->sel == DDA_SEL_CMB)
			NL_SET_ERR_MSG(ext,
				       "the namespace's SSD has no usable CMB provider");
		else
			NL_SET_ERR_MSG(ext,
				       "the provider is not reachable by P2P from the namespace's device (P2P distance check failed)");
		return -EINVAL;
	}
	dda_provider_put(prov);
	return 0;
}

/*
 * The provider for commands of @ns under @r, as a reference, or NULL. The
 * choice is cached in @ns and recomputed when providers or rules changed.
 */
static struct dda_provider *dda_resolve(struct dda_nsrec *ns,
					const struct dda_rule *r,
					struct block_device *bdev,
					struct device *rdma)
{
	unsigned int gen = atomic_read(&dda_p2p_gen);
	u32 rhash = dda_rule_hash(r);
	struct dda_provider *prov, *old;

	spin_lock(&ns->lock);
	if (ns->cache_valid && ns->cache_gen == gen && ns->cache_bdev == bdev &&
	    ns->cache_rdma == rdma && ns->cache_rule == rhash) {
		prov = ns->cache_prov;
		if (prov)
			kref_get(&prov->ref);
		spin_unlock(&ns->lock);
		return prov;
	}
	spin_unlock(&ns->lock);

	if (r->sel == DDA_SEL_CMB || r->sel == DDA_SEL_AUTO)
		dda_p2p_scan();
	prov = dda_choose(r, bdev, rdma);

	spin_lock(&ns->lock);
	old = ns->cache_prov;
	ns->cache_prov = prov;
	if (prov)
		kref_get(&prov->ref);
	ns->cache_gen = gen;
	ns->cache_bdev = bdev;
	ns->cache_rdma = rdma;
	ns->cache_rule = rhash;
	ns->cache_valid = true;
	spin_unlock(&ns->lock);
	if (old)
		dda_provider_put(old);
	return prov;
}

static int dda_host_alloc(struct dda_buf *b, struct nvmet_req *req, u32 len)
{
	req->sg = sgl_alloc(len, GFP_KERNEL, &req->sg_cnt);
	if (!req->sg)
		return -ENOMEM;
	b->prov = NULL;
	b->len = len;
	return 0;
}

/* Host memory for a counted command, @reason its fallback counter. */
static u16 dda_fallback(struct dda_buf *b, struct nvmet_req *req, u32 len,
			int reason)
{
	if (dda_host_alloc(b, req, len))
		return NVME_SC_INTERNAL;
	if (b->ns) {
		dda_count(&b->ns->st, reason, 1);
		dda_count(&b->ns->st, NVMET_DDA_STAT_HOST_IOS, 1);
		dda_count(&b->ns->st, NVMET_DDA_STAT_HOST_BYTES, len);
	}
	return 0;
}

/**
 * dda_data_alloc() - Data buffer for one command, by policy.
 * @b: filled in; hand it back to dda_data_free().
 * @req: the command, after nvmet_req_init(); req->sg and req->sg_cnt are set.
 * @portid: nvmet port the command arrived on.
 * @rdma: the RDMA device's DMA device.
 * @len: data length.
 *
 * Return: 0, NVME_SC_INTERNAL when memory ran out, or
 * NVMET_DDA_REQUIRE_STATUS when mode REQUIRE cannot be met.
 */
u16 dda_data_alloc(struct dda_buf *b, struct nvmet_req *req, u16 portid,
		   struct device *rdma, u32 len)
{
	struct dda_rule *nsr = NULL, *pr;
	struct dda_provider *prov;
	struct scatterlist *sg;
	struct dda_rule r;
	unsigned int nents;
	int reason;

	memset(b, 0, sizeof(*b));
	if (!req->ns || !req->sq->qid || !req->sq->ctrl)
		return dda_host_alloc(b, req, len) ? NVME_SC_INTERNAL : 0;

	b->ns = dda_nsrec_lookup(req->sq->ctrl->subsys->subsysnqn,
				 req->ns->nsid, true);

	rcu_read_lock();
	if (b->ns)
		nsr = rcu_dereference(b->ns->rule);
	pr = dda_port_rule(portid);
	r = *dda_rule_effective(nsr, pr);
	rcu_read_unlock();

	if (r.mode == NVMET_DDA_MODE_OFF || !b->ns)
		return dda_fallback(b, req, len, NVMET_DDA_STAT_FB_POLICY_OFF);
	if (len < r.min_io)
		return dda_fallback(b, req, len, NVMET_DDA_STAT_FB_TOO_SMALL);

	prov = dda_resolve(b->ns, &r, req->ns->bdev, rdma);
	if (!prov) {
		reason = NVMET_DDA_STAT_FB_UNREACHABLE;
		goto no_p2p;
	}
	if (!dda_outstanding_reserve(&b->ns->st, len, r.max_bytes)) {
		dda_provider_put(prov);
		reason = NVMET_DDA_STAT_FB_QUOTA;
		goto no_p2p;
	}
	sg = READ_ONCE(prov->dead) ? NULL :
	     pci_p2pmem_alloc_sgl(prov->pdev, &nents, len);
	if (!sg) {
		dda_outstanding_release(&b->ns->st, len);
		dda_count(&prov->st, NVMET_DDA_STAT_ALLOC_FAILED, 1);
		if (time_after(jiffies, READ_ONCE(prov->last_event) + HZ)) {
			WRITE_ONCE(prov->last_event, jiffies);
			nvmet_dda_notify_pool_dry(prov, b->ns, len);
		}
		dda_provider_put(prov);
		reason = NVMET_DDA_STAT_FB_EXHAUSTED;
		goto no_p2p;
	}
	/*
	 * Outstanding (a full barrier), then @dead: either a drain sees this
	 * buffer, or this sees the drain and gives the buffer back. (The pool
	 * outlives both: its teardown waits for every page.)
	 */
	dda_outstanding_reserve(&prov->st, len, 0);
	if (unlikely(READ_ONCE(prov->dead))) {
		pci_p2pmem_free_sgl(prov->pdev, sg);
		dda_outstanding_release(&b->ns->st, len);
		dda_outstanding_release(&prov->st, len);
		wake_up_all(&prov->drained);
		dda_provider_put(prov);
		reason = NVMET_DDA_STAT_FB_UNREACHABLE;
		goto no_p2p;
	}
	dda_count(&prov->st, NVMET_DDA_STAT_P2P_IOS, 1);
	dda_count(&prov->st, NVMET_DDA_STAT_P2P_BYTES, len);
	dda_count(&b->ns->st, NVMET_DDA_STAT_P2P_IOS, 1);
	dda_count(&b->ns->st, NVMET_DDA_STAT_P2P_BYTES, len);
	req->sg = sg;
	req->sg_cnt = nents;
	b->prov = prov;
	b->len = len;
	return 0;

no_p2p:
	if (r.mode == NVMET_DDA_MODE_REQUIRE) {
		dda_count(&b->ns->st, NVMET_DDA_STAT_REQUIRE_FAILED, 1);
		b->ns = NULL;
		return NVMET_DDA_REQUIRE_STATUS;
	}
	return dda_fallback(b, req, len, reason);
}

/**
 * dda_data_inline() - Account a write whose data came in the capsule.
 * @req: the command, after nvmet_req_init().
 * @len: in-capsule data length.
 *
 * Such data sits in the queue's receive buffers (host memory) whatever the
 * policy: it is counted as host-memory I/O, fallback INLINE.
 */
void dda_data_inline(struct nvmet_req *req, u32 len)
{
	struct dda_nsrec *ns;

	if (!req->ns || !req->sq->qid || !req->sq->ctrl)
		return;
	ns = dda_nsrec_lookup(req->sq->ctrl->subsys->subsysnqn, req->ns->nsid,
			      true);
	if (!ns)
		return;
	dda_count(&ns->st, NVMET_DDA_STAT_FB_INLINE, 1);
	dda_count(&ns->st, NVMET_DDA_STAT_HOST_IOS, 1);
	dda_count(&ns->st, NVMET_DDA_STAT_HOST_BYTES, len);
}

/**
 * dda_data_free() - Give back what dda_data_alloc() set up.
 * @b: as filled by a successful dda_data_alloc().
 * @req: the command; req->sg is cleared.
 */
void dda_data_free(struct dda_buf *b, struct nvmet_req *req)
{
	struct dda_provider *prov = b->prov;

	if (prov) {
		pci_p2pmem_free_sgl(prov->pdev, req->sg);
		dda_outstanding_release(&b->ns->st, b->len);
		dda_outstanding_release(&prov->st, b->len);
		if (!dda_counter(&prov->st, NVMET_DDA_STAT_OUTSTANDING_BYTES))
			wake_up_all(&prov->drained);
		dda_provider_put(prov);
	} else {
		sgl_free(req->sg);
	}
	req->sg = NULL;
	req->sg_cnt = 0;
	memset(b, 0, sizeof(*b));
}

/* Module unload, after the BAR driver is gone: drop the scanned providers. */
void dda_p2p_exit(void)
{
	struct dda_provider *prov, *tmp;

	mutex_lock(&dda_p2p_lock);
	list_for_each_entry_safe(prov, tmp, &dda_providers, entry) {
		dda_provider_unlist(prov);
		WARN_ON_ONCE(dda_counter(&prov->st,
					 NVMET_DDA_STAT_OUTSTANDING_BYTES));
		dda_provider_put(prov);
	}
	mutex_unlock(&dda_p2p_lock);
}

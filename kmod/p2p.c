// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda P2P providers and the per-command buffer choice.
 *
 * A provider is a PCI function with published p2pmem: an NVMe CMB that
 * nvme-pci published, or a BAR that provider.c published. Providers of other
 * drivers are found by scanning the PCI bus (dda_p2p_scan()): at load, after
 * PCI driver events, and when privileged requests ask; commands and
 * unprivileged requests only ask for a scan to happen soon. A provider is
 * listed until its pool goes away; its buffers hold references of their own.
 *
 * For every command that moves data, dda_data_alloc() finds the namespace's
 * record in its queue's cache (struct dda_nscache), takes the effective
 * rule, resolves the provider (kept per namespace until a provider or rule
 * changes: dda_p2p_gen; struct dda_pick), and dda_place() applies
 * MIN_IO, reachability, the quota and the pool, and counts what it did. The
 * buffer is one P2PDMA scatterlist: rdma_rw maps it to bus addresses for PCI
 * RDMA devices that can take P2P pages (dda_dma_p2p_safe()), and
 * virtual-DMA devices (rxe, siw) copy through its kernel mapping.
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
#include <linux/dma-map-ops.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "nvmet.h"
#include "p2p.h"

/* Writers of the provider list; readers may use RCU. */
DEFINE_MUTEX(dda_p2p_lock);
LIST_HEAD(dda_providers);
atomic_t dda_p2p_gen = ATOMIC_INIT(1);

/**
 * dda_counters_init() - Set up @s, all zero.
 * @s: counters, allocated zeroed.
 *
 * Return: 0 or -ENOMEM.
 */
int dda_counters_init(struct dda_counters *s)
{
	s->pcpu = alloc_percpu(struct dda_pcpu_counters);
	return s->pcpu ? 0 : -ENOMEM;
}

/* Free what dda_counters_init() took; any context but NMI. */
void dda_counters_destroy(struct dda_counters *s)
{
	free_percpu(s->pcpu);
	s->pcpu = NULL;
}

/**
 * dda_counter() - The value of one counter of @s.
 * @s: counters.
 * @stat: enum nvmet_dda_stat.
 *
 * Return: the sum over the CPUs for events, the shared value for
 * OUTSTANDING_BYTES and OUTSTANDING_HWM.
 */
u64 dda_counter(const struct dda_counters *s, int stat)
{
	u64 sum = 0;
	int cpu;

	switch (stat) {
	case NVMET_DDA_STAT_OUTSTANDING_BYTES:
		return atomic64_read(&s->outstanding);
	case NVMET_DDA_STAT_OUTSTANDING_HWM:
		return atomic64_read(&s->hwm);
	}
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(s->pcpu, cpu)->c[stat]);
	return sum;
}

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
	atomic64_t *out = &s->outstanding;
	atomic64_t *hwm = &s->hwm;
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
	atomic64_sub(len, &s->outstanding);
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

	dda_counters_destroy(&prov->st);
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

static struct scatterlist *dda_p2pmem_alloc(struct dda_provider *prov,
					    u32 len, unsigned int *nents)
{
	return pci_p2pmem_alloc_sgl(prov->pdev, nents, len);
}

static void dda_p2pmem_free(struct dda_provider *prov, struct scatterlist *sg)
{
	pci_p2pmem_free_sgl(prov->pdev, sg);
}

const struct dda_pool_ops dda_p2pmem_ops = {
	.alloc = dda_p2pmem_alloc,
	.free = dda_p2pmem_free,
};

/**
 * dda_provider_alloc() - A provider, not listed yet.
 * @pdev: the function whose memory it gives out (a reference is taken), or
 *	NULL for a KUnit fake.
 * @kind: enum nvmet_dda_provider_kind.
 * @ops: its pool.
 *
 * Return: the provider with one reference, or NULL.
 */
struct dda_provider *dda_provider_alloc(struct pci_dev *pdev, u32 kind,
					const struct dda_pool_ops *ops)
{
	struct dda_provider *prov = kzalloc(sizeof(*prov), GFP_KERNEL);

	if (!prov)
		return NULL;
	if (dda_counters_init(&prov->st)) {
		kfree(prov);
		return NULL;
	}
	prov->pdev = pci_dev_get(pdev);
	if (pdev)
		strscpy(prov->name, pci_name(pdev), sizeof(prov->name));
	prov->ops = ops;
	prov->kind = kind;
	prov->bar = -1;
	kref_init(&prov->ref);
	prov->last_event = jiffies - HZ;
	return prov;
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
 * @driver: name of the driver that published it.
 *
 * Caller holds dda_p2p_lock. The list holds the provider's first
 * reference.
 *
 * Return: the provider, or NULL on allocation failure.
 */
struct dda_provider *dda_provider_register(struct pci_dev *pdev, u32 kind,
					   const char *driver)
{
	struct dda_provider *prov;

	lockdep_assert_held(&dda_p2p_lock);
	prov = dda_provider_alloc(pdev, kind, &dda_p2pmem_ops);
	if (!prov)
		return NULL;
	strscpy(prov->driver, driver, sizeof(prov->driver));
	list_add_tail_rcu(&prov->entry, &dda_providers);
	atomic_inc(&dda_p2p_gen);
	return prov;
}

/**
 * dda_provider_unlist() - Take @prov off the list for good.
 * @prov: a listed provider.
 *
 * Caller holds dda_p2p_lock. New commands stop choosing @prov at once and
 * allocations racing with this give their buffer back; the list's
 * reference passes to the caller. Buffers still out hold references of
 * their own, and the kernel's teardown of the p2pmem pool waits for their
 * pages: nobody here waits for them.
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

/*
 * Scans asked for by the data path, by unprivileged requests and by PCI bus
 * events run here, one at a time and at most one a second; privileged
 * requests scan at once (dda_p2p_scan()). dda_scan_on is false outside
 * dda_p2p_init() .. dda_p2p_exit().
 */
static void dda_p2p_scan_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(dda_scan_work, dda_p2p_scan_work);
static unsigned long dda_scan_last;
static bool dda_scan_on;
/* Scans run since load, under dda_p2p_lock (debugfs nvmet_dda/pci_scans). */
u64 dda_scan_count;

/**
 * dda_p2p_scan_kick() - Ask for a scan soon, without waiting for it.
 *
 * Cheap and callable from any context: a scan already pending absorbs it.
 */
void dda_p2p_scan_kick(void)
{
	unsigned long next = READ_ONCE(dda_scan_last) + HZ, now = jiffies;

	if (!READ_ONCE(dda_scan_on))
		return;
	queue_delayed_work(system_wq, &dda_scan_work,
			   time_after(next, now) ? next - now : 0);
}

/*
 * The name of @pdev's driver into @name (DDA_DRV_NAME_LEN bytes). Never
 * waits for the device lock (a driver may be busy binding or unbinding
 * the function for a long time): false when it is held.
 */
static bool dda_pci_driver_name(struct pci_dev *pdev, char *name)
{
	if (!device_trylock(&pdev->dev))
		return false;
	strscpy(name, pdev->dev.driver ? pdev->dev.driver->name : "",
		DDA_DRV_NAME_LEN);
	device_unlock(&pdev->dev);
	return true;
}

/**
 * dda_p2p_scan() - Bring the list in line with the p2pmem on the PCI bus.
 *
 * Adds functions that published p2pmem through their own driver (kind CMB
 * for NVMe controllers, PUBLISHED otherwise) and drops such providers whose
 * pool is gone. Walks every PCI function: never called for a command or an
 * unprivileged request, which use dda_p2p_scan_kick().
 */
void dda_p2p_scan(void)
{
	char driver[DDA_DRV_NAME_LEN];
	struct dda_provider *prov, *tmp;
	struct pci_dev *pdev = NULL;
	bool again = false;

	if (!IS_ENABLED(CONFIG_PCI_P2PDMA))
		return;

	mutex_lock(&dda_p2p_lock);
	WRITE_ONCE(dda_scan_last, jiffies);
	dda_scan_count++;
	list_for_each_entry_safe(prov, tmp, &dda_providers, entry) {
		if (prov->kind == NVMET_DDA_PROVIDER_BAR ||
		    pci_has_p2pmem(prov->pdev))
			continue;
		dda_provider_unlist(prov);
		dda_provider_put(prov);
	}
	for_each_pci_dev(pdev) {
		u32 kind = NVMET_DDA_PROVIDER_PUBLISHED;

		if (!pci_has_p2pmem(pdev) || dda_provider_find_pdev(pdev))
			continue;
		/* Its driver is busy with it: a later scan adds it. */
		if (!dda_pci_driver_name(pdev, driver)) {
			again = true;
			continue;
		}
		if (pdev->class == PCI_CLASS_STORAGE_EXPRESS)
			kind = NVMET_DDA_PROVIDER_CMB;
		dda_provider_register(pdev, kind, driver);
	}
	mutex_unlock(&dda_p2p_lock);
	if (again)
		dda_p2p_scan_kick();
}

static void dda_p2p_scan_work(struct work_struct *work)
{
	dda_p2p_scan();
}

/* A driver bound, unbound or a function left: p2pmem may have changed. */
static int dda_pci_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	switch (action) {
	case BUS_NOTIFY_BOUND_DRIVER:
	case BUS_NOTIFY_UNBOUND_DRIVER:
	case BUS_NOTIFY_DEL_DEVICE:
		dda_p2p_scan_kick();
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block dda_pci_nb = {
	.notifier_call = dda_pci_notify,
};

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

	if (layout < 0 || !prov->pdev)
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
 * Takes no lock of the PCI function: what it reports was recorded when
 * the provider was listed.
 *
 * Return: 0 or -EMSGSIZE.
 */
int dda_provider_fill(struct sk_buff *skb, struct dda_provider *prov)
{
	u64 size = 0, avail = 0;
	bool pool = dda_provider_pool_stats(prov, &size, &avail);

	if (nla_put_string(skb, NVMET_DDA_A_PROVIDER_DRIVER, prov->driver) ||
	    nla_put_string(skb, NVMET_DDA_A_PROVIDER, prov->name) ||
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
 * dda_dma_p2p_safe() - May P2P pages go to DMA mappings of @dma?
 * @dma: an RDMA device's DMA device (the caller checked that its DMA
 *	layer handles P2PDMA pages at all).
 *
 * The transport skips the CPU sync before an RDMA WRITE from a P2P buffer:
 * the CPU never wrote to it. That is only right when mapping the pages
 * cannot bounce them through swiotlb, where the sync is the copy into the
 * bounce buffer. The P2PDMA mapping code refuses to bounce P2P pages with
 * dma-direct, but dma-iommu bounces every unaligned segment of a device it
 * does not trust, and (6.12) any small segment of a device that does not
 * snoop the CPU caches; a function whose mappings are forced through
 * swiotlb cannot map them at all. Such devices get no P2P memory.
 *
 * Return: true when @dma is a PCI function that is trusted, coherent and
 * not forced to bounce.
 */
bool dda_dma_p2p_safe(struct device *dma)
{
	if (!dma || !dev_is_pci(dma))
		return false;
	return !to_pci_dev(dma)->untrusted && dev_is_dma_coherent(dma) &&
	       !is_swiotlb_force_bounce(dma);
}

/**
 * dda_p2p_reachable() - P2P distance from @prov to the devices doing DMA.
 * @prov: provider.
 * @bdev: the namespace's backing block device.
 * @peer: the RDMA device; counted when it does DMA of its own (a
 *	virtual-DMA device copies with the CPU, from anywhere).
 *
 * Return: the summed distance, or -1 when P2PDMA between them cannot work.
 */
int dda_p2p_reachable(struct dda_provider *prov, struct block_device *bdev,
		      const struct dda_peer *peer)
{
	struct device *clients[2];
	int n = 0;

	if (!bdev || !blk_queue_pci_p2pdma(bdev_get_queue(bdev)))
		return -1;
	clients[n++] = disk_to_dev(bdev->bd_disk);
	if (peer && peer->dma) {
		if (!peer->p2p)
			return -1;
		clients[n++] = peer->dma;
	}
	return pci_p2pdma_distance_many(prov->pdev, clients, n, false);
}

/**
 * dda_choose() - The closest provider @r allows, as a reference, or NULL.
 * @r: rule.
 * @bdev: the namespace's backing block device.
 * @peer: the RDMA device (dda_p2p_reachable()).
 *
 * Takes dda_p2p_lock; never scans.
 */
struct dda_provider *dda_choose(const struct dda_rule *r,
				struct block_device *bdev,
				const struct dda_peer *peer)
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
		dist[n++] = dda_p2p_reachable(prov, bdev, peer);
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
 * @peer: the RDMA device serving it.
 * @r: rule (mode other than OFF).
 * @ext: error message.
 *
 * Looks at the provider list as it is: the caller scans first if it may.
 *
 * Return: 0, -ENODEV when @r names a provider that does not exist, or
 * -EINVAL.
 */
int dda_ns_check(struct block_device *bdev, const struct dda_peer *peer,
		 const struct dda_rule *r, struct netlink_ext_ack *ext)
{
	struct dda_provider *prov;

	if (!bdev || !blk_queue_pci_p2pdma(bdev_get_queue(bdev))) {
		NL_SET_ERR_MSG(ext,
			       "the namespace's backing device cannot do P2PDMA (it must be a block device whose driver supports P2P, e.g. a PCIe NVMe SSD)");
		return -EINVAL;
	}
	if (peer->dma && !peer->p2p) {
		NL_SET_ERR_MSG(ext,
			       "the RDMA device cannot take P2P memory: it is not a PCI function, its DMA layer does not map P2PDMA pages, or its mappings may bounce (IOMMU-untrusted, not cache-coherent, or forced through swiotlb)");
		return -EINVAL;
	}
	if (r->sel == DDA_SEL_AUTO)
		return 0;
	prov = dda_choose(r, bdev, peer);
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

/**
 * dda_resolve() - The provider for commands of a namespace, by its rule.
 * @ns: the namespace's record, which keeps the choice (struct dda_pick).
 * @r: the rule in effect (mode other than OFF).
 * @bdev: the namespace's backing device.
 * @peer: the RDMA device serving the command.
 *
 * The choice is made again when providers, the rule, the device or the
 * RDMA device changed; one that found none is retried after pick->wait,
 * which doubles while nothing changes. Making it asks for a scan (for a
 * CMB that appeared since) but never waits for one. Using it takes no
 * lock: RCU and the provider's reference count.
 *
 * Return: a reference to the provider, or NULL when none is reachable.
 */
struct dda_provider *dda_resolve(struct dda_nsrec *ns, const struct dda_rule *r,
				 struct block_device *bdev,
				 const struct dda_peer *peer)
{
	unsigned long wait = DDA_NONE_RETRY;
	struct dda_provider *prov;
	struct dda_pick *p, *old;
	unsigned int gen;

	rcu_read_lock();
	/* Read under RCU: see struct dda_pick's @gen. */
	gen = atomic_read(&dda_p2p_gen);
	p = rcu_dereference(ns->pick);
	if (p && p->gen == gen && p->bdev == bdev && p->rdma == peer->dma &&
	    p->rule == r->id) {
		prov = p->prov;
		if (prov ? kref_get_unless_zero(&prov->ref) :
			   time_before(jiffies, p->time + p->wait)) {
			rcu_read_unlock();
			return prov;
		}
		/* Nothing changed since it found none: wait longer next time. */
		if (!prov)
			wait = min_t(unsigned long, 2 * p->wait,
				     DDA_NONE_RETRY_MAX);
	}
	rcu_read_unlock();

	if (r->sel == DDA_SEL_CMB || r->sel == DDA_SEL_AUTO)
		dda_p2p_scan_kick();
	prov = dda_choose(r, bdev, peer);

	/* Without memory for it the choice is made again next time. */
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return prov;
	p->gen = gen;
	p->rule = r->id;
	p->bdev = bdev;
	p->rdma = peer->dma;
	p->prov = prov;
	p->time = jiffies;
	p->wait = wait;
	old = unrcu_pointer(xchg(&ns->pick, RCU_INITIALIZER(p)));
	if (old)
		kfree_rcu(old, rcu);
	return prov;
}

/*
 * Host memory for @b, counted under @reason (with HOST_IOS and HOST_BYTES)
 * when @b has a namespace record, whose reference goes.
 */
static u16 dda_place_host(struct dda_buf *b, u32 len, int reason)
{
	struct dda_nsrec *ns = b->ns;
	u16 status = 0;

	b->sg = sgl_alloc(len, GFP_KERNEL, &b->nents);
	if (!b->sg) {
		status = NVME_SC_INTERNAL;
	} else if (ns) {
		dda_count(&ns->st, reason, 1);
		dda_count(&ns->st, NVMET_DDA_STAT_HOST_IOS, 1);
		dda_count(&ns->st, NVMET_DDA_STAT_HOST_BYTES, len);
	}
	if (ns) {
		b->ns = NULL;
		dda_nsrec_put(ns);
	}
	return status;
}

/* A P2P buffer goes back to its pool, uncounted; @b keeps its record. */
static void dda_p2p_giveback(struct dda_buf *b)
{
	struct dda_provider *prov = b->prov;

	prov->ops->free(prov, b->sg);
	dda_outstanding_release(&b->ns->st, b->len);
	dda_outstanding_release(&prov->st, b->len);
	dda_provider_put(prov);
	b->prov = NULL;
	b->sg = NULL;
	b->nents = 0;
}

/**
 * dda_place() - Take the buffer of one data command, by its rule.
 * @b: filled in. On entry b->ns is the namespace's record (a reference,
 *	which @b keeps only with a P2P buffer) or NULL (not counted).
 * @r: the rule in effect.
 * @prov: the provider resolved for the namespace (a reference, which @b
 *	takes over or which is dropped), NULL when none is reachable.
 * @len: bytes.
 *
 * In order: mode OFF and commands below MIN_IO take host memory; then a
 * provider must be reachable and taking buffers, the namespace's quota
 * must hold @len more bytes, and the pool must give them. When one of
 * those fails the command takes host memory under PREFER, counted by
 * reason, and fails under REQUIRE (counted in REQUIRE_FAILED). A P2P
 * buffer is counted in P2P_IOS and P2P_BYTES once the RDMA device mapped
 * it (dda_buf_mapped()); one it cannot map (dda_buf_unmappable()) is
 * counted where its data goes instead, so every command counts once.
 *
 * Return: 0 with the buffer in @b (b->prov set for P2P memory),
 * NVME_SC_INTERNAL when host memory ran out, NVMET_DDA_REQUIRE_STATUS.
 */
u16 dda_place(struct dda_buf *b, const struct dda_rule *r,
	      struct dda_provider *prov, u32 len)
{
	struct dda_nsrec *ns = b->ns;
	struct scatterlist *sg;
	unsigned int nents;
	int reason;

	b->prov = NULL;
	b->sg = NULL;
	b->nents = 0;
	b->len = len;
	b->mode = r->mode;

	if (!ns || r->mode == NVMET_DDA_MODE_OFF) {
		reason = NVMET_DDA_STAT_FB_POLICY_OFF;
		goto put_prov_host;
	}
	if (len < r->min_io) {
		reason = NVMET_DDA_STAT_FB_TOO_SMALL;
		goto put_prov_host;
	}
	reason = NVMET_DDA_STAT_FB_UNREACHABLE;
	if (!prov)
		goto no_p2p;
	if (dda_provider_stopped(prov))
		goto put_prov;
	if (!dda_outstanding_reserve(&ns->st, len, r->max_bytes)) {
		reason = NVMET_DDA_STAT_FB_QUOTA;
		goto put_prov;
	}
	sg = prov->ops->alloc(prov, len, &nents);
	if (!sg) {
		dda_outstanding_release(&ns->st, len);
		dda_count(&prov->st, NVMET_DDA_STAT_ALLOC_FAILED, 1);
		if (time_after(jiffies, READ_ONCE(prov->last_event) + HZ)) {
			WRITE_ONCE(prov->last_event, jiffies);
			nvmet_dda_notify_pool_dry(prov, ns, len);
		}
		reason = NVMET_DDA_STAT_FB_EXHAUSTED;
		goto put_prov;
	}
	/*
	 * Outstanding (a full barrier), then the stop flags: either whoever
	 * stops the provider sees this buffer, or this sees the stop and gives
	 * the buffer back. (The pool outlives both: its teardown waits for
	 * every page.)
	 */
	dda_outstanding_reserve(&prov->st, len, 0);
	if (unlikely(dda_provider_stopped(prov))) {
		prov->ops->free(prov, sg);
		dda_outstanding_release(&ns->st, len);
		dda_outstanding_release(&prov->st, len);
		goto put_prov;
	}
	b->prov = prov;
	b->sg = sg;
	b->nents = nents;
	return 0;

put_prov:
	dda_provider_put(prov);
no_p2p:
	if (r->mode == NVMET_DDA_MODE_REQUIRE) {
		dda_count(&ns->st, NVMET_DDA_STAT_REQUIRE_FAILED, 1);
		b->ns = NULL;
		dda_nsrec_put(ns);
		return NVMET_DDA_REQUIRE_STATUS;
	}
	return dda_place_host(b, len, reason);

put_prov_host:
	if (prov)
		dda_provider_put(prov);
	return dda_place_host(b, len, reason);
}

/**
 * dda_buf_unmappable() - The RDMA device could not map @b's P2P buffer.
 * @b: a P2P buffer from dda_place().
 *
 * The buffer goes back uncounted. Under REQUIRE the command fails, counted
 * in REQUIRE_FAILED; otherwise it gets host memory, counted as an
 * UNREACHABLE fallback: for this device the provider was not reachable.
 *
 * Return: 0 with a host buffer in @b, NVME_SC_INTERNAL,
 * NVMET_DDA_REQUIRE_STATUS.
 */
u16 dda_buf_unmappable(struct dda_buf *b)
{
	struct dda_nsrec *ns = b->ns;

	dda_p2p_giveback(b);
	if (b->mode == NVMET_DDA_MODE_REQUIRE) {
		dda_count(&ns->st, NVMET_DDA_STAT_REQUIRE_FAILED, 1);
		b->ns = NULL;
		dda_nsrec_put(ns);
		return NVMET_DDA_REQUIRE_STATUS;
	}
	return dda_place_host(b, b->len, NVMET_DDA_STAT_FB_UNREACHABLE);
}

/**
 * dda_buf_mapped() - The RDMA device mapped @b: count a P2P buffer.
 * @b: a buffer from dda_place() (host memory is counted already).
 */
void dda_buf_mapped(struct dda_buf *b)
{
	struct dda_provider *prov = b->prov;

	if (!prov)
		return;
	dda_count(&prov->st, NVMET_DDA_STAT_P2P_IOS, 1);
	dda_count(&prov->st, NVMET_DDA_STAT_P2P_BYTES, b->len);
	dda_count(&b->ns->st, NVMET_DDA_STAT_P2P_IOS, 1);
	dda_count(&b->ns->st, NVMET_DDA_STAT_P2P_BYTES, b->len);
}

/**
 * dda_buf_release() - Give back what dda_place() (or dda_buf_unmappable())
 * put in @b.
 * @b: emptied.
 */
void dda_buf_release(struct dda_buf *b)
{
	struct dda_nsrec *ns = b->ns;

	if (b->prov)
		dda_p2p_giveback(b);
	else if (b->sg)
		sgl_free(b->sg);
	if (ns)
		dda_nsrec_put(ns);
	memset(b, 0, sizeof(*b));
}

/**
 * dda_data_alloc() - Data buffer for one command, by policy.
 * @b: filled in; hand it back to dda_data_free().
 * @req: the command, after nvmet_req_init(); req->sg and req->sg_cnt are set.
 * @nsc: the cache of the command's queue.
 * @portid: nvmet port the command arrived on.
 * @peer: the RDMA device.
 * @len: data length.
 *
 * Return: 0, NVME_SC_INTERNAL when memory ran out, or
 * NVMET_DDA_REQUIRE_STATUS when mode REQUIRE cannot be met.
 */
u16 dda_data_alloc(struct dda_buf *b, struct nvmet_req *req,
		   struct dda_nscache *nsc, u16 portid,
		   const struct dda_peer *peer, u32 len)
{
	struct dda_provider *prov = NULL;
	struct dda_rule *nsr = NULL, *pr;
	struct dda_rule r;
	u16 status;

	memset(b, 0, sizeof(*b));
	if (!req->ns || !req->sq->qid || !req->sq->ctrl) {
		/* Admin and fabrics commands: host memory, not counted. */
		b->sg = sgl_alloc(len, GFP_KERNEL, &b->nents);
		if (!b->sg)
			return NVME_SC_INTERNAL;
		b->len = len;
		goto out;
	}

	b->ns = dda_nscache_get(nsc, req->sq->ctrl->subsys->subsysnqn,
				req->ns->nsid);
	rcu_read_lock();
	if (b->ns)
		nsr = rcu_dereference(b->ns->rule);
	pr = dda_port_rule(portid);
	r = *dda_rule_effective(nsr, pr);
	rcu_read_unlock();

	if (b->ns && dda_rule_wants_p2p(&r, len))
		prov = dda_resolve(b->ns, &r, req->ns->bdev, peer);
	status = dda_place(b, &r, prov, len);
	if (status)
		return status;
out:
	req->sg = b->sg;
	req->sg_cnt = b->nents;
	return 0;
}

/**
 * dda_data_map_failed() - The RDMA device could not map a P2P buffer.
 * @b: the command's buffer, from dda_data_alloc(), with b->prov set.
 * @req: the command; req->sg follows @b.
 *
 * See dda_buf_unmappable(). On failure nothing is left to free.
 *
 * Return: 0 (host memory now), NVME_SC_INTERNAL, NVMET_DDA_REQUIRE_STATUS.
 */
u16 dda_data_map_failed(struct dda_buf *b, struct nvmet_req *req)
{
	u16 status = dda_buf_unmappable(b);

	req->sg = b->sg;
	req->sg_cnt = b->nents;
	return status;
}

/**
 * dda_data_inline() - Account a write whose data came in the capsule.
 * @req: the command, after nvmet_req_init().
 * @nsc: the cache of the command's queue.
 * @len: in-capsule data length.
 *
 * Such data sits in the queue's receive buffers (host memory) whatever the
 * policy: it is counted as host-memory I/O, fallback INLINE.
 */
void dda_data_inline(struct nvmet_req *req, struct dda_nscache *nsc,
		     u32 len)
{
	struct dda_nsrec *ns;

	if (!req->ns || !req->sq->qid || !req->sq->ctrl)
		return;
	ns = dda_nscache_get(nsc, req->sq->ctrl->subsys->subsysnqn,
			     req->ns->nsid);
	if (!ns)
		return;
	dda_count(&ns->st, NVMET_DDA_STAT_FB_INLINE, 1);
	dda_count(&ns->st, NVMET_DDA_STAT_HOST_IOS, 1);
	dda_count(&ns->st, NVMET_DDA_STAT_HOST_BYTES, len);
	dda_nsrec_put(ns);
}

/**
 * dda_data_free() - Give back what dda_data_alloc() set up.
 * @b: as filled by a successful dda_data_alloc().
 * @req: the command; req->sg is cleared.
 */
void dda_data_free(struct dda_buf *b, struct nvmet_req *req)
{
	dda_buf_release(b);
	req->sg = NULL;
	req->sg_cnt = 0;
}

/**
 * dda_p2p_init() - Find the providers there are, and follow PCI events.
 *
 * Return: 0 or a negative errno.
 */
int dda_p2p_init(void)
{
	int ret;

	WRITE_ONCE(dda_scan_on, true);
	ret = bus_register_notifier(&pci_bus_type, &dda_pci_nb);
	if (ret) {
		WRITE_ONCE(dda_scan_on, false);
		return ret;
	}
	dda_p2p_scan();
	return 0;
}

/*
 * Module unload, after the BAR driver is gone and nothing can ask for a
 * scan any more: drop the scanned providers.
 */
void dda_p2p_exit(void)
{
	struct dda_provider *prov, *tmp;

	WRITE_ONCE(dda_scan_on, false);
	bus_unregister_notifier(&pci_bus_type, &dda_pci_nb);
	cancel_delayed_work_sync(&dda_scan_work);

	mutex_lock(&dda_p2p_lock);
	list_for_each_entry_safe(prov, tmp, &dda_providers, entry) {
		dda_provider_unlist(prov);
		WARN_ON_ONCE(dda_counter(&prov->st,
					 NVMET_DDA_STAT_OUTSTANDING_BYTES));
		dda_provider_put(prov);
	}
	mutex_unlock(&dda_p2p_lock);
}

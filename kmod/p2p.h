/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet-dda P2P placement: providers (p2p.c, provider.c), offload policy and
 * per-namespace accounting (policy.c), and the per-command buffer choice the
 * transport calls (p2p.c).
 */
#ifndef _NVMET_DDA_P2P_H
#define _NVMET_DDA_P2P_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/refcount.h>
#include <linux/percpu.h>
#include <linux/nvme.h>
#include <linux/nvmet_dda.h>

struct pci_dev;
struct device;
struct sk_buff;
struct netlink_ext_ack;
struct nvmet_req;
struct block_device;
struct gen_pool;
struct range;

/* "DDDD:BB:DD.F" and its terminator. */
#define DDA_PCI_NAME_LEN	16
/* A driver's name as PROVIDER_GET reports it, terminator included. */
#define DDA_DRV_NAME_LEN	32

struct dda_pcpu_counters {
	u64 c[__NVMET_DDA_STAT_MAX];
};

/*
 * The counters of a namespace record or a provider. Events are counted per
 * CPU, so that commands on different CPUs share no cache line, and summed
 * when read: exact once the commands counting them are done. Outstanding
 * bytes and their high-water mark are shared atomics: the quota is checked
 * against them.
 */
struct dda_counters {
	struct dda_pcpu_counters __percpu *pcpu;
	atomic64_t outstanding;
	atomic64_t hwm;
};

int dda_counters_init(struct dda_counters *s);
void dda_counters_destroy(struct dda_counters *s);

/* Count an event (not OUTSTANDING_*): any context. */
static inline void dda_count(struct dda_counters *s, int stat, u64 n)
{
	this_cpu_add(s->pcpu->c[stat], n);
}

u64 dda_counter(const struct dda_counters *s, int stat);

bool dda_outstanding_reserve(struct dda_counters *s, u64 len, u64 max);
void dda_outstanding_release(struct dda_counters *s, u64 len);
int dda_counters_fill(struct sk_buff *skb, const struct dda_counters *s,
		      bool provider);

struct dda_provider;
struct scatterlist;

/**
 * struct dda_pool_ops - How a provider's buffers are taken and given back.
 * @alloc: @len bytes of the provider's memory as a scatterlist (*@nents
 *	entries), or NULL when the pool cannot give them.
 * @free: give back what @alloc returned.
 *
 * dda_p2pmem_ops (the p2pmem pool of the provider's PCI function) for every
 * real provider; the KUnit suites give fake providers fake pools.
 */
struct dda_pool_ops {
	struct scatterlist *(*alloc)(struct dda_provider *prov, u32 len,
				     unsigned int *nents);
	void (*free)(struct dda_provider *prov, struct scatterlist *sg);
};

extern const struct dda_pool_ops dda_p2pmem_ops;

/**
 * struct dda_provider - a PCI function with p2pmem that nvmet-dda may use.
 * @entry: in the provider list (RCU for readers, dda_p2p_lock for writers).
 * @pdev: the function; a reference is held (NULL for KUnit fakes).
 * @ops: its pool.
 * @name: pci_name(@pdev).
 * @driver: name of the driver that published the memory, "" while unknown.
 * @kind: enum nvmet_dda_provider_kind.
 * @bar: (BAR kind) the BAR published.
 * @offset: (BAR kind) offset of the region in @bar.
 * @size: (BAR kind) size of the region.
 * @dead: unpublished or gone; no new buffers.
 * @paused: PROVIDER_DEL is looking whether buffers are out; no new buffers
 *	meanwhile.
 * @ref: lifetime; the list holds one, every buffer and cache one each.
 * @st: P2P_IOS, P2P_BYTES, OUTSTANDING_*, ALLOC_FAILED.
 * @last_event: jiffies of the last POOL_DRY event.
 */
struct dda_provider {
	struct list_head entry;
	struct pci_dev *pdev;
	const struct dda_pool_ops *ops;
	char name[DDA_PCI_NAME_LEN];
	char driver[DDA_DRV_NAME_LEN];
	u32 kind;
	int bar;
	u64 offset;
	u64 size;
	bool dead;
	bool paused;
	struct kref ref;
	struct dda_counters st;
	unsigned long last_event;
	struct rcu_head rcu;
};

/*
 * Whether new buffers may come from @prov. Read after the buffer's bytes
 * are counted in OUTSTANDING_BYTES (a full barrier); writers set the flag,
 * then smp_mb(), then read OUTSTANDING_BYTES.
 */
static inline bool dda_provider_stopped(const struct dda_provider *prov)
{
	return READ_ONCE(prov->dead) || READ_ONCE(prov->paused);
}

/**
 * struct dda_peer - the RDMA device as the other end of P2P transfers.
 * @dma: the device whose DMA mappings the buffers get; NULL when the RDMA
 *	device has no DMA of its own (rxe, siw: the CPU copies through the
 *	pages' kernel mapping, so any provider will do).
 * @p2p: @dma can be given P2P pages: a PCI function whose DMA layer maps
 *	P2PDMA pages and whose mappings never bounce (see dda_dma_p2p_safe()).
 *	With @dma and without @p2p, no provider is reachable.
 */
struct dda_peer {
	struct device *dma;
	bool p2p;
};

enum dda_sel {
	DDA_SEL_AUTO,
	DDA_SEL_CMB,
	DDA_SEL_PCI,
};

/**
 * struct dda_rule - one offload policy; replaced whole, never changed.
 * @id: this version of the rule, distinct for every one dda_rule_set()
 *	makes (0: the built-in default); what a struct dda_pick was chosen
 *	under.
 * @mode: enum nvmet_dda_mode.
 * @sel: enum dda_sel.
 * @pci: the provider's PCI address for DDA_SEL_PCI.
 * @min_io: smaller data stays in host memory.
 * @max_bytes: quota of outstanding P2P bytes per namespace, 0: none.
 */
struct dda_rule {
	u64 id;
	u32 mode;
	u32 sel;
	char pci[DDA_PCI_NAME_LEN];
	u32 min_io;
	u64 max_bytes;
	struct rcu_head rcu;
};

/* Whether @r puts a command of @len bytes in P2P memory when it can. */
static inline bool dda_rule_wants_p2p(const struct dda_rule *r, u32 len)
{
	return r->mode != NVMET_DDA_MODE_OFF && len >= r->min_io;
}

/**
 * struct dda_nsrec - what nvmet-dda keeps per namespace (NQN + NSID).
 * @hnode: in the namespace table (RCU readers, dda_policy_lock writers).
 * @ref: the table holds one; every user one more (dda_nsrec_get()), and
 *	every queue's struct dda_nscache slot that has it. A record is
 *	reclaimed only when the table's is the last (policy.c).
 * @nqn: subsystem NQN, up to NVMF_NQN_SIZE characters as nvmet keeps them.
 * @nsid: namespace ID.
 * @last_used: jiffies of the last lookup in the table (commands of a queue
 *	that has the record in its struct dda_nscache hold it instead).
 * @rule: the namespace's own rule, NULL for none.
 * @st: the namespace's counters.
 * @pick: the provider last chosen for it (see struct dda_pick), NULL for
 *	none yet; replaced whole, freed by RCU.
 */
struct dda_nsrec {
	struct hlist_node hnode;
	refcount_t ref;
	char nqn[NVMF_NQN_SIZE + 1];
	u32 nsid;
	unsigned long last_used;
	struct dda_rule __rcu *rule;
	struct dda_counters st;
	struct dda_pick __rcu *pick;
	struct rcu_head rcu;
};

/**
 * struct dda_pick - which provider a namespace's commands use, as chosen.
 * @gen: dda_p2p_gen before the choice. Every change to the provider list
 *	moves it, so while it holds, @prov is listed (or being unlisted, in
 *	which case its memory outlives the RCU reader that saw @gen).
 * @rule: the id of the rule it was chosen under.
 * @bdev: the namespace's backing device then.
 * @rdma: the RDMA device's DMA device then (NULL for rxe, siw).
 * @prov: the provider, not a reference; NULL: none was reachable.
 * @time: jiffies of the choice.
 * @wait: with @prov NULL, how long after @time the choice is made again:
 *	DDA_NONE_RETRY, doubled each time the same choice finds none again,
 *	up to DDA_NONE_RETRY_MAX.
 *
 * Never changed once published: a new choice replaces it whole.
 */
struct dda_pick {
	unsigned int gen;
	u64 rule;
	struct block_device *bdev;
	struct device *rdma;
	struct dda_provider *prov;
	unsigned long time;
	unsigned long wait;
	struct rcu_head rcu;
};

/*
 * How long "no provider reachable" is believed at first, and at most. A
 * CMB can appear without any event that moves dda_p2p_gen first (6.1's
 * nvme-pci maps it in its reset work, after the driver bound), and only a
 * scan sees it; but a namespace that can never reach a provider must not
 * keep the PCI bus scanned once a second for as long as its I/O runs.
 */
#define DDA_NONE_RETRY		HZ
#define DDA_NONE_RETRY_MAX	(64 * HZ)

/*
 * Slots of struct dda_nscache: a queue whose host uses more namespaces at
 * once than this still works, through the table, only slower.
 */
#define DDA_NSC_SLOTS	8

/**
 * struct dda_nscache - the namespace records one queue's commands use.
 * @slot: by NSID modulo DDA_NSC_SLOTS, each a reference or NULL.
 *
 * A queue belongs to one controller, hence one subsystem: a record is
 * known by its NSID alone here, and found without hashing the NQN. Slots
 * are replaced with xchg() and read under RCU, so commands of one queue
 * completing in different contexts need no lock; dda_nscache_clear() when
 * no command of the queue can run any more.
 */
struct dda_nscache {
	struct dda_nsrec *slot[DDA_NSC_SLOTS];
};

/**
 * struct dda_buf - where one command's data buffer came from.
 * @ns: for a P2P buffer, the namespace record it is accounted to (a
 *	reference); NULL otherwise.
 * @prov: the provider of a P2P buffer, NULL for host memory.
 * @sg: the buffer.
 * @nents: entries in @sg.
 * @len: bytes.
 * @mode: the mode of the rule it was placed by.
 */
struct dda_buf {
	struct dda_nsrec *ns;
	struct dda_provider *prov;
	struct scatterlist *sg;
	unsigned int nents;
	u32 len;
	u32 mode;
};

/* p2p.c: providers */
extern struct mutex dda_p2p_lock;
extern struct list_head dda_providers;
extern atomic_t dda_p2p_gen;

struct dda_provider *dda_provider_alloc(struct pci_dev *pdev, u32 kind,
					const struct dda_pool_ops *ops);
void dda_provider_put(struct dda_provider *prov);
struct dda_provider *dda_provider_register(struct pci_dev *pdev, u32 kind,
					   const char *driver);
void dda_provider_unlist(struct dda_provider *prov);
void dda_p2p_scan(void);
extern u64 dda_scan_count;
void dda_p2p_scan_kick(void);
int dda_p2p_init(void);
void dda_p2p_exit(void);
struct dda_provider *dda_provider_find(const char *name);
int dda_provider_fill(struct sk_buff *skb, struct dda_provider *prov);
bool dda_provider_pool_stats(struct dda_provider *prov, u64 *size, u64 *avail);
bool dda_pool_sane(struct gen_pool *pool, const struct range *bars, int n);
int dda_pci_name_parse(const char *in, char *out, struct netlink_ext_ack *ext);
bool dda_dma_p2p_safe(struct device *dma);
int dda_p2p_reachable(struct dda_provider *prov, struct block_device *bdev,
		      const struct dda_peer *peer);

/* p2p.c: the data path */
u16 dda_place(struct dda_buf *b, const struct dda_rule *r,
	      struct dda_provider *prov, u32 len);
void dda_buf_mapped(struct dda_buf *b);
u16 dda_buf_unmappable(struct dda_buf *b);
void dda_buf_release(struct dda_buf *b);
u16 dda_data_alloc(struct dda_buf *b, struct nvmet_req *req,
		   struct dda_nscache *nsc, u16 portid,
		   const struct dda_peer *peer, u32 len);
u16 dda_data_map_failed(struct dda_buf *b, struct nvmet_req *req);
void dda_data_free(struct dda_buf *b, struct nvmet_req *req);
void dda_data_inline(struct nvmet_req *req, struct dda_nscache *nsc,
		     u32 len);
int dda_pick_closest(const int *dist, int n);
struct dda_provider *dda_choose(const struct dda_rule *r,
				struct block_device *bdev,
				const struct dda_peer *peer);
struct dda_provider *dda_resolve(struct dda_nsrec *ns, const struct dda_rule *r,
				 struct block_device *bdev,
				 const struct dda_peer *peer);
int dda_ns_check(struct block_device *bdev, const struct dda_peer *peer,
		 const struct dda_rule *r, struct netlink_ext_ack *ext);

/* provider.c: BAR providers */
int dda_bar_add(const char *name, int bar, u64 offset, u64 size,
		struct netlink_ext_ack *ext);
int dda_bar_del(const char *name, struct netlink_ext_ack *ext);
int dda_bar_init(void);
void dda_bar_exit(void);

/* policy.c */
extern struct mutex dda_policy_lock;
struct dda_nsrec *dda_nsrec_get(const char *nqn, u32 nsid, bool create);
void dda_nsrec_put(struct dda_nsrec *ns);
struct dda_nsrec *dda_nsrec_find_locked(const char *nqn, u32 nsid);
struct dda_nsrec *dda_nscache_get(struct dda_nscache *nsc, const char *nqn,
				  u32 nsid);
void dda_nscache_clear(struct dda_nscache *nsc);
unsigned int dda_nsrec_reclaim(void);
unsigned int dda_nsrec_count(void);
struct dda_rule *dda_port_rule(u32 portid);
const struct dda_rule *dda_rule_effective(const struct dda_rule *ns_rule,
					  const struct dda_rule *port_rule);
int dda_rule_set(const char *nqn, u32 nsid, bool port, u32 portid,
		 const struct dda_rule *tmpl, const bool *given,
		 struct netlink_ext_ack *ext);
int dda_rule_del(const char *nqn, u32 nsid, bool port, u32 portid);
int dda_rule_fill(struct sk_buff *skb, const struct dda_rule *r);
int dda_sel_parse(const char *s, struct dda_rule *r,
		  struct netlink_ext_ack *ext);
const char *dda_sel_name(const struct dda_rule *r);

typedef int (*dda_nsrec_cb)(struct dda_nsrec *ns, void *arg);
int dda_nsrec_walk(long *pos, dda_nsrec_cb cb, void *arg);
typedef int (*dda_portrule_cb)(u32 portid, struct dda_rule *r, void *arg);
int dda_portrule_walk(long *pos, dda_portrule_cb cb, void *arg);
void dda_policy_exit(void);

/* rdma.c: rules against the namespaces being served */
int dda_rdma_check_ns(const char *nqn, u32 nsid, const struct dda_rule *r,
		      struct netlink_ext_ack *ext);
bool dda_rdma_ns_served(const char *nqn, u32 nsid);

/* netlink.c */
void nvmet_dda_notify_pool_dry(struct dda_provider *prov,
			       struct dda_nsrec *ns, u32 len);

#endif /* _NVMET_DDA_P2P_H */

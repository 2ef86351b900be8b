// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda offload policy: rules per namespace (subsystem NQN + NSID) and
 * per nvmet port, and the per-namespace records that carry the namespace's
 * rule and counters.
 *
 * Readers (the data path) use RCU; writers hold dda_policy_lock. A rule is
 * never changed in place: POLICY_SET builds a new one and swaps it in.
 *
 * Namespace records follow the life of their namespace: one is made when a
 * command or a rule first needs it, and one without a rule goes (with its
 * counters) once nvmet-dda no longer serves its namespace (deleted,
 * disabled, or no host connected) and no command has used it for
 * nsrec_idle_secs. Records with a rule stay: a rule is configuration, kept
 * until POLICY_DEL, and may be set before its namespace exists. Users of a
 * record hold a reference (dda_nsrec_get()); the table holds one more, and
 * a record is reclaimed only when that is the last.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "p2p.h"

/* Writers of rules, port rules and the namespace table. */
DEFINE_MUTEX(dda_policy_lock);
static DEFINE_HASHTABLE(dda_ns_table, 7);
static unsigned int dda_ns_count;

/* More records than this and new namespaces go uncounted. */
#define DDA_NS_MAX		65536

static unsigned int nsrec_idle_secs = 60;
module_param(nsrec_idle_secs, uint, 0644);
MODULE_PARM_DESC(nsrec_idle_secs,
		 "seconds a namespace that is no longer served keeps its statistics (default 60, at least 1)");

static void dda_nsrec_gc_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(dda_nsrec_gc, dda_nsrec_gc_work);

struct dda_portrule {
	struct list_head entry;
	u32 portid;
	struct dda_rule __rcu *rule;
	struct rcu_head rcu;
};

static LIST_HEAD(dda_portrules);
/* The last struct dda_rule id given out; under dda_policy_lock. */
static u64 dda_rule_ids;

static const struct dda_rule dda_rule_default = {
	.mode = NVMET_DDA_MODE_OFF,
	.sel = DDA_SEL_AUTO,
};

/**
 * dda_rule_effective() - The rule that applies to a command.
 * @ns_rule: the namespace's rule or NULL.
 * @port_rule: the rule of the port the command came in on, or NULL.
 *
 * Return: @ns_rule, else @port_rule, else the built-in default (mode OFF).
 */
const struct dda_rule *dda_rule_effective(const struct dda_rule *ns_rule,
					  const struct dda_rule *port_rule)
{
	if (ns_rule)
		return ns_rule;
	if (port_rule)
		return port_rule;
	return &dda_rule_default;
}

/**
 * dda_sel_parse() - Parse a POLICY_PROVIDER value into @r.
 * @s: "auto", "cmb" or a PCI address.
 * @r: rule whose sel and pci are set.
 * @ext: error message, may be NULL.
 *
 * Return: 0 or -EINVAL.
 */
int dda_sel_parse(const char *s, struct dda_rule *r,
		  struct netlink_ext_ack *ext)
{
	memset(r->pci, 0, sizeof(r->pci));
	if (!strcmp(s, "auto")) {
		r->sel = DDA_SEL_AUTO;
		return 0;
	}
	if (!strcmp(s, "cmb")) {
		r->sel = DDA_SEL_CMB;
		return 0;
	}
	if (dda_pci_name_parse(s, r->pci, NULL)) {
		NL_SET_ERR_MSG(ext,
			       "provider must be auto, cmb or a PCI address (DDDD:BB:DD.F)");
		return -EINVAL;
	}
	r->sel = DDA_SEL_PCI;
	return 0;
}

const char *dda_sel_name(const struct dda_rule *r)
{
	switch (r->sel) {
	case DDA_SEL_CMB:
		return "cmb";
	case DDA_SEL_PCI:
		return r->pci;
	default:
		return "auto";
	}
}

static u32 dda_ns_hash(const char *nqn, u32 nsid)
{
	return jhash(nqn, strlen(nqn), nsid);
}

/* Caller holds rcu_read_lock() or dda_policy_lock. */
static struct dda_nsrec *dda_nsrec_find(const char *nqn, u32 nsid, u32 hash)
{
	struct dda_nsrec *ns;

	hash_for_each_possible_rcu(dda_ns_table, ns, hnode, hash,
				   lockdep_is_held(&dda_policy_lock))
		if (ns->nsid == nsid && !strcmp(ns->nqn, nqn))
			return ns;
	return NULL;
}

/**
 * dda_nsrec_find_locked() - The record of a namespace, if there is one.
 * @nqn: subsystem NQN.
 * @nsid: namespace ID.
 *
 * Caller holds dda_policy_lock, which keeps the record.
 *
 * Return: the record or NULL.
 */
struct dda_nsrec *dda_nsrec_find_locked(const char *nqn, u32 nsid)
{
	lockdep_assert_held(&dda_policy_lock);
	return dda_nsrec_find(nqn, nsid, dda_ns_hash(nqn, nsid));
}

static void dda_nsrec_gc_arm(unsigned long delay)
{
	queue_delayed_work(system_wq, &dda_nsrec_gc, delay);
}

static unsigned long dda_nsrec_idle(void)
{
	return max(READ_ONCE(nsrec_idle_secs), 1U) * HZ;
}

/**
 * dda_nsrec_get() - The record of a namespace, with a reference.
 * @nqn: subsystem NQN, at most NVMF_NQN_SIZE characters.
 * @nsid: namespace ID.
 * @create: make the record when there is none.
 *
 * Finding a record takes no lock; making one takes dda_policy_lock.
 *
 * Return: the record (dda_nsrec_put() it), or NULL (none, a name too long,
 * or out of memory or records).
 */
struct dda_nsrec *dda_nsrec_get(const char *nqn, u32 nsid, bool create)
{
	u32 hash = dda_ns_hash(nqn, nsid);
	unsigned long now = jiffies;
	struct dda_nsrec *ns;

	rcu_read_lock();
	ns = dda_nsrec_find(nqn, nsid, hash);
	/* A record at 0 is being reclaimed: as good as gone. */
	if (ns && !refcount_inc_not_zero(&ns->ref))
		ns = NULL;
	rcu_read_unlock();
	if (ns)
		goto out;
	if (!create || READ_ONCE(dda_ns_count) >= DDA_NS_MAX ||
	    strlen(nqn) >= sizeof(ns->nqn))
		return NULL;

	mutex_lock(&dda_policy_lock);
	/* Under the lock no record in the table is at 0. */
	ns = dda_nsrec_find(nqn, nsid, hash);
	if (ns) {
		refcount_inc(&ns->ref);
		goto out_unlock;
	}
	if (dda_ns_count >= DDA_NS_MAX)
		goto out_unlock;
	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		goto out_unlock;
	if (dda_counters_init(&ns->st)) {
		kfree(ns);
		ns = NULL;
		goto out_unlock;
	}
	strscpy(ns->nqn, nqn, sizeof(ns->nqn));
	ns->nsid = nsid;
	/* The table's reference and the caller's. */
	refcount_set(&ns->ref, 2);
	hash_add_rcu(dda_ns_table, &ns->hnode, hash);
	WRITE_ONCE(dda_ns_count, dda_ns_count + 1);
	dda_nsrec_gc_arm(dda_nsrec_idle());
out_unlock:
	mutex_unlock(&dda_policy_lock);
	if (!ns)
		return NULL;
out:
	if (READ_ONCE(ns->last_used) != now)
		WRITE_ONCE(ns->last_used, now);
	return ns;
}

/**
 * dda_nsrec_put() - Drop a reference dda_nsrec_get() gave.
 * @ns: the record.
 *
 * Never the last: the table's reference goes only in dda_nsrec_reclaim().
 */
void dda_nsrec_put(struct dda_nsrec *ns)
{
	refcount_dec(&ns->ref);
}

/*
 * A cache slot lets go of @ns: its idle time, which decides when an unused
 * record is reclaimed, counts from now, as if the commands the slot served
 * had looked it up in the table.
 */
static void dda_nscache_put_slot(struct dda_nsrec *ns)
{
	WRITE_ONCE(ns->last_used, jiffies);
	dda_nsrec_put(ns);
}

/**
 * dda_nscache_get() - The record of a namespace, through a queue's cache.
 * @nsc: the queue's cache.
 * @nqn: the queue's subsystem NQN (always the same for one @nsc).
 * @nsid: namespace ID.
 *
 * A hit costs no hash of @nqn and no table walk; a miss looks the record
 * up (and makes it) with dda_nsrec_get() and keeps it in its slot, in
 * place of whatever record was there.
 *
 * Return: the record (dda_nsrec_put() it) or NULL, as dda_nsrec_get().
 */
struct dda_nsrec *dda_nscache_get(struct dda_nscache *nsc, const char *nqn,
				  u32 nsid)
{
	struct dda_nsrec **slot = &nsc->slot[nsid % DDA_NSC_SLOTS];
	struct dda_nsrec *ns, *old;

	/*
	 * Another context of the queue may replace the slot meanwhile and drop
	 * its reference: RCU keeps the record's memory, and a record whose
	 * count reached 0 is being reclaimed, so it is a miss.
	 */
	rcu_read_lock();
	ns = READ_ONCE(*slot);
	if (ns && ns->nsid == nsid && refcount_inc_not_zero(&ns->ref)) {
		rcu_read_unlock();
		return ns;
	}
	rcu_read_unlock();

	ns = dda_nsrec_get(nqn, nsid, true);
	if (!ns)
		return NULL;
	/* The slot's reference. */
	refcount_inc(&ns->ref);
	old = xchg(slot, ns);
	if (old)
		dda_nscache_put_slot(old);
	return ns;
}

/**
 * dda_nscache_clear() - Drop the records a queue's cache holds.
 * @nsc: the cache; no command of its queue runs any more.
 */
void dda_nscache_clear(struct dda_nscache *nsc)
{
	struct dda_nsrec *ns;
	int i;

	for (i = 0; i < DDA_NSC_SLOTS; i++) {
		ns = xchg(&nsc->slot[i], NULL);
		if (ns)
			dda_nscache_put_slot(ns);
	}
}

static void dda_nsrec_free_rcu(struct rcu_head *head)
{
	struct dda_nsrec *ns = container_of(head, struct dda_nsrec, rcu);

	kfree(rcu_dereference_protected(ns->pick, 1));
	dda_counters_destroy(&ns->st);
	kfree(ns);
}

/* Unhash and free @ns, whose last reference the caller dropped. */
static void dda_nsrec_free(struct dda_nsrec *ns)
{
	lockdep_assert_held(&dda_policy_lock);
	hash_del_rcu(&ns->hnode);
	WRITE_ONCE(dda_ns_count, dda_ns_count - 1);
	call_rcu(&ns->rcu, dda_nsrec_free_rcu);
}

/**
 * dda_nsrec_reclaim() - Free the records of namespaces that went away.
 *
 * A record goes when it has no rule, nobody holds it (no command, no P2P
 * buffer, no request), no command used it for nsrec_idle_secs, and no
 * controller of nvmet-dda serves its namespace.
 *
 * Return: how many records without a rule are left.
 */
unsigned int dda_nsrec_reclaim(void)
{
	unsigned long idle = dda_nsrec_idle();
	unsigned int left = 0;
	struct hlist_node *tmp;
	struct dda_nsrec *ns;
	int bkt;

	mutex_lock(&dda_policy_lock);
	hash_for_each_safe(dda_ns_table, bkt, tmp, ns, hnode) {
		if (rcu_access_pointer(ns->rule))
			continue;
		if (time_before(jiffies, READ_ONCE(ns->last_used) + idle) ||
		    refcount_read(&ns->ref) > 1 ||
		    dda_rdma_ns_served(ns->nqn, ns->nsid) ||
		    !refcount_dec_if_one(&ns->ref)) {
			left++;
			continue;
		}
		dda_nsrec_free(ns);
	}
	mutex_unlock(&dda_policy_lock);
	return left;
}

/**
 * dda_nsrec_count() - Records in the table.
 *
 * Return: the number of namespace records.
 */
unsigned int dda_nsrec_count(void)
{
	return READ_ONCE(dda_ns_count);
}

/* Looks again while records without a rule are left. */
static void dda_nsrec_gc_work(struct work_struct *work)
{
	if (dda_nsrec_reclaim())
		dda_nsrec_gc_arm(dda_nsrec_idle());
}

/* Caller holds rcu_read_lock() or dda_policy_lock. */
struct dda_rule *dda_port_rule(u32 portid)
{
	struct dda_portrule *pr;

	list_for_each_entry_rcu(pr, &dda_portrules, entry,
				lockdep_is_held(&dda_policy_lock))
		if (pr->portid == portid)
			return rcu_dereference_check(pr->rule,
					lockdep_is_held(&dda_policy_lock));
	return NULL;
}

static struct dda_portrule *dda_portrule_find(u32 portid)
{
	struct dda_portrule *pr;

	lockdep_assert_held(&dda_policy_lock);
	list_for_each_entry(pr, &dda_portrules, entry)
		if (pr->portid == portid)
			return pr;
	return NULL;
}

/**
 * dda_rule_set() - Create or update a rule.
 * @nqn: subsystem NQN (namespace rule).
 * @nsid: namespace ID (namespace rule).
 * @port: a port rule rather than a namespace rule.
 * @portid: the port (port rule).
 * @tmpl: values to set.
 * @given: per enum nvmet_dda_attr, whether @tmpl's field was in the request.
 * @ext: error message.
 *
 * Return: 0 or a negative errno.
 */
int dda_rule_set(const char *nqn, u32 nsid, bool port, u32 portid,
		 const struct dda_rule *tmpl, const bool *given,
		 struct netlink_ext_ack *ext)
{
	struct dda_rule *new, *old = NULL;
	struct dda_portrule *pr = NULL;
	struct dda_nsrec *ns = NULL;
	int ret = 0;

	if (!port) {
		ns = dda_nsrec_get(nqn, nsid, true);
		if (!ns) {
			NL_SET_ERR_MSG(ext, "too many namespaces tracked");
			return -ENOSPC;
		}
	}
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new) {
		ret = -ENOMEM;
		goto out_put_ns;
	}

	mutex_lock(&dda_policy_lock);
	if (port) {
		pr = dda_portrule_find(portid);
		if (pr)
			old = rcu_dereference_protected(pr->rule, 1);
	} else {
		old = rcu_dereference_protected(ns->rule, 1);
	}
	*new = old ? *old : dda_rule_default;
	new->id = ++dda_rule_ids;
	if (given[NVMET_DDA_A_POLICY_MODE])
		new->mode = tmpl->mode;
	if (given[NVMET_DDA_A_POLICY_PROVIDER]) {
		new->sel = tmpl->sel;
		memcpy(new->pci, tmpl->pci, sizeof(new->pci));
	}
	if (given[NVMET_DDA_A_POLICY_MIN_IO])
		new->min_io = tmpl->min_io;
	if (given[NVMET_DDA_A_POLICY_MAX_BYTES])
		new->max_bytes = tmpl->max_bytes;

	if (!port) {
		ret = dda_rdma_check_ns(nqn, nsid, new, ext);
		if (ret)
			goto out_free;
		rcu_assign_pointer(ns->rule, new);
	} else if (pr) {
		rcu_assign_pointer(pr->rule, new);
	} else {
		pr = kzalloc(sizeof(*pr), GFP_KERNEL);
		if (!pr) {
			ret = -ENOMEM;
			goto out_free;
		}
		pr->portid = portid;
		RCU_INIT_POINTER(pr->rule, new);
		list_add_tail_rcu(&pr->entry, &dda_portrules);
	}
	mutex_unlock(&dda_policy_lock);
	if (old)
		kfree_rcu(old, rcu);
	goto out_put_ns;

out_free:
	mutex_unlock(&dda_policy_lock);
	kfree(new);
out_put_ns:
	/* A record left without a rule is the reclaimer's. */
	if (ns)
		dda_nsrec_put(ns);
	return ret;
}

/**
 * dda_rule_del() - Remove a rule.
 * @nqn: subsystem NQN (namespace rule).
 * @nsid: namespace ID (namespace rule).
 * @port: a port rule rather than a namespace rule.
 * @portid: the port (port rule).
 *
 * Return: 0 or -ENOENT.
 */
int dda_rule_del(const char *nqn, u32 nsid, bool port, u32 portid)
{
	struct dda_portrule *pr = NULL;
	struct dda_rule *old = NULL;
	struct dda_nsrec *ns;

	mutex_lock(&dda_policy_lock);
	if (port) {
		pr = dda_portrule_find(portid);
		if (pr) {
			old = rcu_dereference_protected(pr->rule, 1);
			list_del_rcu(&pr->entry);
		}
	} else {
		ns = dda_nsrec_find_locked(nqn, nsid);
		if (ns) {
			old = rcu_dereference_protected(ns->rule, 1);
			RCU_INIT_POINTER(ns->rule, NULL);
			dda_nsrec_gc_arm(dda_nsrec_idle());
		}
	}
	mutex_unlock(&dda_policy_lock);
	if (!old)
		return -ENOENT;
	kfree_rcu(old, rcu);
	if (pr)
		kfree_rcu(pr, rcu);
	return 0;
}

/**
 * dda_rule_fill() - The POLICY_* attributes of @r.
 * @skb: message being built.
 * @r: rule.
 *
 * Return: 0 or -EMSGSIZE.
 */
int dda_rule_fill(struct sk_buff *skb, const struct dda_rule *r)
{
	if (nla_put_u32(skb, NVMET_DDA_A_POLICY_MODE, r->mode) ||
	    nla_put_string(skb, NVMET_DDA_A_POLICY_PROVIDER, dda_sel_name(r)) ||
	    nla_put_u32(skb, NVMET_DDA_A_POLICY_MIN_IO, r->min_io) ||
	    nla_put_u64_64bit(skb, NVMET_DDA_A_POLICY_MAX_BYTES, r->max_bytes,
			      NVMET_DDA_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/**
 * dda_nsrec_walk() - Call @cb for namespace records from position *@pos on.
 * @pos: records to skip; advanced past every record @cb accepted.
 * @cb: returns 0 to go on, non-zero to stop (that record is not counted).
 * @arg: for @cb.
 *
 * Return: what @cb returned last.
 */
int dda_nsrec_walk(long *pos, dda_nsrec_cb cb, void *arg)
{
	struct dda_nsrec *ns;
	long i = 0;
	int bkt, ret = 0;

	mutex_lock(&dda_policy_lock);
	hash_for_each(dda_ns_table, bkt, ns, hnode) {
		if (i++ < *pos)
			continue;
		ret = cb(ns, arg);
		if (ret)
			break;
		(*pos)++;
	}
	mutex_unlock(&dda_policy_lock);
	return ret;
}

/**
 * dda_portrule_walk() - Like dda_nsrec_walk(), over port rules.
 * @pos: rules to skip, advanced.
 * @cb: callback.
 * @arg: for @cb.
 *
 * Return: what @cb returned last.
 */
int dda_portrule_walk(long *pos, dda_portrule_cb cb, void *arg)
{
	struct dda_portrule *pr;
	long i = 0;
	int ret = 0;

	mutex_lock(&dda_policy_lock);
	list_for_each_entry(pr, &dda_portrules, entry) {
		if (i++ < *pos)
			continue;
		ret = cb(pr->portid, rcu_dereference_protected(pr->rule, 1),
			 arg);
		if (ret)
			break;
		(*pos)++;
	}
	mutex_unlock(&dda_policy_lock);
	return ret;
}

/* Module unload: no command runs any more. */
void dda_policy_exit(void)
{
	struct dda_portrule *pr, *tmp;
	struct hlist_node *n;
	struct dda_nsrec *ns;
	int bkt;

	cancel_delayed_work_sync(&dda_nsrec_gc);

	list_for_each_entry_safe(pr, tmp, &dda_portrules, entry) {
		list_del(&pr->entry);
		kfree(rcu_dereference_protected(pr->rule, 1));
		kfree(pr);
	}
	hash_for_each_safe(dda_ns_table, bkt, n, ns, hnode) {
		hash_del(&ns->hnode);
		WARN_ON_ONCE(refcount_read(&ns->ref) != 1);
		kfree(rcu_dereference_protected(ns->rule, 1));
		kfree(rcu_dereference_protected(ns->pick, 1));
		dda_counters_destroy(&ns->st);
		kfree(ns);
	}
	dda_ns_count = 0;
	/* Readers are gone; kfree_rcu()s of rules and providers finish. */
	rcu_barrier();
}

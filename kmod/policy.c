// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda offload policy: rules per namespace (subsystem NQN + NSID) and
 * per nvmet port, and the per-namespace records that carry the namespace's
 * rule and counters.
 *
 * Readers (the data path) use RCU; writers hold dda_policy_lock. A rule is
 * never changed in place: POLICY_SET builds a new one and swaps it in.
 * Namespace records stay until the module unloads, so their counters
 * survive a namespace being disabled and enabled again.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "p2p.h"

/* Writers of rules, port rules and the namespace table. */
DEFINE_MUTEX(dda_policy_lock);
static DEFINE_HASHTABLE(dda_ns_table, 7);
static unsigned int dda_ns_count;

/* More records than this and new namespaces go uncounted. */
#define DDA_NS_MAX		65536

struct dda_portrule {
	struct list_head entry;
	u32 portid;
	struct dda_rule __rcu *rule;
	struct rcu_head rcu;
};

static LIST_HEAD(dda_portrules);

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

/* Identifies a rule's content for the per-namespace provider cache. */
u32 dda_rule_hash(const struct dda_rule *r)
{
	u32 h = jhash(r->pci, strnlen(r->pci, sizeof(r->pci)), r->sel);

	return jhash_2words(r->mode, h, 0);
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

static struct dda_nsrec *dda_nsrec_find_rcu(const char *nqn, u32 nsid,
					    u32 hash)
{
	struct dda_nsrec *ns;

	hash_for_each_possible_rcu(dda_ns_table, ns, hnode, hash)
		if (ns->nsid == nsid && !strcmp(ns->nqn, nqn))
			return ns;
	return NULL;
}

/**
 * dda_nsrec_lookup() - The record of a namespace.
 * @nqn: subsystem NQN.
 * @nsid: namespace ID.
 * @create: make the record when there is none.
 *
 * Records are freed only at module unload, so the pointer stays valid.
 *
 * Return: the record, or NULL (none, or out of memory / records).
 */
struct dda_nsrec *dda_nsrec_lookup(const char *nqn, u32 nsid, bool create)
{
	u32 hash = dda_ns_hash(nqn, nsid);
	struct dda_nsrec *ns;

	rcu_read_lock();
	ns = dda_nsrec_find_rcu(nqn, nsid, hash);
	rcu_read_unlock();
	if (ns || !create)
		return ns;

	mutex_lock(&dda_policy_lock);
	ns = dda_nsrec_find_rcu(nqn, nsid, hash);
	if (ns || dda_ns_count >= DDA_NS_MAX)
		goto out;
	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		goto out;
	strscpy(ns->nqn, nqn, sizeof(ns->nqn));
	ns->nsid = nsid;
	spin_lock_init(&ns->lock);
	hash_add_rcu(dda_ns_table, &ns->hnode, hash);
	dda_ns_count++;
out:
	mutex_unlock(&dda_policy_lock);
	return ns;
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
		ns = dda_nsrec_lookup(nqn, nsid, true);
		if (!ns) {
			NL_SET_ERR_MSG(ext, "too many namespaces tracked");
			return -ENOSPC;
		}
	}
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	mutex_lock(&dda_policy_lock);
	if (port) {
		pr = dda_portrule_find(portid);
		if (pr)
			old = rcu_dereference_protected(pr->rule, 1);
	} else {
		old = rcu_dereference_protected(ns->rule, 1);
	}
	*new = old ? *old : dda_rule_default;
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
	return 0;

out_free:
	mutex_unlock(&dda_policy_lock);
	kfree(new);
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
		ns = dda_nsrec_find_rcu(nqn, nsid, dda_ns_hash(nqn, nsid));
		if (ns) {
			old = rcu_dereference_protected(ns->rule, 1);
			RCU_INIT_POINTER(ns->rule, NULL);
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

	list_for_each_entry_safe(pr, tmp, &dda_portrules, entry) {
		list_del(&pr->entry);
		kfree(rcu_dereference_protected(pr->rule, 1));
		kfree(pr);
	}
	hash_for_each_safe(dda_ns_table, bkt, n, ns, hnode) {
		hash_del(&ns->hnode);
		kfree(rcu_dereference_protected(ns->rule, 1));
		if (ns->cache_prov)
			dda_provider_put(ns->cache_prov);
		kfree(ns);
	}
	dda_ns_count = 0;
	/* Readers are gone; kfree_rcu()s of rules and providers finish. */
	rcu_barrier();
}

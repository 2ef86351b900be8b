// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda generic netlink family. The ABI is documented in
 * include/uapi/linux/nvmet_dda.h.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/utsname.h>
#include <generated/utsrelease.h>
#include <linux/genalloc.h>
#include <linux/pci.h>
#include <net/genetlink.h>
#include <linux/nvmet_dda.h>

#include "nvmet_dda.h"
#include "rdma.h"
#include "p2p.h"

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
	/* Kbuild adds the suites for kernels with KUnit built in. */
	if (IS_BUILTIN(CONFIG_KUNIT))
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

/* Start a reply or dump message for @cmd. */
static void *dda_msg_put(struct sk_buff *skb, struct netlink_callback *cb,
			 struct genl_info *info, u8 cmd)
{
	if (cb)
		return genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				   cb->nlh->nlmsg_seq, &nvmet_dda_genl_family,
				   NLM_F_MULTI, cmd);
	return genlmsg_put_reply(skb, info, &nvmet_dda_genl_family, 0, cmd);
}

/* Normalised PCI address from @attr into @name. */
static int dda_attr_pci(struct genl_info *info, int attr, char *name)
{
	int ret = dda_pci_name_parse(nla_data(info->attrs[attr]), name, NULL);

	if (ret)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "not a PCI address (DDDD:BB:DD.F)");
	return ret;
}

/*
 * The provider list as a GET request sees it: a privileged requester has
 * the PCI bus scanned first; anybody else gets the list as it is and a scan
 * soon after (at most one a second), so that unprivileged requests never
 * walk the bus or wait for it.
 */
static void dda_get_scan(struct sk_buff *skb)
{
	if (netlink_capable(skb, CAP_NET_ADMIN))
		dda_p2p_scan();
	else
		dda_p2p_scan_kick();
}

static int dda_provider_msg(struct sk_buff *skb, struct netlink_callback *cb,
			    struct genl_info *info, struct dda_provider *prov)
{
	void *hdr = dda_msg_put(skb, cb, info, NVMET_DDA_CMD_PROVIDER_GET);

	if (!hdr)
		return -EMSGSIZE;
	if (dda_provider_fill(skb, prov)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int nvmet_dda_provider_get_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	char name[DDA_PCI_NAME_LEN];
	struct dda_provider *prov;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, NVMET_DDA_A_PROVIDER))
		return -EINVAL;
	ret = dda_attr_pci(info, NVMET_DDA_A_PROVIDER, name);
	if (ret)
		return ret;
	dda_get_scan(skb);
	prov = dda_provider_find(name);
	if (!prov) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NVMET_DDA_A_PROVIDER],
				    "no such provider");
		return -ENODEV;
	}
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	ret = msg ? dda_provider_msg(msg, NULL, info, prov) : -ENOMEM;
	dda_provider_put(prov);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* The provider at position @pos of the list, with a reference, or NULL. */
static struct dda_provider *dda_provider_nth(long pos)
{
	struct dda_provider *prov, *found = NULL;
	long i = 0;

	mutex_lock(&dda_p2p_lock);
	list_for_each_entry(prov, &dda_providers, entry) {
		if (i++ == pos) {
			kref_get(&prov->ref);
			found = prov;
			break;
		}
	}
	mutex_unlock(&dda_p2p_lock);
	return found;
}

static int nvmet_dda_provider_get_dumpit(struct sk_buff *skb,
					 struct netlink_callback *cb)
{
	struct dda_provider *prov;
	int ret = 0;

	if (!cb->args[0])
		dda_get_scan(cb->skb);
	/* One at a time: pool statistics are read under RCU, not this lock. */
	while ((prov = dda_provider_nth(cb->args[0]))) {
		ret = dda_provider_msg(skb, cb, NULL, prov);
		dda_provider_put(prov);
		if (ret)
			break;
		cb->args[0]++;
	}
	/* A full skb ends this part of the dump; the next one goes on. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

static int nvmet_dda_provider_add_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	char name[DDA_PCI_NAME_LEN];
	u64 offset = 0, size = 0;
	int bar = -1, ret;

	if (GENL_REQ_ATTR_CHECK(info, NVMET_DDA_A_PROVIDER))
		return -EINVAL;
	ret = dda_attr_pci(info, NVMET_DDA_A_PROVIDER, name);
	if (ret)
		return ret;
	if (info->attrs[NVMET_DDA_A_PROVIDER_BAR])
		bar = nla_get_u32(info->attrs[NVMET_DDA_A_PROVIDER_BAR]);
	if (info->attrs[NVMET_DDA_A_PROVIDER_OFFSET])
		offset = nla_get_u64(info->attrs[NVMET_DDA_A_PROVIDER_OFFSET]);
	if (info->attrs[NVMET_DDA_A_PROVIDER_SIZE])
		size = nla_get_u64(info->attrs[NVMET_DDA_A_PROVIDER_SIZE]);
	if (info->attrs[NVMET_DDA_A_PROVIDER_SIZE] && !size) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NVMET_DDA_A_PROVIDER_SIZE],
				    "size must not be 0 (leave it out for the rest of the BAR)");
		return -EINVAL;
	}
	return dda_bar_add(name, bar, offset, size, info->extack);
}

static int nvmet_dda_provider_del_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	char name[DDA_PCI_NAME_LEN];
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, NVMET_DDA_A_PROVIDER))
		return -EINVAL;
	ret = dda_attr_pci(info, NVMET_DDA_A_PROVIDER, name);
	if (ret)
		return ret;
	dda_p2p_scan();
	return dda_bar_del(name, info->extack);
}

/*
 * The target of a POLICY or STATS request: a namespace (SUBSYS + NSID) or,
 * when @port_ok, a port. *@nqn is NULL for a port.
 */
static int dda_policy_target(struct genl_info *info, bool port_ok,
			     const char **nqn, u32 *nsid, u32 *portid)
{
	struct nlattr *sub = info->attrs[NVMET_DDA_A_SUBSYS];
	struct nlattr *ns = info->attrs[NVMET_DDA_A_NSID];
	struct nlattr *port = info->attrs[NVMET_DDA_A_PORT];

	*nqn = NULL;
	if (port && port_ok) {
		if (sub || ns) {
			NL_SET_ERR_MSG_ATTR(info->extack, port,
					    "a rule is for a namespace or for a port, not both");
			return -EINVAL;
		}
		*portid = nla_get_u32(port);
		return 0;
	}
	if (port) {
		NL_SET_ERR_MSG_ATTR(info->extack, port,
				    "statistics are per namespace");
		return -EINVAL;
	}
	if (!sub || !ns) {
		if (port_ok)
			NL_SET_ERR_MSG(info->extack,
				       "need the subsystem NQN and NSID, or a port");
		else
			NL_SET_ERR_MSG(info->extack,
				       "need the subsystem NQN and NSID");
		return -EINVAL;
	}
	*nqn = nla_data(sub);
	*nsid = nla_get_u32(ns);
	return 0;
}

static int dda_policy_msg(struct sk_buff *skb, struct netlink_callback *cb,
			  struct genl_info *info, const char *nqn, u32 nsid,
			  u32 portid, const struct dda_rule *r)
{
	void *hdr = dda_msg_put(skb, cb, info, NVMET_DDA_CMD_POLICY_GET);

	if (!hdr)
		return -EMSGSIZE;
	if (nqn && (nla_put_string(skb, NVMET_DDA_A_SUBSYS, nqn) ||
		    nla_put_u32(skb, NVMET_DDA_A_NSID, nsid)))
		goto cancel;
	if (!nqn && nla_put_u32(skb, NVMET_DDA_A_PORT, portid))
		goto cancel;
	if (dda_rule_fill(skb, r))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int nvmet_dda_policy_get_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct dda_rule *r = NULL;
	struct dda_nsrec *rec;
	const char *nqn;
	u32 nsid = 0, portid = 0;
	struct sk_buff *msg;
	int ret;

	ret = dda_policy_target(info, true, &nqn, &nsid, &portid);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&dda_policy_lock);
	if (nqn) {
		rec = dda_nsrec_find_locked(nqn, nsid);
		if (rec)
			r = rcu_dereference_protected(rec->rule, 1);
	} else {
		r = dda_port_rule(portid);
	}
	ret = r ? dda_policy_msg(msg, NULL, info, nqn, nsid, portid, r) :
	      -ENOENT;
	mutex_unlock(&dda_policy_lock);
	if (ret) {
		if (ret == -ENOENT)
			NL_SET_ERR_MSG(info->extack, "no such offload rule");
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

struct dda_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	const char *nqn;	/* filter, or NULL */
};

static int dda_policy_dump_port(u32 portid, struct dda_rule *r, void *arg)
{
	struct dda_dump_ctx *c = arg;

	if (c->nqn)
		return 0;
	return dda_policy_msg(c->skb, c->cb, NULL, NULL, 0, portid, r);
}

static int dda_policy_dump_ns(struct dda_nsrec *ns, void *arg)
{
	struct dda_dump_ctx *c = arg;
	struct dda_rule *r = rcu_dereference_protected(ns->rule, 1);

	if (!r || (c->nqn && strcmp(c->nqn, ns->nqn)))
		return 0;
	return dda_policy_msg(c->skb, c->cb, NULL, ns->nqn, ns->nsid, 0, r);
}

static const char *dda_dump_filter(struct netlink_callback *cb)
{
	struct nlattr **attrs = compat_genl_dump_attrs(cb);

	if (attrs && attrs[NVMET_DDA_A_SUBSYS])
		return nla_data(attrs[NVMET_DDA_A_SUBSYS]);
	return NULL;
}

/* End of one dump pass: more to come when the skb filled up. */
static int dda_dump_ret(struct sk_buff *skb, int ret)
{
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

static int nvmet_dda_policy_get_dumpit(struct sk_buff *skb,
				       struct netlink_callback *cb)
{
	struct dda_dump_ctx c = { skb, cb, dda_dump_filter(cb) };
	int ret = 0;

	/* args[0]: 0 port rules, 1 namespace rules; args[1]: position. */
	if (!cb->args[0]) {
		ret = dda_portrule_walk(&cb->args[1], dda_policy_dump_port, &c);
		if (ret)
			return dda_dump_ret(skb, ret);
		cb->args[0] = 1;
		cb->args[1] = 0;
	}
	ret = dda_nsrec_walk(&cb->args[1], dda_policy_dump_ns, &c);
	return dda_dump_ret(skb, ret);
}

static int nvmet_dda_policy_set_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	bool given[NVMET_DDA_A_MAX + 1] = {};
	struct dda_rule tmpl = {};
	u32 nsid = 0, portid = 0;
	const char *nqn;
	int ret, i;

	ret = dda_policy_target(info, true, &nqn, &nsid, &portid);
	if (ret)
		return ret;
	for (i = NVMET_DDA_A_POLICY_MODE; i <= NVMET_DDA_A_POLICY_MAX_BYTES; i++)
		given[i] = info->attrs[i];
	if (!given[NVMET_DDA_A_POLICY_MODE] &&
	    !given[NVMET_DDA_A_POLICY_PROVIDER] &&
	    !given[NVMET_DDA_A_POLICY_MIN_IO] &&
	    !given[NVMET_DDA_A_POLICY_MAX_BYTES]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}
	/* Privileged: the rule is checked against a fresh provider list. */
	dda_p2p_scan();
	if (given[NVMET_DDA_A_POLICY_MODE]) {
		tmpl.mode = nla_get_u32(info->attrs[NVMET_DDA_A_POLICY_MODE]);
		if (tmpl.mode != NVMET_DDA_MODE_OFF &&
		    !IS_ENABLED(CONFIG_PCI_P2PDMA)) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[NVMET_DDA_A_POLICY_MODE],
					    "this kernel has no CONFIG_PCI_P2PDMA; only mode off works");
			return -EOPNOTSUPP;
		}
	}
	if (given[NVMET_DDA_A_POLICY_PROVIDER]) {
		struct nlattr *a = info->attrs[NVMET_DDA_A_POLICY_PROVIDER];

		ret = dda_sel_parse(nla_data(a), &tmpl, NULL);
		if (ret) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "provider must be auto, cmb or a PCI address (DDDD:BB:DD.F)");
			return ret;
		}
		if (tmpl.sel == DDA_SEL_PCI) {
			struct dda_provider *prov;

			prov = dda_provider_find(tmpl.pci);
			if (!prov) {
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "no such provider (see PROVIDER_GET)");
				return -ENODEV;
			}
			dda_provider_put(prov);
		}
	}
	if (given[NVMET_DDA_A_POLICY_MIN_IO])
		tmpl.min_io = nla_get_u32(info->attrs[NVMET_DDA_A_POLICY_MIN_IO]);
	if (given[NVMET_DDA_A_POLICY_MAX_BYTES])
		tmpl.max_bytes =
			nla_get_u64(info->attrs[NVMET_DDA_A_POLICY_MAX_BYTES]);
	return dda_rule_set(nqn, nsid, !nqn, portid, &tmpl, given,
			    info->extack);
}

static int nvmet_dda_policy_del_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	u32 nsid = 0, portid = 0;
	const char *nqn;
	int ret;

	ret = dda_policy_target(info, true, &nqn, &nsid, &portid);
	if (ret)
		return ret;
	ret = dda_rule_del(nqn, nsid, !nqn, portid);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such offload rule");
	return ret;
}

static int dda_stats_msg(struct sk_buff *skb, struct netlink_callback *cb,
			 struct genl_info *info, struct dda_nsrec *ns)
{
	void *hdr = dda_msg_put(skb, cb, info, NVMET_DDA_CMD_STATS_GET);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, NVMET_DDA_A_SUBSYS, ns->nqn) ||
	    nla_put_u32(skb, NVMET_DDA_A_NSID, ns->nsid) ||
	    dda_counters_fill(skb, &ns->st, false)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int nvmet_dda_stats_get_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct dda_nsrec *ns;
	u32 nsid = 0, portid;
	struct sk_buff *msg;
	const char *nqn;
	int ret;

	ret = dda_policy_target(info, false, &nqn, &nsid, &portid);
	if (ret)
		return ret;
	ns = dda_nsrec_get(nqn, nsid, false);
	if (!ns) {
		NL_SET_ERR_MSG(info->extack,
			       "no statistics for this namespace (no I/O through nvmet-dda lately and no rule)");
		return -ENOENT;
	}
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	ret = msg ? dda_stats_msg(msg, NULL, info, ns) : -ENOMEM;
	dda_nsrec_put(ns);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int dda_stats_dump_ns(struct dda_nsrec *ns, void *arg)
{
	struct dda_dump_ctx *c = arg;

	if (c->nqn && strcmp(c->nqn, ns->nqn))
		return 0;
	return dda_stats_msg(c->skb, c->cb, NULL, ns);
}

static int nvmet_dda_stats_get_dumpit(struct sk_buff *skb,
				      struct netlink_callback *cb)
{
	struct dda_dump_ctx c = { skb, cb, dda_dump_filter(cb) };

	return dda_dump_ret(skb, dda_nsrec_walk(&cb->args[0],
						dda_stats_dump_ns, &c));
}

enum nvmet_dda_mcgrp {
	NVMET_DDA_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group nvmet_dda_mcgrps[] = {
	[NVMET_DDA_MCGRP_EVENTS_ID] = { .name = NVMET_DDA_MCGRP_EVENTS },
};

/**
 * nvmet_dda_notify_pool_dry() - Multicast EVENT_POOL_DRY.
 * @prov: provider whose pool failed an allocation.
 * @ns: namespace of the command.
 * @len: bytes asked for.
 *
 * Process context; the caller rate-limits.
 */
void nvmet_dda_notify_pool_dry(struct dda_provider *prov,
			       struct dda_nsrec *ns, u32 len)
{
	struct sk_buff *msg;
	u64 size = 0, avail = 0;
	bool pool;
	void *hdr;

	if (!genl_has_listeners(&nvmet_dda_genl_family, &init_net,
				NVMET_DDA_MCGRP_EVENTS_ID))
		return;
	pool = dda_provider_pool_stats(prov, &size, &avail);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &nvmet_dda_genl_family, 0,
			  NVMET_DDA_CMD_EVENT_POOL_DRY);
	if (!hdr ||
	    nla_put_string(msg, NVMET_DDA_A_PROVIDER, prov->name) ||
	    nla_put_string(msg, NVMET_DDA_A_SUBSYS, ns->nqn) ||
	    nla_put_u32(msg, NVMET_DDA_A_NSID, ns->nsid) ||
	    (pool && nla_put_u64_64bit(msg, NVMET_DDA_A_PROVIDER_AVAILABLE,
				       avail, NVMET_DDA_A_PAD)) ||
	    nla_put_u32(msg, NVMET_DDA_A_IO_BYTES, len)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&nvmet_dda_genl_family, msg, 0,
			  NVMET_DDA_MCGRP_EVENTS_ID, GFP_KERNEL);
}

static const struct nla_policy nvmet_dda_provider_policy[] = {
	[NVMET_DDA_A_PROVIDER] = { .type = NLA_NUL_STRING,
				   .len = DDA_PCI_NAME_LEN - 1 },
	[NVMET_DDA_A_PROVIDER_BAR] = NLA_POLICY_MAX(NLA_U32,
						    PCI_STD_NUM_BARS - 1),
	[NVMET_DDA_A_PROVIDER_OFFSET] = { .type = NLA_U64 },
	[NVMET_DDA_A_PROVIDER_SIZE] = { .type = NLA_U64 },
};

/*
 * Port IDs are 16 bits. Not NLA_POLICY_MAX(NLA_U32, 0xffff): where a
 * policy's min and max are s16 (6.1 among them) that max is -1, which trips
 * the WARN in nla_get_range_unsigned() and lets every u32 through.
 */
static struct netlink_range_validation dda_port_range = {
	.max = 0xffff,
};

static const struct nla_policy nvmet_dda_policy_policy[] = {
	[NVMET_DDA_A_SUBSYS] = { .type = NLA_NUL_STRING,
				 .len = NVMET_DDA_NQN_MAX - 1 },
	[NVMET_DDA_A_NSID] = NLA_POLICY_MIN(NLA_U32, 1),
	[NVMET_DDA_A_PORT] = NLA_POLICY_FULL_RANGE(NLA_U32, &dda_port_range),
	[NVMET_DDA_A_POLICY_MODE] = NLA_POLICY_MAX(NLA_U32,
						   NVMET_DDA_MODE_MAX),
	[NVMET_DDA_A_POLICY_PROVIDER] = { .type = NLA_NUL_STRING,
					  .len = DDA_PCI_NAME_LEN - 1 },
	[NVMET_DDA_A_POLICY_MIN_IO] = { .type = NLA_U32 },
	[NVMET_DDA_A_POLICY_MAX_BYTES] = { .type = NLA_U64 },
};

/*
 * For ops that take no attributes: type 1 is rejected explicitly, and strict
 * validation rejects type 0 and every type above maxattr, so any attribute
 * at all fails with an extack message. (The core does the same for ops
 * without a policy only from v6.0 on, and only when maxattr is non-zero.)
 */
static const struct nla_policy nvmet_dda_reject_all_policy[2] = {
	[1] = { .type = NLA_REJECT },
};

/* Every op has its own strict policy; maxattr follows from its size. */
#define DDA_OP(c, pol, ...) {					\
	.cmd = NVMET_DDA_CMD_##c,					\
	.policy = pol,							\
	.maxattr = sizeof(pol) / sizeof(struct nla_policy) - 1,		\
	__VA_ARGS__							\
}

static const struct genl_ops nvmet_dda_genl_ops[] = {
	DDA_OP(INFO_GET, nvmet_dda_reject_all_policy,
	       .doit = nvmet_dda_info_get_doit),
	DDA_OP(PROVIDER_GET, nvmet_dda_provider_policy,
	       .doit = nvmet_dda_provider_get_doit,
	       .dumpit = nvmet_dda_provider_get_dumpit),
	DDA_OP(PROVIDER_ADD, nvmet_dda_provider_policy,
	       .doit = nvmet_dda_provider_add_doit,
	       .flags = GENL_ADMIN_PERM),
	DDA_OP(PROVIDER_DEL, nvmet_dda_provider_policy,
	       .doit = nvmet_dda_provider_del_doit,
	       .flags = GENL_ADMIN_PERM),
	DDA_OP(POLICY_GET, nvmet_dda_policy_policy,
	       .doit = nvmet_dda_policy_get_doit,
	       .dumpit = nvmet_dda_policy_get_dumpit),
	DDA_OP(POLICY_SET, nvmet_dda_policy_policy,
	       .doit = nvmet_dda_policy_set_doit,
	       .flags = GENL_ADMIN_PERM),
	DDA_OP(POLICY_DEL, nvmet_dda_policy_policy,
	       .doit = nvmet_dda_policy_del_doit,
	       .flags = GENL_ADMIN_PERM),
	DDA_OP(STATS_GET, nvmet_dda_policy_policy,
	       .doit = nvmet_dda_stats_get_doit,
	       .dumpit = nvmet_dda_stats_get_dumpit),
};

static struct genl_family nvmet_dda_genl_family __ro_after_init = {
	.name = NVMET_DDA_GENL_NAME,
	.version = NVMET_DDA_GENL_VERSION,
	.module = THIS_MODULE,
	.netnsok = true,
	/*
	 * Not under the genetlink mutex: a request of ours waiting for a PCI
	 * function (PROVIDER_ADD/DEL bind and unbind drivers) must not hold
	 * up every other genetlink family. Each op takes the locks of what
	 * it touches.
	 */
	.parallel_ops = true,
	.ops = nvmet_dda_genl_ops,
	.n_ops = ARRAY_SIZE(nvmet_dda_genl_ops),
	.mcgrps = nvmet_dda_mcgrps,
	.n_mcgrps = ARRAY_SIZE(nvmet_dda_mcgrps),
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

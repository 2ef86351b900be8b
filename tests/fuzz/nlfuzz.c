// SPDX-License-Identifier: GPL-2.0-only
/*
 * nlfuzz: a generic netlink fuzzer for the nvmet_dda family.
 *
 * Raw NETLINK_GENERIC socket, no libraries. Resolves the family, then sends
 * N messages (-n, default 100000): random commands (valid and invalid),
 * random genl versions and flags (some dumps), random attribute sets with
 * edge-case payloads, well-formed requests, and mutations of well-formed
 * requests (bit flips, truncation, lying length fields). Every reply is
 * read (non-blocking, with a deadline); acks are counted by errno.
 *
 * PROVIDER_ADD/DEL only ever name PCI addresses from a fixed set that does
 * not exist, unless real ones are given with -a: every message that carries
 * the "BB:DD.F" of a PCI function present on this machine is regenerated.
 *
 * With -E (run it unprivileged) every intact request of a mutating command
 * that passes genetlink's header check must be answered EPERM; sent as a
 * dump (these commands have none) it may be answered EOPNOTSUPP instead:
 * kernels with split ops (6.2 and later) look up the handler for do or
 * dump before they check permissions, 6.1 checks them first. With -c OP
 * one well-formed request is sent and its answer printed ("OP: EPERM"),
 * for scripts.
 *
 * Exit status: 0 when every message was answered, 1 on a hang (no answer
 * within the deadline), a broken socket or an -E violation, 2 on usage.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nvmet_dda.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define MSG_MAX		32768	/* biggest message we build */
#define RX_MAX		65536
#define MAX_ERRNO	4096
#define MAX_REAL	64
#define MAX_NQN		16
#define MAX_ATTRS	12

static const char *const safe_pci[] = {
	/* Domains the VM does not have; short forms on buses it lacks. */
	"00a7:7f:1f.7", "1234:80:00.0", "ffff:ff:1f.7", "0bad:93:07.3",
	"c0de:a0:01.0", "a7:1d.5", "fe:1f.0", "00e3:fe:00.0",
};

static const char *const bad_pci[] = {
	"", "0", "auto", "cmb", "0000:00:20.0", "0000:00:00.8", "0000:0g:00.0",
	"00000:00:00.0", "0000:00:00.", "0000-00-00.0", "0000:00:00.0 ",
	" 0000:00:00.0", "0000:00:1f.77", "+000:00:00.0", "0x00:00:00.0",
	"%s%s%s%n", "../../../../", "zzzz:zz:zz.z", "-001:00:00.0",
	"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4",
};

static const uint64_t edge64[] = {
	0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x1fffff,
	0x200000, 0x200001, 0x400000, 0x3ffffff, 0x4000000, 0x4200000,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
	0xffffffffffe00000ULL, 0xfffffffffffffffeULL, 0x0123456789abcdefULL,
};

/* --- options and state ---------------------------------------------------- */

static unsigned long opt_n = 100000;
static uint64_t opt_seed;
static bool opt_seed_set;
static bool opt_eperm;
static bool opt_verbose;
static bool opt_dry;
static unsigned int opt_timeout = 20;
static const char *opt_one;
static const char *real_pci[MAX_REAL];	/* -a: may be named */
static int n_real;
static char present[256][16];		/* "bb:dd.f" of present functions */
static int n_present;
static const char *nqns[MAX_NQN];
static int n_nqn;
static uint32_t opt_nsid = 1, opt_port = 1;
/* -c: PROVIDER_ADD's BAR, OFFSET and SIZE, each sent when given. */
static uint64_t opt_bar, opt_offset, opt_size;
static bool opt_bar_set, opt_offset_set, opt_size_set;

static int fd = -1;
static uint16_t family;
static uint32_t seq = 1;

static unsigned long acks[MAX_ERRNO + 1];	/* [0]: success acks */
static unsigned long acks_other;		/* errno out of range */
static unsigned long done_err[MAX_ERRNO + 1];
static unsigned long n_replies, n_dumps, n_extack, n_probes, n_regen;
static unsigned long n_noack, n_eperm_bad, n_sent;
static unsigned long by_kind[3];

static unsigned char last_msg[MSG_MAX];
static size_t last_len;
static unsigned long cur_index;

/* --- helpers -------------------------------------------------------------- */

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nlfuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void dump_last(void)
{
	size_t i;

	fprintf(stderr, "nlfuzz: message %lu (%zu bytes):", cur_index,
		last_len);
	for (i = 0; i < last_len && i < 512; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ", last_msg[i]);
	fputc('\n', stderr);
}

static void on_alarm(int sig)
{
	(void)sig;
	/* Only async-signal-safe calls here. */
	static const char m[] = "nlfuzz: HANG: no answer within the deadline\n";

	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(1);
	_exit(1);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rn(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return rn(100) < percent;
}

static const char *errname(int e)
{
	const char *s = e ? strerrorname_np(e) : "OK";

	return s ? s : "?";
}

/* --- message building ----------------------------------------------------- */

struct msg {
	unsigned char b[MSG_MAX];
	size_t len;
	bool intact;	/* header, lengths and flags as built, REQUEST|ACK */
	bool dump;
	uint8_t cmd;
};

static struct nlmsghdr *nlh(struct msg *m)
{
	return (struct nlmsghdr *)m->b;
}

static void msg_init(struct msg *m, uint8_t cmd, uint8_t version,
		     uint16_t flags)
{
	struct genlmsghdr *g;

	memset(m->b, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	nlh(m)->nlmsg_type = family;
	nlh(m)->nlmsg_flags = flags;
	g = (struct genlmsghdr *)(m->b + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = version;
	m->cmd = cmd;
	m->dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
	m->intact = (flags & (NLM_F_REQUEST | NLM_F_ACK)) ==
		    (NLM_F_REQUEST | NLM_F_ACK);
}

static void msg_finish(struct msg *m)
{
	nlh(m)->nlmsg_len = (uint32_t)m->len;
}

/* Append an attribute; returns its offset or -1 when it does not fit. */
static long put_attr(struct msg *m, uint16_t type, const void *data,
		     size_t len)
{
	size_t off = NLA_ALIGN(m->len), total = NLA_ALIGN(NLA_HDRLEN + len);
	struct nlattr a = {
		.nla_len = (uint16_t)(NLA_HDRLEN + len),
		.nla_type = type,
	};

	/* After a truncation: pad to the next attribute boundary. */
	if (off + total > sizeof(m->b) || NLA_HDRLEN + len > 0xffff)
		return -1;
	memset(m->b + m->len, 0, off - m->len);
	memcpy(m->b + off, &a, sizeof(a));
	if (len)
		memcpy(m->b + off + NLA_HDRLEN, data, len);
	memset(m->b + off + NLA_HDRLEN + len, 0, total - NLA_HDRLEN - len);
	m->len = off + total;
	return (long)off;
}

static void put_str(struct msg *m, uint16_t type, const char *s)
{
	put_attr(m, type, s, strlen(s) + 1);
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

static void put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

static uint64_t edge_u64(void)
{
	uint64_t v = edge64[rn(sizeof(edge64) / sizeof(edge64[0]))];

	switch (rn(6)) {
	case 0:
		return rnd();
	case 1:
		return v + rn(5) - 2;
	case 2:
		return (uint64_t)rn(64) << 21;	/* provider-aligned */
	default:
		return v;
	}
}

static const char *a_nqn(void)
{
	static char buf[NVMET_DDA_NQN_MAX + 64];
	size_t n;

	switch (rn(8)) {
	case 0:	/* longest valid, just over, far over (still in buf) */
	case 1:
		n = rn(3) == 0 ? NVMET_DDA_NQN_MAX - 1 :
		    rn(2) ? NVMET_DDA_NQN_MAX : NVMET_DDA_NQN_MAX + 40;
		memset(buf, 'q', n);
		memcpy(buf, "nqn.", 4);
		buf[n] = 0;
		return buf;
	case 2:
		snprintf(buf, sizeof(buf), "nqn.2026-11.io.fuzz:%08x",
			 rn(4));
		return buf;
	case 3:
		return "";
	default:
		return nqns[rn(n_nqn)];
	}
}

static const char *a_pci_any(void)
{
	switch (rn(4)) {
	case 0:
		return bad_pci[rn(sizeof(bad_pci) / sizeof(bad_pci[0]))];
	case 1:
		if (n_real)
			return real_pci[rn(n_real)];
		/* fall through */
	default:
		return safe_pci[rn(sizeof(safe_pci) / sizeof(safe_pci[0]))];
	}
}

static const char *a_selector(void)
{
	switch (rn(6)) {
	case 0:
		return "auto";
	case 1:
		return "cmb";
	case 2:
		return "AUTO";
	default:
		return a_pci_any();
	}
}

/* A string payload with a twist: no NUL, embedded NUL, huge, empty. */
static void put_weird_str(struct msg *m, uint16_t type, const char *s)
{
	static char big[MSG_MAX];
	size_t n = strlen(s), k;

	switch (rn(8)) {
	case 0:	/* no terminator */
		put_attr(m, type, s, n);
		break;
	case 1:	/* zero-length payload */
		put_attr(m, type, NULL, 0);
		break;
	case 2:	/* huge, terminated or not */
		k = 1 + rn(rn(2) ? 300 : 16000);
		memset(big, 'A' + rn(26), k);
		big[k] = 0;
		put_attr(m, type, big, k + rn(2));
		break;
	case 3:	/* embedded NUL, then more */
		k = n + 1 + rn(8);
		memcpy(big, s, n + 1);
		memset(big + n + 1, 'x', k - n - 1);
		put_attr(m, type, big, k);
		break;
	case 4:	/* padded with NULs */
		memcpy(big, s, n);
		memset(big + n, 0, 1 + rn(64));
		put_attr(m, type, big, n + 1 + rn(64));
		break;
	default:
		put_attr(m, type, s, n + 1);
		break;
	}
}

/* An integer payload of the right or a wrong width. */
static void put_weird_int(struct msg *m, uint16_t type, size_t width)
{
	unsigned char v[16];
	uint64_t x = edge_u64();
	size_t len = width;

	if (chance(25)) {
		static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12,
					       16 };

		len = lens[rn(sizeof(lens) / sizeof(lens[0]))];
	}
	memcpy(v, &x, 8);
	x = rnd();
	memcpy(v + 8, &x, 8);
	put_attr(m, type, v, len);
}

/* NVMET_DDA_A_STATS with nested garbage, sometimes nested again. */
static void put_nested_garbage(struct msg *m, uint16_t type, int depth)
{
	struct msg *tmp = malloc(sizeof(*tmp));
	int i, n = rn(8);

	if (!tmp)
		die("out of memory");
	tmp->len = 0;
	for (i = 0; i < n; i++) {
		uint16_t t = rn(4) ? rn(NVMET_DDA_STAT_MAX + 3) : rnd();

		if (depth < 3 && chance(15))
			put_nested_garbage(tmp, t | (rn(2) ? NLA_F_NESTED : 0),
					   depth + 1);
		else if (chance(70))
			put_weird_int(tmp, t, 8);
		else
			put_weird_str(tmp, t, "stat");
	}
	if (chance(10) && tmp->len >= NLA_HDRLEN)	/* lying inner length */
		((struct nlattr *)tmp->b)->nla_len = rnd();
	put_attr(m, type, tmp->b, tmp->len);
	free(tmp);
}

/* What the header says attribute @t carries. */
enum akind { K_STR, K_U32, K_U64, K_NEST, K_NONE };

static enum akind attr_kind(uint16_t t, const char **str)
{
	switch (t) {
	case NVMET_DDA_A_PROVIDER:
		*str = a_pci_any();
		return K_STR;
	case NVMET_DDA_A_PROVIDER_DRIVER:
		*str = "nvmet_dda_bar";
		return K_STR;
	case NVMET_DDA_A_SUBSYS:
		*str = a_nqn();
		return K_STR;
	case NVMET_DDA_A_POLICY_PROVIDER:
		*str = a_selector();
		return K_STR;
	case NVMET_DDA_A_PROVIDER_KIND:
	case NVMET_DDA_A_PROVIDER_BAR:
	case NVMET_DDA_A_NSID:
	case NVMET_DDA_A_PORT:
	case NVMET_DDA_A_POLICY_MODE:
	case NVMET_DDA_A_POLICY_MIN_IO:
	case NVMET_DDA_A_IO_BYTES:
		return K_U32;
	case NVMET_DDA_A_PROVIDER_OFFSET:
	case NVMET_DDA_A_PROVIDER_SIZE:
	case NVMET_DDA_A_PROVIDER_AVAILABLE:
	case NVMET_DDA_A_POLICY_MAX_BYTES:
	case NVMET_DDA_A_PAD:
		return K_U64;
	case NVMET_DDA_A_STATS:
		return K_NEST;
	default:
		return K_NONE;
	}
}

static void put_random_attr(struct msg *m, uint16_t t)
{
	const char *s = "x";
	uint16_t type = t;

	if (chance(3))
		type |= NLA_F_NESTED;
	if (chance(3))
		type |= NLA_F_NET_BYTEORDER;
	switch (attr_kind(t, &s)) {
	case K_STR:
		if (chance(70))
			put_str(m, type, s);
		else if (chance(80))
			put_weird_str(m, type, s);
		else
			put_weird_int(m, type, 4);
		break;
	case K_U32:
		if (chance(70))
			put_u32(m, type, (uint32_t)edge_u64());
		else if (chance(80))
			put_weird_int(m, type, 4);
		else
			put_weird_str(m, type, "1");
		break;
	case K_U64:
		if (chance(70))
			put_u64(m, type, edge_u64());
		else
			put_weird_int(m, type, 8);
		break;
	case K_NEST:
		put_nested_garbage(m, type, 0);
		break;
	case K_NONE:
		if (chance(50))
			put_weird_int(m, type, rn(9));
		else if (chance(50))
			put_weird_str(m, type, "garbage");
		else
			put_nested_garbage(m, type, 1);
		break;
	}
}

static uint16_t random_flags(void)
{
	uint16_t f = NLM_F_REQUEST | NLM_F_ACK;

	if (chance(15))
		f |= NLM_F_DUMP;
	if (chance(5))
		f = rnd();
	else if (chance(3))
		f &= ~NLM_F_ACK;
	return f;
}

/* Random command, version, flags and attribute set. */
static void gen_random(struct msg *m)
{
	uint8_t cmd, version = NVMET_DDA_GENL_VERSION;
	int i, n = rn(MAX_ATTRS);

	if (chance(80))
		cmd = rn(NVMET_DDA_CMD_MAX + 1);
	else if (chance(50))
		cmd = NVMET_DDA_CMD_MAX + 1 + rn(4);
	else
		cmd = rn(256);
	if (chance(15))
		version = rn(2) ? rn(256) : 0;
	msg_init(m, cmd, version, random_flags());
	if (chance(5))	/* reserved field */
		((struct genlmsghdr *)(m->b + NLMSG_HDRLEN))->reserved = rnd();
	for (i = 0; i < n; i++) {
		uint16_t t;

		if (chance(85))
			t = rn(NVMET_DDA_A_MAX + 1);
		else if (chance(50))
			t = NVMET_DDA_A_MAX + 1 + rn(8);
		else
			t = rnd() & NLA_TYPE_MASK;
		put_random_attr(m, t);
	}
	msg_finish(m);
}

/* A well-formed request: the kind of thing ddactl sends. */
static void gen_valid(struct msg *m, int op)
{
	static const uint8_t ops[] = {
		NVMET_DDA_CMD_INFO_GET, NVMET_DDA_CMD_PROVIDER_GET,
		NVMET_DDA_CMD_PROVIDER_ADD, NVMET_DDA_CMD_PROVIDER_DEL,
		NVMET_DDA_CMD_POLICY_GET, NVMET_DDA_CMD_POLICY_SET,
		NVMET_DDA_CMD_POLICY_DEL, NVMET_DDA_CMD_STATS_GET,
	};
	uint8_t cmd = op >= 0 ? (uint8_t)op : ops[rn(sizeof(ops))];
	bool dump = op < 0 && chance(25) &&
		    (cmd == NVMET_DDA_CMD_PROVIDER_GET ||
		     cmd == NVMET_DDA_CMD_POLICY_GET ||
		     cmd == NVMET_DDA_CMD_STATS_GET);
	bool port = chance(30);
	const char *nqn = nqns[rn(n_nqn)];
	uint32_t nsid = chance(80) ? opt_nsid : 1 + rn(4);

	msg_init(m, cmd, NVMET_DDA_GENL_VERSION,
		 NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0));
	switch (cmd) {
	case NVMET_DDA_CMD_PROVIDER_GET:
		if (!dump)
			put_str(m, NVMET_DDA_A_PROVIDER, a_pci_any());
		break;
	case NVMET_DDA_CMD_PROVIDER_ADD:
		put_str(m, NVMET_DDA_A_PROVIDER,
			n_real && chance(50) ? real_pci[rn(n_real)] :
			safe_pci[rn(sizeof(safe_pci) / sizeof(safe_pci[0]))]);
		if (chance(50))
			put_u32(m, NVMET_DDA_A_PROVIDER_BAR, rn(6));
		if (chance(50))
			put_u64(m, NVMET_DDA_A_PROVIDER_OFFSET,
				chance(70) ? (uint64_t)rn(40) << 21 :
				edge_u64());
		if (chance(50))
			put_u64(m, NVMET_DDA_A_PROVIDER_SIZE,
				chance(70) ? (uint64_t)rn(40) << 21 :
				edge_u64());
		break;
	case NVMET_DDA_CMD_PROVIDER_DEL:
		put_str(m, NVMET_DDA_A_PROVIDER,
			n_real && chance(50) ? real_pci[rn(n_real)] :
			safe_pci[rn(sizeof(safe_pci) / sizeof(safe_pci[0]))]);
		break;
	case NVMET_DDA_CMD_POLICY_GET:
	case NVMET_DDA_CMD_POLICY_SET:
	case NVMET_DDA_CMD_POLICY_DEL:
	case NVMET_DDA_CMD_STATS_GET:
		if (dump) {
			if (chance(50))
				put_str(m, NVMET_DDA_A_SUBSYS, nqn);
			break;
		}
		if (port && cmd != NVMET_DDA_CMD_STATS_GET) {
			put_u32(m, NVMET_DDA_A_PORT,
				chance(70) ? opt_port : rn(0x10000));
		} else {
			put_str(m, NVMET_DDA_A_SUBSYS, nqn);
			put_u32(m, NVMET_DDA_A_NSID, nsid);
		}
		if (cmd != NVMET_DDA_CMD_POLICY_SET)
			break;
		if (chance(70))
			put_u32(m, NVMET_DDA_A_POLICY_MODE,
				rn(NVMET_DDA_MODE_MAX + 1));
		if (chance(40))
			put_str(m, NVMET_DDA_A_POLICY_PROVIDER, a_selector());
		if (chance(40))
			put_u32(m, NVMET_DDA_A_POLICY_MIN_IO,
				chance(50) ? rn(2) << 12 : (uint32_t)edge_u64());
		if (chance(40))
			put_u64(m, NVMET_DDA_A_POLICY_MAX_BYTES,
				chance(50) ? rn(64) << 20 : edge_u64());
		break;
	}
	msg_finish(m);
}

/* Bit flips, byte smashes, truncation, lying lengths, duplicates. */
static void mutate(struct msg *m)
{
	int i, n = 1 + rn(4);
	size_t hdr = NLMSG_HDRLEN;

	for (i = 0; i < n; i++) {
		size_t off, k;

		switch (rn(9)) {
		case 0:	/* bit flip past the netlink header */
		case 1:
			if (m->len > hdr) {
				off = hdr + rn(m->len - hdr);
				m->b[off] ^= 1 << rn(8);
			}
			break;
		case 2:	/* byte smash */
			if (m->len > hdr) {
				off = hdr + rn(m->len - hdr);
				m->b[off] = rn(2) ? 0xff : rn(256);
			}
			break;
		case 3:	/* truncate (consistent nlmsg_len) */
			m->len = hdr + rn(m->len - hdr + 1);
			msg_finish(m);
			break;
		case 4:	/* an attribute's length lies */
			if (m->len > hdr + GENL_HDRLEN + NLA_HDRLEN) {
				struct nlattr *a = (struct nlattr *)
					(m->b + hdr + GENL_HDRLEN);

				a->nla_len = chance(50) ? rn(16) : rnd();
			}
			break;
		case 5:	/* nlmsg_len lies: message is sent whole */
			nlh(m)->nlmsg_len = chance(50) ?
				(uint32_t)(m->len + 1 + rn(64)) :
				(uint32_t)rn(m->len + 1);
			m->intact = false;
			break;
		case 6:	/* duplicate the attribute block */
			if (m->len <= hdr + GENL_HDRLEN)
				break;
			k = m->len - hdr - GENL_HDRLEN;
			if (m->len + k <= sizeof(m->b)) {
				memcpy(m->b + m->len, m->b + hdr + GENL_HDRLEN,
				       k);
				m->len += k;
				msg_finish(m);
			}
			break;
		case 7:	/* trailing garbage attribute */
			put_random_attr(m, rn(NVMET_DDA_A_MAX + 3));
			msg_finish(m);
			break;
		case 8:	/* flags */
			nlh(m)->nlmsg_flags ^= 1 << rn(16);
			m->intact = false;
			break;
		}
	}
	m->dump = (nlh(m)->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	/*
	 * The command is what the bytes say now: besides flips and smashes,
	 * an attribute appended after a truncation into the genl header
	 * writes its length over the command byte.
	 */
	if (m->len < hdr + GENL_HDRLEN)
		m->intact = false;
	else
		m->cmd = m->b[hdr];
}

/* true when the message names a PCI function present here (and not -a). */
static bool names_present(const struct msg *m)
{
	size_t i;
	int d, r;

	if (m->len < 7)
		return false;
	for (i = 0; i + 7 <= m->len; i++) {
		for (d = 0; d < n_present; d++) {
			if (strncasecmp((const char *)m->b + i, present[d], 7))
				continue;
			for (r = 0; r < n_real; r++)
				if (!strncasecmp(real_pci[r] + strlen(real_pci[r]) - 7,
						 present[d], 7))
					break;
			if (r == n_real)
				return true;
		}
	}
	return false;
}

/* --- sending and receiving ------------------------------------------------ */

struct wait {
	uint32_t seq;
	bool dump;
	bool done;
	int err;	/* of the terminal message */
	bool have_err;
	uint8_t cmd;
};

static void count_err(int e, bool is_done)
{
	unsigned long *t = is_done ? done_err : acks;

	if (e < 0)
		e = -e;
	if (e <= MAX_ERRNO)
		t[e]++;
	else
		acks_other++;
}

static void send_raw(const void *b, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t r;

	if (opt_dry) {
		n_sent++;
		return;
	}
	r = sendto(fd, b, len, 0, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0)
		die("send: %s (message %lu)", strerror(errno), cur_index);
	if ((size_t)r != len)
		die("send: short write %zd of %zu", r, len);
	n_sent++;
}

/* Does this ack carry an extended-ack message? */
static bool has_extack(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off, end = h->nlmsg_len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return false;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const void *)((const char *)h + off);

		if (a->nla_len < NLA_HDRLEN)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			return true;
		off += NLA_ALIGN(a->nla_len);
	}
	return false;
}

/*
 * Read until the terminal message of @w arrives (an ack or NLMSG_DONE with
 * its sequence number), then drain what else is queued (reading drives any
 * dump still running). Every message is counted.
 */
static void receive(struct wait *w)
{
	static unsigned char buf[RX_MAX];
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t len;
		int left;

		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (w->done)
				return;
			clock_gettime(CLOCK_MONOTONIC, &now);
			left = (int)opt_timeout * 1000 -
			       (int)((now.tv_sec - t0.tv_sec) * 1000 +
				     (now.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0) {
				fprintf(stderr,
					"nlfuzz: HANG: no answer to seq %u (cmd %u%s) within %us\n",
					w->seq, w->cmd, w->dump ? ", dump" : "",
					opt_timeout);
				dump_last();
				exit(1);
			}
			poll(&p, 1, left);
			continue;
		}
		if (len < 0) {
			if (errno == EINTR)
				continue;
			die("recv: %s (message %lu)", strerror(errno),
			    cur_index);
		}
		if (len == 0)
			die("recv: socket closed");
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			bool mine = h->nlmsg_seq == w->seq;

			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(int)))
					die("short NLMSG_ERROR");
				count_err(e->error, false);
				if (has_extack(h))
					n_extack++;
				if (mine) {
					w->done = true;
					w->err = -e->error;
					w->have_err = true;
				}
			} else if (h->nlmsg_type == NLMSG_DONE) {
				int e = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&e, NLMSG_DATA(h), sizeof(e));
				n_dumps++;
				if (e)
					count_err(e, true);
				if (mine && w->dump) {
					w->done = true;
					w->err = -e;
					w->have_err = true;
				}
			} else if (h->nlmsg_type == family) {
				n_replies++;
			} else {
				die("unexpected message type %u",
				    h->nlmsg_type);
			}
		}
		if (len)
			die("recv: %zd bytes of a broken message", len);
	}
}

/* INFO_GET with an ack: everything sent before it has been answered. */
static void probe(void)
{
	struct msg *m = malloc(sizeof(*m));
	struct wait w = { 0 };

	if (!m)
		die("out of memory");
	msg_init(m, NVMET_DDA_CMD_INFO_GET, NVMET_DDA_GENL_VERSION,
		 NLM_F_REQUEST | NLM_F_ACK);
	msg_finish(m);
	nlh(m)->nlmsg_seq = w.seq = seq++;
	w.cmd = NVMET_DDA_CMD_INFO_GET;
	send_raw(m->b, m->len);
	if (opt_dry) {
		free(m);
		return;
	}
	receive(&w);
	if (w.err)
		die("probe INFO_GET failed: %s", strerror(w.err));
	n_probes++;
	free(m);
}

/*
 * Would genl_header_check() pass @m? It refuses (EINVAL) a non-zero
 * reserved field and flags other than REQUEST, ACK, ECHO and DUMP before it
 * looks at permissions.
 */
static bool header_ok(const struct msg *m)
{
	const struct genlmsghdr *g = (const void *)(m->b + NLMSG_HDRLEN);
	uint16_t f = ((const struct nlmsghdr *)m->b)->nlmsg_flags;

	if (m->len < NLMSG_HDRLEN + GENL_HDRLEN || g->reserved)
		return false;
	if ((f & NLM_F_DUMP) == NLM_F_DUMP)
		f &= ~NLM_F_DUMP;
	return !(f & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO));
}

static bool mutating(uint8_t cmd)
{
	return cmd == NVMET_DDA_CMD_PROVIDER_ADD ||
	       cmd == NVMET_DDA_CMD_PROVIDER_DEL ||
	       cmd == NVMET_DDA_CMD_POLICY_SET ||
	       cmd == NVMET_DDA_CMD_POLICY_DEL;
}

/*
 * What -E and the regeneration of messages naming real PCI functions rely
 * on: an intact message is, byte for byte, what its bookkeeping says. A
 * mismatch is a bug here, not in the kernel; -D runs this over every
 * message without a kernel (make check does).
 */
static void check_bookkeeping(const struct msg *m)
{
	const struct nlmsghdr *h = (const void *)m->b;
	const struct genlmsghdr *g = (const void *)(m->b + NLMSG_HDRLEN);

	if (!m->intact)
		return;
	if (m->len < NLMSG_HDRLEN + GENL_HDRLEN || h->nlmsg_len != m->len ||
	    h->nlmsg_type != family ||
	    (h->nlmsg_flags & (NLM_F_REQUEST | NLM_F_ACK)) !=
	    (NLM_F_REQUEST | NLM_F_ACK) || g->cmd != m->cmd ||
	    ((h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) != m->dump) {
		fprintf(stderr,
			"nlfuzz: internal: message %lu is not what it claims (cmd %u, %s)\n",
			cur_index, m->cmd, m->dump ? "dump" : "do");
		dump_last();
		exit(1);
	}
}

/* Send @m and read everything it causes. Returns the errno it got, -1 if
 * its answer could not be told apart. */
static int exchange(struct msg *m)
{
	struct wait w = { 0 };

	nlh(m)->nlmsg_seq = w.seq = seq++;
	if (!nlh(m)->nlmsg_pid && chance(2))
		nlh(m)->nlmsg_pid = rnd();	/* the kernel ignores it */
	w.dump = m->dump;
	w.cmd = m->cmd;
	memcpy(last_msg, m->b, m->len);
	last_len = m->len;
	check_bookkeeping(m);
	alarm(opt_timeout + 10);	/* a kernel stuck in sendmsg */
	send_raw(m->b, m->len);
	if (opt_dry) {
		alarm(0);
		return -1;
	}
	if (m->intact && nlh(m)->nlmsg_type == family) {
		receive(&w);
	} else {
		/* Maybe no answer at all: a probe marks the end. */
		probe();
		w.have_err = false;
	}
	alarm(0);
	if (!w.have_err) {
		n_noack++;
		return -1;
	}
	return w.err;
}

/* --- family resolution ---------------------------------------------------- */

static uint16_t resolve_family(void)
{
	static unsigned char buf[8192];
	struct msg *m = malloc(sizeof(*m));
	uint16_t id = 0;
	ssize_t len;
	int err = 0;

	if (!m)
		die("out of memory");
	family = GENL_ID_CTRL;
	msg_init(m, CTRL_CMD_GETFAMILY, 1, NLM_F_REQUEST | NLM_F_ACK);
	put_str(m, CTRL_ATTR_FAMILY_NAME, NVMET_DDA_GENL_NAME);
	msg_finish(m);
	nlh(m)->nlmsg_seq = seq++;
	send_raw(m->b, m->len);
	alarm(opt_timeout);
	while (!id && !err) {
		struct nlmsghdr *h;

		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			die("recv (family): %s", strerror(errno));
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			struct nlattr *a;
			size_t off;

			if (h->nlmsg_type == NLMSG_ERROR) {
				err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				continue;
			}
			if (h->nlmsg_type != GENL_ID_CTRL)
				continue;
			for (off = NLMSG_HDRLEN + GENL_HDRLEN;
			     off + NLA_HDRLEN <= h->nlmsg_len;
			     off += NLA_ALIGN(a->nla_len)) {
				a = (struct nlattr *)((char *)h + off);
				if (a->nla_len < NLA_HDRLEN)
					break;
				if (a->nla_type == CTRL_ATTR_FAMILY_ID)
					memcpy(&id, (char *)a + NLA_HDRLEN,
					       sizeof(id));
			}
		}
	}
	/* Drain the ack after the reply. */
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	alarm(0);
	free(m);
	if (!id)
		die("family %s not found: %s (modprobe nvmet-dda)",
		    NVMET_DDA_GENL_NAME, strerror(err ? err : ENOENT));
	return id;
}

/* --- main ----------------------------------------------------------------- */

static void scan_present(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && n_present < 256) {
		size_t n = strlen(e->d_name);

		if (n < 7 || e->d_name[0] == '.')
			continue;
		memcpy(present[n_present++], e->d_name + n - 7, 8);
	}
	closedir(d);
}

static bool valid_bdf(const char *s)
{
	size_t n = strlen(s), i;

	if (n != 12 && n != 7)
		return false;
	for (i = 0; i < n; i++) {
		char c = "hhhh:hh:hh.h"[i + 12 - n];

		if (c == 'h' ? !isxdigit((unsigned char)s[i]) : s[i] != c)
			return false;
	}
	return true;
}

static const struct {
	const char *name;
	uint8_t cmd;
	bool dump;
} one_ops[] = {
	{ "info", NVMET_DDA_CMD_INFO_GET, false },
	{ "provider-get", NVMET_DDA_CMD_PROVIDER_GET, false },
	{ "provider-dump", NVMET_DDA_CMD_PROVIDER_GET, true },
	{ "provider-add", NVMET_DDA_CMD_PROVIDER_ADD, false },
	{ "provider-del", NVMET_DDA_CMD_PROVIDER_DEL, false },
	{ "policy-get", NVMET_DDA_CMD_POLICY_GET, false },
	{ "policy-dump", NVMET_DDA_CMD_POLICY_GET, true },
	{ "policy-set", NVMET_DDA_CMD_POLICY_SET, false },
	{ "policy-del", NVMET_DDA_CMD_POLICY_DEL, false },
	{ "stats-get", NVMET_DDA_CMD_STATS_GET, false },
	{ "stats-dump", NVMET_DDA_CMD_STATS_GET, true },
};

/*
 * -c OP: one well-formed request for the first -q NQN and -N NSID (policy
 * ops), for the first -a address (provider ops; a safe one without -a),
 * with -b/-o/-z as PROVIDER_ADD's BAR, OFFSET and SIZE.
 */
static int run_one(const char *op)
{
	struct msg *m = calloc(1, sizeof(*m));
	const char *pci = n_real ? real_pci[0] : safe_pci[0];
	size_t i;
	int err;

	if (!m)
		die("out of memory");
	for (i = 0; i < sizeof(one_ops) / sizeof(one_ops[0]); i++)
		if (!strcmp(op, one_ops[i].name))
			break;
	if (i == sizeof(one_ops) / sizeof(one_ops[0])) {
		fprintf(stderr, "nlfuzz: unknown operation %s\n", op);
		return 2;
	}
	msg_init(m, one_ops[i].cmd, NVMET_DDA_GENL_VERSION,
		 NLM_F_REQUEST | NLM_F_ACK |
		 (one_ops[i].dump ? NLM_F_DUMP : 0));
	switch (one_ops[i].cmd) {
	case NVMET_DDA_CMD_PROVIDER_GET:
		if (!one_ops[i].dump)
			put_str(m, NVMET_DDA_A_PROVIDER, pci);
		break;
	case NVMET_DDA_CMD_PROVIDER_ADD:
		put_str(m, NVMET_DDA_A_PROVIDER, pci);
		if (opt_bar_set)
			put_u32(m, NVMET_DDA_A_PROVIDER_BAR, (uint32_t)opt_bar);
		if (opt_offset_set)
			put_u64(m, NVMET_DDA_A_PROVIDER_OFFSET, opt_offset);
		if (opt_size_set)
			put_u64(m, NVMET_DDA_A_PROVIDER_SIZE, opt_size);
		break;
	case NVMET_DDA_CMD_PROVIDER_DEL:
		put_str(m, NVMET_DDA_A_PROVIDER, pci);
		break;
	case NVMET_DDA_CMD_POLICY_GET:
	case NVMET_DDA_CMD_POLICY_SET:
	case NVMET_DDA_CMD_POLICY_DEL:
	case NVMET_DDA_CMD_STATS_GET:
		if (one_ops[i].dump)
			break;
		put_str(m, NVMET_DDA_A_SUBSYS, nqns[0]);
		put_u32(m, NVMET_DDA_A_NSID, opt_nsid);
		if (one_ops[i].cmd == NVMET_DDA_CMD_POLICY_SET)
			put_u32(m, NVMET_DDA_A_POLICY_MODE,
				NVMET_DDA_MODE_OFF);
		break;
	}
	msg_finish(m);
	err = exchange(m);
	if (opt_dry)
		dump_last();
	printf("%s: %s (%d), %lu repl%s\n", op, errname(err), err, n_replies,
	       n_replies == 1 ? "y" : "ies");
	free(m);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: nlfuzz [-n N] [-s SEED] [-a BDF]... [-q NQN]... [-N NSID] [-P PORT]\n"
		"              [-t SECONDS] [-E] [-v]\n"
		"       nlfuzz -c OP [-q NQN] [-N NSID] [-a BDF] [-b BAR] [-o OFFSET] [-z SIZE]\n"
		"Fuzz the %s generic netlink family.\n"
		"  -n N       messages to send (default 100000)\n"
		"  -s SEED    PRNG seed (default: from the clock; printed)\n"
		"  -a BDF     a real PCI function PROVIDER_ADD/DEL may name\n"
		"             (default: none, only addresses that do not exist)\n"
		"  -q NQN     a subsystem NQN with state (repeatable)\n"
		"  -N NSID    its namespace (default 1); -P PORT: a port (default 1)\n"
		"  -t SECONDS deadline for an answer (default 20)\n"
		"  -E         unprivileged run: mutating commands must get EPERM\n"
		"  -v         print a line per 10000 messages\n"
		"  -D         dry run: build the messages and check that each is what\n"
		"             it claims to be (command, flags, length); send nothing\n"
		"  -c OP      send one request and print its errno; OP is one of\n"
		"             info provider-get provider-dump provider-add\n"
		"             provider-del policy-get policy-dump policy-set\n"
		"             policy-del stats-get stats-dump; -b, -o and -z add\n"
		"             PROVIDER_ADD's BAR, OFFSET and SIZE\n",
		NVMET_DDA_GENL_NAME);
}

static void summary(double secs)
{
	int e;

	printf("nlfuzz: seed %#" PRIx64 "\n", opt_seed);
	printf("nlfuzz: sent %lu messages (%lu fuzz: %lu random, %lu valid, %lu mutated; %lu probes), %lu regenerated\n",
	       n_sent, opt_n, by_kind[0], by_kind[1], by_kind[2], n_probes,
	       n_regen);
	printf("nlfuzz: %lu replies, %lu dumps done, %lu acks with an extack message, %lu without a telling answer\n",
	       n_replies, n_dumps, n_extack, n_noack);
	printf("nlfuzz: acks by errno:\n");
	for (e = 0; e <= MAX_ERRNO; e++)
		if (acks[e])
			printf("  %-14s %8lu\n", errname(e), acks[e]);
	if (acks_other)
		printf("  %-14s %8lu\n", "(other)", acks_other);
	for (e = 1; e <= MAX_ERRNO; e++)
		if (done_err[e])
			printf("  dump %-9s %8lu\n", errname(e), done_err[e]);
	if (opt_eperm)
		printf("nlfuzz: mutating requests not refused with EPERM: %lu\n",
		       n_eperm_bad);
	printf("nlfuzz: %.1f s, %.0f messages/s\n", secs,
	       secs > 0 ? n_sent / secs : 0.0);
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timespec t0, t1;
	struct msg *m;
	int c, one = 1, rcvbuf = 4 << 20;
	unsigned long i;
	double secs;

	while ((c = getopt(argc, argv, "n:s:a:q:N:P:t:c:b:o:z:EvDh")) != -1) {
		char *end;

		switch (c) {
		case 'n':
			opt_n = strtoul(optarg, &end, 0);
			if (*end)
				goto bad;
			break;
		case 's':
			opt_seed = strtoull(optarg, &end, 0);
			if (*end)
				goto bad;
			opt_seed_set = true;
			break;
		case 'a':
			if (!valid_bdf(optarg) || n_real == MAX_REAL)
				goto bad;
			real_pci[n_real++] = optarg;
			break;
		case 'q':
			if (n_nqn == MAX_NQN)
				goto bad;
			nqns[n_nqn++] = optarg;
			break;
		case 'N':
			opt_nsid = strtoul(optarg, &end, 0);
			if (*end)
				goto bad;
			break;
		case 'P':
			opt_port = strtoul(optarg, &end, 0);
			if (*end)
				goto bad;
			break;
		case 't':
			opt_timeout = strtoul(optarg, &end, 0);
			if (*end || !opt_timeout)
				goto bad;
			break;
		case 'c':
			opt_one = optarg;
			break;
		case 'b':
			opt_bar = strtoull(optarg, &end, 0);
			opt_bar_set = true;
			if (*end)
				goto bad;
			break;
		case 'o':
			opt_offset = strtoull(optarg, &end, 0);
			opt_offset_set = true;
			if (*end)
				goto bad;
			break;
		case 'z':
			opt_size = strtoull(optarg, &end, 0);
			opt_size_set = true;
			if (*end)
				goto bad;
			break;
		case 'E':
			opt_eperm = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'D':
			opt_dry = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	if (!n_nqn)
		nqns[n_nqn++] = "nqn.2026-11.io.nvmet-dda:fuzz";
	if (!opt_seed_set) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		opt_seed = (uint64_t)ts.tv_sec * 1000000007ULL ^
			   (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
	}
	rng_state = opt_seed;
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	scan_present();

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		die("setsockopt: %s", strerror(errno));
	family = opt_dry ? 0x42 : resolve_family();

	if (opt_one)
		return run_one(opt_one);

	printf("nlfuzz: seed %#" PRIx64 ", family %s id %u, %lu messages%s\n",
	       opt_seed, NVMET_DDA_GENL_NAME, family, opt_n,
	       opt_eperm ? ", expecting EPERM for mutating commands" : "");
	fflush(stdout);
	m = malloc(sizeof(*m));
	if (!m)
		die("out of memory");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < opt_n; i++) {
		int kind, err, tries = 0;

		cur_index = i;
		do {
			kind = rn(100) < 50 ? 0 : rn(2) ? 1 : 2;
			if (kind == 0) {
				gen_random(m);
			} else {
				gen_valid(m, -1);
				if (kind == 2)
					mutate(m);
			}
			if (tries++)
				n_regen++;
		} while ((mutating(m->cmd) || !m->intact) &&
			 names_present(m));
		by_kind[kind]++;
		err = exchange(m);
		if (opt_eperm && !opt_dry && m->intact && mutating(m->cmd) &&
		    header_ok(m) && err != EPERM &&
		    !(m->dump && err == EOPNOTSUPP)) {
			n_eperm_bad++;
			fprintf(stderr,
				"nlfuzz: mutating command %u answered %s, not EPERM\n",
				m->cmd, errname(err));
			dump_last();
		}
		if (opt_verbose && i && i % 10000 == 0) {
			printf("nlfuzz: %lu\n", i);
			fflush(stdout);
		}
	}
	free(m);
	/* The socket still works: one last probe. */
	probe();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	summary(secs);
	if (n_eperm_bad) {
		printf("nlfuzz: %lu messages, 0 hangs, %lu EPERM violations\n",
		       opt_n, n_eperm_bad);
		return 1;
	}
	printf("nlfuzz: %lu messages, 0 hangs\n", opt_n);
	return 0;
bad:
	usage(stderr);
	return 2;
}

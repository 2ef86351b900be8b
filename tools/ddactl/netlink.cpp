// SPDX-License-Identifier: GPL-2.0-only
#include "netlink.hpp"

#include <exception>
#include <new>
#include <optional>

#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/nvmet_dda.h>

#include "codec.hpp"
#include "errors.hpp"

namespace ddactl {

namespace {

// Best effort: kernels older than 4.12 lack NETLINK_EXT_ACK, and errors are
// then reported with strerror() alone.
void enable_ext_ack(nl_sock *sk)
{
	const int one = 1;
	const int fd = nl_socket_get_fd(sk);

	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

// State shared with the libnl callbacks of one transact(). Callbacks must
// not throw through libnl's C frames, so failures are parked here.
struct Exchange {
	explicit Exchange(const GenlClient::ReplyFn &fn) : on_reply(fn) {}

	const GenlClient::ReplyFn &on_reply;
	bool done = false;
	std::optional<ExtAck> nack;
	std::exception_ptr failure;
};

int on_valid(nl_msg *msg, void *arg)
{
	auto *x = static_cast<Exchange *>(arg);

	// After a failed reply keep reading up to the ACK, so that the socket
	// is ready for the next request.
	if (x->failure)
		return NL_SKIP;
	try {
		x->on_reply(nlmsg_hdr(msg));
	} catch (...) {
		x->failure = std::current_exception();
	}
	return NL_OK;
}

int on_ack(nl_msg *, void *arg)
{
	static_cast<Exchange *>(arg)->done = true;
	return NL_STOP;
}

int on_done(nl_msg *msg, void *arg)
{
	auto *x = static_cast<Exchange *>(arg);

	try {
		ExtAck ack = decode_done(nlmsg_hdr(msg));
		if (ack.error)
			x->nack = std::move(ack);
	} catch (...) {
		x->failure = std::current_exception();
	}
	x->done = true;
	return NL_STOP;
}

int no_seq_check(nl_msg *, void *)
{
	return NL_OK;
}

int on_error(sockaddr_nl *, nlmsgerr *err, void *arg)
{
	auto *x = static_cast<Exchange *>(arg);

	// libnl passes nlmsg_data() of the NLMSG_ERROR message; the extended
	// ACK attributes need the whole message, so step back to its header.
	const auto *nlh = reinterpret_cast<const nlmsghdr *>(
		reinterpret_cast<const char *>(err) - NLMSG_HDRLEN);
	try {
		x->nack = decode_error_ack(nlh);
	} catch (...) {
		x->failure = std::current_exception();
	}
	x->done = true;
	return NL_STOP;
}

} // namespace

GenlClient::GenlClient(Connected) : sock_(nl_socket_alloc())
{
	if (!sock_)
		throw std::bad_alloc();

	if (int err = genl_connect(sock_.get()); err < 0)
		throw NetlinkError(std::string("cannot open a generic netlink socket: ") +
				   nl_geterror(err));
	enable_ext_ack(sock_.get());
}

int GenlClient::resolve(const std::string &family_name)
{
	// libnl reports every failure to resolve as NLE_OBJ_NOTFOUND.
	return genl_ctrl_resolve(sock_.get(), family_name.c_str());
}

GenlClient::GenlClient() : GenlClient(Connected{})
{
	family_name_ = NVMET_DDA_GENL_NAME;
	family_ = resolve(NVMET_DDA_GENL_NAME);
	if (family_ < 0)
		throw ModuleNotLoaded();
}

GenlClient::GenlClient(const std::string &family_name)
	: GenlClient(Connected{})
{
	family_name_ = family_name;
	family_ = resolve(family_name);
	if (family_ < 0)
		throw NetlinkError("cannot resolve generic netlink family " +
				   family_name + ": " + nl_geterror(family_));
}

void GenlClient::transact(nl_msg &request, const ReplyFn &on_reply,
			  const std::string &what)
{
	CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
	if (!cb)
		throw std::bad_alloc();

	Exchange x(on_reply);
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
	nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
	nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_done, &x);
	nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &x);

	nlmsghdr *nlh = nlmsg_hdr(&request);
	const bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	// nl_complete_msg() fills in port and sequence number and, unless
	// auto-ACK is off, sets NLM_F_ACK; a dump must not ask for an ACK,
	// which would follow NLMSG_DONE on kernels that send one.
	nl_complete_msg(sock_.get(), &request);
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	if (dump)
		nlh->nlmsg_flags &= ~NLM_F_ACK;
	else
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (int err = nl_send(sock_.get(), &request); err < 0)
		throw NetlinkError(what + ": cannot send request: " + nl_geterror(err));

	while (!x.done) {
		const int err = nl_recvmsgs(sock_.get(), cb.get());
		if (err < 0 && !x.done)
			throw NetlinkError(what + ": " + nl_geterror(err));
	}
	if (x.failure)
		std::rethrow_exception(x.failure);
	if (x.nack)
		throw KernelError(what, x.nack->error, x.nack->describe());
}

void GenlClient::subscribe(const std::string &group)
{
	const int id = genl_ctrl_resolve_grp(sock_.get(), family_name_.c_str(),
					     group.c_str());
	if (id < 0)
		throw NetlinkError("cannot resolve multicast group " + group +
				   " of " + family_name_ + ": " + nl_geterror(id) +
				   "; update the module or ddactl to the same version");
	if (int err = nl_socket_add_membership(sock_.get(), id); err < 0)
		throw NetlinkError("cannot join multicast group " + group + ": " +
				   nl_geterror(err));
}

int GenlClient::fd() const
{
	return nl_socket_get_fd(sock_.get());
}

bool GenlClient::read_events(const ReplyFn &on_event)
{
	CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
	if (!cb)
		throw std::bad_alloc();

	Exchange x(on_event);
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
	nl_cb_set(cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, nullptr);

	const int err = nl_recvmsgs(sock_.get(), cb.get());
	if (x.failure)
		std::rethrow_exception(x.failure);
	// libnl reports ENOBUFS (messages lost) as NLE_NOMEM.
	if (err == -NLE_NOMEM)
		return false;
	if (err < 0)
		throw NetlinkError(std::string("cannot read events: ") + nl_geterror(err));
	return true;
}

} // namespace ddactl

// The node: erl_interface (ei) speaks the distribution protocol, and every byte of it goes through the
// socket callbacks below (ei_socket_callbacks, ei's "user supplied socket implementation"), which carry
// it over essl. The callbacks are a full implementation (EI_SCLBK_FLG_FULL_IMPL): ei never polls the
// descriptor itself, since decrypted bytes may already wait inside essl while the descriptor is quiet.
// TLS distribution frames its handshake with a 4-byte length, as `inet_tls_dist` does ({packet, 4}).
#include "dist/node.hpp"

#include <arpa/inet.h>
#include <ei.h>
#include <netinet/in.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "dist/epmd.hpp"
#include "dist/term_check.hpp"

namespace essl::dist {

struct NodeState {
  NodeConfig config;
  std::string alive, host;
  ei_cnode ec{};
  int listen_fd = -1;   // ei's descriptor of the listening context
  int publish_fd = -1;  // the epmd registration (plain TCP), open while registered
  uint16_t port = 0;
  ~NodeState() {
    if (publish_fd >= 0) ei_close_connection(publish_fd);
    if (listen_fd >= 0) ei_close_connection(listen_fd);
  }
};

struct LinkState {
  std::shared_ptr<NodeState> node;
  int fd = -1;
  std::string peer;
  ~LinkState() {
    if (fd >= 0) ei_close_connection(fd);
  }
};

namespace {

// The essl error behind the last failed callback of this thread, and the host the next connect goes to
// (ei hands the callback an IPv4 address only; the host may be an IPv6 one).
thread_local std::optional<Error> t_error;
thread_local std::string t_connect_host;

struct Ctx {
  NodeState* node = nullptr;
  std::optional<ListenSocket> listener;
  std::optional<Socket> socket;
  std::vector<uint8_t> in;  // received, not yet given to ei
  size_t in_pos = 0;
};

// The contexts of the open links by descriptor, so that a Link can reach its TLS socket (ei keeps the
// context to itself).
std::mutex g_ctx_mu;
std::unordered_map<int, Ctx*> g_ctx_by_fd;

void remember(Ctx* c) {
  const int fd = c->socket->native_handle();
  std::lock_guard<std::mutex> lock(g_ctx_mu);
  g_ctx_by_fd[fd] = c;
}
void forget(Ctx* c) {
  std::lock_guard<std::mutex> lock(g_ctx_mu);
  for (auto it = g_ctx_by_fd.begin(); it != g_ctx_by_fd.end(); ++it)
    if (it->second == c) {
      g_ctx_by_fd.erase(it);
      return;
    }
}

Timeout to_timeout(unsigned tmo) {
  if (tmo == EI_SCLBK_INF_TMO) return infinity;
  return std::chrono::milliseconds(tmo);
}

int failed(Error e) {
  const int code = e.kind == Error::Kind::timeout ? ETIMEDOUT : EIO;
  t_error = std::move(e);
  return code;
}

SocketOptions socket_options(const NodeState& n) {
  SocketOptions o = passive_binary();
  o.family = n.config.tls.ipv6 ? SocketOptions::Family::inet6 : SocketOptions::Family::inet;
  return o;
}

void peer_address(const Socket& s, void* addr, int* len) {
  if (!addr || !len || *len < static_cast<int>(sizeof(sockaddr_in))) return;
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  if (auto a = s.peername(); a) {
    in_addr v4{};
    if (inet_pton(AF_INET, a->ip.c_str(), &v4) == 1) sin.sin_addr = v4;  // IPv6 peers: 0.0.0.0
    sin.sin_port = htons(a->port);
  }
  std::memcpy(addr, &sin, sizeof sin);
  *len = sizeof sin;
}

int cb_socket(void** ctx, void* setup) {
  auto* c = new (std::nothrow) Ctx;
  if (!c) return ENOMEM;
  c->node = static_cast<NodeState*>(setup);
  *ctx = c;
  return 0;
}

int cb_close(void* ctx) {
  auto* c = static_cast<Ctx*>(ctx);
  if (c->socket) {
    forget(c);
    (void)c->socket->close();
  }
  if (c->listener) c->listener->close();
  delete c;
  return 0;
}

int cb_listen(void* ctx, void* addr, int* len, int backlog) {
  auto* c = static_cast<Ctx*>(ctx);
  if (!addr || !len || *len < static_cast<int>(sizeof(sockaddr_in))) return EINVAL;
  sockaddr_in sin;
  std::memcpy(&sin, addr, sizeof sin);
  SocketOptions o = socket_options(*c->node);
  o.ip = c->node->config.tls.ipv6 ? "::" : "0.0.0.0";
  o.reuseaddr = true;
  o.backlog = backlog > 0 ? backlog : 5;
  auto l = essl::listen(ntohs(sin.sin_port), c->node->config.tls.server, o);
  if (!l) return failed(l.error());
  sin.sin_port = htons(l->port());
  std::memcpy(addr, &sin, sizeof sin);
  *len = sizeof sin;
  c->listener = std::move(*l);
  return 0;
}

int cb_accept(void** ctx, void* addr, int* len, unsigned tmo) {
  auto* lc = static_cast<Ctx*>(*ctx);
  if (!lc->listener) return EINVAL;
  auto s = lc->listener->transport_accept(to_timeout(tmo));
  if (!s) return failed(s.error());
  if (auto h = essl::handshake(*s, Timeout(lc->node->config.timeout)); !h) return failed(h.error());
  auto* c = new (std::nothrow) Ctx;
  if (!c) return ENOMEM;
  c->node = lc->node;
  c->socket = std::move(*s);
  peer_address(*c->socket, addr, len);
  remember(c);
  *ctx = c;
  return 0;
}

int cb_connect(void* ctx, void* addr, int len, unsigned tmo) {
  auto* c = static_cast<Ctx*>(ctx);
  if (!addr || len < static_cast<int>(sizeof(sockaddr_in))) return EINVAL;
  sockaddr_in sin;
  std::memcpy(&sin, addr, sizeof sin);
  std::string host = t_connect_host;
  if (host.empty()) {
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &sin.sin_addr, text, sizeof text);
    host = text;
  }
  // As inet_tls_dist: the node name's host is the server name the certificate is checked against.
  Options o = c->node->config.tls.client;
  if (std::holds_alternative<std::monostate>(o.server_name_indication)) o.server_name_indication = host;
  auto s = essl::connect(host, ntohs(sin.sin_port), o, to_timeout(tmo), socket_options(*c->node));
  if (!s) return failed(s.error());
  c->socket = std::move(*s);
  remember(c);
  return 0;
}

int send_all(Ctx* c, std::span<const uint8_t> data) {
  if (!c->socket) return ENOTCONN;
  if (auto r = c->socket->send(data); !r) return failed(r.error());
  return 0;
}

int cb_write(void* ctx, const char* buf, ssize_t* len, unsigned) {
  if (*len < 0) return EINVAL;
  return send_all(static_cast<Ctx*>(ctx), {reinterpret_cast<const uint8_t*>(buf), static_cast<size_t>(*len)});
}

int cb_writev(void* ctx, const void* iov, int iovcnt, ssize_t* len, unsigned) {
  // One send, so that one distribution message is one TLS record where it fits.
  const auto* v = static_cast<const iovec*>(iov);
  std::vector<uint8_t> all;
  for (int i = 0; i < iovcnt; ++i) {
    const auto* p = static_cast<const uint8_t*>(v[i].iov_base);
    all.insert(all.end(), p, p + v[i].iov_len);
  }
  if (int rc = send_all(static_cast<Ctx*>(ctx), all); rc != 0) return rc;
  *len = static_cast<ssize_t>(all.size());
  return 0;
}

int cb_read(void* ctx, char* buf, ssize_t* len, unsigned tmo) {
  auto* c = static_cast<Ctx*>(ctx);
  if (!c->socket || *len < 0) return EINVAL;
  if (c->in_pos == c->in.size()) {
    auto r = c->socket->recv(0, to_timeout(tmo));
    if (!r) {
      if (r.error().kind == Error::Kind::closed) {
        *len = 0;  // the end of the stream
        return 0;
      }
      return failed(r.error());
    }
    c->in.assign(r->begin(), r->end());
    c->in_pos = 0;
  }
  const size_t n = std::min(static_cast<size_t>(*len), c->in.size() - c->in_pos);
  std::memcpy(buf, c->in.data() + c->in_pos, n);
  c->in_pos += n;
  *len = static_cast<ssize_t>(n);
  return 0;
}

int cb_packet_header_size(void*, int* sz) {
  *sz = 4;
  return 0;
}
int cb_handshake_complete(void*) { return 0; }

int cb_get_fd(void* ctx, int* fd) {
  auto* c = static_cast<Ctx*>(ctx);
  if (c->socket) *fd = c->socket->native_handle();
  else if (c->listener) *fd = c->listener->native_handle();
  else return EBADF;
  return *fd < 0 ? EBADF : 0;
}

ei_socket_callbacks g_callbacks = {
    EI_SCLBK_FLG_FULL_IMPL, cb_socket, cb_close, cb_listen, cb_accept, cb_connect, cb_writev, cb_write, cb_read,
    cb_packet_header_size, cb_handshake_complete, cb_handshake_complete, cb_get_fd,
};

// The error of a failed ei call: the callback's essl error if there was one, else ei's.
Error ei_failure(const char* what) {
  if (t_error) {
    Error e = std::move(*t_error);
    t_error.reset();
    return e;
  }
  if (erl_errno == ETIMEDOUT) return Error::timeout();
  (void)what;
  return Error::other("not_allowed");
}

Term slice(const ei_x_buff& x, int from, int to) {
  return Term{std::string(x.buff + from, x.buff + to)};
}

// A term received from a peer, checked before any ei decoder reads it.
bool checked(const char* buf, int from, int end, int* next) {
  if (from < 0 || from > end) return false;
  auto n = checked_term_size({reinterpret_cast<const uint8_t*>(buf) + from, static_cast<size_t>(end - from)});
  if (!n) return false;
  *next = from + static_cast<int>(*n);
  return true;
}

bool decode_pid(const Term& t, erlang_pid* pid) {
  int end = 0;
  if (!checked(t.bytes.data(), 0, static_cast<int>(t.bytes.size()), &end)) return false;
  int index = 0;
  return ei_decode_pid(t.bytes.data(), &index, pid) == 0 && index == end;
}

std::once_flag g_ei_init;

}  // namespace

// ---- Node

Node::Node(std::shared_ptr<NodeState> s) : s_(std::move(s)) {}
Node::Node(Node&&) noexcept = default;
Node& Node::operator=(Node&&) noexcept = default;
Node::~Node() = default;

Res<Node> Node::start(NodeConfig config) {
  std::call_once(g_ei_init, [] { ei_init(); });
  const auto at = config.name.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == config.name.size() || config.name.size() > MAXNODELEN)
    return fail(Error::options("name", "a node name is alive@host, at most " + std::to_string(MAXNODELEN) +
                                           " characters: " + config.name));
  if (config.cookie.empty() || config.cookie.size() > EI_MAX_COOKIE_SIZE)
    return fail(Error::options("cookie", "a cookie is 1 to " + std::to_string(EI_MAX_COOKIE_SIZE) + " characters"));
  if (config.timeout.count() <= 0) return fail(Error::options("timeout", "must be positive"));
  auto s = std::make_shared<NodeState>();
  s->config = std::move(config);
  s->alive = s->config.name.substr(0, at);
  s->host = s->config.name.substr(at + 1);
  if (s->alive.size() > EI_MAXALIVELEN || s->host.size() > EI_MAXHOSTNAMELEN)
    return fail(Error::options("name", "the alive or host part is too long"));
  in_addr any{};
  any.s_addr = htonl(INADDR_ANY);
  // A fresh creation each start, as epmd would hand out: links of an earlier incarnation are told apart.
  const auto creation = static_cast<unsigned>(std::time(nullptr) & 0x7fffffff) | 4u;
  if (ei_connect_xinit_ussi(&s->ec, s->host.c_str(), s->alive.c_str(), s->config.name.c_str(), &any,
                            s->config.cookie.c_str(), creation, &g_callbacks, sizeof g_callbacks, s.get()) < 0)
    return fail(Error::options("name", "ei refused the node name " + s->config.name));
  return Node(std::move(s));
}

const std::string& Node::name() const { return s_->config.name; }
uint16_t Node::port() const { return s_->port; }

Res<Link> Node::connect(const std::string& node) {
  const auto at = node.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == node.size() || node.size() > MAXNODELEN)
    return fail(Error::options("node", "a node name is alive@host: " + node));
  const std::string alive = node.substr(0, at), host = node.substr(at + 1);
  const auto port = epmd_port_please(host, alive, s_->config.timeout);
  if (!port) return fail(port.error());
  t_error.reset();
  t_connect_host = host;
  in_addr dummy{};
  dummy.s_addr = htonl(INADDR_LOOPBACK);  // unused: the connect callback goes to t_connect_host
  const int fd = ei_xconnect_host_port_tmo(&s_->ec, &dummy, *port, static_cast<unsigned>(s_->config.timeout.count()));
  t_connect_host.clear();
  if (fd < 0) return fail(ei_failure("connect"));
  auto l = std::make_unique<LinkState>();
  l->node = s_;
  l->fd = fd;
  l->peer = node;
  return Link(std::move(l));
}

Result<void, Error> Node::listen(uint16_t port) {
  if (s_->listen_fd >= 0) return fail(Error::other("already_listening"));
  t_error.reset();
  int p = port;
  const int lfd = ei_listen(&s_->ec, &p, 128);
  if (lfd < 0) return fail(ei_failure("listen"));
  s_->listen_fd = lfd;
  s_->port = static_cast<uint16_t>(p);
  const int pfd = ei_publish_tmo(&s_->ec, p, static_cast<unsigned>(s_->config.timeout.count()));
  if (pfd < 0) return fail(Error::transport("epmd refused the registration of " + s_->alive + " (is epmd running, "
                                            "or is the name taken?)"));
  s_->publish_fd = pfd;
  return {};
}

Res<Link> Node::accept(std::chrono::milliseconds timeout) {
  if (s_->listen_fd < 0) return fail(Error::other("not_listening"));
  t_error.reset();
  ErlConnect conn{};
  const int fd = ei_accept_tmo(&s_->ec, s_->listen_fd, &conn, static_cast<unsigned>(timeout.count()));
  if (fd < 0) return fail(ei_failure("accept"));
  auto l = std::make_unique<LinkState>();
  l->node = s_;
  l->fd = fd;
  l->peer = conn.nodename;
  return Link(std::move(l));
}

// ---- Link

Link::Link(std::unique_ptr<LinkState> s) : s_(std::move(s)) {}
Link::Link(Link&&) noexcept = default;
Link& Link::operator=(Link&&) noexcept = default;
Link::~Link() = default;

const std::string& Link::peer() const { return s_->peer; }

void Link::close() {
  if (s_ && s_->fd >= 0) {
    ei_close_connection(s_->fd);
    s_->fd = -1;
  }
}

Term Link::self() const {
  ei_x_buff x;
  ei_x_new(&x);
  ei_x_encode_pid(&x, ei_self(&s_->node->ec));
  Term t = slice(x, 0, x.index);
  ei_x_free(&x);
  return t;
}

Res<ConnectionInfo> Link::connection_information() const {
  if (s_->fd < 0) return fail(Error::closed());
  std::lock_guard<std::mutex> lock(g_ctx_mu);
  const auto it = g_ctx_by_fd.find(s_->fd);
  if (it == g_ctx_by_fd.end() || !it->second->socket) return fail(Error::closed());
  return it->second->socket->connection_information();
}

Result<void, Error> Link::reg_send(std::string_view name, const Term& message) {
  if (s_->fd < 0) return fail(Error::closed());
  const std::string to(name.substr(0, MAXATOMLEN - 1));
  ei_x_buff x;
  ei_x_new_with_version(&x);
  ei_x_append_buf(&x, message.bytes.data(), static_cast<int>(message.bytes.size()));
  t_error.reset();
  const int rc = ei_reg_send_tmo(&s_->node->ec, s_->fd, const_cast<char*>(to.c_str()), x.buff, x.index,
                                 static_cast<unsigned>(s_->node->config.timeout.count()));
  ei_x_free(&x);
  if (rc < 0) return fail(ei_failure("reg_send"));
  return {};
}

Result<void, Error> Link::send(const Term& pid, const Term& message) {
  if (s_->fd < 0) return fail(Error::closed());
  erlang_pid to;
  if (!decode_pid(pid, &to)) return fail(Error::options("pid", "not a pid: " + pid.text()));
  ei_x_buff x;
  ei_x_new_with_version(&x);
  ei_x_append_buf(&x, message.bytes.data(), static_cast<int>(message.bytes.size()));
  t_error.reset();
  const int rc = ei_send_tmo(s_->fd, &to, x.buff, x.index, static_cast<unsigned>(s_->node->config.timeout.count()));
  ei_x_free(&x);
  if (rc < 0) return fail(ei_failure("send"));
  return {};
}

Res<Message> Link::receive(std::chrono::milliseconds timeout) {
  if (s_->fd < 0) return fail(Error::closed());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ei_x_buff x;
  ei_x_new(&x);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ei_x_free(&x);
      return fail(Error::timeout());
    }
    erlang_msg msg{};
    x.index = 0;
    t_error.reset();
    const int rc = ei_xreceive_msg_tmo(s_->fd, &msg, &x, static_cast<unsigned>(left.count()));
    if (rc == ERL_TICK) continue;
    if (rc == ERL_ERROR) {
      const int err = erl_errno;
      ei_x_free(&x);
      if (err == ETIMEDOUT) return fail(Error::timeout());
      if (t_error) return fail(ei_failure("receive"));
      return fail(Error::closed());
    }
    if (msg.msgtype != ERL_SEND && msg.msgtype != ERL_REG_SEND && msg.msgtype != ERL_SEND_TT &&
        msg.msgtype != ERL_REG_SEND_TT)
      continue;  // links, exits, monitors
    int index = 0, version = 0;
    if (ei_decode_version(x.buff, &index, &version) < 0) index = 0;
    int end = 0;
    if (!checked(x.buff, index, x.index, &end)) continue;  // a malformed payload is dropped
    Message m;
    const bool reg = msg.msgtype == ERL_REG_SEND || msg.msgtype == ERL_REG_SEND_TT;
    m.kind = reg ? Message::Kind::reg_send : Message::Kind::send;
    if (reg) {
      m.to_name = msg.toname;
      ei_x_buff p;
      ei_x_new(&p);
      ei_x_encode_pid(&p, &msg.from);
      m.from = slice(p, 0, p.index);
      ei_x_free(&p);
    }
    m.payload = slice(x, index, end);
    ei_x_free(&x);
    return m;
  }
}

Res<Term> Link::rpc(std::string_view module, std::string_view function, const Term& args) {
  if (s_->fd < 0) return fail(Error::closed());
  const std::string m(module.substr(0, MAXATOMLEN - 1)), f(function.substr(0, MAXATOMLEN - 1));
  t_error.reset();
  if (ei_rpc_to(&s_->node->ec, s_->fd, const_cast<char*>(m.c_str()), const_cast<char*>(f.c_str()),
                args.bytes.data(), static_cast<int>(args.bytes.size())) < 0)
    return fail(ei_failure("rpc"));
  const auto deadline = std::chrono::steady_clock::now() + s_->node->config.timeout;
  ei_x_buff x;
  ei_x_new(&x);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ei_x_free(&x);
      return fail(Error::timeout());
    }
    erlang_msg msg{};
    x.index = 0;
    const int rc = ei_rpc_from(&s_->node->ec, s_->fd, static_cast<int>(left.count()), &msg, &x);
    if (rc == ERL_TICK) continue;
    if (rc == ERL_TIMEOUT) continue;  // the deadline check ends it
    if (rc < 0) {
      const int err = erl_errno;
      ei_x_free(&x);
      if (err == ETIMEDOUT) return fail(Error::timeout());
      return fail(t_error ? ei_failure("rpc") : Error::closed());
    }
    // {rex, Reply}
    int index = 0, version = 0, arity = 0, end = 0;
    if (ei_decode_version(x.buff, &index, &version) < 0) index = 0;
    if (!checked(x.buff, index, x.index, &end)) continue;
    char atom[MAXATOMLEN_UTF8] = {};
    if (ei_decode_tuple_header(x.buff, &index, &arity) < 0 || arity != 2 || ei_decode_atom(x.buff, &index, atom) < 0 ||
        std::strcmp(atom, "rex") != 0)
      continue;
    int reply_end = index;
    if (ei_skip_term(x.buff, &reply_end) < 0) continue;
    Term t = slice(x, index, reply_end);
    ei_x_free(&x);
    return t;
  }
}

bool answer(Link& link, const Message& message, const std::string& node_name) {
  const std::string& b = message.payload.bytes;
  // ei's decoders trust their buffer: a payload made by hand gets the same bounds-checked walk as one
  // received from a peer.
  const auto size = checked_term_size({reinterpret_cast<const uint8_t*>(b.data()), b.size()});
  if (!size || *size != b.size()) return false;
  int index = 0, arity = 0;
  if (ei_decode_tuple_header(b.data(), &index, &arity) < 0) return false;
  // gen_server calls: {'$gen_call', {From, Tag}, Request} to rex ({call, M, F, A, GroupLeader}: rpc)
  // or to net_kernel ({is_auth, Node}: net_adm:ping, answered yes)
  const bool to_rex = message.to_name == "rex", to_net_kernel = message.to_name == "net_kernel";
  if (message.kind == Message::Kind::reg_send && (to_rex || to_net_kernel) && arity == 3) {
    char atom[MAXATOMLEN_UTF8] = {};
    int inner = 0;
    if (ei_decode_atom(b.data(), &index, atom) < 0 || std::strcmp(atom, "$gen_call") != 0) return false;
    if (ei_decode_tuple_header(b.data(), &index, &inner) < 0 || inner != 2) return false;
    erlang_pid from;
    if (ei_decode_pid(b.data(), &index, &from) < 0) return false;
    const int tag_start = index;
    if (ei_skip_term(b.data(), &index) < 0) return false;
    const std::string tag = b.substr(static_cast<size_t>(tag_start), static_cast<size_t>(index - tag_start));
    ei_x_buff r;
    ei_x_new(&r);
    ei_x_encode_tuple_header(&r, 2);
    ei_x_append_buf(&r, tag.data(), static_cast<int>(tag.size()));
    const Term from_term = [&] {
      ei_x_buff p;
      ei_x_new(&p);
      ei_x_encode_pid(&p, &from);
      Term t = slice(p, 0, p.index);
      ei_x_free(&p);
      return t;
    }();
    auto reply = [&] {
      const bool ok = static_cast<bool>(link.send(from_term, Term{std::string(r.buff, static_cast<size_t>(r.index))}));
      ei_x_free(&r);
      return ok;
    };
    if (to_net_kernel) {
      int req_arity = 0;
      if (ei_decode_tuple_header(b.data(), &index, &req_arity) < 0 || req_arity != 2 ||
          ei_decode_atom(b.data(), &index, atom) < 0 || std::strcmp(atom, "is_auth") != 0) {
        ei_x_free(&r);
        return false;
      }
      ei_x_encode_atom(&r, "yes");
      return reply();
    }
    int call_arity = 0;
    char m[MAXATOMLEN_UTF8] = {}, f[MAXATOMLEN_UTF8] = {};
    if (ei_decode_tuple_header(b.data(), &index, &call_arity) < 0 || call_arity < 4 ||
        ei_decode_atom(b.data(), &index, atom) < 0 || std::strcmp(atom, "call") != 0 ||
        ei_decode_atom(b.data(), &index, m) < 0 || ei_decode_atom(b.data(), &index, f) < 0) {
      ei_x_free(&r);
      return false;
    }
    int args = 0, type = 0;
    if (ei_get_type(b.data(), &index, &type, &args) < 0) {
      ei_x_free(&r);
      return false;
    }
    if (type == ERL_NIL_EXT) args = 0;
    if (std::strcmp(m, "erlang") == 0 && std::strcmp(f, "node") == 0 && args == 0) {
      ei_x_encode_atom(&r, node_name.c_str());
    } else if (std::strcmp(m, "erlang") == 0 && std::strcmp(f, "nodes") == 0 && args == 0) {
      ei_x_encode_list_header(&r, 1);
      ei_x_encode_atom(&r, link.peer().c_str());
      ei_x_encode_empty_list(&r);
    } else {
      // {badrpc, {'EXIT', {undef, [{M, F, Args, []}]}}}: what an Erlang node answers for a missing function
      ei_x_encode_tuple_header(&r, 2);
      ei_x_encode_atom(&r, "badrpc");
      ei_x_encode_tuple_header(&r, 2);
      ei_x_encode_atom(&r, "EXIT");
      ei_x_encode_tuple_header(&r, 2);
      ei_x_encode_atom(&r, "undef");
      ei_x_encode_list_header(&r, 1);
      ei_x_encode_tuple_header(&r, 3);
      ei_x_encode_atom(&r, m);
      ei_x_encode_atom(&r, f);
      ei_x_encode_long(&r, args);
      ei_x_encode_empty_list(&r);
    }
    return reply();
  }
  // {Pid, Term} to any name: {self(), Term} back to Pid
  if (arity == 2) {
    erlang_pid from;
    if (ei_decode_pid(b.data(), &index, &from) < 0) return false;
    const std::string rest = b.substr(static_cast<size_t>(index));
    ei_x_buff r;
    ei_x_new(&r);
    ei_x_encode_tuple_header(&r, 2);
    const Term me = link.self();
    ei_x_append_buf(&r, me.bytes.data(), static_cast<int>(me.bytes.size()));
    ei_x_append_buf(&r, rest.data(), static_cast<int>(rest.size()));
    ei_x_buff p;
    ei_x_new(&p);
    ei_x_encode_pid(&p, &from);
    const bool ok = static_cast<bool>(link.send(Term{std::string(p.buff, static_cast<size_t>(p.index))},
                                                Term{std::string(r.buff, static_cast<size_t>(r.index))}));
    ei_x_free(&p);
    ei_x_free(&r);
    return ok;
  }
  return false;
}

}  // namespace essl::dist

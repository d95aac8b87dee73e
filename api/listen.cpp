// listen, transport_accept and the server-side handshake (the spec's ssl_accept).
#include "api/app.hpp"
#include "api/socket_impl.hpp"
#include "api/transports.hpp"

namespace essl {

struct ListenSocket::Impl {
  tcp::Fd fd;
  SocketOpts opts;  // what accepted sockets inherit
  std::shared_ptr<const Config> config;
  uint16_t port = 0;
};

ListenSocket::ListenSocket() = default;
ListenSocket::ListenSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ListenSocket::~ListenSocket() = default;
ListenSocket::ListenSocket(ListenSocket&&) noexcept = default;
ListenSocket& ListenSocket::operator=(ListenSocket&&) noexcept = default;

uint16_t ListenSocket::port() const { return impl_ ? impl_->port : 0; }
int ListenSocket::native_handle() const { return impl_ ? impl_->fd.get() : -1; }
void ListenSocket::close() {
  if (impl_) impl_->fd.reset();
}

Res<Address> ListenSocket::sockname() const {
  if (!impl_ || !impl_->fd.valid()) return fail(Error::closed());
  return tcp::sockname(impl_->fd.get());
}

Res<ListenSocket> listen(uint16_t port, const Options& options, const SocketOptions& sock) {
  if (auto v = validate_socket_opts(sock); !v) return fail(v.error());
  auto impl = std::make_unique<ListenSocket::Impl>();
  impl->opts = merge_socket_opts(default_socket_opts(), sock);
  auto store = detail::session_store(Role::server);
  if (!store) return fail(store.error());
  auto cfg = detail::make_config(Role::server, options, std::move(store).value());
  if (!cfg) return fail(cfg.error());
  impl->config = std::move(cfg).value();
  auto fd = tcp::listen(sock, port);
  if (!fd) return fail(fd.error());
  impl->fd = std::move(fd).value();
  auto name = tcp::sockname(impl->fd.get());
  if (!name) return fail(name.error());
  impl->port = name->port;
  return ListenSocket(std::move(impl));
}

Res<Socket> ListenSocket::transport_accept(Timeout timeout) {
  if (!impl_ || !impl_->fd.valid()) return fail(Error::closed());
  auto fd = tcp::accept(impl_->fd.get(), detail::Deadline(timeout));
  if (!fd) return fail(fd.error());
  auto s = std::make_shared<Socket::Impl>();
  s->transport = std::make_unique<detail::FdTransport>(std::move(fd).value());
  s->opts = impl_->opts;
  if (!*s->opts.nodelay) {
    TransportOptions t;
    t.nodelay = false;
    (void)s->transport->setopts(t);
  }
  s->cb_info = impl_->config->options.cb_info;
  s->role = Role::server;
  s->config = impl_->config;
  if (auto peer = s->transport->peername()) s->peer = PeerId{peer->ip, peer->port};
  // Server sessions are keyed by the listen port (the spec's {Port, SessionId}).
  s->peer.local_port = impl_->port;
  return Socket(std::move(s));
}

Result<void, Error> handshake(Socket& socket, Timeout timeout) {
  auto* s = socket.impl();
  if (!s) return fail(Error::other("badarg"));
  std::lock_guard lock(s->mu);
  if (s->role != Role::server || s->engine) return fail(Error::other("badarg"));
  return s->handshake(s->config, detail::Deadline(timeout));
}

Result<void, Error> handshake(Socket& socket, const Options& options, Timeout timeout) {
  auto* s = socket.impl();
  if (!s) return fail(Error::other("badarg"));
  std::lock_guard lock(s->mu);
  if (s->role != Role::server || s->engine) return fail(Error::other("badarg"));
  auto cfg = detail::make_config(Role::server, options, s->config->session_cache);
  if (!cfg) return fail(cfg.error());
  return s->handshake(std::move(cfg).value(), detail::Deadline(timeout));
}

Res<Socket> handshake(std::unique_ptr<Transport> transport, const Options& options, Timeout timeout,
                      const SocketOpts& sock) {
  if (!transport) return fail(Error::other("badarg"));
  if (auto v = validate_socket_opts(sock); !v) return fail(v.error());
  auto store = detail::session_store(Role::server);
  if (!store) return fail(store.error());
  auto cfg = detail::make_config(Role::server, options, std::move(store).value());
  if (!cfg) return fail(cfg.error());
  auto s = std::make_shared<Socket::Impl>();
  s->opts = detail::upgrade_socket_opts(*transport, sock);
  s->transport = std::move(transport);
  s->cb_info = options.cb_info;
  s->role = Role::server;
  std::lock_guard lock(s->mu);
  if (auto peer = s->transport->peername()) s->peer = PeerId{peer->ip, peer->port};
  // Server sessions are keyed by the local port (the spec's {Port, SessionId}).
  if (auto local = s->transport->sockname()) s->peer.local_port = local->port;
  if (auto r = s->handshake(std::move(cfg).value(), detail::Deadline(timeout)); !r) return fail(r.error());
  return Socket(s);
}

}  // namespace essl

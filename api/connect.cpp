// connect: the client side, with the application's client session cache; over TCP, over the cb_info
// module's transport, or over a transport already connected (the upgrade).
#include "api/app.hpp"
#include "api/socket_impl.hpp"
#include "api/transports.hpp"

namespace essl {
namespace {

Res<Socket> client_handshake(std::unique_ptr<Transport> transport, PeerId peer, const Options& options,
                             const detail::Deadline& deadline, std::shared_ptr<const Config> cfg,
                             const SocketOpts& opts) {
  auto s = std::make_shared<Socket::Impl>();
  s->opts = opts;
  if (!*opts.nodelay) {
    TransportOptions t;
    t.nodelay = false;
    (void)transport->setopts(t);
  }
  s->transport = std::move(transport);
  s->cb_info = options.cb_info;
  s->role = Role::client;
  s->peer = std::move(peer);
  std::lock_guard lock(s->mu);
  if (auto r = s->handshake(std::move(cfg), deadline); !r) return fail(r.error());
  return Socket(s);
}

Res<std::shared_ptr<const Config>> client_config(const Options& options) {
  auto store = detail::session_store(Role::client);
  if (!store) return fail(store.error());
  return detail::make_config(Role::client, options, std::move(store).value());
}

}  // namespace

Res<Socket> connect(const std::string& host, uint16_t port, const Options& options, Timeout timeout,
                    const SocketOptions& sock) {
  if (auto v = validate_socket_opts(sock); !v) return fail(v.error());
  auto cfg = client_config(options);
  if (!cfg) return fail(cfg.error());
  detail::Deadline deadline(timeout);
  Res<std::unique_ptr<Transport>> t = fail(Error::other("badarg"));
  if (options.cb_info.module) {
    t = options.cb_info.module->connect(host, port, detail::remaining(deadline));
  } else {
    t = tcp_connect(host, port, detail::remaining(deadline), sock);
  }
  if (!t) return fail(t.error());
  if (!*t) return fail(Error::transport("the cb_info module returned no transport"));
  // Client sessions are keyed by the host and port as given (the spec's {{Host, Port}, SessionId}).
  return client_handshake(std::move(t).value(), PeerId{host, port}, options, deadline, std::move(cfg).value(),
                          merge_socket_opts(default_socket_opts(), sock));
}

Res<Socket> connect(std::unique_ptr<Transport> transport, const Options& options, Timeout timeout,
                    const SocketOpts& sock) {
  if (!transport) return fail(Error::other("badarg"));
  if (auto v = validate_socket_opts(sock); !v) return fail(v.error());
  const SocketOpts opts = detail::upgrade_socket_opts(*transport, sock);
  auto cfg = client_config(options);
  if (!cfg) return fail(cfg.error());
  PeerId peer;
  if (auto name = transport->peername()) peer = PeerId{name->ip, name->port};
  return client_handshake(std::move(transport), std::move(peer), options, detail::Deadline(timeout),
                          std::move(cfg).value(), opts);
}

}  // namespace essl

// connect: the client side, with the application's client session cache.
#include "api/app.hpp"
#include "api/socket_impl.hpp"

namespace essl {

Res<Socket> connect(const std::string& host, uint16_t port, const Options& options, Timeout timeout,
                    const SocketOptions& sock) {
  auto store = detail::session_store(Role::client);
  if (!store) return fail(store.error());
  auto cfg = detail::make_config(Role::client, options, std::move(store).value());
  if (!cfg) return fail(cfg.error());
  detail::Deadline deadline(timeout);
  auto fd = tcp::connect(host, port, sock, deadline);
  if (!fd) return fail(fd.error());
  auto s = std::make_unique<Socket::Impl>();
  s->fd = std::move(fd).value();
  s->role = Role::client;
  // Client sessions are keyed by the host and port as given (the spec's {{Host, Port}, SessionId}).
  s->peer = PeerId{host, port};
  if (auto r = s->handshake(std::move(cfg).value(), deadline); !r) return fail(r.error());
  return Socket(std::move(s));
}

}  // namespace essl

// The loop between the transport and the Engine: flights out in one send, records in, alerts, closes.
#include <array>

#include "api/linger.hpp"
#include "api/socket_impl.hpp"

namespace essl {
namespace {

// Room for one maximal TLSCiphertext (2^14 + 2048 + 5) plus change, so a record usually arrives whole.
constexpr size_t read_chunk = 16384 + 2048 + 5 + 1024;

}  // namespace

int Socket::Impl::alert_timeout_ms() const { return config ? config->options.alert_timeout : 5000; }

Result<void, Error> Socket::Impl::flush() {
  if (!engine || !fd.valid()) return {};
  auto out = engine->pending_output();
  if (out.empty()) return {};
  auto r = tcp::send_all(fd.get(), out);
  // Whatever happened, these bytes are not going out again.
  engine->consume_output(out.size());
  return r;
}

Error Socket::Impl::fail_with(Error e) {
  (void)flush();
  if (fd.valid()) {
    if (e.kind == Error::Kind::tls_alert && e.alert_sent) {
      // The spec: after sending a fatal alert, give the peer alert_timeout to read it and close.
      tcp::shutdown_write(fd.get());
      detail::linger_close(std::move(fd), std::chrono::milliseconds(alert_timeout_ms()));
    }
    fd.reset();
  }
  write_shut = read_shut = true;
  error = e;
  return e;
}

void Socket::Impl::answer_close() {
  if (write_shut || !fd.valid()) return;
  // RFC 5246 7.2.1: each party answers close_notify with its own and closes down.
  if (engine) {
    engine->close();
    (void)flush();
  }
  tcp::shutdown_write(fd.get());
  write_shut = true;
}

Result<void, Error> Socket::Impl::pump(const detail::Deadline& deadline) {
  if (!fd.valid() || eof) return fail(Error::closed());
  std::array<uint8_t, read_chunk> buf;
  auto n = tcp::read_some(fd.get(), buf, deadline);
  if (!n) return fail(n.error());
  if (*n == 0) {
    eof = true;
    engine->end_of_input();
    return fail(Error::closed());
  }
  engine->feed(codec::ByteView(buf.data(), *n));
  if (const auto& err = engine->error()) return fail(fail_with(*err));
  // A close_notify is answered when the application reads past it (recv) or closes, so that data that
  // arrived with it can still be answered first.
  return flush();
}

Result<void, Error> Socket::Impl::handshake(std::shared_ptr<const Config> cfg, const detail::Deadline& deadline) {
  if (engine || !fd.valid()) return fail(Error::other("badarg"));
  config = std::move(cfg);
  engine = std::make_unique<Engine>(config, peer);
  engine->start();
  if (auto f = flush(); !f) return fail(fail_with(f.error()));
  while (!engine->handshake_done()) {
    if (const auto& err = engine->error()) return fail(fail_with(*err));
    if (engine->peer_closed()) return fail(fail_with(Error::closed()));
    auto r = pump(deadline);
    if (!r) {
      if (error) return fail(*error);
      // A handshake that times out or loses its transport ends the connection, as in the spec.
      return fail(fail_with(r.error()));
    }
  }
  return {};
}

}  // namespace essl

// The loop between the transport and the Engine: flights out in one send, records in, alerts, closes.
#include <poll.h>

#include <cerrno>
#include <cstring>

#include "api/hibernate.hpp"
#include "api/linger.hpp"
#include "api/logger.hpp"
#include "api/socket_impl.hpp"
#include "api/transports.hpp"
#include "codecs/record.hpp"

namespace essl {
namespace {

// ContentType, ProtocolVersion, length.
constexpr size_t record_header = 5;

// Any failure of a transport that is not the peer closing or a timeout is a `transport` error.
Error transport_error(Error e) {
  if (e.kind == Error::Kind::closed || e.kind == Error::Kind::timeout || e.kind == Error::Kind::transport) return e;
  std::string why = e.detail.empty() ? format_error(e) : e.detail;
  return Error::transport(why);
}

// One read of whatever is available, until the deadline or an interrupt. A descriptor is polled beside
// the wake-up eventfd; other transports are read in slices, looking at `interrupted` in between.
Res<std::vector<uint8_t>> read_transport(Transport& t, int wake_fd, const std::atomic<bool>& interrupted,
                                         const detail::Deadline& deadline) {
  const int fd = t.native_handle();
  if (fd >= 0 && wake_fd >= 0) {
    pollfd p[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    for (;;) {
      if (interrupted) return fail(Error::closed());
      int n = ::poll(p, 2, deadline.poll_ms());
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail(Error::transport(std::string("poll: ") + std::strerror(errno)));
      }
      if (n == 0) return fail(Error::timeout());
      if (p[1].revents) return fail(Error::closed());
      return t.recv(0, std::chrono::milliseconds(0));
    }
  }
  constexpr std::chrono::milliseconds slice(50);
  for (;;) {
    if (interrupted) return fail(Error::closed());
    Timeout wait = slice;
    if (!deadline.infinite()) wait = std::min(slice, std::chrono::milliseconds(deadline.poll_ms()));
    auto r = t.recv(0, wait);
    if (r || r.error().kind != Error::Kind::timeout || deadline.expired()) return r;
  }
}

}  // namespace

int Socket::Impl::alert_timeout_ms() const { return config ? config->options.alert_timeout.value_or(5000) : 5000; }

void Socket::Impl::close_transport(std::chrono::milliseconds linger) {
  if (!transport) return;
  // Nobody may be reading it when it goes.
  interrupt();
  cv.wait(mu, [this] { return !reading; });
  if (!transport) return;
  if (auto* fd = dynamic_cast<detail::FdTransport*>(transport.get())) {
    detail::linger_close(fd->release(), linger);
  } else {
    (void)transport->close();
  }
  transport.reset();
}

Result<void, Error> Socket::Impl::flush() {
  if (!engine || !transport) return {};
  auto out = engine->pending_output();
  if (out.empty()) return {};
  auto r = transport->send(out);
  // Whatever happened, these bytes are not going out again.
  engine->consume_output(out.size());
  touch();
  if (!r) return fail(transport_error(r.error()));
  return r;
}

void Socket::Impl::touch() {
  last_traffic = std::chrono::steady_clock::now();
  if (hibernation_scheduled || !config || !config->options.hibernate_after) return;
  hibernation_scheduled = true;
  detail::schedule_hibernation(weak_from_this(),
                               last_traffic + std::chrono::milliseconds(*config->options.hibernate_after));
}

void Socket::Impl::check_hibernation() {
  std::lock_guard lock(mu);
  hibernation_scheduled = false;
  if (!transport || !engine || !config || !config->options.hibernate_after) return;
  const auto due = last_traffic + std::chrono::milliseconds(*config->options.hibernate_after);
  if (std::chrono::steady_clock::now() < due) {
    // Traffic came since this check was queued: look again when the new idle time runs out.
    hibernation_scheduled = true;
    detail::schedule_hibernation(weak_from_this(), due);
    return;
  }
  // Idle: what the buffers hold stays, the memory they reserve beyond it goes. The next traffic queues
  // the next check.
  if (inbuf.empty()) std::vector<uint8_t>().swap(inbuf);
  else inbuf.shrink_to_fit();
  engine->hibernate();
}

size_t Socket::Impl::buffer_bytes() const {
  return inbuf.capacity() + (engine ? engine->buffer_capacity() : 0);
}

Error Socket::Impl::fail_with(Error e) {
  if (!error) detail::log_alert(role, !config || config->options.log_alert, e);
  (void)flush();
  if (transport) {
    if (e.kind == Error::Kind::tls_alert && e.alert_sent) {
      // The spec: after sending a fatal alert, give the peer alert_timeout to read it and close.
      (void)transport->shutdown(ShutdownHow::write);
      close_transport(std::chrono::milliseconds(alert_timeout_ms()));
    } else {
      close_transport(std::chrono::milliseconds(0));
    }
  }
  inbuf.clear();
  write_shut = read_shut = true;
  error = e;
  return e;
}

void Socket::Impl::answer_close() {
  if (write_shut || !transport || !*opts.exit_on_close) return;
  // RFC 5246 7.2.1: each party answers close_notify with its own and closes down.
  if (engine) {
    engine->close();
    (void)flush();
  }
  (void)transport->shutdown(ShutdownHow::write);
  write_shut = true;
}

void Socket::Impl::feed_input(bool at_end) {
  size_t used = 0;
  if (at_end) {
    // At the end whatever is left (a truncated record) goes to the engine, which tells truncation apart.
    if (!engine->peer_closed()) {
      used = inbuf.size();
      engine->feed(codec::ByteView(inbuf.data(), used));
    }
  } else {
    // Whole records, one at a time, during the handshake too: nothing after the peer's close_notify is
    // fed, and an incomplete record stays here. Were it fed, the engine would hold its start, and the
    // records after a handshake that completed in the same read (a server's Finished with data behind
    // it) would be framed here from the middle of a record. A header the engine refuses goes to it at
    // once, for its alert.
    while (!engine->peer_closed() && !engine->error() && inbuf.size() - used >= record_header) {
      const uint8_t type = inbuf[used];
      const size_t len = size_t{inbuf[used + 3]} << 8 | inbuf[used + 4];
      const bool refused = type < 20 || type > 24 || inbuf[used + 1] != 3 || len > codec::max_ciphertext;
      if (refused) {
        engine->feed(codec::ByteView(inbuf.data() + used, inbuf.size() - used));
        used = inbuf.size();
        break;
      }
      if (inbuf.size() - used < record_header + len) break;
      engine->feed(codec::ByteView(inbuf.data() + used, record_header + len));
      used += record_header + len;
    }
  }
  inbuf.erase(inbuf.begin(), inbuf.begin() + static_cast<std::ptrdiff_t>(used));
}

Result<void, Error> Socket::Impl::pump(const detail::Deadline& deadline) {
  if (!transport || eof || interrupted) return fail(Error::closed());
  if (reading) {
    // Another thread reads: what it reads is fed to the engine, for everyone.
    if (deadline.infinite()) {
      cv.wait(mu);
    } else {
      if (deadline.expired()) return fail(Error::timeout());
      cv.wait_for(mu, std::chrono::milliseconds(std::max(deadline.poll_ms(), 1)));
    }
    return {};
  }
  reading = true;
  Transport& t = *transport;
  mu.unlock();
  auto n = read_transport(t, wake_fd, interrupted, deadline);
  mu.lock();
  reading = false;
  cv.notify_all();
  if (!transport) return fail(Error::closed());
  if (n) {
    // Bytes read are kept even when the read was interrupted: the downgrade that stopped the reader
    // goes on from them (they may hold the peer's close_notify).
    inbuf.insert(inbuf.end(), n->begin(), n->end());
    touch();
  }
  if (interrupted) return fail(Error::closed());
  if (!n) {
    if (n.error().kind != Error::Kind::closed) return fail(transport_error(n.error()));
    eof = true;
    feed_input(true);
    // The engine counts the transport's end as the peer's close too: remember which came first.
    eof_first = !engine->peer_closed();
    engine->end_of_input();
    return fail(Error::closed());
  }
  feed_input(false);
  if (const auto& err = engine->error()) return fail(fail_with(*err));
  // A close_notify is answered when the application reads past it (recv) or closes, so that data that
  // arrived with it can still be answered first.
  return flush();
}

Result<void, Error> Socket::Impl::handshake(std::shared_ptr<const Config> cfg, const detail::Deadline& deadline) {
  if (engine || !transport) return fail(Error::other("badarg"));
  config = std::move(cfg);
  engine = std::make_unique<Engine>(config, peer);
  engine->answer_close_notify(*opts.exit_on_close);
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
  // Records that came with the last flight (data after Finished) are fed now, one at a time.
  feed_input(false);
  if (const auto& err = engine->error()) return fail(fail_with(*err));
  auto f = flush();
  start_reader();
  return f;
}

}  // namespace essl

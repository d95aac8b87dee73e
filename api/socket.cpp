// Socket: send, recv, close, shutdown and the queries, over Socket::Impl.
#include <algorithm>
#include <mutex>

#include "api/linger.hpp"
#include "api/socket_impl.hpp"
#include "api/transports.hpp"

namespace essl {

Socket::Socket() = default;
Socket::Socket(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Socket::~Socket() { (void)close(); }
Socket::Socket(Socket&&) noexcept = default;
Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    (void)close();
    impl_ = std::move(o.impl_);
  }
  return *this;
}

bool Socket::is_open() const {
  if (!impl_) return false;
  std::lock_guard lock(impl_->mu);
  return impl_->open();
}

int Socket::native_handle() const {
  if (!impl_) return -1;
  std::lock_guard lock(impl_->mu);
  return impl_->open() ? impl_->transport->native_handle() : -1;
}

SocketId Socket::id() const { return impl_ ? impl_->id : 0; }

namespace {

// Why an operation that needs an established connection cannot run.
Error unusable(const Socket::Impl* s) {
  if (s && s->error) return *s->error;
  if (s && s->open() && !s->engine) return Error::other("not_connected");
  return Error::closed();
}

}  // namespace

Result<void, Error> Socket::send(std::span<const uint8_t> data) {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  Impl& s = *impl_;
  if (!s.open() || !s.connected() || s.error) return fail(unusable(&s));
  if (s.write_shut) return fail(Error::closed());
  // {packet, 1 | 2 | 4}: the length goes in front, big-endian.
  std::vector<uint8_t> framed;
  if (const size_t h = *s.opts.packet == Packet::one ? 1 : *s.opts.packet == Packet::two ? 2
                       : *s.opts.packet == Packet::four ? 4 : 0) {
    if (h < 4 && data.size() >= (size_t{1} << (8 * h))) return fail(Error::other("emsgsize"));
    if (h == 4 && data.size() > 0xffffffffu) return fail(Error::other("emsgsize"));
    framed.resize(h);
    for (size_t i = 0; i < h; ++i) framed[i] = uint8_t(data.size() >> (8 * (h - 1 - i)));
    framed.insert(framed.end(), data.begin(), data.end());
    data = framed;
  }
  if (auto r = s.engine->send(data); !r) {
    if (const auto& err = s.engine->error()) return fail(s.fail_with(*err));
    return r;
  }
  return s.flush();
}

Result<void, Error> Socket::send(std::string_view data) {
  return send(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Res<Data> Socket::recv(size_t length, Timeout timeout) {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  Impl& s = *impl_;
  if (!s.connected()) return fail(unusable(&s));
  // recv is for passive sockets only.
  if (s.opts.active->kind() != Active::Kind::off) return fail(Error::other("einval"));
  detail::Deadline deadline(timeout);
  for (;;) {
    auto p = s.take_packet(*s.opts.packet == Packet::raw ? length : 0);
    if (!p) {
      s.ended = true;
      return fail(s.fail_with(p.error()));
    }
    if (*p) return std::move(**p);
    std::optional<Error> end;
    if (s.error) {
      end = *s.error;
    } else if (const auto& err = s.engine->error()) {
      end = s.fail_with(*err);
    } else if (s.engine->peer_closed() || s.eof || s.read_shut || s.interrupted || !s.open()) {
      s.answer_close();
      end = Error::closed();
    }
    if (end) {
      // Bytes short of `length` are discarded: a later recv does not return data after this answer.
      s.engine->consume_app_data(s.engine->app_data().size());
      // The owner has been told: turning active later does not report the end again as an event.
      s.ended = true;
      return fail(*end);
    }
    auto r = s.pump(deadline);
    // `closed` and a fatal error (now in s.error) are decided at the top of the loop, after any data that
    // came with them.
    if (!r && r.error().kind != Error::Kind::closed && !s.error) return fail(r.error());
  }
}

Result<void, Error> Socket::renegotiate(Timeout timeout) {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  Impl& s = *impl_;
  if (!s.connected() || s.error) return fail(unusable(&s));
  if (s.write_shut) return fail(Error::closed());
  detail::Deadline deadline(timeout);
  const uint32_t done = s.engine->handshakes_completed(), rejected = s.engine->renegotiations_rejected();
  if (auto r = s.engine->renegotiate(); !r) {
    if (const auto& err = s.engine->error()) return fail(s.fail_with(*err));
    return r;
  }
  if (auto f = s.flush(); !f) return fail(s.fail_with(f.error()));
  while (s.engine->handshakes_completed() == done) {
    if (s.engine->renegotiations_rejected() != rejected) return fail(Error::other("renegotiation_rejected"));
    if (s.error) return fail(*s.error);
    if (const auto& err = s.engine->error()) return fail(s.fail_with(*err));
    if (s.engine->peer_closed() || s.eof) return fail(Error::closed());
    if (auto r = s.pump(deadline); !r && !s.error) return fail(r.error());
  }
  return {};
}

Result<void, Error> Socket::close() {
  if (!impl_) return {};
  std::lock_guard lock(impl_->mu);
  Impl& s = *impl_;
  s.stop_reader();
  // Nothing is read after close: recv answers `closed` (or the error), not data still buffered.
  if (s.engine) s.engine->consume_app_data(s.engine->app_data().size());
  s.inbuf.clear();
  if (!s.open()) return {};
  if (s.connected() && !s.write_shut && !s.error) {
    s.engine->close();
    (void)s.flush();
    s.write_shut = true;
  }
  (void)s.transport->shutdown(ShutdownHow::write);
  // A descriptor closes once the peer has closed too (at most alert_timeout later), in the background.
  s.close_transport(std::chrono::milliseconds(s.connected() ? s.alert_timeout_ms() : 0));
  s.read_shut = true;
  return {};
}

Res<std::unique_ptr<Transport>> Socket::close(Owner new_controller, Timeout timeout) {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  Impl& s = *impl_;
  if (!s.connected() || s.error || !s.open()) return fail(unusable(&s));
  if (!new_controller) return fail(Error::other("badarg"));
  // Nothing is delivered any more: the transport's bytes after the peer's close_notify are handed back.
  s.stop_reader();
  s.clear_interrupt();
  // What the stopped reader read and did not feed yet.
  s.feed_input(false);
  detail::Deadline deadline(timeout);
  // What the application has not read is not read any more.
  s.engine->consume_app_data(s.engine->app_data().size());
  if (!s.write_shut) {
    s.engine->close();
    if (auto f = s.flush(); !f) return fail(s.fail_with(f.error()));
    s.write_shut = true;
  }
  while (!s.engine->peer_closed()) {
    s.engine->consume_app_data(s.engine->app_data().size());
    if (s.error) return fail(*s.error);
    if (const auto& err = s.engine->error()) return fail(s.fail_with(*err));
    auto r = s.pump(deadline);
    if (!r) {
      if (s.error) return fail(*s.error);
      return fail(s.fail_with(r.error()));
    }
  }
  if (s.eof) return fail(s.fail_with(Error::closed()));
  if (const auto& err = s.engine->error()) return fail(s.fail_with(*err));
  s.engine->consume_app_data(s.engine->app_data().size());
  // The engine answered nothing (our close_notify went first); what followed the peer's is plaintext.
  s.cv.wait(s.mu, [&s] { return !s.reading; });
  std::unique_ptr<Transport> t = std::move(s.transport);
  if (!s.inbuf.empty()) t = std::make_unique<detail::PrefixedTransport>(std::move(t), std::move(s.inbuf));
  s.inbuf.clear();
  s.read_shut = true;
  TransportOptions plain;
  plain.active = false;
  plain.packet = 0;
  plain.mode = TransportOptions::Mode::binary;
  if (auto r = t->setopts(plain); !r) return fail(r.error());
  if (auto r = t->controlling_process(new_controller); !r) return fail(r.error());
  return t;
}

Result<void, Error> Socket::shutdown(ShutdownHow how) {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  Impl& s = *impl_;
  if (!s.open()) return fail(unusable(&s));
  if (how != ShutdownHow::read && !s.write_shut) {
    if (s.connected() && !s.error) {
      s.engine->close();
      if (auto f = s.flush(); !f) return f;
    }
    (void)s.transport->shutdown(ShutdownHow::write);
    s.write_shut = true;
  }
  if (how != ShutdownHow::write && !s.read_shut) {
    s.read_shut = true;
    // A thread reading stops; an active socket tells its owner it is closed.
    s.interrupt();
    s.cv.wait(s.mu, [&s] { return !s.reading; });
    (void)s.transport->shutdown(ShutdownHow::read);
  }
  return {};
}

Res<Address> Socket::peername() const {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  if (!impl_->open()) return fail(unusable(impl_.get()));
  return impl_->transport->peername();
}

Res<Address> Socket::sockname() const {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  if (!impl_->open()) return fail(unusable(impl_.get()));
  return impl_->transport->sockname();
}

Res<std::vector<uint8_t>> Socket::peercert() const {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  if (!impl_->connected()) return fail(unusable(impl_.get()));
  const auto& chain = impl_->engine->peer_certificates();
  if (chain.empty()) return fail(Error::other("no_peercert"));
  return std::vector<uint8_t>(chain.front().begin(), chain.front().end());
}

Res<ConnectionInfo> Socket::connection_information() const {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  if (!impl_->connected()) return fail(unusable(impl_.get()));
  return impl_->engine->info();
}

Res<std::string> Socket::negotiated_protocol() const {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  if (!impl_->connected()) return fail(unusable(impl_.get()));
  const auto& p = impl_->engine->negotiated_protocol();
  if (!p) return fail(Error::other("protocol_not_negotiated"));
  return *p;
}

Owner Socket::owner() const {
  if (!impl_) return nullptr;
  std::lock_guard lock(impl_->mu);
  return impl_->owner;
}

Result<void, Error> Socket::controlling_process(Owner new_owner) {
  if (!impl_) return fail(Error::closed());
  if (!new_owner) return fail(Error::other("badarg"));
  std::lock_guard lock(impl_->mu);
  Impl& s = *impl_;
  if (!s.owner || s.owner->thread() != std::this_thread::get_id()) return fail(Error::other("not_owner"));
  s.owner = std::move(new_owner);
  return {};
}

Result<void, Error> Socket::setopts(const SocketOpts& o) {
  if (!impl_) return fail(Error::closed());
  if (auto v = validate_socket_opts(o); !v) return v;
  std::unique_lock lock(impl_->mu);
  Impl& s = *impl_;
  if (!s.open() && !s.connected()) return fail(unusable(&s));
  if (o.nodelay && s.open()) {
    TransportOptions t;
    t.nodelay = o.nodelay;
    if (auto r = s.transport->setopts(t); !r) return r;
  }
  SocketOpts next = merge_socket_opts(s.opts, o);
  bool now_passive = false;
  if (o.active && o.active->kind() == Active::Kind::count) {
    // {active, N} adds to the counter; at 0 or below the socket turns passive ({ssl_passive, S}).
    const int before = s.opts.active->kind() == Active::Kind::count ? s.opts.active->n() : 0;
    const int n = before + o.active->n();
    if (n > 0) {
      next.active = Active::count(std::min(n, 32767));
    } else {
      next.active = Active(false);
      now_passive = true;
    }
  }
  s.opts = next;
  if (s.engine) s.engine->answer_close_notify(*s.opts.exit_on_close);
  s.start_reader();
  s.cv.notify_all();
  if (Owner to = s.owner; now_passive && to) {
    Event e;
    e.kind = Event::Kind::passive;
    e.socket = s.id;
    lock.unlock();
    to->deliver(std::move(e));
  }
  return {};
}

Res<SocketOpts> Socket::getopts() const {
  if (!impl_) return fail(Error::closed());
  std::lock_guard lock(impl_->mu);
  if (!impl_->open() && !impl_->connected()) return fail(unusable(impl_.get()));
  SocketOpts o = impl_->opts;
  if (impl_->open())
    if (auto t = impl_->transport->getopts(); t && t->nodelay) o.nodelay = t->nodelay;
  return o;
}

}  // namespace essl

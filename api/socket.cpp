// Socket: send, recv, close, shutdown and the queries, over Socket::Impl.
#include <algorithm>

#include "api/linger.hpp"
#include "api/socket_impl.hpp"
#include "api/transports.hpp"

namespace essl {

Socket::Socket() = default;
Socket::Socket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Socket::~Socket() { (void)close(); }
Socket::Socket(Socket&&) noexcept = default;
Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    (void)close();
    impl_ = std::move(o.impl_);
  }
  return *this;
}

bool Socket::is_open() const { return impl_ && impl_->open(); }
int Socket::native_handle() const { return is_open() ? impl_->transport->native_handle() : -1; }

namespace {

// Why an operation that needs an established connection cannot run.
Error unusable(const Socket::Impl* s) {
  if (s && s->error) return *s->error;
  if (s && s->open() && !s->engine) return Error::other("not_connected");
  return Error::closed();
}

}  // namespace

Result<void, Error> Socket::send(std::span<const uint8_t> data) {
  if (!is_open() || !impl_->connected() || impl_->error) return fail(unusable(impl_.get()));
  if (impl_->write_shut) return fail(Error::closed());
  if (auto r = impl_->engine->send(data); !r) {
    if (const auto& err = impl_->engine->error()) return fail(impl_->fail_with(*err));
    return r;
  }
  return impl_->flush();
}

Result<void, Error> Socket::send(std::string_view data) {
  return send(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Res<std::vector<uint8_t>> Socket::recv(size_t length, Timeout timeout) {
  if (!impl_ || !impl_->connected()) return fail(unusable(impl_.get()));
  detail::Deadline deadline(timeout);
  Impl& s = *impl_;
  for (;;) {
    auto av = s.engine->app_data();
    if (length == 0 ? !av.empty() : av.size() >= length) {
      size_t n = length == 0 ? av.size() : length;
      std::vector<uint8_t> out(av.begin(), av.begin() + static_cast<std::ptrdiff_t>(n));
      s.engine->consume_app_data(n);
      return out;
    }
    std::optional<Error> end;
    if (s.error) {
      end = *s.error;
    } else if (const auto& err = s.engine->error()) {
      end = s.fail_with(*err);
    } else if (s.engine->peer_closed() || s.eof || s.read_shut || !s.open()) {
      s.answer_close();
      end = Error::closed();
    }
    if (end) {
      // Bytes short of `length` are discarded: a later recv does not return data after this answer.
      s.engine->consume_app_data(av.size());
      return fail(*end);
    }
    auto r = s.pump(deadline);
    // `closed` and a fatal error (now in s.error) are decided at the top of the loop, after any data that
    // came with them.
    if (!r && r.error().kind != Error::Kind::closed && !s.error) return fail(r.error());
  }
}

Result<void, Error> Socket::renegotiate(Timeout timeout) {
  if (!impl_ || !impl_->connected() || impl_->error) return fail(unusable(impl_.get()));
  if (impl_->write_shut) return fail(Error::closed());
  Impl& s = *impl_;
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
  Impl& s = *impl_;
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
  if (!impl_ || !impl_->connected() || impl_->error || !impl_->open()) return fail(unusable(impl_.get()));
  Impl& s = *impl_;
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
  if (!is_open()) return fail(unusable(impl_.get()));
  Impl& s = *impl_;
  if (how != ShutdownHow::read && !s.write_shut) {
    if (s.connected() && !s.error) {
      s.engine->close();
      if (auto f = s.flush(); !f) return f;
    }
    (void)s.transport->shutdown(ShutdownHow::write);
    s.write_shut = true;
  }
  if (how != ShutdownHow::write && !s.read_shut) {
    (void)s.transport->shutdown(ShutdownHow::read);
    s.read_shut = true;
  }
  return {};
}

Res<Address> Socket::peername() const {
  if (!is_open()) return fail(unusable(impl_.get()));
  return impl_->transport->peername();
}

Res<Address> Socket::sockname() const {
  if (!is_open()) return fail(unusable(impl_.get()));
  return impl_->transport->sockname();
}

Res<std::vector<uint8_t>> Socket::peercert() const {
  if (!impl_ || !impl_->connected()) return fail(unusable(impl_.get()));
  const auto& chain = impl_->engine->peer_certificates();
  if (chain.empty()) return fail(Error::other("no_peercert"));
  return std::vector<uint8_t>(chain.front().begin(), chain.front().end());
}

Res<ConnectionInfo> Socket::connection_information() const {
  if (!impl_ || !impl_->connected()) return fail(unusable(impl_.get()));
  return impl_->engine->info();
}

Res<std::string> Socket::negotiated_protocol() const {
  if (!impl_ || !impl_->connected()) return fail(unusable(impl_.get()));
  const auto& p = impl_->engine->negotiated_protocol();
  if (!p) return fail(Error::other("protocol_not_negotiated"));
  return *p;
}

}  // namespace essl

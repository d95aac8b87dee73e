// The library's transports: descriptors (TCP, Unix-domain), the in-memory pipe, and the wrapper that hands
// back a downgraded transport with the bytes already read from it in front.
#pragma once
#include <memory>
#include <vector>

#include "api/deadline.hpp"
#include "api/tcp.hpp"
#include "essl/transport.hpp"

namespace essl::detail {

// A connected stream socket descriptor: TCP or Unix-domain.
class FdTransport final : public Transport {
 public:
  explicit FdTransport(tcp::Fd fd) : fd_(std::move(fd)) {}
  Result<void, Error> send(std::span<const uint8_t> data) override;
  Res<std::vector<uint8_t>> recv(size_t length, Timeout timeout) override;
  Result<void, Error> close() override;
  Result<void, Error> shutdown(ShutdownHow how) override;
  Res<Address> peername() const override;
  Res<Address> sockname() const override;
  Result<void, Error> setopts(const TransportOptions& options) override;
  int native_handle() const override { return fd_.get(); }
  // The descriptor, for the lingering close.
  tcp::Fd release() { return std::move(fd_); }

 private:
  tcp::Fd fd_;
};

// A transport whose first bytes were already read from it: they come first.
class PrefixedTransport final : public Transport {
 public:
  PrefixedTransport(std::unique_ptr<Transport> inner, std::vector<uint8_t> prefix)
      : inner_(std::move(inner)), prefix_(std::move(prefix)) {}
  Result<void, Error> send(std::span<const uint8_t> data) override { return inner_->send(data); }
  Res<std::vector<uint8_t>> recv(size_t length, Timeout timeout) override;
  Result<void, Error> close() override {
    prefix_.clear();
    return inner_->close();
  }
  Result<void, Error> shutdown(ShutdownHow how) override { return inner_->shutdown(how); }
  Res<Address> peername() const override { return inner_->peername(); }
  Res<Address> sockname() const override { return inner_->sockname(); }
  Result<void, Error> controlling_process(Owner o) override {
    owner_ = o;
    return inner_->controlling_process(o);
  }
  Result<void, Error> setopts(const TransportOptions& o) override { return inner_->setopts(o); }
  Res<TransportOptions> getopts() const override { return inner_->getopts(); }
  // No descriptor to poll while bytes are waiting here.
  int native_handle() const override { return prefix_.empty() ? inner_->native_handle() : -1; }

 private:
  std::unique_ptr<Transport> inner_;
  std::vector<uint8_t> prefix_;
};

// What is left of a deadline, as a transport timeout.
inline Timeout remaining(const Deadline& d) {
  if (d.infinite()) return infinity;
  return std::chrono::milliseconds(d.poll_ms());
}

}  // namespace essl::detail

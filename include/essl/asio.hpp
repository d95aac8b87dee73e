// essl::asio::stream<NextLayer>: TLS over any asio stream, in the style of asio::ssl::stream.
// Header-only over essl::Tls (essl/tls.hpp); needs standalone asio (Debian: libasio-dev).
//
//   auto cfg = essl::TlsConfig::client(options).value();
//   essl::asio::stream<asio::ip::tcp::socket> s(io, cfg, "example.com", 443);
//   co_await / callbacks:  s.next_layer().async_connect(...);
//                          s.async_handshake(essl::asio::stream_base::client, h);
//                          s.async_write_some(buffers, h); s.async_read_some(buffers, h);
//                          s.async_shutdown(h);
//
// As with asio::ssl::stream: at most one read (async_read_some, or a handshake or shutdown) and one
// write (async_write_some) may be outstanding at a time, and the stream is used from one implicit or
// explicit strand. A read and a write may run at once: the records both produce are written in order,
// one write to the next layer at a time.
//
// Errors: the next layer's errors as they are; TLS errors in essl::tls_category() (essl/tls.hpp): a
// fatal alert sent or received, `stream_truncated` for a transport end without close_notify. The full
// essl::Error is tls_error(). A read after the peer's close_notify completes with asio::error::eof.
// Data a write accepted (the size it completes with) is in records already written to the next layer.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <asio.hpp>

#include "essl/tls.hpp"

namespace essl::asio {

class stream_base {
 public:
  enum handshake_type { client, server };
};

namespace detail {

// What an operation needs next: write what the engine produced, read more input, or complete.
enum class want { done, write, read };

// The engine, the input buffer and the copy of the output being written (the engine's own buffer may
// grow while a write is in flight).
struct core {
  explicit core(Tls t) : tls(std::move(t)), in(17 * 1024) {}
  Tls tls;
  std::vector<uint8_t> in;
  std::vector<uint8_t> out;
  bool eof = false;
  bool truncated = false;  // the transport ended before the peer's close_notify
  bool writing = false;  // a write to the next layer is in flight
  bool reading = false;  // a read from the next layer is in flight

  bool output_pending() const { return !tls.pending_output().empty(); }
  // Moves the engine's output into `out` for one write.
  void take_output() {
    auto p = tls.pending_output();
    out.assign(p.begin(), p.end());
    tls.consume_output(p.size());
  }
  void input(std::error_code ec, size_t n) {
    if (!ec) {
      tls.feed(std::span<const uint8_t>(in.data(), n));
    } else {
      eof = true;
      truncated = !tls.peer_closed() && !tls.error();
      tls.end_of_input();
    }
  }
  // The connection's error; `closed` here is always a transport end without close_notify.
  std::error_code tls_error() const {
    if (!tls.error()) return {};
    if (tls.error()->kind == Error::Kind::closed) return make_error_code(tls_errc::stream_truncated);
    return make_error_code(*tls.error());
  }
};

struct handshake_step {
  static constexpr bool sized = false;
  bool server;
  want next(core& c, std::error_code& ec, size_t&) {
    if (c.tls.is_server() != server) {
      ec = ::asio::error::invalid_argument;
      return want::done;
    }
    c.tls.start();
    if (c.output_pending()) return want::write;
    if ((ec = c.tls_error())) return want::done;
    if (c.tls.handshake_done()) return want::done;
    if (c.eof) {
      ec = make_error_code(tls_errc::stream_truncated);
      return want::done;
    }
    return want::read;
  }
};

template <class Buffers>
struct read_step {
  static constexpr bool sized = true;
  Buffers buffers;
  want next(core& c, std::error_code& ec, size_t& n) {
    if (::asio::buffer_size(buffers) == 0) return want::done;
    if (c.output_pending()) return want::write;  // answers (close_notify, renegotiation) go out first
    if (auto data = c.tls.app_data(); !data.empty()) {
      n = ::asio::buffer_copy(buffers, ::asio::buffer(data.data(), data.size()));
      c.tls.consume_app_data(n);
      return want::done;
    }
    if ((ec = c.tls_error())) return want::done;
    if (c.tls.peer_closed()) {
      ec = c.truncated ? make_error_code(tls_errc::stream_truncated) : ::asio::error::eof;
      return want::done;
    }
    if (c.eof) {
      ec = make_error_code(tls_errc::stream_truncated);
      return want::done;
    }
    return want::read;
  }
};

template <class Buffers>
struct write_step {
  static constexpr bool sized = true;
  // At most this much plaintext per operation (four full records).
  static constexpr size_t max_chunk = 4 * 16384;
  Buffers buffers;
  std::optional<size_t> accepted;
  std::vector<uint8_t> chunk;
  want next(core& c, std::error_code& ec, size_t& n) {
    if (!accepted) {
      if ((ec = c.tls_error())) return want::done;
      if (!c.tls.handshake_done()) {
        ec = ::asio::error::not_connected;
        return want::done;
      }
      const size_t size = std::min(::asio::buffer_size(buffers), max_chunk);
      chunk.resize(size);
      ::asio::buffer_copy(::asio::buffer(chunk), buffers);
      if (auto r = c.tls.send(std::span<const uint8_t>(chunk)); !r) {
        ec = make_error_code(r.error());
        return want::done;
      }
      accepted = size;
      chunk = {};
    }
    if (c.output_pending()) return want::write;
    n = *accepted;
    return want::done;
  }
};

struct shutdown_step {
  static constexpr bool sized = false;
  bool started = false;
  want next(core& c, std::error_code& ec, size_t&) {
    if (!started) {
      started = true;
      c.tls.close();
    }
    if (c.output_pending()) return want::write;
    if (c.tls.peer_closed()) {
      if (c.truncated) ec = make_error_code(tls_errc::stream_truncated);
      return want::done;
    }
    if ((ec = c.tls_error())) return want::done;
    if (c.eof) {
      ec = make_error_code(tls_errc::stream_truncated);
      return want::done;
    }
    c.tls.consume_app_data(c.tls.app_data().size());  // data after our close_notify is dropped
    return want::read;
  }
};

}  // namespace detail

template <class NextLayer>
class stream : public stream_base {
 public:
  using next_layer_type = std::remove_reference_t<NextLayer>;
  using lowest_layer_type = typename next_layer_type::lowest_layer_type;
  using executor_type = typename next_layer_type::executor_type;

  // arg constructs the next layer (an io_context or executor for a socket, or a socket to move in);
  // host and port: a client's peer (server_name_indication and the session cache key), a server's peer
  // address for log lines.
  template <class Arg>
  stream(Arg&& arg, const TlsConfig& config, std::string host = {}, uint16_t port = 0)
      : next_(std::forward<Arg>(arg)),
        core_(Tls(config, std::move(host), port)),
        write_gate_(next_.get_executor()),
        read_gate_(next_.get_executor()) {
    write_gate_.expires_at(std::chrono::steady_clock::time_point::max());
    read_gate_.expires_at(std::chrono::steady_clock::time_point::max());
  }

  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() { return next_; }
  const next_layer_type& next_layer() const { return next_; }
  lowest_layer_type& lowest_layer() { return next_.lowest_layer(); }
  // The connection: connection_information, negotiated_protocol, peer_certificates, renegotiate.
  Tls& native_handle() { return core_.tls; }
  const std::optional<Error>& tls_error() const { return core_.tls.error(); }

  // ---- asynchronous ----

  template <class Handler>
  auto async_handshake(handshake_type type, Handler&& handler) {
    return run<void(std::error_code)>(detail::handshake_step{type == server}, std::forward<Handler>(handler));
  }
  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return run<void(std::error_code, size_t)>(detail::read_step<MutableBuffers>{buffers},
                                              std::forward<Handler>(handler));
  }
  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return run<void(std::error_code, size_t)>(detail::write_step<ConstBuffers>{buffers, {}, {}},
                                              std::forward<Handler>(handler));
  }
  // Sends close_notify and waits for the peer's.
  template <class Handler>
  auto async_shutdown(Handler&& handler) {
    return run<void(std::error_code)>(detail::shutdown_step{}, std::forward<Handler>(handler));
  }

  // ---- blocking ----

  void handshake(handshake_type type, std::error_code& ec) {
    detail::handshake_step s{type == server};
    drive(s, ec);
  }
  template <class MutableBuffers>
  size_t read_some(const MutableBuffers& buffers, std::error_code& ec) {
    detail::read_step<MutableBuffers> s{buffers};
    return drive(s, ec);
  }
  template <class ConstBuffers>
  size_t write_some(const ConstBuffers& buffers, std::error_code& ec) {
    detail::write_step<ConstBuffers> s{buffers, {}, {}};
    return drive(s, ec);
  }
  void shutdown(std::error_code& ec) {
    detail::shutdown_step s;
    drive(s, ec);
  }
  void handshake(handshake_type type) {
    handshake(type, last_ec_);
    throw_if(last_ec_);
  }
  template <class MutableBuffers>
  size_t read_some(const MutableBuffers& buffers) {
    size_t n = read_some(buffers, last_ec_);
    throw_if(last_ec_);
    return n;
  }
  template <class ConstBuffers>
  size_t write_some(const ConstBuffers& buffers) {
    size_t n = write_some(buffers, last_ec_);
    throw_if(last_ec_);
    return n;
  }
  void shutdown() {
    shutdown(last_ec_);
    throw_if(last_ec_);
  }

 private:
  static void throw_if(const std::error_code& ec) {
    if (ec) throw std::system_error(ec);
  }

  template <class Step>
  size_t drive(Step& step, std::error_code& ec) {
    for (;;) {
      ec = {};
      size_t n = 0;
      switch (step.next(core_, ec, n)) {
        case detail::want::done:
          return n;
        case detail::want::write:
          core_.take_output();
          ::asio::write(next_, ::asio::buffer(core_.out), ec);
          if (ec) return 0;
          break;
        case detail::want::read: {
          std::error_code rec;
          size_t got = next_.read_some(::asio::buffer(core_.in), rec);
          if (rec && rec != ::asio::error::eof) {
            ec = rec;
            return 0;
          }
          core_.input(rec, got);
          break;
        }
      }
    }
  }

  // One asynchronous operation: asks the step what it needs, does it, asks again. Writes and reads of
  // the next layer are one at a time each; an operation that finds one in flight waits on its gate
  // (a timer that never expires, cancelled when the write or read completes).
  template <class Step>
  struct op {
    stream& s;
    Step step;
    enum class at { start, writing, reading, waiting, posted } where = at::start;
    std::error_code result{};
    size_t result_n = 0;

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, size_t n = 0) {
      detail::core& c = s.core_;
      switch (where) {
        case at::writing:
          c.writing = false;
          s.write_gate_.cancel();
          if (ec) return finish(self, ec, 0);
          break;
        case at::reading:
          c.reading = false;
          s.read_gate_.cancel();
          if (ec && ec != ::asio::error::eof) return finish(self, ec, 0);
          c.input(ec, n);
          break;
        case at::posted:
          return finish(self, result, result_n);
        case at::start:
        case at::waiting:
          break;
      }
      const bool first = where == at::start;
      std::error_code out_ec;
      size_t out_n = 0;
      switch (step.next(c, out_ec, out_n)) {
        case detail::want::done:
          if (first) {
            // Completing inside the initiating call would run the handler there: post it instead.
            result = out_ec;
            result_n = out_n;
            where = at::posted;
            ::asio::post(s.get_executor(), std::move(self));
            return;
          }
          return finish(self, out_ec, out_n);
        case detail::want::write:
          if (c.writing) return wait(self, s.write_gate_);
          c.writing = true;
          c.take_output();
          where = at::writing;
          ::asio::async_write(s.next_, ::asio::buffer(c.out), std::move(self));
          return;
        case detail::want::read:
          if (c.reading) return wait(self, s.read_gate_);
          c.reading = true;
          where = at::reading;
          s.next_.async_read_some(::asio::buffer(c.in), std::move(self));
          return;
      }
    }

    template <class Self>
    void wait(Self& self, ::asio::steady_timer& gate) {
      where = at::waiting;
      gate.async_wait(std::move(self));
    }
    template <class Self>
    static void finish(Self& self, std::error_code ec, size_t n) {
      if constexpr (Step::sized)
        self.complete(ec, n);
      else
        self.complete(ec);
    }
  };

  template <class Signature, class Step, class Handler>
  auto run(Step step, Handler&& handler) {
    return ::asio::async_compose<Handler, Signature>(op<Step>{*this, std::move(step)}, handler, next_);
  }

  next_layer_type next_;
  detail::core core_;
  ::asio::steady_timer write_gate_;
  ::asio::steady_timer read_gate_;
  std::error_code last_ec_;
};

}  // namespace essl::asio

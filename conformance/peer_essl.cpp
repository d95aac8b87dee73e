// essl against itself, in this process: the peer side is a second essl endpoint configured from the
// case's peer fields. It stands in for the suites no installed implementation has, so that each of them
// is still exercised through a whole handshake, resumption and client authentication.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "conformance/peer.hpp"
#include "conformance/runner.hpp"

namespace essl::conformance {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The case seen from the peer's side: the other role, with the peer's versions and suites.
Case mirrored(const Case& c) {
  Case m = c;
  m.role = c.role == Role::client ? Role::server : Role::client;
  m.essl_versions = c.peer_versions;
  m.essl_suites = c.peer_suites;
  return m;
}

class Log {
 public:
  void add(const std::string& line) {
    std::lock_guard lock(mu_);
    text_ += line + "\n";
  }
  std::string text() const {
    std::lock_guard lock(mu_);
    return text_;
  }

 private:
  mutable std::mutex mu_;
  std::string text_;
};

std::string describe(const ConnectionInfo& info) {
  return "protocol=" + std::string(info.protocol ? version_atom(*info.protocol) : "none") +
         " suite=" + info.cipher_suite_name + " resumed=" + (info.resumed ? "true" : "false");
}

// Reads until a newline arrives (or the timeout).
std::optional<std::string> read_line(Socket& s) {
  std::string got;
  auto until = Clock::now() + io_timeout;
  while (got.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto data = s.recv(0, left);
    if (!data) return std::nullopt;
    got.append(data->begin(), data->end());
  }
  return got;
}

// Accepts the case's connections on a thread of its own and echoes what each one sends until it closes.
class EsslServer : public PeerServer {
 public:
  EsslServer(ListenSocket ls, size_t conns) : ls_(std::move(ls)) {
    thread_ = std::thread([this, conns] {
      for (size_t n = 0; n < conns && !stop_;) {
        auto s = ls_.transport_accept(100ms);
        if (!s) continue;
        std::string at = "conn " + std::to_string(n++) + " ";
        if (auto h = handshake(*s, io_timeout); !h) {
          log_.add(at + "error " + format_error(h.error()));
          continue;
        }
        auto info = s->connection_information();
        log_.add(at + "ok " + (info ? describe(*info) : format_error(info.error())));
        while (!stop_) {
          auto data = s->recv(0, io_timeout);
          if (!data || !s->send(std::span<const uint8_t>(*data))) break;
        }
        (void)s->close();
      }
    });
  }
  ~EsslServer() override {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const override { return ls_.port(); }
  std::string log() const override { return log_.text(); }

 private:
  ListenSocket ls_;
  Log log_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class EsslPeer : public Peer {
 public:
  PeerId id() const override { return PeerId::essl; }
  std::string availability() override { return {}; }
  std::string cannot(const Case&) const override { return {}; }

  std::unique_ptr<PeerServer> serve(const Case& c, std::string& why) override {
    SocketOptions sock = passive_binary();
    sock.ip = "127.0.0.1";
    auto ls = listen(0, essl_options(mirrored(c)), sock);
    if (!ls) {
      why = "listen: " + format_error(ls.error());
      return nullptr;
    }
    return std::make_unique<EsslServer>(std::move(*ls), c.resume ? 2 : 1);
  }

  // The connections share essl's client session cache (by host and port): the second one offers the
  // first one's session.
  PeerClientRun connect(const Case& c, uint16_t port) override {
    PeerClientRun run;
    const Options o = essl_options(mirrored(c));
    for (size_t n = 0; n < (c.resume ? 2u : 1u); ++n) {
      std::string at = "conn " + std::to_string(n) + " ";
      PeerConnection pc;
      auto s = essl::connect("127.0.0.1", port, o, io_timeout, passive_binary());
      if (!s) {
        run.log += at + "error " + format_error(s.error()) + "\n";
        run.connections.push_back(pc);
        break;
      }
      pc.handshake_ok = true;
      if (auto info = s->connection_information()) {
        pc.resumed = info->resumed;
        run.log += at + "ok " + describe(*info) + "\n";
      }
      const std::string line = probe_line(c, n, "essl peer");
      if (s->send(line)) pc.data_ok = read_line(*s) == line;
      (void)s->close();
      run.connections.push_back(pc);
    }
    return run;
  }
};

}  // namespace

std::unique_ptr<Peer> make_essl_peer() { return std::make_unique<EsslPeer>(); }

}  // namespace essl::conformance

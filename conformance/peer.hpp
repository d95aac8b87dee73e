// Peer adapters: each one expresses a Case (versions, suites, certificates, client authentication,
// resumption) in one TLS implementation's own terms, runs that implementation's server or client on
// loopback, and reads back what it reported.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "conformance/case.hpp"

namespace essl::conformance {

// Every peer exchanges lines: the client sends one line per connection, the server answers it.
inline constexpr std::chrono::milliseconds io_timeout{10000};

// A running peer server; stopped (its process killed or its listener closed) when dropped.
class PeerServer {
 public:
  virtual ~PeerServer() = default;
  virtual uint16_t port() const = 0;
  // The answer this server gives to `line` (a line with its newline).
  virtual std::string answer(const std::string& line) const { return line; }
  // Everything the server reported so far (for alerts and for failure messages).
  virtual std::string log() const = 0;
};

struct PeerConnection {
  bool handshake_ok = false;
  bool data_ok = false;             // the line came back intact
  std::optional<bool> resumed;      // when the peer says so
};

struct PeerClientRun {
  std::vector<PeerConnection> connections;  // one, or two when the case resumes
  std::string log;                          // what the client printed
  std::string error;                        // set when the client could not be run at all
};

class Peer {
 public:
  virtual ~Peer() = default;
  virtual PeerId id() const = 0;
  // Empty when the peer can run here, else why not (binary missing ...).
  virtual std::string availability() = 0;
  // Empty when the peer can express the case, else what it cannot do.
  virtual std::string cannot(const Case& c) const = 0;
  // Starts a server for the case (essl is the client); nullptr with `why` on failure.
  virtual std::unique_ptr<PeerServer> serve(const Case& c, std::string& why) = 0;
  // Runs the client for the case against essl's server on `port`; one connection, or a full one and a
  // resumed one.
  virtual PeerClientRun connect(const Case& c, uint16_t port) = 0;
  // True when `log` shows that the peer received or sent alert `d`.
  virtual bool reports_alert(const std::string& log, AlertDescription d) const;
};

std::unique_ptr<Peer> make_openssl_peer();
std::unique_ptr<Peer> make_gnutls_peer();
std::unique_ptr<Peer> make_botan_peer();
std::unique_ptr<Peer> make_erlang_peer();
std::unique_ptr<Peer> make_essl_peer();
std::unique_ptr<Peer> make_peer(PeerId id);

// Shared helpers for the adapters.
std::string version_list(const std::vector<Version>& vs);  // "tlsv1.2,tlsv1"
bool has_version(const std::vector<Version>& vs, Version v);
// A fresh private directory for one case's files (sessions, policies), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(std::string_view name) const { return dir_ + "/" + std::string(name); }

 private:
  std::string dir_;
};
// The line a client sends on connection `n` of case `c`.
std::string probe_line(const Case& c, size_t n, std::string_view who);

}  // namespace essl::conformance

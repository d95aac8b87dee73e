// Peers that are command-line programs: a server process on a port chosen here, and a client process
// per connection that sends one line from stdin and prints the answer on stdout.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "conformance/child.hpp"
#include "conformance/peer.hpp"

namespace essl::conformance {

class ProcessServer : public PeerServer {
 public:
  using ArgvFor = std::function<std::vector<std::string>(uint16_t port)>;
  using Answer = std::function<std::string(const std::string&)>;
  // Starts argv_for(port) on a free port and waits (bounded) until it listens; a few ports are tried in
  // case another process takes one first. nullptr with `why` on failure.
  static std::unique_ptr<ProcessServer> start(const ArgvFor& argv_for, std::string& why, Answer answer = {});

  uint16_t port() const override { return port_; }
  std::string answer(const std::string& line) const override { return answer_ ? answer_(line) : line; }
  std::string log() const override { return child_->out() + child_->err(); }
  pid_t pid() const { return child_->pid(); }

 private:
  std::unique_ptr<Child> child_;
  uint16_t port_ = 0;
  Answer answer_;
};

struct ClientProcess {
  std::vector<std::string> argv;
  // True once stdout shows a finished handshake.
  std::function<bool(const std::string&)> handshake_done;
  // What stdout says about resumption, if anything.
  std::function<std::optional<bool>(const std::string&)> resumed;
  // Close stdin after the answer arrived (the client then closes the connection).
  bool close_stdin_after = true;
};

// Runs one client connection: waits for the handshake (or the process's end), sends `line`, waits for
// it to come back, then lets the client finish. Appends the client's output to `log`.
PeerConnection run_client_process(const ClientProcess& p, const std::string& line, std::string& log,
                                  std::string& error);

}  // namespace essl::conformance

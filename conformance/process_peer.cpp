// Command-line peers: bounded start, bounded handshake, one line each way, bounded exit.
#include "conformance/process_peer.hpp"

namespace essl::conformance {

using namespace std::chrono_literals;

std::unique_ptr<ProcessServer> ProcessServer::start(const ArgvFor& argv_for, std::string& why, Answer answer) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    uint16_t port = free_port();
    auto child = Child::spawn(argv_for(port), why);
    if (!child) return nullptr;
    if (wait_listening(port, *child, 10s)) {
      std::unique_ptr<ProcessServer> s(new ProcessServer());
      s->child_ = std::move(child);
      s->port_ = port;
      s->answer_ = std::move(answer);
      return s;
    }
    if (child->running()) {
      why = "did not listen within 10 s: " + child->err();
      return nullptr;
    }
    why = "exited before listening: " + child->out() + child->err();
  }
  return nullptr;
}

PeerConnection run_client_process(const ClientProcess& p, const std::string& line, std::string& log,
                                  std::string& error) {
  PeerConnection conn;
  std::string why;
  auto child = Child::spawn(p.argv, why);
  if (!child) {
    error = "cannot start " + p.argv[0] + ": " + why;
    return conn;
  }
  // The handshake is over when the client says so, or failed when it exits first.
  bool done = child->wait_stdout(p.handshake_done, io_timeout);
  if (done) {
    conn.handshake_ok = true;
    if (child->write_stdin(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size()))) {
      conn.data_ok = child->wait_stdout([&](const std::string& o) { return o.find(line) != std::string::npos; },
                                        io_timeout);
    }
  }
  if (p.close_stdin_after || !done) child->close_stdin();
  if (!child->wait_exit(io_timeout)) error = p.argv[0] + " did not exit within 10 s";
  std::string out = child->out();
  if (p.resumed) conn.resumed = p.resumed(out);
  log += out + child->err();
  return conn;
}

}  // namespace essl::conformance

// An essl server and an essl client over loopback, for the API tests.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <string>

#include "essl/essl.hpp"

namespace essl::test {

using namespace std::chrono_literals;

inline std::string data_file(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/" + name;
}

inline Options server_options(const std::string& cert = "server-rsa") {
  Options o;
  o.certfile = data_file(cert + ".pem");
  o.keyfile = data_file(cert + "-key.pem");
  return o;
}

inline Options client_options(const std::string& ca = "ca.pem") {
  Options o;
  o.cacertfile = data_file(ca);
  o.verify = Verify::verify_peer;
  return o;
}

inline std::string text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

// The server's side of one connection, run on another thread: accept and handshake.
struct Accepted {
  Res<Socket> socket = fail(Error::other("not run"));
  Result<void, Error> handshake_result = fail(Error::other("not run"));
};

inline std::future<Accepted> accept_async(ListenSocket& ls) {
  return std::async(std::launch::async, [&ls] {
    Accepted a;
    a.socket = ls.transport_accept(10s);
    if (a.socket) a.handshake_result = handshake(*a.socket, 10s);
    return a;
  });
}

struct Pair {
  ListenSocket ls;
  Socket server, client;
};

// One connection over loopback with both sides' results: a listener on IP, the client connecting to
// HOST (IP unless given; a name is resolved to the listener's address family).
struct Attempt : Pair {
  Res<Socket> connected = fail(Error::other("not run"));
  Accepted accepted;
};

inline Attempt attempt_pair(const Options& server_opts, const Options& client_opts, const std::string& ip = "127.0.0.1",
                            std::string host = {}) {
  Attempt p;
  SocketOptions sock = passive_binary();
  sock.ip = ip;
  auto ls = listen(0, server_opts, sock);
  if (!ls) {
    ADD_FAILURE() << "listen: " << format_error(ls.error());
    return p;
  }
  p.ls = std::move(*ls);
  auto pending = accept_async(p.ls);
  SocketOptions family = passive_binary();
  family.family = ip.find(':') == std::string::npos ? SocketOptions::Family::inet : SocketOptions::Family::inet6;
  p.connected = connect(host.empty() ? ip : host, p.ls.port(), client_opts, 10s, family);
  p.accepted = pending.get();
  if (p.connected) p.client = std::move(*p.connected);
  if (p.accepted.socket && p.accepted.handshake_result) p.server = std::move(*p.accepted.socket);
  return p;
}

// A connected pair; failures are reported and leave the sockets closed.
inline Pair connect_pair(const Options& server_opts, const Options& client_opts, const std::string& ip = "127.0.0.1") {
  Attempt p = attempt_pair(server_opts, client_opts, ip);
  if (!p.connected) ADD_FAILURE() << "connect: " << format_error(p.connected.error());
  if (!p.accepted.socket) ADD_FAILURE() << "accept: " << format_error(p.accepted.socket.error());
  else if (!p.accepted.handshake_result) ADD_FAILURE() << "handshake: " << format_error(p.accepted.handshake_result.error());
  return std::move(static_cast<Pair&>(p));
}

}  // namespace essl::test

// `essl server`: accepts connections one after another; echoes, or with --http answers one request.
// With --concurrent, serves every connection at once on one event loop (echo only).
#include <algorithm>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "tools/commands.hpp"

namespace essl::cli {
namespace {

// Like `openssl s_server -www`: a page that says what was negotiated.
std::string http_page(const Socket& s) {
  std::ostringstream body;
  body << "<HTML><BODY BGCOLOR=\"#ffffff\">\n<pre>\n";
  if (auto info = s.connection_information()) {
    body << describe(*info) << "\n";
    body << "Protocol  : " << (info->protocol ? version_atom(*info->protocol) : "unknown") << "\n";
    body << "Cipher    : " << info->cipher_suite_name << "\n";
    body << "Session-ID: ";
    static const char* hex = "0123456789ABCDEF";
    for (uint8_t b : info->session_id) body << hex[b >> 4] << hex[b & 15];
    body << "\n";
    body << (info->resumed ? "Reused session-id\n" : "New session\n");
  }
  if (auto peer = s.peername()) body << "Peer      : " << peer->ip << " port " << peer->port << "\n";
  body << "Peer cert : " << (s.peercert() ? "presented" : "none") << "\n";
  body << "</pre></BODY></HTML>\r\n";
  return "HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n" + body.str();
}

void serve_http(Socket& s) {
  std::string request;
  // Read the request head (bounded); the content of the request does not matter.
  while (request.find("\r\n\r\n") == std::string::npos && request.find("\n\n") == std::string::npos &&
         request.size() < 65536) {
    auto data = s.recv(0, std::chrono::seconds(30));
    if (!data) return;
    request.append(data->begin(), data->end());
  }
  (void)s.send(http_page(s));
}

void serve_echo(Socket& s) {
  for (;;) {
    auto data = s.recv(0);
    if (!data) {
      if (data.error().kind != Error::Kind::closed) std::cerr << format_error(data.error()) << "\n";
      return;
    }
    if (auto r = s.send(std::span<const uint8_t>(*data)); !r) return;
  }
}

// --concurrent: the echo server on an EventServer. Errors are printed as the blocking server prints
// them; a peer that closes is not an error.
int run_concurrent(const Args& a) {
  if (a.http || a.renegotiate) {
    std::cerr << format_error(Error::options(a.http ? "http" : "renegotiate", "not available with --concurrent")) << "\n";
    return 2;
  }
  EventHandlers h;
  h.on_data = [](Connection& c, std::span<const uint8_t> data) { (void)c.send(data); };
  h.on_closed = [](Connection&, const std::optional<Error>& e) {
    if (e && e->kind != Error::Kind::closed) std::cerr << format_error(*e) << "\n";
  };
  EventOptions ev;
  ev.ip = a.sock.ip;
  ev.max_connections = a.max_connections;
  // An echo holds at most this much for a peer that sends without reading.
  ev.read_pause_bytes = 1 << 20;
  ev.handshake_timeout = std::max(std::chrono::milliseconds(1), a.timeout.value_or(std::chrono::hours(24)));
  // --threads N: N loops, each with its own listen socket on the same port (SO_REUSEPORT); the kernel
  // spreads the connections among them. The first one picks the port when --port is 0.
  ev.reuseport = a.threads > 1;
  std::vector<EventServer> servers;
  for (size_t i = 0; i < a.threads; ++i) {
    auto server = EventServer::listen(servers.empty() ? a.port : servers.front().port(), a.tls, h, ev);
    if (!server) {
      std::cerr << format_error(server.error()) << "\n";
      return server.error().kind == Error::Kind::options ? 2 : 1;
    }
    servers.push_back(std::move(server).value());
  }
  std::vector<Result<void, Error>> results(servers.size());
  // A loop ends only on a transport error of its own: the others are stopped with it.
  auto run_one = [&](size_t i) {
    results[i] = servers[i].run();
    for (auto& s : servers) s.stop();
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < servers.size(); ++i) threads.emplace_back(run_one, i);
  run_one(0);
  for (auto& t : threads) t.join();
  int status = 0;
  for (const auto& r : results)
    if (!r) {
      std::cerr << format_error(r.error()) << "\n";
      status = 1;
    }
  return status;
}

}  // namespace

int run_server(const Args& a) {
  if (a.concurrent) return run_concurrent(a);
  SocketOptions sock = a.sock;
  sock.reuseaddr = true;
  auto ls = listen(a.port, a.tls, sock);
  if (!ls) {
    std::cerr << format_error(ls.error()) << "\n";
    return ls.error().kind == Error::Kind::options ? 2 : 1;
  }
  for (;;) {
    auto s = ls->transport_accept();
    if (!s) {
      std::cerr << format_error(s.error()) << "\n";
      continue;
    }
    if (auto h = handshake(*s, a.timeout); !h) {
      std::cerr << format_error(h.error()) << "\n";
      continue;
    }
    // --renegotiate: HelloRequest, and the new handshake, before serving; a refusal leaves the connection
    // as it was.
    if (a.renegotiate) {
      if (auto r = s->renegotiate(a.timeout); !r) {
        std::cerr << format_error(r.error()) << "\n";
        if (!s->is_open() || r.error().kind != Error::Kind::other) continue;
      }
    }
    if (a.http) serve_http(*s);
    else serve_echo(*s);
    (void)s->close();
  }
}

}  // namespace essl::cli

// `essl node`: a distributed-system node over TLS, talking to Erlang nodes run with -proto_dist inet_tls.
//
//   essl node --name NAME@HOST --cookie C [--ipv6] [--timeout MS] [-proto_dist inet_tls|inet6_tls]
//             [-ssl_dist_opt NAME VALUE ...]... COMMAND
//   COMMAND: rpc NODE MODULE FUNCTION [ARGS]   prints the result (ARGS: an Erlang list, default [])
//            serve [--port P]                  registers with epmd and answers until SIGINT/SIGTERM
//
// The -ssl_dist_opt options are the spec's (server_/client_ certfile, keyfile, password, cacertfile,
// verify, reuse_sessions, secure_renegotiate, depth, hibernate_after, ciphers; server_dhfile,
// server_fail_if_no_peer_cert); ESSL_DIST_FLAGS holds more, read first (the spec's ERL_FLAGS).
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dist/node.hpp"
#include "tools/commands.hpp"

namespace essl::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

int node_usage() {
  std::cerr << "usage: essl node --name NAME@HOST --cookie C [--ipv6] [--timeout MS] [-proto_dist inet_tls|inet6_tls]\n"
               "                 [-ssl_dist_opt NAME VALUE ...]... rpc NODE MODULE FUNCTION [ARGS]\n"
               "       essl node ... serve [--port P]\n"
               "ESSL_DIST_FLAGS: more -proto_dist / -ssl_dist_opt flags, read before the command line\n";
  return 2;
}

int error_exit(const Error& e, int status = 1) {
  std::cerr << format_error(e) << "\n";
  return status;
}

bool is_command(const std::string& w) { return w == "rpc" || w == "serve"; }

int serve(dist::Node& node, uint16_t port) {
  if (auto l = node.listen(port); !l) return error_exit(l.error());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cout << "serving " << node.name() << " on port " << node.port() << std::endl;
  std::mutex out_mu;
  std::vector<std::thread> links;
  while (!g_stop) {
    auto link = node.accept(std::chrono::milliseconds(200));
    if (!link) {
      if (link.error().kind != Error::Kind::timeout) {
        std::lock_guard<std::mutex> lock(out_mu);
        std::cerr << "refused a link: " << format_error(link.error()) << std::endl;
      }
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(out_mu);
      std::cout << "link from " << link->peer() << std::endl;
    }
    links.emplace_back([l = std::move(*link), &node, &out_mu]() mutable {
      while (!g_stop) {
        auto m = l.receive(std::chrono::milliseconds(200));
        if (!m) {
          if (m.error().kind == Error::Kind::timeout) continue;
          break;
        }
        const bool answered = dist::answer(l, *m, node.name());
        std::lock_guard<std::mutex> lock(out_mu);
        std::cout << l.peer() << " -> " << (m->kind == dist::Message::Kind::reg_send ? m->to_name : "pid") << ": "
                  << m->payload.text() << (answered ? "" : " (not answered)") << std::endl;
      }
    });
  }
  for (auto& t : links) t.join();
  return 0;
}

}  // namespace

int run_node(const std::vector<std::string>& args) {
  std::string name, cookie;
  bool ipv6 = false;
  long timeout_ms = 10000;
  std::vector<std::string> dist_words;
  size_t i = 0;
  for (; i < args.size() && !is_command(args[i]); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* what) -> const std::string* {
      if (i + 1 >= args.size()) {
        std::cerr << format_error(Error::options(what, "needs a value")) << "\n";
        return nullptr;
      }
      return &args[++i];
    };
    if (a == "--name") {
      const auto* v = value("name");
      if (!v) return 2;
      name = *v;
    } else if (a == "--cookie") {
      const auto* v = value("cookie");
      if (!v) return 2;
      cookie = *v;
    } else if (a == "--ipv6") {
      ipv6 = true;
    } else if (a == "--timeout") {
      const auto* v = value("timeout");
      if (!v) return 2;
      char* end = nullptr;
      timeout_ms = std::strtol(v->c_str(), &end, 10);
      if (end == v->c_str() || *end != '\0' || timeout_ms <= 0)
        return error_exit(Error::options("timeout", "a positive number of milliseconds"), 2);
    } else if (a == "-proto_dist") {
      const auto* v = value("proto_dist");
      if (!v) return 2;
      dist_words.insert(dist_words.end(), {a, *v});
    } else if (a == "-ssl_dist_opt") {
      // Name and value pairs up to the next flag or the command.
      dist_words.push_back(a);
      while (i + 1 < args.size() && args[i + 1].rfind("-", 0) != 0 && !is_command(args[i + 1])) {
        dist_words.push_back(args[++i]);
        if (i + 1 < args.size()) dist_words.push_back(args[++i]);
      }
    } else {
      std::cerr << "unknown argument: " << a << "\n";
      return node_usage();
    }
  }
  if (name.empty() || cookie.empty() || i >= args.size()) return node_usage();
  auto opts = dist::from_environment_and_args(dist_words);
  if (!opts) return error_exit(opts.error(), 2);
  if (ipv6) opts->ipv6 = true;
  auto node = dist::Node::start({name, cookie, *opts, std::chrono::milliseconds(timeout_ms)});
  if (!node) return error_exit(node.error(), 2);

  const std::string& cmd = args[i];
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  if (cmd == "rpc") {
    if (rest.size() < 3 || rest.size() > 4) return node_usage();
    auto call_args = dist::Term::parse(rest.size() == 4 ? rest[3] : "[]");
    if (!call_args) return error_exit(Error::options("args", call_args.error().detail), 2);
    auto link = node->connect(rest[0]);
    if (!link) return error_exit(link.error());
    auto r = link->rpc(rest[1], rest[2], *call_args);
    if (!r) return error_exit(r.error());
    // An atom prints bare (srv@127.0.0.1), anything else in Erlang syntax.
    const std::string text = r->text();
    std::cout << r->atom_name().value_or(text) << std::endl;
    return text.rfind("{badrpc,", 0) == 0 ? 1 : 0;
  }
  uint16_t port = 0;
  if (rest.size() == 2 && rest[0] == "--port") {
    char* end = nullptr;
    const long p = std::strtol(rest[1].c_str(), &end, 10);
    if (end == rest[1].c_str() || *end != '\0' || p < 0 || p > 65535)
      return error_exit(Error::options("port", "0 to 65535"), 2);
    port = static_cast<uint16_t>(p);
  } else if (!rest.empty()) {
    return node_usage();
  }
  return serve(*node, port);
}

}  // namespace essl::cli

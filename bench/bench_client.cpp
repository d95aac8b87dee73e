// The one client of bench/run: starts a TLS 1.2 server (essl, openssl, gnutls, botan or erlang) on
// 127.0.0.1 with a case's certificate, suite and curve, drives it with essl's EventClient, and prints one
// JSON object per measurement on stdout. Server CPU is the server process's CPU time (all its threads)
// before and after a measurement; the server is killed when the program ends.
//
//   essl-bench-client --server NAME --case CASE [--essl PATH] [--hibernate-after MS] [--warmup N]
//                     [--full N] [--resumed N] [--sweep C1,C2,...:N] [--idle N] [--bulk MIB [--suite S]]
//
//   NAME  essl (`essl server --concurrent`), openssl (s_server), gnutls (gnutls-serv), botan (tls_server),
//         erlang (an ssl:listen/transport_accept/handshake loop in erl -eval)
//   CASE  rsa-p256, rsa-x25519 (RSA-2048 certificate, ECDHE-RSA-AES128-GCM-SHA256 on that curve),
//         ecdsa-x25519 (ECDSA P-256 certificate, ECDHE-ECDSA-AES128-GCM-SHA256, X25519 key exchange)
//   --full N       N full handshakes, one after another (each: handshake, close)
//   --resumed N    one full handshake, then N that resume its session (session IDs)
//   --sweep C..:N  N full handshakes with C connections at a time, for each C
//   --idle N       N connections that handshake, echo 16 KiB and stay open; the server's VmRSS before and
//                  after (after the hibernate time, if any, and 1.5 s)
//   --bulk MIB     one connection echoes MIB MiB in 16 KiB lines (openssl s_server with -rev: each line
//                  comes back reversed), at most 1 MiB in flight; --suite replaces the case's suite
//
// Lines: {"kind":"full|resumed|sweep","concurrency":C,"handshakes":H,"resumed":R,"failed":F,"wall_s":W,
// "server_cpu_s":S}, {"kind":"idle","connections":N,"rss_before_kib":A,"rss_after_kib":B,...},
// {"kind":"bulk","bytes":B,"wall_s":W,"server_cpu_s":S,...},
// {"kind":"error","error":"..."} (then exit status 1).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "bench/bench_common.hpp"
#include "conformance/case.hpp"
#include "conformance/peer.hpp"
#include "conformance/process_peer.hpp"
#include "essl/event.hpp"

namespace essl::bench {
namespace {

struct BenchCase {
  std::string name;
  bool ecdsa;
  std::string suite;
  std::string curve;  // the key exchange's: "secp256r1" or "x25519"
  // The curves the server allows, preferred first: the ECDSA certificate's own curve must be among them.
  std::vector<std::string> server_curves() const {
    std::vector<std::string> c{curve};
    if (ecdsa && curve != "secp256r1") c.push_back("secp256r1");
    return c;
  }
};

const std::vector<BenchCase> cases = {
    {"rsa-p256", false, "ECDHE-RSA-AES128-GCM-SHA256", "secp256r1"},
    {"rsa-x25519", false, "ECDHE-RSA-AES128-GCM-SHA256", "x25519"},
    {"ecdsa-x25519", true, "ECDHE-ECDSA-AES128-GCM-SHA256", "x25519"},
};

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\', o += ch;
    else if (ch == '\n') o += "\\n";
    else if (static_cast<unsigned char>(ch) < 0x20) o += ' ';
    else o += ch;
  }
  return o + "\"";
}

// Prints an error line; returns `status` (the exit status to end with).
int print_error(const std::string& why, int status = 1) {
  std::printf("{\"kind\":\"error\",\"error\":%s}\n", json_string(why).c_str());
  std::fflush(stdout);
  return status;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string o;
  for (const auto& s : v) o += (o.empty() ? "" : sep) + s;
  return o;
}

// A running server: its process, and the files it reads (removed when dropped, after the process).
struct Server {
  std::unique_ptr<conformance::TempDir> dir;
  std::unique_ptr<conformance::ProcessServer> process;
};

// The server NAME for case `c` on a free port, started with a bounded wait (ProcessServer); nullptr with
// `why` when it cannot run.
std::unique_ptr<Server> start_server(const std::string& name, const BenchCase& c, const std::string& essl_exe,
                                     std::optional<int> hibernate_after, bool echo_lines, std::string& why) {
  using conformance::pki;
  auto s = std::make_unique<Server>();
  s->dir = std::make_unique<conformance::TempDir>();
  const std::string cert = pki(c.ecdsa ? "server-ecdsa.pem" : "server-rsa.pem");
  const std::string key = pki(c.ecdsa ? "server-ecdsa-key.pem" : "server-rsa-key.pem");
  const auto curves = c.server_curves();
  auto cannot = [&](const std::string& text) {
    why = text;
    return std::unique_ptr<Server>();
  };
  conformance::ProcessServer::ArgvFor argv_for;
  if (name == "essl") {
    argv_for = [=](uint16_t port) {
      std::vector<std::string> a{essl_exe, "server", "--concurrent", "--ip", "127.0.0.1", "--port",
                                 std::to_string(port), "--certfile", cert, "--keyfile", key, "--versions", "tlsv1.2",
                                 "--ciphers", c.suite, "--eccs", join(curves, ","), "--max-connections", "20000",
                                 // One event loop per CPU, as Erlang runs one scheduler per CPU.
                                 "--threads", std::to_string(std::max(1u, std::thread::hardware_concurrency()))};
      if (hibernate_after) a.insert(a.end(), {"--hibernate-after", std::to_string(*hibernate_after)});
      return a;
    };
  } else if (name == "openssl") {
    const std::string exe = conformance::find_program("openssl");
    if (exe.empty()) return cannot("openssl is not installed");
    std::vector<std::string> groups;
    for (const auto& g : curves) groups.push_back(g == "x25519" ? "X25519" : "P-256");
    argv_for = [=](uint16_t port) {
      std::vector<std::string> a{exe, "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert", cert,
                                 "-key", key, "-tls1_2", "-cipher", c.suite, "-groups", join(groups, ":"), "-quiet"};
      // s_server echoes only in its -rev mode: each line back, reversed.
      if (echo_lines) a.push_back("-rev");
      return a;
    };
  } else if (name == "gnutls") {
    const std::string exe = conformance::find_program("gnutls-serv");
    if (exe.empty()) return cannot("gnutls-serv is not installed (package gnutls-bin)");
    // The suite, and nothing else, in GnuTLS's terms; gnutls-serv listens on every address (no option).
    std::string prio = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:";
    prio += c.ecdsa ? "+ECDHE-ECDSA" : "+ECDHE-RSA";
    prio += ":-GROUP-ALL";
    for (const auto& g : curves) prio += g == "x25519" ? ":+GROUP-X25519" : ":+GROUP-SECP256R1";
    argv_for = [=](uint16_t port) {
      return std::vector<std::string>{exe, "--echo", "-p", std::to_string(port), "--x509certfile", cert,
                                      "--x509keyfile", key, "--priority", prio};
    };
  } else if (name == "botan") {
    const std::string exe = conformance::find_program("botan");
    if (exe.empty()) return cannot("botan is not installed (package botan)");
    // A text policy with the suite's parts and the curves; tls_server listens on every address (no option).
    const std::string policy = s->dir->path("policy.txt");
    std::ofstream(policy) << "allow_tls10 = false\nallow_tls11 = false\nallow_tls12 = true\nallow_dtls10 = false\n"
                             "allow_dtls12 = false\nciphers = AES-128/GCM\nmacs = AEAD\nkey_exchange_methods = ECDH\n"
                          << "signature_methods = " << (c.ecdsa ? "ECDSA" : "RSA") << "\n"
                          << "key_exchange_groups = " << join(curves, " ") << "\n";
    argv_for = [=](uint16_t port) {
      return std::vector<std::string>{exe, "tls_server", cert, key, "--port=" + std::to_string(port),
                                      "--policy=" + policy};
    };
  } else if (name == "erlang") {
    const std::string exe = conformance::find_program("erl");
    if (exe.empty()) return cannot("Erlang/OTP is not installed (packages erlang-base erlang-ssl)");
    if (c.curve == "x25519") return cannot("n/a: OTP's ssl offers no X25519 for TLS 1.2 (ssl:eccs('tlsv1.2'))");
    // One acceptor process at a time: it accepts, hands the next accept to a new process, then
    // handshakes and echoes until the peer closes. The VM's schedulers do not busy-wait (+sbwt none),
    // so that its CPU time is the work done.
    auto eval = [=](uint16_t port) {
      return "{ok,_}=application:ensure_all_started(ssl),"
             "{ok,L}=ssl:listen(" + std::to_string(port) + ",[binary,{active,false},{ip,{127,0,0,1}},"
             "{reuseaddr,true},{backlog,4096},{versions,['tlsv1.2']},"
             "{ciphers,[ssl:str_to_suite(\"" + c.suite + "\")]},{eccs,[" + join(curves, ",") + "]},"
             "{certfile,\"" + cert + "\"},{keyfile,\"" + key + "\"}]),"
             "Echo=fun E(S)->case ssl:recv(S,0) of {ok,D}->ok=ssl:send(S,D),E(S);_->ssl:close(S) end end,"
             "Accept=fun A()->R=ssl:transport_accept(L),spawn(A),"
             "case R of {ok,T}->case ssl:handshake(T,30000) of {ok,S}->Echo(S);_->ok end;_->ok end end,"
             "spawn(Accept),receive after infinity->ok end.";
    };
    argv_for = [=](uint16_t port) {
      return std::vector<std::string>{exe, "-noshell", "+sbwt", "none", "+sbwtdcpu", "none", "+sbwtdio", "none",
                                      "+P", "1000000", "-eval", eval(port)};
    };
  } else {
    return cannot("unknown server " + name);
  }
  s->process = conformance::ProcessServer::start(argv_for, why);
  if (!s->process) {
    why = name + " did not start: " + why;
    return nullptr;
  }
  return s;
}

// What one run of connections did.
struct Tally {
  size_t handshakes = 0, resumed = 0, failed = 0, ready = 0;
  double wall_s = 0;
  std::string first_error;
};

// Connections to one server from one EventClient (one session cache). run() makes `total` connections,
// at most `concurrency` at a time. Handshake mode: each closes as soon as its handshake is done, and the
// run ends when the last has closed. Idle mode: each sends 16 KiB, waits for it to come back and stays
// open; the run ends when all are back (they close when the Driver is dropped). Bulk mode (`bulk_bytes`
// not 0): each echoes that many bytes in 16 KiB lines, at most 1 MiB in flight, then closes.
class Driver {
 public:
  Driver(uint16_t port, const Options& options, bool idle, size_t bulk_bytes = 0)
      : port_(port), idle_(idle), bulk_(bulk_bytes), payload_(16 * 1024, 'Z') {
    // One line: gnutls-serv --echo and openssl s_server -rev answer whole lines.
    payload_.back() = '\n';
    EventHandlers h;
    h.on_open = [this](Connection& c) {
      ++tally_.handshakes;
      if (auto info = c.connection_information(); info && info->resumed) ++tally_.resumed;
      if (bulk_) top_up(c);
      else if (idle_) (void)c.send(std::span<const uint8_t>(payload_));
      else c.close();
    };
    h.on_data = [this](Connection& c, std::span<const uint8_t> d) {
      const size_t got = received_[c.id()] += d.size();
      if (bulk_) {
        if (got >= bulk_) c.close();
        else top_up(c);
      } else if (got == payload_.size()) {
        ++tally_.ready;
        settle();
      }
    };
    h.on_closed = [this](Connection& c, const std::optional<Error>& e) {
      const size_t got = received_[c.id()];
      // Idle: a connection whose echo came back was done then.
      if (idle_ && got >= payload_.size()) return;
      std::string why = e ? format_error(*e) : "";
      if (!e && (idle_ || got < bulk_)) why = "the server closed before the echo came back";
      if (!why.empty()) {
        ++tally_.failed;
        if (tally_.first_error.empty()) tally_.first_error = why;
      }
      settle();
    };
    EventOptions ev;
    ev.handshake_timeout = 20s;
    ev.max_connections = 20000;
    auto c = EventClient::make(options, std::move(h), ev);
    if (!c) error_ = format_error(c.error());
    else client_.emplace(std::move(*c));
  }

  const std::string& error() const { return error_; }

  Tally run(size_t total, size_t concurrency) {
    tally_ = {};
    total_ = total;
    started_ = finished_ = 0;
    auto t0 = std::chrono::steady_clock::now();
    while (started_ < std::min(total, concurrency)) start_one();
    if (finished_ < total_) (void)client_->run();
    tally_.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return tally_;
  }

 private:
  // Bulk: more lines while less than 1 MiB is in flight and the total is not sent.
  void top_up(Connection& c) {
    size_t& sent = sent_[c.id()];
    while (sent < bulk_ && sent - received_[c.id()] < (1u << 20)) {
      (void)c.send(std::span<const uint8_t>(payload_));
      sent += payload_.size();
    }
  }

  void start_one() {
    ++started_;
    if (auto r = client_->connect("127.0.0.1", port_); !r) {
      ++tally_.failed;
      if (tally_.first_error.empty()) tally_.first_error = format_error(r.error());
      settle();
    }
  }
  // One connection is done (closed, or echoed in idle mode): start the next one, or end the run.
  void settle() {
    if (++finished_ == total_) client_->stop();
    else if (started_ < total_) start_one();
  }

  uint16_t port_;
  bool idle_;
  size_t bulk_;
  std::vector<uint8_t> payload_;
  std::map<uint64_t, size_t> sent_;
  std::optional<EventClient> client_;
  std::string error_;
  std::map<uint64_t, size_t> received_;
  Tally tally_;
  size_t total_ = 0, started_ = 0, finished_ = 0;
};

// CPU seconds of a process, all its threads: the sum of /proc/PID/task/*/schedstat's first field (ns),
// or /proc/PID/stat's utime + stime when schedstat is missing.
double server_cpu_s(pid_t pid) {
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  double ns = 0;
  bool any = false;
  std::error_code ec;
  for (const auto& t : std::filesystem::directory_iterator(task, ec)) {
    std::ifstream f(t.path() / "schedstat");
    unsigned long long run = 0;
    if (f >> run) ns += static_cast<double>(run), any = true;
  }
  return any ? ns / 1e9 : process_cpu_seconds(pid);
}

// VmRSS of a process in KiB (0 if unreadable).
long vm_rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

Options client_options(const BenchCase& c, bool reuse) {
  Options o = essl_client_options(c.suite, reuse);
  // ECDSA: the certificate's curve is offered too (after the key exchange's), else the server may not
  // use its certificate.
  o.eccs = c.server_curves();
  return o;
}

void print_tally(const char* kind, size_t concurrency, const Tally& t, double cpu) {
  std::printf("{\"kind\":\"%s\",\"concurrency\":%zu,\"handshakes\":%zu,\"resumed\":%zu,\"failed\":%zu,"
              "\"wall_s\":%.6f,\"server_cpu_s\":%.6f,\"first_error\":%s}\n",
              kind, concurrency, t.handshakes, t.resumed, t.failed, t.wall_s, cpu, json_string(t.first_error).c_str());
  std::fflush(stdout);
}

// Runs `total` connections `concurrency` at a time on `d` and prints them as `kind`; false if any failed.
bool measure(const char* kind, Driver& d, pid_t pid, size_t total, size_t concurrency) {
  const double before = server_cpu_s(pid);
  Tally t = d.run(total, concurrency);
  // The server's share of the last closes.
  std::this_thread::sleep_for(20ms);
  print_tally(kind, concurrency, t, server_cpu_s(pid) - before);
  return t.failed == 0;
}

}  // namespace
}  // namespace essl::bench

int main(int argc, char** argv) {
  using namespace essl::bench;
  std::string server, case_name, essl_exe = "essl", sweep;
  std::optional<int> hibernate_after;
  std::string suite;
  size_t warmup = 10, full = 0, resumed = 0, idle = 0, bulk_mib = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--server") server = v;
    else if (k == "--case") case_name = v;
    else if (k == "--essl") essl_exe = v;
    else if (k == "--hibernate-after") hibernate_after = std::atoi(v.c_str());
    else if (k == "--warmup") warmup = std::strtoul(v.c_str(), nullptr, 10);
    else if (k == "--full") full = std::strtoul(v.c_str(), nullptr, 10);
    else if (k == "--resumed") resumed = std::strtoul(v.c_str(), nullptr, 10);
    else if (k == "--sweep") sweep = v;
    else if (k == "--idle") idle = std::strtoul(v.c_str(), nullptr, 10);
    else if (k == "--bulk") bulk_mib = std::strtoul(v.c_str(), nullptr, 10);
    else if (k == "--suite") suite = v;
    else return print_error("unknown argument " + k, 2);
  }
  auto c = std::find_if(cases.begin(), cases.end(), [&](const BenchCase& x) { return x.name == case_name; });
  if (c == cases.end()) return print_error("unknown case " + case_name, 2);
  BenchCase bc = *c;
  if (!suite.empty()) bc.suite = suite;
  if (!essl::find_suite_by_name(bc.suite)) return print_error("unknown suite " + bc.suite, 2);
  if (auto r = essl::start(); !r) return print_error(essl::format_error(r.error()));

  std::string why;
  auto s = start_server(server, bc, essl_exe, hibernate_after, bulk_mib > 0, why);
  if (!s) return print_error(why);
  const pid_t pid = s->process->pid();
  const uint16_t port = s->process->port();
  bool ok = true;
  auto fail = [&](const std::string& what) {
    ok = false;
    return print_error(what + (s->process->log().empty() ? "" : "; server said: " + s->process->log().substr(0, 400)));
  };

  // Warm-up: the server's first connections load its certificate and fill its caches.
  {
    Driver d(port, client_options(bc, false), false);
    if (!d.error().empty()) return print_error(d.error());
    Tally t = d.run(warmup, 1);
    if (t.failed) return fail("warm-up handshake failed: " + t.first_error);
  }
  if (full) {
    Driver d(port, client_options(bc, false), false);
    if (!measure("full", d, pid, full, 1)) fail("full handshakes failed");
  }
  if (resumed && ok) {
    Driver d(port, client_options(bc, true), false);
    Tally first = d.run(1, 1);
    if (first.failed) fail("first handshake failed: " + first.first_error);
    else if (!measure("resumed", d, pid, resumed, 1)) fail("resumed handshakes failed");
  }
  if (!sweep.empty() && ok) {
    // "1,2,4:200": the concurrencies, then the handshakes for each.
    const size_t colon = sweep.find(':');
    const size_t n = colon == std::string::npos ? 200 : std::strtoul(sweep.c_str() + colon + 1, nullptr, 10);
    std::istringstream list(sweep.substr(0, colon));
    for (std::string item; ok && std::getline(list, item, ',');) {
      Driver d(port, client_options(bc, false), false);
      if (!measure("sweep", d, pid, n, std::strtoul(item.c_str(), nullptr, 10))) fail("sweep handshakes failed");
    }
  }
  if (idle && ok) {
    const long before = vm_rss_kib(pid);
    Driver d(port, client_options(bc, false), true);
    Tally t = d.run(idle, 32);
    // Idle means idle for a while: the servers that give memory back (essl trims the heap at most once a
    // second) have done so by then.
    std::this_thread::sleep_for(std::chrono::milliseconds(hibernate_after.value_or(0) + 1500));
    const long after = vm_rss_kib(pid);
    std::printf("{\"kind\":\"idle\",\"connections\":%zu,\"ready\":%zu,\"failed\":%zu,\"rss_before_kib\":%ld,"
                "\"rss_after_kib\":%ld,\"first_error\":%s}\n",
                idle, t.ready, t.failed, before, after, json_string(t.first_error).c_str());
    std::fflush(stdout);
    if (t.failed || t.ready != idle) fail("idle connections failed");
  }
  if (bulk_mib && ok) {
    const size_t bytes = bulk_mib << 20;
    Driver d(port, client_options(bc, false), false, bytes);
    const double before = server_cpu_s(pid);
    Tally t = d.run(1, 1);
    std::this_thread::sleep_for(20ms);
    std::printf("{\"kind\":\"bulk\",\"suite\":%s,\"bytes\":%zu,\"failed\":%zu,\"wall_s\":%.6f,"
                "\"server_cpu_s\":%.6f,\"first_error\":%s}\n",
                json_string(bc.suite).c_str(), bytes, t.failed, t.wall_s, server_cpu_s(pid) - before,
                json_string(t.first_error).c_str());
    std::fflush(stdout);
    if (t.failed) fail("bulk echo failed");
  }
  essl::stop();
  return ok ? 0 : 1;
}

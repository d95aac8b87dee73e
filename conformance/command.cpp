// The conformance command: selects cases, runs them on a few worker threads, prints a matrix per peer,
// the behaviour checks, a summary per peer, or JSON.
#include "conformance/command.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "conformance/cases.hpp"
#include "conformance/coverage.hpp"
#include "conformance/expected.hpp"
#include "conformance/peer.hpp"
#include "conformance/runner.hpp"

namespace essl::conformance {
namespace {

struct Flags {
  std::optional<PeerId> peer;
  std::string filter;
  bool json = false;
  bool full = false;
  unsigned jobs = 2;
};

int usage(const std::string& why) {
  std::cerr << "essl conformance: " << why << "\n"
            << "usage: essl conformance [--peer openssl|gnutls|botan|erlang|essl] [--filter SUBSTR] [--json] [--full] [--jobs N]\n";
  return 2;
}

struct Row {
  Case c;
  CellResult r;
};

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += {'\\', ch};
    else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else out += ch;
  }
  return out + "\"";
}

std::string_view outcome_key(Outcome o) {
  switch (o) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::unsupported: return "unsupported";
    case Outcome::expected: return "expected_failure";
    case Outcome::xpass: return "unexpected_pass";
  }
  return "?";
}

// A short cell text for the matrix.
std::string cell_text(const CellResult& r) {
  switch (r.outcome) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return r.alert.empty() ? "FAIL" : "FAIL:" + r.alert.substr(0, r.alert.find(' '));
    case Outcome::unsupported: return "n/s";
    case Outcome::expected: return "xfail";
    case Outcome::xpass: return "xpass";
  }
  return "?";
}

struct Totals {
  size_t n[5] = {};
};

void print_matrix(const std::vector<Row>& rows) {
  // Peer -> role -> "version suite" -> column -> text.
  static const char* columns[] = {"server_auth/full", "server_auth/resumed", "mutual/full", "mutual/resumed"};
  std::map<std::string, std::map<std::string, std::map<std::string, std::map<std::string, std::string>>>> grid;
  for (const Row& row : rows) {
    if (row.c.group != "matrix") continue;
    // id: peer/role/version/suite/auth/handshake
    std::vector<std::string> part;
    std::istringstream in(row.c.id);
    for (std::string p; std::getline(in, p, '/');) part.push_back(p);
    if (part.size() != 6) continue;
    grid[part[0]][part[1]][part[2] + " " + part[3]][part[4] + "/" + part[5]] = cell_text(row.r);
  }
  for (const auto& [peer, by_role] : grid)
    for (const auto& [role, lines] : by_role) {
      std::printf("\n%s, %s (peer is the %s)\n", peer.c_str(), role.c_str(), role == "essl-client" ? "server" : "client");
      std::printf("  %-44s", "version suite");
      for (const char* col : columns) std::printf(" %-20s", col);
      std::printf("\n");
      for (const auto& [what, cells] : lines) {
        std::printf("  %-44s", what.c_str());
        for (const char* col : columns) {
          auto it = cells.find(col);
          std::printf(" %-20s", it == cells.end() ? "-" : it->second.c_str());
        }
        std::printf("\n");
      }
    }
}

constexpr PeerId coverage_peers[] = {PeerId::openssl, PeerId::gnutls, PeerId::botan, PeerId::erlang, PeerId::essl};

std::vector<CellRef> cell_refs(const std::vector<Row>& rows) {
  std::vector<CellRef> out;
  for (const Row& row : rows) out.push_back({&row.c, &row.r});
  return out;
}

// One peer's column: a slot per matrix version, "cs" (passed with essl as client and as server), "c-",
// "-s", "--" (nothing passed) or ".." (the suite does not exist at that version); essl against itself
// shows "ok".
std::string coverage_slots(const SuiteCoverage& sc, PeerId p) {
  std::string out;
  for (Version v : matrix_versions()) {
    if (!out.empty()) out += ' ';
    auto at = std::find_if(sc.versions.begin(), sc.versions.end(), [&](const auto& x) { return x.version == v; });
    if (at == sc.versions.end()) {
      out += "..";
      continue;
    }
    auto roles = at->passed.find(p);
    bool c = roles != at->passed.end() && roles->second.count(Role::client);
    bool s = roles != at->passed.end() && roles->second.count(Role::server);
    out += p == PeerId::essl ? (c || s ? "ok" : "--") : std::string(c ? "c" : "-") + (s ? "s" : "-");
  }
  return out;
}

std::string coverage_status_text(const SuiteCoverage& sc) {
  if (sc.status != CoverageStatus::peer) return std::string(coverage_status_name(sc.status));
  std::string names;
  for (PeerId p : sc.peers) names += (names.empty() ? "" : ",") + std::string(peer_name(p));
  return "peer: " + names;
}

void print_coverage_table(const Coverage& cov) {
  std::printf("\ncoverage: every suite of cipher_suites(all) at tlsv1 tlsv1.1 tlsv1.2\n"
              "  (per version: c/s = passed with essl as client/server, -- = no pass, .. = not at that version;\n"
              "   essl = essl against itself, run where no installed peer can do the cell)\n");
  std::printf("  %-40s", "suite");
  for (PeerId p : coverage_peers) std::printf(" %-8s", std::string(peer_name(p)).c_str());
  std::printf("  covered by\n");
  for (const SuiteCoverage& sc : cov.suites) {
    std::printf("  %-40s", std::string(sc.suite->erlang).c_str());
    for (PeerId p : coverage_peers) std::printf(" %-8s", coverage_slots(sc, p).c_str());
    std::printf("  %s\n", coverage_status_text(sc).c_str());
  }
}

void print_coverage_counts(const Coverage& cov, bool checked) {
  std::string per;
  for (const auto& [p, n] : cov.per_peer) per += (per.empty() ? "" : ", ") + std::string(peer_name(p)) + " " + std::to_string(n);
  std::printf("\ncoverage summary\n");
  std::printf("  suites total (cipher_suites(all))          %4zu\n", cov.suites.size());
  std::printf("  covered by another implementation          %4zu  (%s)\n", cov.by_peer, per.c_str());
  std::printf("  covered only essl-to-essl                  %4zu\n", cov.essl_only);
  std::printf("  uncovered                                  %4zu%s\n", cov.uncovered,
              checked ? "" : "  (a partial selection: --peer or --filter; not checked)");
  std::printf("  suite x version pairs: %zu total, %zu by another implementation, %zu essl-to-essl only, %zu uncovered\n",
              cov.pairs, cov.pairs_by_peer, cov.pairs_essl_only, cov.pairs_uncovered);
}

void print_text(const std::vector<Row>& rows, double seconds, size_t handshakes_with_peers, const Coverage* cov,
                bool coverage_checked) {
  print_matrix(rows);
  if (cov) print_coverage_table(*cov);
  std::printf("\nbehaviour checks\n");
  for (const Row& row : rows)
    if (row.c.group == "behaviour")
      std::printf("  %-72s %s\n", row.c.id.c_str(), cell_text(row.r).c_str());
  bool any = false;
  for (const Row& row : rows) {
    if (row.r.outcome == Outcome::pass) continue;
    if (!any) std::printf("\ndetails\n");
    any = true;
    std::printf("  %s: %s: %s\n", row.c.id.c_str(), std::string(outcome_name(row.r.outcome)).c_str(), row.r.detail.c_str());
  }
  std::map<std::string, Totals> totals;
  for (const Row& row : rows) {
    ++totals[std::string(peer_name(row.c.peer))].n[static_cast<int>(row.r.outcome)];
    ++totals["all"].n[static_cast<int>(row.r.outcome)];
  }
  std::printf("\nsummary                pass   fail  not-supported  expected-failure  unexpected-pass\n");
  for (const auto& [peer, t] : totals)
    std::printf("  %-18s %6zu %6zu %14zu %17zu %16zu\n", peer.c_str(), t.n[0], t.n[1], t.n[2], t.n[3], t.n[4]);
  std::printf("PRF cross-check: %zu passing handshakes with other implementations; each verified both Finished\n"
              "messages, so the peer derived the same master secret and keys with the PRF as essl did.\n",
              handshakes_with_peers);
  std::printf("%zu cells in %.1f s\n", rows.size(), seconds);
  if (cov) print_coverage_counts(*cov, coverage_checked);
}

std::string roles_json(const std::set<Role>& roles) {
  std::string out = "[";
  for (Role r : roles) out += (out.size() > 1 ? "," : "") + json_string(role_name(r));
  return out + "]";
}

template <typename Map, typename Value>
std::string peer_map_json(const Map& m, Value value) {
  std::string o = "{";
  for (const auto& [p, v] : m) o += (o.size() > 1 ? "," : "") + json_string(peer_name(p)) + ":" + value(v);
  return o + "}";
}

std::string coverage_json(const Coverage& cov, bool checked) {
  auto count = [](size_t n) { return std::to_string(n); };
  std::string o = "{\"suites\":[";
  for (size_t i = 0; i < cov.suites.size(); ++i) {
    const SuiteCoverage& sc = cov.suites[i];
    char id[8];
    std::snprintf(id, sizeof id, "0x%04X", static_cast<unsigned>(sc.suite->id));
    o += std::string(i ? "," : "") + "\n{\"suite\":" + json_string(sc.suite->erlang) + ",\"openssl\":" +
         json_string(sc.suite->openssl) + ",\"id\":" + json_string(id) + ",\"status\":" +
         json_string(coverage_status_name(sc.status)) + ",\"peers\":[";
    for (PeerId p : sc.peers) o += (o.back() == '[' ? "" : ",") + json_string(peer_name(p));
    o += "],\"versions\":{";
    for (size_t k = 0; k < sc.versions.size(); ++k) {
      const SuiteVersionCoverage& v = sc.versions[k];
      o += std::string(k ? "," : "") + json_string(version_atom(v.version)) + ":{\"status\":" +
           json_string(coverage_status_name(v.status)) + ",\"passed\":" + peer_map_json(v.passed, roles_json) +
           ",\"failed\":" + peer_map_json(v.failed, count) + "}";
    }
    o += "}}";
  }
  o += "\n],\"counts\":{\"suites_total\":" + count(cov.suites.size()) + ",\"covered_by_peer\":" + count(cov.by_peer) +
       ",\"essl_to_essl_only\":" + count(cov.essl_only) + ",\"uncovered\":" + count(cov.uncovered) +
       ",\"per_peer\":" + peer_map_json(cov.per_peer, count) + ",\"pairs_total\":" + count(cov.pairs) +
       ",\"pairs_covered_by_peer\":" + count(cov.pairs_by_peer) + ",\"pairs_essl_to_essl_only\":" +
       count(cov.pairs_essl_only) + ",\"pairs_uncovered\":" + count(cov.pairs_uncovered) + "},\"checked\":" +
       (checked ? "true" : "false") + "}";
  return o;
}

void print_json(const std::vector<Row>& rows, double seconds, bool ok, const Coverage* cov, bool coverage_checked) {
  std::printf("{\"ok\":%s,\"seconds\":%.2f,\"results\":[", ok ? "true" : "false", seconds);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    std::printf("%s\n{\"id\":%s,\"group\":%s,\"peer\":%s,\"role\":%s,\"outcome\":%s,\"alert\":%s,\"detail\":%s,\"seconds\":%.3f}",
                i ? "," : "", json_string(row.c.id).c_str(), json_string(row.c.group).c_str(),
                json_string(peer_name(row.c.peer)).c_str(),
                json_string(row.c.peer == PeerId::local ? "none" : role_name(row.c.role)).c_str(),
                json_string(outcome_key(row.r.outcome)).c_str(), json_string(row.r.alert).c_str(),
                json_string(row.r.detail).c_str(), row.r.seconds);
  }
  std::map<std::string, Totals> totals;
  for (const Row& row : rows) ++totals[std::string(peer_name(row.c.peer))].n[static_cast<int>(row.r.outcome)];
  std::printf("\n],\"summary\":{");
  bool first = true;
  for (const auto& [peer, t] : totals) {
    std::printf("%s%s:{", first ? "" : ",", json_string(peer).c_str());
    for (int o = 0; o < 5; ++o)
      std::printf("%s%s:%zu", o ? "," : "", json_string(outcome_key(static_cast<Outcome>(o))).c_str(), t.n[o]);
    std::printf("}");
    first = false;
  }
  std::printf("}");
  if (cov) std::printf(",\"coverage\":%s", coverage_json(*cov, coverage_checked).c_str());
  std::printf("}\n");
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--json") f.json = true;
    else if (a == "--full") f.full = true;
    else if (a == "--peer") {
      auto v = value();
      auto p = v ? peer_from_name(*v) : std::nullopt;
      if (!p || *p == PeerId::local) return usage("--peer takes openssl, gnutls, botan, erlang or essl");
      f.peer = p;
    } else if (a == "--filter") {
      auto v = value();
      if (!v) return usage("--filter takes a substring of the cell ids");
      f.filter = *v;
    } else if (a == "--jobs") {
      auto v = value();
      int n = v ? std::atoi(v->c_str()) : 0;
      if (n < 1 || n > 16) return usage("--jobs takes 1 to 16");
      f.jobs = static_cast<unsigned>(n);
    } else return usage("unknown argument " + a);
  }

  std::vector<Row> rows;
  auto add = [&](std::vector<Case> cases) {
    for (Case& c : cases) {
      if (f.peer && c.peer != *f.peer && c.peer != PeerId::local) continue;
      if (!f.filter.empty() && c.id.find(f.filter) == std::string::npos) continue;
      rows.push_back({std::move(c), {}});
    }
  };
  add(behaviour_cases());
  add(matrix_cases(f.full));

  std::string error;
  auto expected = load_expected(source_root() + "/conformance/expected.txt", error);
  if (!error.empty()) {
    std::cerr << "essl conformance: " << error << "\n";
    return 2;
  }

  (void)essl::start();
  // The peers this run needs; a missing one fails each of its cells.
  std::map<PeerId, std::unique_ptr<Peer>> peers;
  std::map<PeerId, std::string> missing;
  auto need = [&](PeerId id) {
    if (id == PeerId::local || peers.count(id) || missing.count(id)) return;
    auto p = make_peer(id);
    if (std::string why = p->availability(); !why.empty()) {
      missing[id] = why;
      std::cerr << "essl conformance: peer " << peer_name(id) << " missing: " << why << "\n";
    } else peers[id] = std::move(p);
  };
  // essl against itself stands in only where no installed implementation can do the cell: an essl cell
  // stays when every other peer, in either role, reports it unsupported (or is missing). Every peer is
  // asked, whatever --peer selects, so that a run split by peer has the same essl cells.
  if (std::any_of(rows.begin(), rows.end(), [](const Row& row) { return row.c.peer == PeerId::essl; })) {
    for (PeerId id : {PeerId::openssl, PeerId::gnutls, PeerId::botan, PeerId::erlang}) need(id);
    std::erase_if(rows, [&](const Row& row) {
      if (row.c.peer != PeerId::essl) return false;
      for (const auto& [id, peer] : peers)
        for (Role r : {Role::client, Role::server}) {
          Case other = row.c;
          other.peer = id;
          other.role = r;
          if (peer->cannot(other).empty()) return true;
        }
      return false;
    });
  }
  if (rows.empty()) return usage("no cell matches the selection");
  for (const Row& row : rows) need(row.c.peer);

  bool tty = ::isatty(STDERR_FILENO);
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mu;
  auto started = std::chrono::steady_clock::now();
  auto work = [&] {
    for (size_t i = next++; i < rows.size(); i = next++) {
      Row& row = rows[i];
      const Case& c = row.c;
      if (c.local_check) {
        std::string bad = c.local_check();
        row.r = {bad.empty() ? Outcome::pass : Outcome::fail, bad, {}, 0};
      } else if (auto m = missing.find(c.peer); m != missing.end()) {
        row.r = {Outcome::fail, "peer missing: " + m->second, {}, 0};
      } else if (std::string why = peers[c.peer]->cannot(c); !why.empty()) {
        row.r = {Outcome::unsupported, why, {}, 0};
      } else {
        row.r = run_case(*peers[c.peer], c);
      }
      if (const ExpectedFailure* e = find_expected(expected, c.id)) {
        if (row.r.outcome == Outcome::fail) row.r = {Outcome::expected, e->reason + " [" + row.r.detail + "]", row.r.alert, row.r.seconds};
        else if (row.r.outcome == Outcome::pass) row.r = {Outcome::xpass, "listed in expected.txt: " + e->reason, {}, row.r.seconds};
      }
      size_t k = ++done;
      std::lock_guard lock(progress_mu);
      if (tty) {
        std::fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", k, rows.size(), c.id.c_str(), cell_text(row.r).c_str());
      } else if (row.r.outcome == Outcome::fail || k % 25 == 0 || k == rows.size()) {
        std::fprintf(stderr, "[%zu/%zu] %s %s\n", k, rows.size(), c.id.c_str(), cell_text(row.r).c_str());
      }
    }
  };
  std::vector<std::thread> workers;
  for (unsigned j = 0; j < f.jobs; ++j) workers.emplace_back(work);
  for (auto& w : workers) w.join();
  if (tty) std::fprintf(stderr, "\r\033[K");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  bool ok = true;
  size_t handshakes = 0;
  for (const Row& row : rows) {
    ok = ok && row.r.outcome != Outcome::fail;
    if (row.r.outcome == Outcome::pass && row.c.expect_ok && row.c.peer != PeerId::local && row.c.peer != PeerId::essl)
      handshakes += row.c.resume ? 2 : 1;
  }
  // With --full, the coverage of cipher_suites(all); an uncovered suite fails the run unless the selection
  // was narrowed (--peer, --filter).
  std::optional<Coverage> cov;
  const bool coverage_checked = !f.peer && f.filter.empty();
  if (f.full) {
    cov = compute_coverage(cell_refs(rows));
    if (coverage_checked && cov->uncovered) ok = false;
  }
  if (f.json) print_json(rows, seconds, ok, cov ? &*cov : nullptr, coverage_checked);
  else print_text(rows, seconds, handshakes, cov ? &*cov : nullptr, coverage_checked);
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace essl::conformance

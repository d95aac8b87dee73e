// Properties of the transition table read as data.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "statemachine/table.hpp"

namespace essl::table {
namespace {

TEST(Table, GuardDefinitionsFollowTheEnum) {
  auto defs = guard_defs();
  for (size_t i = 0; i < defs.size(); ++i) EXPECT_EQ(size_t(defs[i].guard), i);
}

TEST(Table, NoAmbiguousRows) {
  // For any flags, at most one row matches a (role, state, message).
  auto rs = rows();
  for (unsigned flags = 0; flags < (1u << flag_count); ++flags) {
    // NextProtocol arrives only after the server answered NPN.
    if ((flags & f_npn_received) && !(flags & f_npn)) continue;
    for (size_t i = 0; i < rs.size(); ++i)
      for (size_t j = i + 1; j < rs.size(); ++j) {
        const Row &a = rs[i], &b = rs[j];
        if (a.role == b.role && a.state == b.state && a.msg == b.msg) {
          EXPECT_FALSE(holds(a.guard, Flags(flags)) && holds(b.guard, Flags(flags)))
              << state_id(a.state) << " " << msg_name(a.msg);
        }
      }
  }
}

TEST(Table, EveryStateReachableAndConnectionReachedByFinishedOnly) {
  for (Role role : {Role::client, Role::server}) {
    State start = role == Role::client ? State::c_wait_server_hello : State::s_wait_client_hello;
    std::set<State> seen{start};
    bool grew = true;
    while (grew) {
      grew = false;
      for (const Row& r : rows())
        if (r.role == role && seen.count(r.state) && !seen.count(r.next)) {
          seen.insert(r.next);
          grew = true;
        }
    }
    EXPECT_TRUE(seen.count(State::connection));
    for (const Row& r : rows()) {
      if (r.role != role) continue;
      EXPECT_TRUE(seen.count(r.state)) << state_id(r.state);
      // (Or, in a renegotiation, the peer's refusal: back to the established connection and its keys.)
      if (r.next == State::connection && r.state != State::connection) {
        if (r.handler == Handler::renegotiation_refused) {
          EXPECT_EQ(r.guard, Guard::renegotiating);
        } else {
          EXPECT_EQ(r.msg, Msg::finished);
        }
      }
    }
  }
}

TEST(Table, ApplicationDataOnlyInConnectionOrRenegotiatingBeforeThePeersChangeCipherSpec) {
  for (const Row& r : rows()) {
    if (r.msg != Msg::application_data || r.state == State::connection) continue;
    EXPECT_EQ(r.guard, Guard::renegotiating) << state_id(r.state);
    // No state entered by the peer's ChangeCipherSpec (its new keys, before its Finished).
    for (const Row& into : rows()) {
      if (into.role == r.role && into.next == r.state && into.state != r.state) {
        EXPECT_NE(into.msg, Msg::change_cipher_spec) << state_id(r.state);
      }
    }
  }
}

TEST(Table, RenegotiationLeavesConnectionOnlyForTheHelloStates) {
  for (const Row& r : rows()) {
    if (r.state != State::connection || r.next == State::connection) continue;
    if (r.role == Role::client) {
      EXPECT_EQ(r.next, State::c_wait_server_hello);
      EXPECT_EQ(r.handler, Handler::c_renegotiate);
    } else {
      EXPECT_EQ(r.msg, Msg::client_hello);
      EXPECT_EQ(r.guard, Guard::reneg_allowed);
      EXPECT_EQ(r.next, State::s_wait_client_cert);
    }
  }
  // The server's policy decides: a ClientHello in connection is refused when renegotiation is not allowed.
  const Row* refused = find(Role::server, State::connection, Msg::client_hello, 0);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->handler, Handler::refuse_renegotiation);
  EXPECT_EQ(entering(State::connection, State::s_wait_client_cert, f_resuming | f_npn, f_kex_sends_ske),
            Flags(f_renegotiating | f_kex_sends_ske));
  EXPECT_EQ(entering(State::c_wait_finished, State::connection, f_renegotiating | f_resuming, 0), Flags(f_resuming));
}

TEST(Table, FinishedOnlyAfterChangeCipherSpec) {
  // Every state that accepts Finished is entered only by a ChangeCipherSpec row.
  for (const Row& f : rows()) {
    if (f.msg != Msg::finished) continue;
    for (const Row& r : rows()) {
      if (r.role == f.role && r.next == f.state && r.state != f.state) {
        EXPECT_EQ(r.msg, Msg::change_cipher_spec);
      }
    }
  }
}

TEST(Table, ServerCannotSkipClientCertificateWhenRequested) {
  // With a certificate requested in a full handshake, ClientKeyExchange is not accepted first.
  EXPECT_EQ(find(Role::server, State::s_wait_client_cert, Msg::client_key_exchange, f_cert_requested), nullptr);
  EXPECT_NE(find(Role::server, State::s_wait_client_cert, Msg::certificate, f_cert_requested), nullptr);
  // A client that sent a certificate must prove it holds the key.
  EXPECT_EQ(find(Role::server, State::s_wait_cert_verify, Msg::change_cipher_spec, f_peer_cert_nonempty), nullptr);
}

TEST(Table, LookupMisses) {
  EXPECT_EQ(find(Role::server, State::s_wait_client_hello, Msg::finished, 0), nullptr);
  EXPECT_EQ(find(Role::client, State::c_wait_certificate, Msg::change_cipher_spec, 0), nullptr);
  EXPECT_EQ(find(Role::client, State::c_wait_certificate, Msg::certificate, f_resuming), nullptr);
  EXPECT_EQ(find(Role::server, State::connection, Msg::hello_request, 0), nullptr);
  EXPECT_NE(find(Role::client, State::connection, Msg::hello_request, 0), nullptr);
}

TEST(Table, PhasesAreTheReferenceNames) {
  std::set<std::string_view> allowed{"hello", "certify", "cipher", "abbreviated", "connection"};
  for (size_t s = 0; s < state_count; ++s)
    for (bool resuming : {false, true}) EXPECT_TRUE(allowed.count(phase(State(s), resuming)));
}

TEST(Table, DumpListsEveryRow) {
  std::ostringstream os;
  dump(os);
  std::string text = os.str();
  size_t n = 0;
  for (size_t at = text.find("\nrow\t"); at != std::string::npos; at = text.find("\nrow\t", at + 1)) ++n;
  EXPECT_EQ(n, rows().size());
}

}  // namespace
}  // namespace essl::table

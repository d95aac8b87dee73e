// A distributed-system node over TLS: the spec's "Erlang distribution over SSL" (User's Guide 1.4) for
// C++ programs. A Node talks the Erlang distribution protocol (through erl_interface, the `ei` library)
// with every link carried by essl, as `erl -proto_dist inet_tls` (or `inet6_tls`) does: the server_
// options for links this node accepts, the client_ options for links it makes. Node cookies still apply.
// epmd stays plain TCP, as in Erlang.
//
//   auto opts = essl::dist::parse_flags("-ssl_dist_opt client_certfile c.pem client_cacertfile ca.pem "
//                                       "client_verify verify_peer");
//   auto node = essl::dist::Node::start({"cnode@127.0.0.1", "secret", *opts});
//   auto link = node->connect("srv@127.0.0.1");
//   auto r = link->rpc("erlang", "node", *essl::dist::Term::parse("[]"));   // r->text() == "'srv@127.0.0.1'"
//
// Errors: a TLS failure is the essl error ({tls_alert, unknown_ca} and so on); a peer that ends the
// distribution handshake after the TLS handshake succeeded (its cookie is not ours, or it refuses our
// name) is Error::other("not_allowed"); a name epmd does not know is Error::other("noport").
#pragma once
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dist/dist_options.hpp"
#include "essl/connection_info.hpp"
#include "essl/error.hpp"
#include "essl/ssl.hpp"

namespace essl::dist {

// A term in the external term format (without the version byte).
struct Term {
  std::string bytes;
  // Erlang syntax: integers, floats, atoms ('quoted' too), "strings", [lists], {tuples}, <<"binaries">>.
  static Res<Term> parse(std::string_view text);
  static Term atom(std::string_view name);
  static Term binary(std::string_view bytes);
  // {E1, E2, ...} and [E1, E2, ...] of terms (a pid from Link::self() or Message::from, say).
  static Term tuple(std::initializer_list<Term> elements);
  static Term list(std::initializer_list<Term> elements);
  // The term printed by ei in Erlang syntax, except that binaries print as #Bin<98,105,110> and pids as
  // #Pid<node.N.S> ("<invalid term>" when the bytes do not decode).
  std::string text() const;
  // The name when the term is an atom.
  std::optional<std::string> atom_name() const;
  bool operator==(const Term&) const = default;
};

struct Message {
  enum class Kind { send, reg_send };
  Kind kind = Kind::send;
  std::string to_name;  // reg_send: the registered name it was sent to
  Term from;            // reg_send: the sending pid
  Term payload;
};

struct NodeConfig {
  std::string name;    // alive@host: a long name (host with a dot, or an IP address, or localhost)
  std::string cookie;  // the node cookie
  DistOptions tls;     // the -ssl_dist_opt options; tls.ipv6 is -proto_dist inet6_tls
  std::chrono::milliseconds timeout{10000};  // each connect/accept/rpc step at most
};

class Node;
struct NodeState;
struct LinkState;

// One distribution link (to or from another node).
class Link {
 public:
  Link(Link&&) noexcept;
  Link& operator=(Link&&) noexcept;
  ~Link();  // closes the link

  // The other node's name.
  const std::string& peer() const;
  // rpc:call(Peer, Module, Function, Args) through the peer's rex server: the reply term, which is
  // {badrpc, Reason} when the call failed there. `args` is a list.
  Res<Term> rpc(std::string_view module, std::string_view function, const Term& args);
  // Sends to a registered name at the peer ({Name, Peer} ! Msg), or to a pid (a Term holding a pid).
  Result<void, Error> reg_send(std::string_view name, const Term& message);
  Result<void, Error> send(const Term& pid, const Term& message);
  // The next message for this node (ticks are answered meanwhile); `timeout` when none comes in time,
  // `closed` when the peer went away. Links, exits and monitors are skipped.
  Res<Message> receive(std::chrono::milliseconds timeout);
  // The TLS connection under the link.
  Res<ConnectionInfo> connection_information() const;
  // This node's pid for messages sent from it ({self(), ...} replies come here).
  Term self() const;
  void close();

 private:
  friend class Node;
  explicit Link(std::unique_ptr<LinkState> s);
  std::unique_ptr<LinkState> s_;
};

class Node {
 public:
  // Checks the name and the options; starts no I/O.
  static Res<Node> start(NodeConfig config);
  Node(Node&&) noexcept;
  Node& operator=(Node&&) noexcept;
  ~Node();  // unregisters from epmd and stops listening

  const std::string& name() const;
  // A link to another node: its port from epmd (at its host), then TLS with the client_ options, then
  // the distribution handshake (cookies).
  Res<Link> connect(const std::string& node);
  // Listens (TLS with the server_ options) on `port` (0: any free port) and registers the node's name
  // and port with epmd, so that other nodes can connect.
  Result<void, Error> listen(uint16_t port = 0);
  uint16_t port() const;
  // The next link another node makes: its TLS handshake, then the distribution handshake.
  Res<Link> accept(std::chrono::milliseconds timeout);

 private:
  explicit Node(std::shared_ptr<NodeState> s);
  std::shared_ptr<NodeState> s_;
};

// Answers what a plain Erlang node would for the messages the `serve` loop gets: a gen_server call to
// rex ({call, M, F, A, GL}, as rpc:call sent it before erpc) of erlang:node/0 and erlang:nodes/0
// answered here, any other function {badrpc, {'EXIT', {undef, [{M, F, Arity, []}]}}}; net_kernel's
// {is_auth, Node} (net_adm:ping) answered yes; and a message {Pid, Term} to any registered name answered
// with {self(), Term} sent to Pid. Returns false for a message it does not answer.
bool answer(Link& link, const Message& message, const std::string& node_name);

}  // namespace essl::dist

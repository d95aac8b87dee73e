// Owners and their mailboxes: where an active socket delivers the spec's messages.
//
// In the spec every socket has a controlling process that receives {ssl, Socket, Data},
// {ssl_closed, Socket} and {ssl_error, Socket, Reason} while the socket is active. Here an Owner is a
// thread-safe mailbox: the thread that owns a socket waits on it (receive, flush), or, for an event loop,
// a handler is called with each event instead. Every thread has its own mailbox, essl::self(), which owns
// the sockets the thread makes (connect, transport_accept, the upgrades), as a process owns its sockets.
//
//   auto s = essl::connect("localhost", 9443, opts);   // {active, true}: the data comes as events
//   auto ev = essl::self()->receive(5s);                // {ssl, S, "foo"}
//   if (ev && ev->kind == essl::Event::Kind::data) use(ev->data.text());
//
// Only the owner (a thread whose self() is the socket's owner, or the thread that made a handler owner)
// may hand the socket to another owner: Socket::controlling_process.
#pragma once
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "essl/error.hpp"

namespace essl {

// {mode, list | binary}: whether data is text (the spec's lists of characters) or bytes.
enum class Mode { list, binary };

// What recv returns and a data event carries: the bytes, with the socket's mode at delivery and the
// {header, N} split (in binary mode the spec delivers the first N bytes as a list, the rest as a binary).
class Data : public std::vector<uint8_t> {
 public:
  Data() = default;
  explicit Data(std::vector<uint8_t> bytes, Mode mode = Mode::binary, size_t header = 0)
      : std::vector<uint8_t>(std::move(bytes)), mode(mode), header(std::min(header, size())) {}
  Mode mode = Mode::binary;
  size_t header = 0;  // leading bytes delivered as a list ({header, N} in binary mode)

  std::string text() const { return std::string(begin(), end()); }
  // The parts of a binary-mode delivery with {header, N}: the header bytes and the rest.
  std::vector<uint8_t> header_bytes() const { return {begin(), begin() + std::ptrdiff_t(header)}; }
  std::vector<uint8_t> body() const { return {begin() + std::ptrdiff_t(header), end()}; }
  bool operator==(std::string_view s) const { return size() == s.size() && std::equal(begin(), end(), s.begin()); }
  bool operator==(const std::vector<uint8_t>& v) const {
    return static_cast<const std::vector<uint8_t>&>(*this) == v;
  }
};

// Identifies a socket in events (Socket::id()); never reused within a process.
using SocketId = uint64_t;

// One message to a socket's owner.
struct Event {
  enum class Kind {
    data,     // {ssl, Socket, Data}
    closed,   // {ssl_closed, Socket}: the peer closed (close_notify or the transport ended)
    error,    // {ssl_error, Socket, Reason}: a fatal alert or a transport error
    passive,  // {ssl_passive, Socket}: an {active, N} count ran out; the socket is now passive
  };
  Kind kind = Kind::data;
  SocketId socket = 0;
  Data data;    // data
  Error error;  // error
  // closed and error: the transport's tag that ended the connection (cb_info's ClosedTag or ErrorTag, e.g.
  // tcp_closed), or empty when TLS itself ended it (close_notify, a fatal alert).
  std::string transport_tag;

  // The spec's tag: ssl, ssl_closed, ssl_error, ssl_passive.
  std::string_view tag() const;
  // The message as the spec's shell prints it: {ssl,<socket 3>,"foo"}, {ssl_closed,<socket 3>} ...
  std::string to_string() const;
};

// A thread-safe mailbox, or (made with a handler) a function called with each event on the thread that
// delivers it (a socket's reader thread): for event loops, which post it to themselves.
class Mailbox {
 public:
  using Handler = std::function<void(Event)>;
  Mailbox() = default;
  explicit Mailbox(Handler handler) : handler_(std::move(handler)) {}
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Queues the event (or calls the handler).
  void deliver(Event e);
  // The next event, waiting up to `timeout` (std::nullopt: for ever); std::nullopt when none came.
  std::optional<Event> receive(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // The next event of one socket (others stay queued in order), like a selective receive.
  std::optional<Event> receive(SocketId socket, std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Everything queued now (the shell's flush()).
  std::vector<Event> flush();
  size_t size() const;

  // The thread this mailbox belongs to: its owner may hand sockets on.
  std::thread::id thread() const { return thread_; }
  bool is_handler() const { return static_cast<bool>(handler_); }

 private:
  Handler handler_;
  std::thread::id thread_ = std::this_thread::get_id();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> queue_;
};

using Owner = std::shared_ptr<Mailbox>;

// The calling thread's mailbox (made on first use; it lives as long as the thread or a socket using it).
Owner self();
// A handler owner belonging to the calling thread.
Owner make_owner(Mailbox::Handler handler);

}  // namespace essl

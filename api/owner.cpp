// Mailboxes: the owners' queues of events, self() and handler owners.
#include <sstream>

#include "essl/owner.hpp"

namespace essl {

std::string_view Event::tag() const {
  switch (kind) {
    case Kind::data: return "ssl";
    case Kind::closed: return "ssl_closed";
    case Kind::error: return "ssl_error";
    case Kind::passive: return "ssl_passive";
  }
  return "ssl";
}

std::string Event::to_string() const {
  std::ostringstream out;
  out << '{' << tag() << ",<socket " << socket << '>';
  if (kind == Kind::data) {
    // Lists print as strings, binaries as <<"...">> (the header bytes of binary mode as a list in front).
    if (data.mode == Mode::list) {
      out << ",\"" << data.text() << '"';
    } else {
      out << ',';
      if (data.header) {
        out << '[';
        for (size_t i = 0; i < data.header; ++i) out << (i ? "," : "") << int(data[i]);
        out << '|';
      }
      out << "<<\"" << std::string(data.begin() + std::ptrdiff_t(data.header), data.end()) << "\">>";
      if (data.header) out << ']';
    }
  } else if (kind == Kind::error) {
    out << ',' << format_error(error);
  }
  out << '}';
  return out.str();
}

void Mailbox::deliver(Event e) {
  if (handler_) {
    handler_(std::move(e));
    return;
  }
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(e));
  }
  cv_.notify_all();
}

std::optional<Event> Mailbox::receive(std::optional<std::chrono::milliseconds> timeout) {
  std::unique_lock lock(mu_);
  auto ready = [&] { return !queue_.empty(); };
  if (!timeout) {
    cv_.wait(lock, ready);
  } else if (!cv_.wait_for(lock, *timeout, ready)) {
    return std::nullopt;
  }
  Event e = std::move(queue_.front());
  queue_.pop_front();
  return e;
}

std::optional<Event> Mailbox::receive(SocketId socket, std::optional<std::chrono::milliseconds> timeout) {
  std::unique_lock lock(mu_);
  std::deque<Event>::iterator it;
  auto ready = [&] {
    it = std::find_if(queue_.begin(), queue_.end(), [&](const Event& e) { return e.socket == socket; });
    return it != queue_.end();
  };
  if (!timeout) {
    cv_.wait(lock, ready);
  } else if (!cv_.wait_for(lock, *timeout, ready)) {
    return std::nullopt;
  }
  Event e = std::move(*it);
  queue_.erase(it);
  return e;
}

std::vector<Event> Mailbox::flush() {
  std::lock_guard lock(mu_);
  std::vector<Event> out(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

size_t Mailbox::size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

Owner self() {
  thread_local Owner mine = std::make_shared<Mailbox>();
  return mine;
}

Owner make_owner(Mailbox::Handler handler) { return std::make_shared<Mailbox>(std::move(handler)); }

}  // namespace essl

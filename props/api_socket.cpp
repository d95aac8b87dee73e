// The API harness's socket commands (send, recv, close, shutdown, delivery), each checked against the model.
#include <rapidcheck.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>

#include "essl/ssl.hpp"
#include "props/api_harness.hpp"
#include "props/api_harness_local.hpp"

namespace essl::props {

namespace {

struct Allowed { bool ok = false, closed = false, timeout = false, alert = false; };  // what an answer may be
enum class Answer { ok, closed, timeout, alert };

std::string expected(const Allowed& a, const Model& m) {
  std::string s;
  auto add = [&s](const std::string& x) { s += (s.empty() ? "" : " or ") + x; };
  if (a.ok) add("ok");
  if (a.closed) add("closed");
  if (a.timeout) add("timeout");
  if (a.alert) add(format_error(m.error()));
  return s;
}

template <class R>
Answer judge(const R& r, const Allowed& a, const Model& m, const std::string& what) {
  const std::string want = " (expected " + expected(a, m) + ") " + m.describe();
  if (r.ok()) {
    if (!a.ok) RC_FAIL(what + " returned ok" + want);
    return Answer::ok;
  }
  const Error& e = r.error();
  if (e.kind == Error::Kind::closed && a.closed) return Answer::closed;
  if (e.kind == Error::Kind::timeout && a.timeout) return Answer::timeout;
  if (e.kind == Error::Kind::tls_alert && a.alert) {
    const Error want_e = m.error();
    if (e.alert == want_e.alert && e.alert_sent == want_e.alert_sent) return Answer::alert;
  }
  RC_FAIL(what + " returned " + format_error(e) + want);
}

}  // namespace

// ---- the socket under test ----

void Harness::sut_send(size_t n) {
  Bytes data(n);
  for (size_t i = 0; i < n; ++i) data[i] = sut_byte(m_.accepted.size() + i);
  Allowed a;
  a.alert = m_.err_possible();
  if (!m_.err_certain()) {
    a.ok = !m_.user_closed && !m_.shut_write;
    // Taking in the peer's close_notify answers it at once; a reset transport refuses the data.
    a.closed = !a.ok || m_.peer_gone || m_.answer_maybe ||
               (m_.end && m_.end->kind == End::Kind::close_notify && m_.seen == Seen::maybe);
  }
  m_.reset_possible = m_.reset_possible || (m_.peer_gone && n > 0);
  switch (judge(sut_.send(data), a, m_, "send(" + std::to_string(n) + ")")) {
    case Answer::ok:
      if (!m_.peer_gone) m_.accepted.insert(m_.accepted.end(), data.begin(), data.end());
      break;
    case Answer::alert: m_.seen = Seen::reported; break;
    default: break;
  }
}

void Harness::sut_recv(size_t length, int timeout_ms) {
  if (m_.credit() > 0) {
    // Whether the socket is still active once what is due has come.
    if (m_.active.kind() != Active::Kind::on) settle();
    if (m_.credit() > 0) {
      // recv is for passive sockets: {error, einval}, whatever the socket's state.
      auto r = sut_.recv(length, std::chrono::milliseconds(timeout_ms));
      if (r.ok() || r.error().kind != Error::Kind::other || r.error().detail != "einval")
        RC_FAIL("recv on an active socket returned " + (r.ok() ? std::string("data") : format_error(r.error())) +
                " (expected einval) " + m_.describe());
      ++m_.einvals;
      return;
    }
  }
  const size_t q = m_.queue.size();
  const bool enough = q > 0 && (length == 0 || q >= length);
  Allowed a;
  if (m_.user_closed) {
    a.alert = m_.err_possible();
    a.closed = !m_.err_certain();
  } else if (m_.shut_read) {
    // No more reading: what the socket already decrypted, then `closed` (or the alert it took in).
    a.ok = enough && !m_.read_done;
    a.alert = m_.err_possible();
    a.closed = !m_.err_certain();
  } else if (enough) {
    a.ok = true;
  } else if (m_.end) {
    (m_.end->is_alert() ? a.alert : a.closed) = true;
  } else {
    a.timeout = true;
  }
  if (m_.reset_possible && !m_.err_certain()) a.closed = true;
  const bool only_timeout = a.timeout && !a.ok && !a.closed && !a.alert;
  const Timeout t = only_timeout ? Timeout(std::chrono::milliseconds(timeout_ms)) : Timeout(answer_wait);
  auto r = sut_.recv(length, t);
  switch (judge(r, a, m_, "recv(" + std::to_string(length) + ")")) {
    case Answer::ok: {
      const Data& got = r.value();
      if (got.empty() || (length > 0 && got.size() != length) || got.size() > q ||
          !std::equal(got.begin(), got.end(), m_.queue.begin()))
        RC_FAIL("recv(" + std::to_string(length) + ") returned " + std::to_string(got.size()) +
                " bytes that are not the next ones the peer sent " + m_.describe());
      if (got.mode != m_.modes.back() || got.header != 0)
        RC_FAIL(std::string("recv returned data in ") + (got.mode == Mode::list ? "list" : "binary") +
                " mode, header " + std::to_string(got.header) + " " + m_.describe());
      m_.queue.erase(m_.queue.begin(), m_.queue.begin() + ptrdiff_t(got.size()));
      m_.returned.insert(m_.returned.end(), got.begin(), got.end());
      m_.stray_read = false;  // a read has completed since the socket turned passive
      if (m_.shut_read) {
        if (length == 0) m_.read_done = true;  // recv(0) took all the socket held
      } else if (m_.end && m_.seen == Seen::unseen) {
        m_.seen = Seen::maybe;
        m_.ambiguous = true;
        if (m_.end->kind == End::Kind::close_notify && !m_.shut_write) m_.close_notify_maybe = true;
      }
      break;
    }
    case Answer::closed:
      if (m_.end && m_.end->is_alert() && m_.seen != Seen::reported) m_.seen = Seen::never;
      if (m_.user_closed) break;
      if (!m_.shut_read && !m_.end->is_alert()) m_.seen = Seen::reported;
      m_.read_done = m_.end_told = true;
      m_.drop_queue();
      if (!m_.shut_write) m_.close_notify_out = m_.shut_write = true;  // the socket answers the close
      break;
    case Answer::alert: m_.seen = Seen::reported, m_.read_done = m_.end_told = true, m_.drop_queue(); break;
    case Answer::timeout: ++m_.timeouts; break;
  }
}

void Harness::sut_close() {
  // An active socket may have delivered events until close() stopped its reader: they are all in the
  // mailbox when close() returns.
  const bool pending = m_.credit() > 0 && m_.deliverable();
  judge(sut_.close(), Allowed{true}, m_, "close()");
  if (!m_.user_closed && !m_.shut_write) {
    if (!m_.err_possible()) m_.close_notify_out = true;
    else if (!m_.err_certain()) m_.close_notify_maybe = true;
  }
  m_.user_closed = true;
  if (pending) {
    m_.draining = true;
    for (int i = 0; i < 1000 && sut_take(0); ++i) {}
    m_.draining = false;
  }
}

void Harness::sut_shutdown(ShutdownHow how) {
  const bool write = how != ShutdownHow::read;
  Allowed a;
  a.alert = m_.err_possible();
  if (!m_.err_certain()) {
    a.ok = !m_.user_closed;
    a.closed = !a.ok || (write && !m_.shut_write && m_.peer_gone);  // close_notify into a reset transport
  }
  m_.reset_possible = m_.reset_possible || (m_.peer_gone && write);
  static const char* names[] = {"read", "write", "read_write"};
  switch (judge(sut_.shutdown(how), a, m_, std::string("shutdown(") + names[int(how)] + ")")) {
    case Answer::ok:
      if (write && !m_.shut_write) m_.shut_write = m_.close_notify_out = true;
      if (how != ShutdownHow::write) m_.shut_read = true;
      break;
    case Answer::alert: m_.seen = Seen::reported; break;
    case Answer::closed:
      if (m_.user_closed && m_.end && m_.end->is_alert() && m_.seen == Seen::maybe) m_.seen = Seen::never;
      break;
    default: break;
  }
}

// ---- delivery ----

// What an active socket does in the background: its reader reads the transport, so it may take in the
// end of the stream at any time, and answer it (or a shutdown(read)) with close_notify and the write
// shutdown.
void Harness::background() {
  if (m_.queue.empty() || m_.credit() == 0) m_.modes = {m_.modes.back()};
  if (m_.stray_read && m_.end && !m_.user_closed && !m_.shut_read) {
    if (m_.seen == Seen::unseen) {
      m_.seen = Seen::maybe;
      m_.ambiguous = true;
      if (m_.end->kind == End::Kind::close_notify && !m_.shut_write) m_.close_notify_maybe = true;
    }
    m_.stray_read = false;
  }
  if (m_.credit() == 0 || m_.user_closed || m_.end_told) return;
  if (m_.end && m_.seen == Seen::unseen) {
    m_.seen = Seen::maybe;
    m_.ambiguous = true;
  }
  if ((m_.shut_read || (m_.end && !m_.end->is_alert())) && !m_.shut_write)
    m_.close_notify_maybe = m_.answer_maybe = true;
}

// Takes what an active socket has due until its state is known: it is passive, or has nothing due.
void Harness::settle() {
  for (int i = 0; i < 2000 && m_.credit() > 0 && m_.deliverable(); ++i) sut_take(0);
  if (m_.credit() > 0 && m_.deliverable()) RC_FAIL("an active socket keeps delivering " + m_.describe());
}

// The next event from the owner's mailbox; false when none came.
bool Harness::sut_take(int timeout_ms) {
  const size_t q = m_.queue.size();
  const bool active = m_.credit() > 0;
  bool data = false, closed = false, alert = false, nothing = false;
  if (m_.draining) {
    // close() stopped the reader: some of what was due, in order, or nothing more.
    nothing = true;
    if (active && !m_.end_told) {
      data = q > 0 && !m_.read_done;
      alert = m_.err_possible();
      closed = !m_.err_certain();
    }
  } else if (!active || m_.user_closed || m_.end_told) {
    nothing = true;  // passive, closed, or the stream's end event taken: nothing comes
  } else if (m_.shut_read) {
    // What the socket had decrypted, then `closed` (or the alert it took in).
    data = q > 0 && !m_.read_done;
    alert = m_.err_possible();
    closed = !m_.err_certain();
  } else if (q > 0) {
    data = true;
  } else if (m_.end) {
    (m_.end->is_alert() ? alert : closed) = true;
  } else {
    nothing = true;
  }
  if (active && !m_.end_told && !m_.user_closed && m_.reset_possible && !m_.err_certain()) closed = true;
  const auto wait = nothing ? std::chrono::milliseconds(m_.draining ? 0 : timeout_ms) : answer_wait;
  const auto ev = self()->receive(sut_.id(), wait);
  std::string want = std::string(data ? " data" : "") + (closed ? " ssl_closed" : "") +
                     (alert ? " {ssl_error, " + format_error(m_.error()) + "}" : "") + (nothing ? " nothing" : "");
  want = " (expected" + want + ") " + m_.describe();
  if (!ev) {
    if (!nothing) RC_FAIL("no event came in 5 s" + want);
    ++m_.timeouts;
    return false;
  }
  switch (ev->kind) {
    case Event::Kind::data: {
      if (!data) RC_FAIL("a data event of " + std::to_string(ev->data.size()) + " bytes" + want);
      const Data& got = ev->data;
      if (got.empty() || got.size() > q || !std::equal(got.begin(), got.end(), m_.queue.begin()))
        RC_FAIL("a data event of " + std::to_string(got.size()) + " bytes that are not the next ones the peer sent" +
                want);
      auto mode = std::find(m_.modes.begin(), m_.modes.end(), got.mode);
      if (mode == m_.modes.end() || got.header != 0)
        RC_FAIL(std::string("a data event in ") + (got.mode == Mode::list ? "list" : "binary") + " mode, header " +
                std::to_string(got.header) + want);
      m_.modes.erase(m_.modes.begin(), mode);
      m_.queue.erase(m_.queue.begin(), m_.queue.begin() + ptrdiff_t(got.size()));
      m_.returned.insert(m_.returned.end(), got.begin(), got.end());
      ++m_.data_events;
      const Active before = m_.active;
      m_.active = m_.after(1);
      if (before.kind() == Active::Kind::count && m_.active.kind() == Active::Kind::off) {
        // {active, N} ran out: {ssl_passive, S} right after the data.
        const auto p = self()->receive(sut_.id(), answer_wait);
        if (!p || p->kind != Event::Kind::passive)
          RC_FAIL("the last data event of {active, " + active_name(before) + "} was followed by " +
                  (p ? p->to_string() : std::string("nothing")) + " instead of ssl_passive " + m_.describe());
        ++m_.passive_events;
      }
      if (m_.credit() == 0) {
        m_.modes = {m_.modes.back()};
        sut_getopts();  // passive now: {active, false}
      }
      return true;
    }
    case Event::Kind::closed: {
      if (!closed) RC_FAIL("ssl_closed" + want);
      // The transport's tag when the transport ended it, none after close_notify.
      if (m_.end && !m_.shut_read && !m_.reset_possible && !m_.user_closed && !m_.draining) {
        const std::string tag = m_.end->kind == End::Kind::eof ? "tcp_closed" : "";
        if (ev->transport_tag != tag) RC_FAIL("ssl_closed with the tag '" + ev->transport_tag + "'" + want);
      }
      if (m_.end && m_.end->is_alert() && m_.seen != Seen::reported) m_.seen = Seen::never;
      if (!m_.shut_read && m_.end && !m_.end->is_alert()) m_.seen = Seen::reported;
      m_.read_done = m_.end_told = true;
      m_.drop_queue();
      if (!m_.shut_write && !m_.user_closed) m_.close_notify_out = m_.shut_write = true;  // it answers
      return true;
    }
    case Event::Kind::error: {
      if (!alert || ev->error.kind != Error::Kind::tls_alert || ev->error.alert != m_.error().alert ||
          ev->error.alert_sent != m_.error().alert_sent)
        RC_FAIL("{ssl_error, " + format_error(ev->error) + "}" + want);
      m_.seen = Seen::reported;
      m_.read_done = m_.end_told = true;
      m_.drop_queue();
      return true;
    }
    case Event::Kind::passive: RC_FAIL("ssl_passive" + want);
  }
  return true;
}

// The options the socket reports: its active state as of the last event taken, or a later one when data
// events are on their way; its mode.
void Harness::sut_getopts() {
  auto o = sut_.getopts();
  if (!o) RC_FAIL("getopts returned " + format_error(o.error()) + " " + m_.describe());
  const Active got = *o->active;
  const int ahead =
      m_.active.kind() == Active::Kind::on || !m_.deliverable() ? 0 : std::min<int>(m_.credit(), int(m_.queue.size()));
  bool ok = false;
  for (int k = 0; k <= ahead && !ok; ++k) ok = got == m_.after(k);
  if (!ok) RC_FAIL("getopts shows {active, " + active_name(got) + "} " + m_.describe());
  if (*o->mode != m_.modes.back()) RC_FAIL("getopts shows the other mode " + m_.describe());
  RC_ASSERT(*o->packet == Packet::raw);
  RC_ASSERT(*o->header == 0u);
}

void Harness::sut_set_active(Active a) {
  // The socket's state must be known: what it delivered under the old setting is taken first.
  if (!(m_.active.kind() == Active::Kind::on && a.kind() == Active::Kind::on)) settle();
  if (auto r = sut_.setopts({.active = a}); !r)
    RC_FAIL("setopts({active, " + active_name(a) + "}) returned " + format_error(r.error()) + " " + m_.describe());
  Active next = a;
  if (a.kind() == Active::Kind::count) {
    // {active, N} adds to the counter; at 0 or below the socket turns passive and says so.
    const int n = (m_.active.kind() == Active::Kind::count ? m_.active.n() : 0) + a.n();
    next = n > 0 ? Active::count(n) : Active(false);
  }
  if (m_.credit() > 0 && next.kind() == Active::Kind::off) m_.stray_read = true;
  m_.active = next;
  if (a.kind() == Active::Kind::count && next.kind() == Active::Kind::off) {
    const auto p = self()->receive(sut_.id(), answer_wait);
    if (!p || p->kind != Event::Kind::passive)
      RC_FAIL("setopts({active, " + active_name(a) + "}) was followed by " +
              (p ? p->to_string() : std::string("nothing")) + " instead of ssl_passive " + m_.describe());
    ++m_.passive_events;
  }
  sut_getopts();
}

void Harness::sut_set_mode(Mode mode) {
  if (auto r = sut_.setopts({.mode = mode}); !r)
    RC_FAIL("setopts(mode) returned " + format_error(r.error()) + " " + m_.describe());
  if (mode != m_.modes.back()) ++m_.mode_changes;
  if (m_.credit() > 0 && m_.deliverable()) m_.modes.push_back(mode);
  else m_.modes = {mode};
}

}  // namespace essl::props

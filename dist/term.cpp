// Terms: Erlang text to the external format (a small recursive-descent reader over ei's encoders) and back
// (ei's printer).
#include <ei.h>

#include <cctype>
#include <cstdlib>
#include <string>

#include "dist/node.hpp"
#include "dist/term_check.hpp"

namespace essl::dist {
namespace {

constexpr int kMaxDepth = 64;

class Reader {
 public:
  Reader(std::string_view s, ei_x_buff* x) : s_(s), x_(x) {}

  bool term(int depth) {
    if (depth > kMaxDepth) return err("nested too deeply");
    ws();
    if (at_end()) return err("a term was expected");
    const char c = s_[i_];
    if (c == '[') return list(depth);
    if (c == '{') return tuple(depth);
    if (c == '"') return string();
    if (c == '\'') return quoted_atom();
    if (c == '<') return binary();
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return number();
    if (std::islower(static_cast<unsigned char>(c))) return atom();
    return err(std::string("unexpected '") + c + "'");
  }
  bool finish() {
    ws();
    return at_end() || err("text after the term");
  }
  const std::string& why() const { return why_; }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  void ws() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool err(std::string why) {
    if (why_.empty()) why_ = std::move(why) + " at offset " + std::to_string(i_);
    return false;
  }
  bool ok(int rc) { return rc == 0 || err("cannot encode"); }

  // Elements up to `close`, each encoded after a header with the count (known only at the end): the
  // elements go to a separate buffer first.
  bool elements(char close, int depth, bool is_list) {
    ++i_;
    ei_x_buff inner;
    ei_x_new(&inner);
    Reader sub(s_, &inner);
    sub.i_ = i_;
    long n = 0;
    sub.ws();
    bool good = true;
    if (!sub.at_end() && sub.s_[sub.i_] == close) {
      ++sub.i_;
    } else {
      for (;;) {
        if (!sub.term(depth + 1)) {
          good = false;
          break;
        }
        ++n;
        sub.ws();
        if (sub.at_end()) {
          good = sub.err(std::string("'") + close + "' expected");
          break;
        }
        if (sub.s_[sub.i_] == ',') {
          ++sub.i_;
          continue;
        }
        if (sub.s_[sub.i_] == close) {
          ++sub.i_;
          break;
        }
        good = sub.err(std::string("',' or '") + close + "' expected");
        break;
      }
    }
    i_ = sub.i_;
    if (!good) {
      why_ = sub.why_;
      ei_x_free(&inner);
      return false;
    }
    bool r = is_list ? (n == 0 || ok(ei_x_encode_list_header(x_, n))) : ok(ei_x_encode_tuple_header(x_, n));
    if (r && inner.index > 0) r = ok(ei_x_append_buf(x_, inner.buff, inner.index));
    if (r && is_list) r = ok(ei_x_encode_empty_list(x_));
    ei_x_free(&inner);
    return r;
  }
  bool list(int depth) { return elements(']', depth, true); }
  bool tuple(int depth) { return elements('}', depth, false); }

  // Characters up to the closing `q`, with \\ \" \' \n \t escapes.
  bool quoted(char q, std::string& out) {
    ++i_;
    while (!at_end() && s_[i_] != q) {
      char c = s_[i_++];
      if (c == '\\') {
        if (at_end()) break;
        c = s_[i_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
      }
      out.push_back(c);
    }
    if (at_end()) return err(std::string("unterminated ") + q);
    ++i_;
    return true;
  }
  bool string() {
    std::string v;
    if (!quoted('"', v)) return false;
    return ok(ei_x_encode_string_len(x_, v.data(), static_cast<int>(v.size())));
  }
  bool encode_atom(const std::string& v) {
    if (v.size() > 255) return err("atom too long");
    return ok(ei_x_encode_atom_len(x_, v.data(), static_cast<int>(v.size())));
  }
  bool quoted_atom() {
    std::string v;
    return quoted('\'', v) && encode_atom(v);
  }
  bool atom() {
    std::string v;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '@'))
      v.push_back(s_[i_++]);
    return encode_atom(v);
  }
  bool binary() {
    if (s_.substr(i_, 2) != "<<") return err("'<<' expected");
    i_ += 2;
    ws();
    std::string v;
    if (!at_end() && s_[i_] == '"') {
      if (!quoted('"', v)) return false;
    } else {
      // <<1,2,3>>: bytes
      while (!at_end() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
        size_t end = i_;
        while (end < s_.size() && std::isdigit(static_cast<unsigned char>(s_[end])) && end - i_ < 4) ++end;
        const int b = std::stoi(std::string(s_.substr(i_, end - i_)));
        if (b > 255) return err("a byte is 0 to 255");
        v.push_back(static_cast<char>(b));
        i_ = end;
        ws();
        if (!at_end() && s_[i_] == ',') {
          ++i_;
          ws();
        }
      }
    }
    ws();
    if (s_.substr(i_, 2) != ">>") return err("'>>' expected");
    i_ += 2;
    return ok(ei_x_encode_binary(x_, v.data(), static_cast<long>(v.size())));
  }
  bool number() {
    const size_t start = i_;
    if (s_[i_] == '-') ++i_;
    bool is_float = false;
    while (!at_end() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' || s_[i_] == 'e' ||
                         ((s_[i_] == '-' || s_[i_] == '+') && (s_[i_ - 1] == 'e')))) {
      if (s_[i_] == '.' || s_[i_] == 'e') is_float = true;
      ++i_;
    }
    const std::string text(s_.substr(start, i_ - start));
    char* end = nullptr;
    errno = 0;
    if (is_float) {
      const double d = std::strtod(text.c_str(), &end);
      if (end != text.c_str() + text.size() || errno != 0) return err("bad number");
      return ok(ei_x_encode_double(x_, d));
    }
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (end != text.c_str() + text.size() || errno != 0 || text == "-") return err("bad integer");
    return ok(ei_x_encode_longlong(x_, v));
  }

  std::string_view s_;
  ei_x_buff* x_;
  size_t i_ = 0;
  std::string why_;
};

}  // namespace

Res<Term> Term::parse(std::string_view text) {
  ei_x_buff x;
  ei_x_new(&x);
  Reader r(text, &x);
  const bool good = r.term(0) && r.finish();
  Term t;
  if (good) t.bytes.assign(x.buff, static_cast<size_t>(x.index));
  ei_x_free(&x);
  if (!good) return fail(Error::options("term", r.why()));
  return t;
}

Term Term::atom(std::string_view name) {
  ei_x_buff x;
  ei_x_new(&x);
  ei_x_encode_atom_len(&x, name.data(), static_cast<int>(std::min<size_t>(name.size(), 255)));
  Term t{std::string(x.buff, static_cast<size_t>(x.index))};
  ei_x_free(&x);
  return t;
}

Term Term::binary(std::string_view bytes) {
  ei_x_buff x;
  ei_x_new(&x);
  ei_x_encode_binary(&x, bytes.data(), static_cast<long>(bytes.size()));
  Term t{std::string(x.buff, static_cast<size_t>(x.index))};
  ei_x_free(&x);
  return t;
}

namespace {
Term sequence(std::initializer_list<Term> elements, bool is_list) {
  ei_x_buff x;
  ei_x_new(&x);
  const long n = static_cast<long>(elements.size());
  if (is_list && n > 0) ei_x_encode_list_header(&x, n);
  if (!is_list) ei_x_encode_tuple_header(&x, n);
  for (const Term& e : elements) ei_x_append_buf(&x, e.bytes.data(), static_cast<int>(e.bytes.size()));
  if (is_list) ei_x_encode_empty_list(&x);
  Term t{std::string(x.buff, static_cast<size_t>(x.index))};
  ei_x_free(&x);
  return t;
}
}  // namespace

Term Term::tuple(std::initializer_list<Term> elements) { return sequence(elements, false); }
Term Term::list(std::initializer_list<Term> elements) { return sequence(elements, true); }

std::optional<std::string> Term::atom_name() const {
  const auto size = checked_term_size({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  if (!size || *size != bytes.size()) return std::nullopt;
  const auto tag = static_cast<uint8_t>(bytes[0]);
  const size_t header = (tag == 115 || tag == 119) ? 2 : (tag == 100 || tag == 118) ? 3 : 0;
  if (header == 0) return std::nullopt;
  return bytes.substr(header);
}

std::string Term::text() const {
  // ei's printer trusts its buffer: the bytes are walked with bounds checks first.
  const auto size = checked_term_size({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  if (!size || *size != bytes.size()) return "<invalid term>";
  char* s = nullptr;
  int index = 0;
  if ( ei_s_print_term(&s, bytes.data(), &index) < 0 || index != static_cast<int>(bytes.size())) {
    std::free(s);
    return "<invalid term>";
  }
  std::string out(s);
  std::free(s);
  return out;
}

}  // namespace essl::dist

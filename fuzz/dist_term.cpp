// Target functions: essl::dist::checked_term_size (the walk every term from a distribution peer takes
// before ei decodes it), essl::dist::Term::parse and Term::text.
// Input: the first byte chooses the mode; the rest is external-format bytes (even) or Erlang text (odd).
#include <ei.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "dist/node.hpp"
#include "dist/term_check.hpp"

namespace {

// `bytes` at the very end of readable memory: the page after them is PROT_NONE.
class GuardedCopy {
 public:
  explicit GuardedCopy(const std::string& bytes) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    pages_ = (bytes.size() + page - 1) / page + 1;
    void* m = mmap(nullptr, pages_ * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) std::abort();
    base_ = static_cast<char*>(m);
    if (mprotect(base_ + (pages_ - 1) * page, page, PROT_NONE) != 0) std::abort();
    data_ = base_ + (pages_ - 1) * page - bytes.size();
    std::memcpy(data_, bytes.data(), bytes.size());
    size_ = pages_ * page;
  }
  ~GuardedCopy() { munmap(base_, size_); }
  const char* data() const { return data_; }

 private:
  char* base_ = nullptr;
  char* data_ = nullptr;
  size_t pages_ = 0, size_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::dist;
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    const auto n = checked_term_size(rest);
    if (!n) return 0;
    if (*n > rest.size()) std::abort();
    // ei trusts its buffer; the walk is what bounds it. The accepted bytes are put right before a page
    // nobody may read (ei is not instrumented, so this is what catches it reading on), then ei skips
    // and prints them.
    const std::string copy(reinterpret_cast<const char*>(rest.data()), *n);
    GuardedCopy g(copy);
    int index = 0;
    if (ei_skip_term(g.data(), &index) == 0 && (index < 0 || index > static_cast<int>(*n))) std::abort();
    index = 0;
    char* printed = nullptr;
    (void)ei_s_print_term(&printed, g.data(), &index);
    std::free(printed);
    (void)Term{copy}.text();
    (void)Term{copy}.atom_name();
    return 0;
  }
  const std::string text(reinterpret_cast<const char*>(rest.data()), rest.size());
  auto t = Term::parse(text);
  if (!t) return 0;
  // What the reader encodes is a well-formed term the walk accepts whole.
  const auto n = checked_term_size({reinterpret_cast<const uint8_t*>(t->bytes.data()), t->bytes.size()});
  if (!n || *n != t->bytes.size()) std::abort();
  (void)t->text();
  return 0;
}

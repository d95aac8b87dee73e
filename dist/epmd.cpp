#include "dist/epmd.hpp"

#include <cstdlib>
#include <vector>

#include "essl/transport.hpp"

namespace essl::dist {

uint16_t epmd_port() {
  if (const char* p = std::getenv("ERL_EPMD_PORT")) {
    char* end = nullptr;
    const long v = std::strtol(p, &end, 10);
    if (end != p && *end == '\0' && v > 0 && v < 65536) return static_cast<uint16_t>(v);
  }
  return 4369;
}

Res<uint16_t> epmd_port_please(const std::string& host, const std::string& alive, std::chrono::milliseconds timeout) {
  if (alive.empty() || alive.size() > 255) return fail(Error::options("node", "bad alive name: " + alive));
  auto t = tcp_connect(host, epmd_port(), timeout);
  if (!t) return fail(t.error());
  // PORT_PLEASE2_REQ: a 2-byte length, 'z', the alive name
  std::vector<uint8_t> req;
  const size_t n = 1 + alive.size();
  req.push_back(static_cast<uint8_t>(n >> 8));
  req.push_back(static_cast<uint8_t>(n));
  req.push_back('z');
  req.insert(req.end(), alive.begin(), alive.end());
  if (auto s = (*t)->send(req); !s) return fail(s.error());
  // PORT2_RESP: 'w', result, then (result 0) the port and the rest, which is not needed here
  std::vector<uint8_t> resp;
  while (resp.size() < 4) {
    auto r = (*t)->recv(0, timeout);
    if (!r) {
      if (r.error().kind == Error::Kind::closed && resp.size() >= 2 && resp[0] == 'w' && resp[1] != 0) break;
      if (r.error().kind == Error::Kind::closed) break;
      return fail(r.error());
    }
    resp.insert(resp.end(), r->begin(), r->end());
  }
  (void)(*t)->close();
  if (resp.size() < 2 || resp[0] != 'w') return fail(Error::transport("epmd at " + host + " sent no PORT2_RESP"));
  if (resp[1] != 0) return fail(Error::other("noport"));
  if (resp.size() < 4) return fail(Error::transport("epmd at " + host + " sent a short PORT2_RESP"));
  return static_cast<uint16_t>(resp[2] << 8 | resp[3]);
}

}  // namespace essl::dist

// NNG REQ/REP over tls+tcp:// on loopback, both sockets in this process, with essl registered as NNG's
// TLS engine. The TLS settings are NNG's own nng_tls_config calls with the test certificates as PEM:
// the REP side has the server certificate and key, the REQ side the CA and the name to expect.
//
//   essl-example-nng [CERT_DIR]    (CERT_DIR holds ca.pem, server-rsa.pem and server-rsa-key.pem;
//                                   default: $ESSL_SOURCE_ROOT/tests/data)
//
// Exits 0 when the reply came back over a connection whose server certificate was verified.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "essl/nng.hpp"

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int die(const char* what, int rv) {
  std::printf("%s: %s\n", what, nng_strerror(rv));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  if (argc > 1) {
    dir = argv[1];
  } else {
    const char* root = std::getenv("ESSL_SOURCE_ROOT");
    dir = std::string(root ? root : ".") + "/tests/data";
  }
  const std::string ca = read_text(dir + "/ca.pem");
  const std::string cert = read_text(dir + "/server-rsa.pem");
  const std::string key = read_text(dir + "/server-rsa-key.pem");

  // One call: every TLS connection of NNG from now on runs on essl.
  if (auto r = essl::nng::register_engine(); !r) {
    std::printf("register_engine: %s\n", essl::format_error(r.error()).c_str());
    return 1;
  }
  std::printf("TLS engine: %s (%s)\n", nng_tls_engine_name(), nng_tls_engine_description());

  int rv;
  // The server: a REP socket listening on a free port, with its certificate and key.
  nng_socket rep, req;
  nng_listener listener;
  nng_tls_config* server_tls;
  if ((rv = nng_rep0_open(&rep)) != 0) return die("nng_rep0_open", rv);
  if ((rv = nng_tls_config_alloc(&server_tls, NNG_TLS_MODE_SERVER)) != 0) return die("nng_tls_config_alloc", rv);
  if ((rv = nng_tls_config_own_cert(server_tls, cert.c_str(), key.c_str(), nullptr)) != 0)
    return die("nng_tls_config_own_cert", rv);
  if ((rv = nng_listener_create(&listener, rep, "tls+tcp://127.0.0.1:0")) != 0) return die("nng_listener_create", rv);
  if ((rv = nng_listener_set_ptr(listener, NNG_OPT_TLS_CONFIG, server_tls)) != 0) return die("NNG_OPT_TLS_CONFIG", rv);
  if ((rv = nng_listener_start(listener, 0)) != 0) return die("nng_listener_start", rv);
  int port = 0;
  if ((rv = nng_listener_get_int(listener, NNG_OPT_TCP_BOUND_PORT, &port)) != 0) return die("bound port", rv);
  const std::string url = "tls+tcp://127.0.0.1:" + std::to_string(port);
  std::printf("REP listening on %s\n", url.c_str());

  // The client: a REQ socket that trusts the test CA and expects the name "localhost".
  nng_dialer dialer;
  nng_tls_config* client_tls;
  if ((rv = nng_req0_open(&req)) != 0) return die("nng_req0_open", rv);
  if ((rv = nng_tls_config_alloc(&client_tls, NNG_TLS_MODE_CLIENT)) != 0) return die("nng_tls_config_alloc", rv);
  if ((rv = nng_tls_config_ca_chain(client_tls, ca.c_str(), nullptr)) != 0) return die("nng_tls_config_ca_chain", rv);
  if ((rv = nng_tls_config_server_name(client_tls, "localhost")) != 0) return die("nng_tls_config_server_name", rv);
  if ((rv = nng_dialer_create(&dialer, req, url.c_str())) != 0) return die("nng_dialer_create", rv);
  if ((rv = nng_dialer_set_ptr(dialer, NNG_OPT_TLS_CONFIG, client_tls)) != 0) return die("NNG_OPT_TLS_CONFIG", rv);
  for (nng_socket s : {rep, req}) {
    nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 5000);
    nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, 5000);
  }
  if ((rv = nng_dialer_start(dialer, 0)) != 0) return die("nng_dialer_start", rv);

  // The request, answered by the REP socket.
  char request[] = "hello over essl";
  if ((rv = nng_send(req, request, sizeof request - 1, 0)) != 0) return die("REQ send", rv);
  nng_msg* msg;
  if ((rv = nng_recvmsg(rep, &msg, 0)) != 0) return die("REP receive", rv);
  std::printf("REP got: %.*s\n", int(nng_msg_len(msg)), static_cast<const char*>(nng_msg_body(msg)));
  nng_msg_free(msg);
  char reply[] = "hello back";
  if ((rv = nng_send(rep, reply, sizeof reply - 1, 0)) != 0) return die("REP send", rv);
  if ((rv = nng_recvmsg(req, &msg, 0)) != 0) return die("REQ receive", rv);
  bool verified = false;
  nng_pipe_get_bool(nng_msg_get_pipe(msg), NNG_OPT_TLS_VERIFIED, &verified);
  std::printf("REQ got: %.*s (server certificate verified: %s)\n", int(nng_msg_len(msg)),
              static_cast<const char*>(nng_msg_body(msg)), verified ? "yes" : "no");
  nng_msg_free(msg);

  nng_close(req);
  nng_close(rep);
  nng_tls_config_free(client_tls);
  nng_tls_config_free(server_tls);
  nng_fini();  // waits for NNG's threads to finish the closed connections
  return verified ? 0 : 1;
}

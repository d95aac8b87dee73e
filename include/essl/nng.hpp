// essl as NNG's TLS engine: after register_engine(), every tls+tcp:// socket of the process
// runs TLS 1.0-1.2 on essl instead of NNG's built-in engine.
//
//   essl::nng::register_engine();                       // once, before the first nng_tls_config_alloc
//   nng_tls_config_ca_chain(cfg, ca_pem, nullptr);      // configured with NNG's own calls as usual
//
// The nng_tls_config calls map onto essl::Options: server name = server_name_indication (and the name
// the server's certificate must match); auth mode NONE = verify_none, OPTIONAL = verify_peer (a peer
// without a certificate is accepted, a certificate that fails verification is not), REQUIRED =
// verify_peer and, on a server, fail_if_no_peer_cert; ca_chain = cacerts (its CRLs checked as
// crl_check best_effort); own_cert = cert (the whole PEM chain) and key (the password decrypts it);
// version = versions (TLS 1.0-1.2; a range holding only TLS 1.3 is NNG_ENOTSUP). The defaults are
// NNG's: a client verifies its peer (so it needs a CA chain), a server does not. The own_cert of a
// config replaces the one before it (essl has one certificate per side). A config's essl TlsConfig is
// made at its first connection; an invalid combination (verify_peer without a CA chain, a server
// without a certificate, a key that does not match) fails that connection with NNG_EINVAL.
//
// Errors: the peer's certificate rejected (or ours rejected by the peer) NNG_EPEERAUTH, any other
// fatal alert NNG_ECRYPTO, the peer's close_notify NNG_ECONNSHUT. NNG_OPT_TLS_VERIFIED is true once the
// peer's certificate was presented and verified. Sessions are not resumed: each connection makes a
// full handshake. NNG finishes closed connections on its own threads: a program that exits right after
// closing its sockets calls nng_fini() first, so that none of them outlives essl's static state.
#pragma once

#include "essl/error.hpp"

namespace essl::nng {

// Registers essl with nng_tls_engine_register (initializing NNG first, whose initialization would
// otherwise register the built-in engine over it). After nng_fini(), call it again. The error names
// NNG's error text.
Result<void, Error> register_engine();

}  // namespace essl::nng

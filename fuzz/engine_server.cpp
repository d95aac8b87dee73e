// Target: a server Engine fed arbitrary bytes as if from a client.
// Target functions: Engine::feed, RecordLayer::next, the transition table lookup, handshake reassembly,
// the server handlers (ClientHello .. Finished), alerts.
// Seeds: fuzz/corpus/engine_server/ holds a whole client side of a handshake captured from the client
// engine with the same deterministic RNGs, so the fuzzer starts from inputs that reach `connection`.
// In the fuzzing build the crypto provider is crypto_glue/fuzzing_provider.hpp, whose handshake differs;
// fuzz/run has the target write that one (ESSL_WRITE_ENGINE_SEEDS) and adds it to the seeds.
#include "engine_fuzz.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  essl::fuzz::init_process();
  essl::fuzz::write_engine_seeds_if_asked();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl;
  fuzz::FuzzEngine f(Role::server, fuzz::server_seed);
  Engine& e = *f.engine;
  // Feed in two pieces so record and message boundaries move with the input.
  size_t cut = size > 0 ? data[0] % (size + 1) : 0;
  e.feed(codec::ByteView(data, cut));
  e.consume_output(e.pending_output().size());
  e.feed(codec::ByteView(data + cut, size - cut));
  // Whatever happened, the engine answers consistently.
  if (e.error() && e.handshake_done() && e.error()->kind != Error::Kind::tls_alert) std::abort();
  if (e.handshake_done()) {
    const uint8_t msg[] = {'p', 'o', 'n', 'g'};
    (void)e.send(msg);
  }
  e.close();
  e.end_of_input();
  return 0;
}

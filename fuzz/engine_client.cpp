// Target: a client Engine (after its ClientHello) fed arbitrary bytes as if from a server.
// Target functions: Engine::feed, RecordLayer::next, the transition table lookup, handshake reassembly,
// the client handlers (ServerHello .. Finished), alerts.
// Seeds: fuzz/corpus/engine_client/ holds a whole server side of a handshake captured from the server
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
  fuzz::FuzzEngine f(Role::client, fuzz::client_seed);
  Engine& e = *f.engine;
  e.consume_output(e.pending_output().size());
  size_t cut = size > 0 ? data[0] % (size + 1) : 0;
  e.feed(codec::ByteView(data, cut));
  e.feed(codec::ByteView(data + cut, size - cut));
  if (e.handshake_done()) {
    const uint8_t msg[] = {'p', 'i', 'n', 'g'};
    (void)e.send(msg);
  }
  e.close();
  e.end_of_input();
  return 0;
}

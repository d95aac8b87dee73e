// ClientHello and ServerHello.
#include "props_gen.hpp"

namespace essl::codec::props {
namespace {

RC_GTEST_PROP(HelloProps, ClientHelloRoundTrip, ()) {
  check_round_trip(*client_hello(), encode_client_hello, decode_client_hello);
}
RC_GTEST_PROP(HelloProps, ClientHelloTotal, ()) {
  check_total(*near_valid(client_hello(), encode_client_hello), encode_client_hello, decode_client_hello);
}
RC_GTEST_PROP(HelloProps, ServerHelloRoundTrip, ()) {
  check_round_trip(*server_hello(), encode_server_hello, decode_server_hello);
}
RC_GTEST_PROP(HelloProps, ServerHelloTotal, ()) {
  check_total(*near_valid(server_hello(), encode_server_hello), encode_server_hello, decode_server_hello);
}

}  // namespace
}  // namespace essl::codec::props

#!/bin/sh
# The PKI of the per-state fuzz targets (fuzz/handshake_driver.hpp): a self-signed server certificate
# (the clients there do not verify it; a 1024-bit key keeps RSA key transport and ServerKeyExchange
# signatures cheap on every input), and for client authentication a CA and a client certificate with
# 1024-bit RSA keys, the smallest essl's path validation accepts (80-bit
# strength). Every input of a target past the client's Certificate validates this chain again, and
# loading an RSA key costs time quadratic in its size; tests/data's 2048-bit PKI would halve the
# throughput of those targets. For fuzzing only. Run in fuzz/data/ to regenerate.
set -eu
days=36500
openssl req -x509 -newkey rsa:1024 -nodes -keyout ca-key.pem -out ca.pem -days $days \
  -subj "/O=essl fuzz/CN=essl fuzz CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out client-key.pem 2>/dev/null
openssl req -new -key client-key.pem -subj "/O=essl fuzz/CN=essl fuzz client" -out client.csr 2>/dev/null
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
  "extendedKeyUsage=clientAuth" > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days $days -sha256 \
  -extfile client.ext -out client.pem 2>/dev/null
rm -f client.csr client.ext ca.srl ca-key.pem
openssl req -x509 -newkey rsa:1024 -nodes -keyout server-key.pem -out server.pem -days $days \
  -subj "/O=essl fuzz/CN=localhost" -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature,keyEncipherment" -addext "extendedKeyUsage=serverAuth" 2>/dev/null

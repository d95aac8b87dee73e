#!/bin/sh
# Regenerates the test PKI (valid for 100 years). Run from this folder; the files are committed.
set -eu
days=36500
ext_server="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth"
ext_server_sign="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth"
ext_client="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
ext_ca="basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash"

mkca() { # name subject
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1-key.pem" -out "$1.pem" -days $days \
    -subj "$2" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
mkleaf() { # name keyspec subject ext
  case "$2" in
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1-key.pem" 2>/dev/null ;;
    ec*) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"${2#ec:}" -out "$1-key.pem" 2>/dev/null ;;
    dsa)
      openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -pkeyopt dsa_paramgen_q_bits:256 \
        -out "$1-param.pem" 2>/dev/null
      openssl genpkey -paramfile "$1-param.pem" -out "$1-key.pem" 2>/dev/null
      rm -f "$1-param.pem" ;;
  esac
  openssl req -new -key "$1-key.pem" -subj "$3" -out "$1.csr" 2>/dev/null
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days $days -sha256 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
# The credential-loading set: a DSA leaf, every private key format (DER forms for the `key` option),
# encrypted keys (PKCS#8 PBES2 with PBKDF2 or scrypt, PKCS#12 PBES1 which is refused, and OpenSSL's
# legacy PEM encryption; password essl-test), an Ed25519 key (refused: no TLS 1.2 use) and DH groups of
# 1024 bits and a weak 512 bits.
# `make-certs.sh loading` regenerates only this set.
mkloading() {
  pw=pass:essl-test
  mkleaf server-dsa dsa "/O=essl test/CN=localhost" "$ext_server_sign"
  rm -f ca.srl
  openssl pkey -in server-dsa-key.pem -traditional -out server-dsa-key-trad.pem
  openssl dsa -in server-dsa-key.pem -outform DER -out server-dsa-key.der 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in server-dsa-key.pem -outform DER -out server-dsa-key.p8.der
  openssl pkcs8 -topk8 -nocrypt -in server-rsa-key.pem -outform DER -out server-rsa-key.p8.der
  openssl x509 -in server-dsa.pem -outform DER -out server-dsa.der
  openssl pkcs8 -topk8 -v2 aes-128-cbc -passout $pw -in server-dsa-key.pem -out server-dsa-key-pkcs8-enc.pem
  openssl pkcs8 -topk8 -v2 aes-256-cbc -passout $pw -in server-ecdsa-key.pem -out server-ecdsa-key-pkcs8-enc.pem
  openssl pkcs8 -topk8 -scrypt -passout $pw -in server-ecdsa-key.pem -out server-ecdsa-key-scrypt.pem
  openssl pkcs8 -topk8 -scrypt -passout $pw -in server-ecdsa-key.pem -outform DER -out server-ecdsa-key-scrypt.der
  openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -passout $pw -in server-ecdsa-key.pem -out server-ecdsa-key-pbes1.pem
  openssl rsa -in server-rsa-key.pem -traditional -aes128 -passout $pw -out server-rsa-key-aes128.pem 2>/dev/null
  openssl rsa -in server-rsa-key.pem -traditional -des3 -passout $pw -out server-rsa-key-des3.pem 2>/dev/null
  openssl ec -in server-ecdsa-key.pem -aes256 -passout $pw -out server-ecdsa-key-aes256.pem 2>/dev/null
  openssl dsa -in server-dsa-key.pem -aes192 -passout $pw -out server-dsa-key-aes192.pem 2>/dev/null
  openssl genpkey -algorithm ed25519 -out ed25519-key.pem
  openssl dhparam -out dh1024.pem 1024 2>/dev/null
  openssl dhparam -outform DER -out dh1024.der 1024 2>/dev/null
  openssl dhparam -out dh512.pem 512 2>/dev/null
}
# The path-validation set in pkix/: an intermediate CA under ca.pem with a server under it, a second
# intermediate below the first with its own server (depth 2), int-server-chain.pem (int-server then
# int-ca, for certfile), a wildcard server, a server named only in
# its common name (and without extendedKeyUsage), and DER copies of ca, other-ca, server-rsa and
# client-rsa. `make-certs.sh pkix` regenerates only this set.
mkpkix() {
  mkdir -p pkix
  ext_int="basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"
  ext_leaf="subjectAltName=DNS:localhost,IP:127.0.0.1
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"
  pkixcert() { # name issuer subject ext
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "pkix/$1-key.pem" 2>/dev/null
    openssl req -new -key "pkix/$1-key.pem" -subj "$3" -out "pkix/$1.csr" 2>/dev/null
    printf '%s\n' "$4" > "pkix/$1.ext"
    openssl x509 -req -in "pkix/$1.csr" -CA "$2.pem" -CAkey "$2-key.pem" -set_serial "0x$(openssl rand -hex 8)" \
      -days $days -sha256 -extfile "pkix/$1.ext" -out "pkix/$1.pem" 2>/dev/null
    openssl x509 -in "pkix/$1.pem" -outform DER -out "pkix/$1.der"
    rm -f "pkix/$1.csr" "pkix/$1.ext"
  }
  pkixcert int-ca ca "/O=essl test/CN=essl test intermediate CA" "$ext_int"
  pkixcert int-server pkix/int-ca "/O=essl test/CN=localhost" "$ext_leaf"
  pkixcert int2-ca pkix/int-ca "/O=essl test/CN=essl test second intermediate CA" "$ext_int"
  pkixcert int2-server pkix/int2-ca "/O=essl test/CN=localhost" "$ext_leaf"
  pkixcert wildcard-server ca "/O=essl test/CN=wildcard" "subjectAltName=DNS:*.example.com
basicConstraints=critical,CA:FALSE
extendedKeyUsage=serverAuth"
  pkixcert cn-server ca "/O=essl test/CN=cn-only.example.com" "basicConstraints=critical,CA:FALSE"
  cat pkix/int-server.pem pkix/int-ca.pem > pkix/int-server-chain.pem
  openssl x509 -in ca.pem -outform DER -out pkix/ca.der
  openssl x509 -in other-ca.pem -outform DER -out pkix/other-ca.der
  openssl x509 -in server-rsa.pem -outform DER -out pkix/server-rsa.der
  openssl x509 -in client-rsa.pem -outform DER -out pkix/client-rsa.der
}
# A server named by the SNI tests' host names (ECDSA P-256): a client checking the name it sent finds
# it in the certificate a server's sni_hosts chose. `make-certs.sh sni` regenerates only this one.
mksni() {
  mkleaf server-sni ec:P-256 "/O=essl test/CN=sni.test" "subjectAltName=DNS:sni.test,DNS:ecdsa.test
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth"
  rm -f ca.srl
}
# Static ECDH (RFC 4492 2.1, 2.3): EC P-256 servers whose certificates allow keyAgreement.
# server-ecdh-rsa is signed by ca.pem (RSA): ECDH_RSA. server-ecdh-ecdsa is signed by ca-ecdsa, an ECDSA
# P-256 intermediate under ca.pem: ECDH_ECDSA; server-ecdh-ecdsa-chain.pem is the leaf then ca-ecdsa
# (for certfile). `make-certs.sh ecdh` regenerates only this set.
mkecdh() {
  ext_ecdh="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=serverAuth"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca-ecdsa-key.pem 2>/dev/null
  openssl req -new -key ca-ecdsa-key.pem -subj "/O=essl test/CN=essl test ECDSA intermediate CA" -out ca-ecdsa.csr 2>/dev/null
  printf '%s\n' "$ext_ca" > ca-ecdsa.ext
  openssl x509 -req -in ca-ecdsa.csr -CA ca.pem -CAkey ca-key.pem -set_serial "0x$(openssl rand -hex 8)" -days $days \
    -sha256 -extfile ca-ecdsa.ext -out ca-ecdsa.pem 2>/dev/null
  rm -f ca-ecdsa.csr ca-ecdsa.ext
  mkleaf server-ecdh-rsa ec:P-256 "/O=essl test/CN=localhost" "$ext_ecdh"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server-ecdh-ecdsa-key.pem 2>/dev/null
  openssl req -new -key server-ecdh-ecdsa-key.pem -subj "/O=essl test/CN=localhost" -out server-ecdh-ecdsa.csr 2>/dev/null
  printf '%s\n' "$ext_ecdh" > server-ecdh-ecdsa.ext
  openssl x509 -req -in server-ecdh-ecdsa.csr -CA ca-ecdsa.pem -CAkey ca-ecdsa-key.pem \
    -set_serial "0x$(openssl rand -hex 8)" -days $days -sha256 -extfile server-ecdh-ecdsa.ext \
    -out server-ecdh-ecdsa.pem 2>/dev/null
  rm -f server-ecdh-ecdsa.csr server-ecdh-ecdsa.ext ca.srl
  cat server-ecdh-ecdsa.pem ca-ecdsa.pem > server-ecdh-ecdsa-chain.pem
}
if [ "${1:-all}" = ecdh ]; then
  mkecdh
  exit 0
fi
if [ "${1:-all}" = sni ]; then
  mksni
  exit 0
fi
if [ "${1:-all}" = pkix ]; then
  mkpkix
  exit 0
fi
if [ "${1:-all}" = loading ]; then
  mkloading
  exit 0
fi

mkca ca "/O=essl test/CN=essl test root CA"
mkca other-ca "/O=essl test/CN=essl unrelated CA"
mkleaf server-rsa rsa "/O=essl test/CN=localhost" "$ext_server"
mkleaf server-ecdsa ec:P-256 "/O=essl test/CN=localhost" "$ext_server"
mkleaf server-ecdsa384 ec:P-384 "/O=essl test/CN=localhost" "$ext_server"
mkleaf client-rsa rsa "/O=essl test/CN=essl test client" "$ext_client"
mkleaf client-ecdsa ec:P-256 "/O=essl test/CN=essl test client ecdsa" "$ext_client"
rm -f ca.srl
openssl dhparam -out dh2048.pem 2048 2>/dev/null
mkloading
mkpkix
mksni
mkecdh

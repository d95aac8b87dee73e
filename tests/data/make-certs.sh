#!/bin/sh
# Regenerates the test PKI (valid for 100 years). Run from this folder; the files are committed.
set -eu
days=36500
ext_server="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
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
  esac
  openssl req -new -key "$1-key.pem" -subj "$3" -out "$1.csr" 2>/dev/null
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days $days -sha256 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
mkca ca "/O=essl test/CN=essl test root CA"
mkca other-ca "/O=essl test/CN=essl unrelated CA"
mkleaf server-rsa rsa "/O=essl test/CN=localhost" "$ext_server"
mkleaf server-ecdsa ec:P-256 "/O=essl test/CN=localhost" "$ext_server"
mkleaf server-ecdsa384 ec:P-384 "/O=essl test/CN=localhost" "$ext_server"
mkleaf client-rsa rsa "/O=essl test/CN=essl test client" "$ext_client"
mkleaf client-ecdsa ec:P-256 "/O=essl test/CN=essl test client ecdsa" "$ext_client"
rm -f ca.srl
openssl dhparam -out dh2048.pem 2048 2>/dev/null

#!/bin/sh
# Regenerates the key-format fixtures from the test PKI in tests/data. Run from this folder; the files
# are committed. Password of the encrypted forms: essl-test.
set -eu
d=../../data
openssl rsa -in $d/server-rsa-key.pem -traditional -out rsa-pkcs1.pem 2>/dev/null
openssl rsa -in $d/server-rsa-key.pem -traditional -outform DER -out rsa-pkcs1.der 2>/dev/null
openssl ec -in $d/server-ecdsa-key.pem -out ec-sec1.pem 2>/dev/null
openssl ec -in $d/server-ecdsa-key.pem -outform DER -out ec-sec1.der 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in $d/server-ecdsa-key.pem -outform DER -out ec-pkcs8.der
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:essl-test -in $d/server-rsa-key.pem -out rsa-pkcs8-enc.pem
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:essl-test -in $d/server-ecdsa-key.pem -outform DER \
  -out ec-pkcs8-enc.der
openssl x509 -in $d/server-rsa.pem -outform DER -out server-rsa.der

#!/usr/bin/env python3
"""Known answers for the legacy record protection and SSL 3.0 derivation, computed independently of
essl and Botan: RFC 6101 (SSL 3.0) and RFC 2246/5246 formulas over Python's hashlib and hmac, RC4 written
out from its definition (and checked against RFC 6229), DES and 3DES from the `cryptography` package.

Prints one `name hex` line per value; tests/crypto/legacy_kat_test.cpp runs this script and compares.
"""
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes


def rc4_keystream(key, n):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 0xFF
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for _ in range(n):
        i = (i + 1) & 0xFF
        j = (j + s[i]) & 0xFF
        s[i], s[j] = s[j], s[i]
        out.append(s[(s[i] + s[j]) & 0xFF])
    return bytes(out)


# RFC 6229 section 2, 40-bit key 0x0102030405, keystream offset 0.
assert rc4_keystream(bytes.fromhex("0102030405"), 16).hex() == "b2396305f03dc027ccc3524a0a1118a8"


class Rc4:
    """A stream that runs on across records, as TLS uses it."""

    def __init__(self, key):
        self.key = key
        self.used = 0

    def crypt(self, data):
        ks = rc4_keystream(self.key, self.used + len(data))[self.used:]
        self.used += len(data)
        return bytes(a ^ b for a, b in zip(data, ks))


def ssl3_mac(name, key, seq, ctype, data):
    # RFC 6101 5.2.3.1: hash(MAC_write_secret + pad_2 + hash(MAC_write_secret + pad_1 + seq_num +
    # SSLCompressed.type + SSLCompressed.length + SSLCompressed.fragment)); pad 48 bytes for MD5, 40 for SHA.
    pad = 48 if name == "md5" else 40
    inner = hashlib.new(name, key + b"\x36" * pad + struct.pack(">QBH", seq, ctype, len(data)) + data).digest()
    return hashlib.new(name, key + b"\x5c" * pad + inner).digest()


def tls_mac(name, key, seq, ctype, version, data):
    # RFC 5246 6.2.3.1: HMAC_hash(MAC_write_key, seq_num + type + version + length + content).
    return hmac.new(key, struct.pack(">QBHH", seq, ctype, version, len(data)) + data, name).digest()


def ssl3_expand(secret, r1, r2, length):
    # RFC 6101 6.1 and 6.2.2: MD5(secret + SHA('A' + secret + r1 + r2)) + MD5(secret + SHA('BB' + ...)) ...
    out = b""
    i = 0
    while len(out) < length:
        label = bytes([ord("A") + i]) * (i + 1)
        out += hashlib.md5(secret + hashlib.sha1(label + secret + r1 + r2).digest()).digest()
        i += 1
    return out[:length]


def cbc(key, iv, data, decrypt=False):
    k = key * 3 if len(key) == 8 else key  # single DES as 3DES with K1 = K2 = K3
    c = Cipher(TripleDES(k), modes.CBC(iv))
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(data) + op.finalize()


def cbc_record(key, iv, mac, data, bs=8):
    # plaintext || MAC || padding || padding_length, each padding byte equal to padding_length (which
    # essl writes in SSL 3.0 too, where any value is allowed).
    body = data + mac
    pad = (bs - (len(body) + 1) % bs) % bs
    body += bytes([pad]) * (pad + 1)
    return cbc(key, iv, body)


def emit(name, value):
    print(name, value.hex())


APP = 23
HELLO = b"essl legacy known answer record"
SECOND = b"and a second record on the same keystream"

# ---- SSL 3.0 MACs ----
emit("ssl3_mac_md5", ssl3_mac("md5", bytes([0x0B]) * 16, 1, APP, b"hello"))
emit("ssl3_mac_sha", ssl3_mac("sha1", bytes([0x0B]) * 20, 1, APP, b"hello"))
emit("ssl3_mac_md5_seq", ssl3_mac("md5", bytes(range(16)), 0x0102030405060708, 22, bytes(range(200))))

# ---- SSL 3.0 key derivation (pre_master 03 00 01..2e, client_random 20..3f, server_random 40..5f) ----
pms = bytes([3, 0]) + bytes(range(1, 47))
cr = bytes(range(0x20, 0x40))
sr = bytes(range(0x40, 0x60))
ms = ssl3_expand(pms, cr, sr, 48)
emit("ssl3_master", ms)
emit("ssl3_key_block_104", ssl3_expand(ms, sr, cr, 104))
# RC4-MD5 at SSL 3.0: client MAC 16, server MAC 16, client key 16, server key 16 (no IV).
kb = ssl3_expand(ms, sr, cr, 64)
emit("ssl3_key_block_64", kb)
c_mac, s_mac, c_key, s_key = kb[0:16], kb[16:32], kb[32:48], kb[48:64]
w = Rc4(c_key)
emit("ssl3_rc4_md5_record0", w.crypt(HELLO + ssl3_mac("md5", c_mac, 0, APP, HELLO)))
emit("ssl3_rc4_md5_record1", w.crypt(SECOND + ssl3_mac("md5", c_mac, 1, APP, SECOND)))

# ---- fixed keys for the record known answers ----
mac20 = bytes(range(20))
mac16 = bytes(range(16))
key16 = bytes(range(0x10, 0x20))
key24 = bytes(range(0x30, 0x48))
key8 = bytes.fromhex("133457799bbcdff1")
iv8 = bytes(range(0x50, 0x58))

# RC4-SHA at TLS 1.0, two records on one keystream.
w = Rc4(key16)
emit("tls10_rc4_sha_record0", w.crypt(HELLO + tls_mac("sha1", mac20, 0, APP, 0x0301, HELLO)))
emit("tls10_rc4_sha_record1", w.crypt(SECOND + tls_mac("sha1", mac20, 1, APP, 0x0301, SECOND)))
# RC4-MD5 at TLS 1.2.
w = Rc4(key16)
emit("tls12_rc4_md5_record5", w.crypt(HELLO + tls_mac("md5", mac16, 5, APP, 0x0303, HELLO)))
# RC4-SHA at SSL 3.0 (the SHA-1 SSL 3.0 MAC).
w = Rc4(key16)
emit("ssl3_rc4_sha_record0", w.crypt(HELLO + ssl3_mac("sha1", mac20, 0, APP, HELLO)))

# 3DES-SHA at SSL 3.0 (chained IV from the key block): two records.
r0 = cbc_record(key24, iv8, ssl3_mac("sha1", mac20, 0, APP, HELLO), HELLO)
emit("ssl3_3des_sha_record0", r0)
emit("ssl3_3des_sha_record1", cbc_record(key24, r0[-8:], ssl3_mac("sha1", mac20, 1, APP, SECOND), SECOND))
# DES-SHA at TLS 1.0 (chained IV).
emit("tls10_des_sha_record3", cbc_record(key8, iv8, tls_mac("sha1", mac20, 3, APP, 0x0301, HELLO), HELLO))
# DES-SHA at TLS 1.1 and 3DES-SHA at TLS 1.2: explicit IV || CBC(...), IV 60..67.
iv_x = bytes(range(0x60, 0x68))
emit("tls11_des_sha_record2",
     iv_x + cbc_record(key8, iv_x, tls_mac("sha1", mac20, 2, APP, 0x0302, HELLO), HELLO))
emit("tls12_3des_sha_record9",
     iv_x + cbc_record(key24, iv_x, tls_mac("sha1", mac20, 9, APP, 0x0303, HELLO), HELLO))

sys.stdout.flush()

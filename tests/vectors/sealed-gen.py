#!/usr/bin/env python3
"""sealed-gen.py: writes sealed-v1.json, the test vectors of the sealed-field
format (DESIGN.md section 8, crdt/seal.h), from fixed seeds and keys, with
an implementation of its own: canonical MessagePack, BLAKE2b (keyed, salted
and personalised, as crypto_kdf_derive_from_key uses it) from hashlib,
XChaCha20-Poly1305-IETF from an HChaCha20 written here and the
cryptography package's ChaCha20Poly1305, ISO/IEC 7816-4 padding, the
Ed25519 -> X25519 conversion, and crypto_box_seal (X25519, HSalsa20,
XSalsa20-Poly1305, with Salsa20 written here and Poly1305 from the
cryptography package) under a FIXED ephemeral key so the envelopes are
reproducible. tests/unit/test_seal_vectors.c rebuilds every byte with
ward's C code (libsodium) and checks one against the other.

    python3 tests/vectors/sealed-gen.py > tests/vectors/sealed-v1.json
"""
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.poly1305 import Poly1305


def pack(v):
    """Canonical MessagePack of None, bool, int, str, bytes, list."""
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        if v >= 0:
            if v < 128:
                return bytes([v])
            for tag, n in ((0xcc, 1), (0xcd, 2), (0xce, 4), (0xcf, 8)):
                if v < 1 << (8 * n):
                    return bytes([tag]) + v.to_bytes(n, "big")
        if v >= -32:
            return bytes([v & 0xff])
        for tag, n in ((0xd0, 1), (0xd1, 2), (0xd2, 4), (0xd3, 8)):
            if v >= -(1 << (8 * n - 1)):
                return bytes([tag]) + v.to_bytes(n, "big", signed=True)
    if isinstance(v, str):
        b = v.encode()
        n = len(b)
        if n < 32:
            return bytes([0xa0 | n]) + b
        for tag, k in ((0xd9, 1), (0xda, 2), (0xdb, 4)):
            if n < 1 << (8 * k):
                return bytes([tag]) + n.to_bytes(k, "big") + b
    if isinstance(v, (bytes, bytearray)):
        n = len(v)
        for tag, k in ((0xc4, 1), (0xc5, 2), (0xc6, 4)):
            if n < 1 << (8 * k):
                return bytes([tag]) + n.to_bytes(k, "big") + bytes(v)
    if isinstance(v, list):
        n = len(v)
        assert n < 16
        return bytes([0x90 | n]) + b"".join(pack(x) for x in v)
    raise TypeError(v)


def b2(data, n=32, key=b"", salt=b"", person=b""):
    return hashlib.blake2b(data, digest_size=n, key=key, salt=salt,
                           person=person).digest()


M32 = 0xffffffff


def rotl(x, n):
    return ((x << n) | (x >> (32 - n))) & M32


def words(b):
    return list(struct.unpack("<%dI" % (len(b) // 4), b))


def unwords(w):
    return struct.pack("<%dI" % len(w), *w)


SIGMA = words(b"expand 32-byte k")


# ChaCha20 (RFC 8439) rounds and HChaCha20 (draft-irtf-cfrg-xchacha).
def chacha_rounds(x):
    def qr(a, b, c, d):
        x[a] = (x[a] + x[b]) & M32
        x[d] = rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & M32
        x[b] = rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & M32
        x[d] = rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & M32
        x[b] = rotl(x[b] ^ x[c], 7)
    for _ in range(10):
        qr(0, 4, 8, 12)
        qr(1, 5, 9, 13)
        qr(2, 6, 10, 14)
        qr(3, 7, 11, 15)
        qr(0, 5, 10, 15)
        qr(1, 6, 11, 12)
        qr(2, 7, 8, 13)
        qr(3, 4, 9, 14)


def hchacha20(key, nonce16):
    x = SIGMA + words(key) + words(nonce16)
    chacha_rounds(x)
    return unwords(x[0:4] + x[12:16])


# The draft's HChaCha20 test vector (section 2.2.1).
assert hchacha20(bytes(range(32)), bytes.fromhex(
    "000000090000004a0000000031415927")) == bytes.fromhex(
    "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc")


def xchacha20poly1305_encrypt(key, nonce, msg, ad):
    sub = hchacha20(key, nonce[:16])
    return ChaCha20Poly1305(sub).encrypt(bytes(4) + nonce[16:], msg, ad)


# Salsa20, HSalsa20 and XSalsa20-Poly1305 (Bernstein, "Extending the
# Salsa20 nonce"; NaCl's crypto_secretbox).
def salsa_rounds(x):
    def qr(a, b, c, d):
        x[b] ^= rotl((x[a] + x[d]) & M32, 7)
        x[c] ^= rotl((x[b] + x[a]) & M32, 9)
        x[d] ^= rotl((x[c] + x[b]) & M32, 13)
        x[a] ^= rotl((x[d] + x[c]) & M32, 18)
    for _ in range(10):
        qr(0, 4, 8, 12)
        qr(5, 9, 13, 1)
        qr(10, 14, 2, 6)
        qr(15, 3, 7, 11)
        qr(0, 1, 2, 3)
        qr(5, 6, 7, 4)
        qr(10, 11, 8, 9)
        qr(15, 12, 13, 14)


def salsa_state(key, mid16):
    k = words(key)
    m = words(mid16)
    return [SIGMA[0]] + k[0:4] + [SIGMA[1]] + m + [SIGMA[2]] + k[4:8] + \
        [SIGMA[3]]


def hsalsa20(key, in16):
    x = salsa_state(key, in16)
    salsa_rounds(x)
    return unwords([x[0], x[5], x[10], x[15], x[6], x[7], x[8], x[9]])


def salsa20_stream(key, nonce8, n):
    out = b""
    counter = 0
    while len(out) < n:
        init = salsa_state(key, nonce8 + counter.to_bytes(8, "little"))
        x = list(init)
        salsa_rounds(x)
        out += unwords([(a + b) & M32 for a, b in zip(x, init)])
        counter += 1
    return out[:n]


def secretbox(key, nonce24, msg):
    """crypto_secretbox_easy: tag || ct."""
    sub = hsalsa20(key, nonce24[:16])
    ks = salsa20_stream(sub, nonce24[16:], 32 + len(msg))
    ct = bytes(a ^ b for a, b in zip(msg, ks[32:]))
    return Poly1305.generate_tag(ks[:32], ct) + ct


def x25519(secret, public):
    return X25519PrivateKey.from_private_bytes(secret).exchange(
        X25519PublicKey.from_public_bytes(public))


def x25519_public(secret):
    return X25519PrivateKey.from_private_bytes(secret).public_key() \
        .public_bytes(serialization.Encoding.Raw,
                      serialization.PublicFormat.Raw)


def box_seal(msg, rpk, esk):
    """crypto_box_seal with the ephemeral secret key esk given."""
    epk = x25519_public(esk)
    nonce = b2(epk + rpk, 24)
    k = hsalsa20(x25519(esk, rpk), bytes(16))  # crypto_box_beforenm
    return epk + secretbox(k, nonce, msg)


P = 2 ** 255 - 19


def ed25519_pk_to_x25519(pk):
    y = int.from_bytes(pk, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow((1 - y) % P, P - 2, P) % P
    return u.to_bytes(32, "little")


def ed25519_seed_to_x25519(seed):
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return bytes(h)


def pad(b, block=64):
    """ISO/IEC 7816-4, as sodium_pad: 0x80 then zeros, at least 1 byte."""
    n = (len(b) // block + 1) * block
    return b + b"\x80" + bytes(n - len(b) - 1)


# ---------------------------------------------------------------------------
# The format (DESIGN.md section 8).

MAGIC = b"ward-sealed-v1"


def key_id(k):
    return b2(b"ward-key-id-v1" + k)[:16]


def subkey(k, i):
    """crypto_kdf_derive_from_key(32, i, "wardseal", k)."""
    return b2(b"", 32, key=k, salt=i.to_bytes(8, "little") + bytes(8),
              person=b"wardseal" + bytes(8))


def seal_plain(k, net, entity, field, plaintext):
    """Seals an already padded plaintext (the bad cases use it too)."""
    f = field.encode()
    nonce = b2(entity + f + plaintext, 24, key=subkey(k, 2))
    ct = xchacha20poly1305_encrypt(subkey(k, 1), nonce, plaintext,
                                   MAGIC + net + entity + f)
    return nonce, MAGIC + pack([key_id(k), nonce, ct])


def envelope(recipient_ed, k, esk):
    return pack([recipient_ed, box_seal(k, ed25519_pk_to_x25519(recipient_ed),
                                        esk)])


# ---------------------------------------------------------------------------
# Fixed inputs.

NET_ID = b2(b"ward sealed-v1 test network")

SEEDS = {
    "health": bytes([0x81]) * 32,
    "township": bytes([0x82]) * 32,
    "auditor": bytes([0x83]) * 32,
}
MEMBERS = {}
for name, seed in SEEDS.items():
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw,
                                      serialization.PublicFormat.Raw)
    xsk = ed25519_seed_to_x25519(seed)
    xpk = ed25519_pk_to_x25519(pk)
    # The two conversions agree: the secret's public key is the converted
    # public key.
    assert x25519_public(xsk) == xpk
    MEMBERS[name] = {"seed": seed, "pk": pk, "xpk": xpk, "xsk": xsk}

KEYS = {
    "k1": bytes(range(0xa0, 0xc0)),
    "k2": bytes([0x5b]) * 32,
}

ENTITY_PATIENT = b2(b"patient 1")[:16]
ENTITY_OTHER = b2(b"patient 2")[:16]

ADDRESS = "天津市河西区友谊路" + "三十二号院" + "5-302"
ADDRESS += "x" * (70 - len(ADDRESS.encode()))
assert len(ADDRESS.encode()) == 70

REGISTERS = [
    ("name_zh", "k1", ENTITY_PATIENT, "name", "王小明"),
    ("id_number", "k1", ENTITY_PATIENT, "id_number", "12011619800101123X"),
    ("address_70_bytes", "k1", ENTITY_PATIENT, "address", ADDRESS),
    ("risk_int", "k2", ENTITY_PATIENT, "risk", 3),
    ("negative_int", "k2", ENTITY_OTHER, "acts_other", -200),
    ("diagnosis_code", "k2", ENTITY_OTHER, "diagnosis", "schizophrenia"),
    ("bool", "k1", ENTITY_OTHER, "locked", True),
]


def value_doc(v):
    if isinstance(v, bool):
        return {"type": "bool", "bool": v}
    if isinstance(v, int):
        return {"type": "int", "int": v}
    return {"type": "str", "str": v}


def h(b):
    return b.hex()


def sealed_doc(name, kname, entity, field, v):
    enc = pack(v)
    pt = pad(enc)
    nonce, sealed = seal_plain(KEYS[kname], NET_ID, entity, field, pt)
    return {"name": name, "key": kname, "entity": h(entity), "field": field,
            "value": value_doc(v), "encoding": h(enc), "plaintext": h(pt),
            "nonce": h(nonce), "sealed": h(sealed)}, sealed


sealed_docs = []
SEALED = {}
for name, kname, entity, field, v in REGISTERS:
    d, s = sealed_doc(name, kname, entity, field, v)
    sealed_docs.append(d)
    SEALED[name] = s

# Two pad blocks for the 70-byte str (72 bytes encoded).
assert len(bytes.fromhex(sealed_docs[2]["plaintext"])) == 128

set_forms = []
for kname in ("k1", "k2"):
    d, s = sealed_doc("special_" + kname, kname, ENTITY_PATIENT, "special",
                      "no_guardianship")
    set_forms.append(d)
assert set_forms[0]["sealed"] != set_forms[1]["sealed"]

ENVELOPES = [
    ("k1", "health", bytes([0xe1]) * 32),
    ("k1", "township", bytes([0xe2]) * 32),
    ("k2", "health", bytes([0xe3]) * 32),
    ("k2", "auditor", bytes(range(0x40, 0x60))),
]
env_docs = []
ENV = {}
for kname, who, esk in ENVELOPES:
    el = envelope(MEMBERS[who]["pk"], KEYS[kname], esk)
    assert len(el) == 117
    epk = x25519_public(esk)
    ENV[(kname, who)] = el
    env_docs.append({"key": kname, "recipient": who,
                     "ephemeral_secret": h(esk), "ephemeral_public": h(epk),
                     "nonce": h(b2(epk + MEMBERS[who]["xpk"], 24)),
                     "element": h(el)})

# ---------------------------------------------------------------------------
# Bad cases. Sealed ones give the key, entity and field to open with and the
# expected result of crdt_seal_parse ("ok" or an errno name) and of
# crdt_seal_open.

base = SEALED["name_zh"]          # k1, ENTITY_PATIENT, "name"
HDR = 14 + 1 + 18 + 26            # the ct's bin header starts here
ct = base[HDR + 2:]
assert base[HDR] == 0xc4 and base[HDR + 1] == len(ct) == 80


def flip(b, i):
    b = bytearray(b)
    b[i] ^= 0x01
    return bytes(b)


def crafted(plaintext):
    return seal_plain(KEYS["k1"], NET_ID, ENTITY_PATIENT, "name",
                      plaintext)[1]


BAD = [
    ("truncated_box", base[:-1], "k1", ENTITY_PATIENT, "name",
     "EINVAL", "EINVAL", "the last byte of the ct is missing"),
    ("truncated_head", base[:40], "k1", ENTITY_PATIENT, "name",
     "EINVAL", "EINVAL", "cut inside the key_id"),
    ("trailing_byte", base + b"\x00", "k1", ENTITY_PATIENT, "name",
     "EINVAL", "EINVAL", "a byte after the array"),
    ("flipped_tag_byte", flip(base, len(base) - 1), "k1", ENTITY_PATIENT,
     "name", "ok", "EBADMSG", "the tag's last byte flipped"),
    ("flipped_nonce_byte", flip(base, 14 + 1 + 18 + 2), "k1",
     ENTITY_PATIENT, "name", "ok", "EBADMSG", "the nonce's first byte"),
    ("wrong_key_id", base, "k2", ENTITY_PATIENT, "name", "ok", "ENOKEY",
     "sealed under k1, opened with k2"),
    ("altered_key_id", flip(base, 14 + 1 + 2), "k1", ENTITY_PATIENT, "name",
     "ok", "ENOKEY", "the key_id's first byte flipped"),
    ("wrong_entity", base, "k1", ENTITY_OTHER, "name", "ok", "EBADMSG",
     "opened as another entity's value"),
    ("wrong_field", base, "k1", ENTITY_PATIENT, "phone", "ok", "EBADMSG",
     "opened as another field's value"),
    ("plaintext_not_sealed", pack("王小明"), "k1", ENTITY_PATIENT, "name",
     "EINVAL", "EINVAL", "the canonical encoding of the value itself"),
    ("bin16_header_short_ct",
     base[:HDR] + b"\xc5" + len(ct).to_bytes(2, "big") + ct, "k1",
     ENTITY_PATIENT, "name", "EINVAL", "EINVAL",
     "bin16 header for an 80-byte ct (bin8 is the shortest)"),
    ("ct_not_16_plus_64m",
     base[:HDR] + b"\xc4" + bytes([len(ct) + 1]) + ct + b"\x00", "k1",
     ENTITY_PATIENT, "name", "EINVAL", "EINVAL", "an 81-byte ct"),
    ("ct_short", base[:HDR] + b"\xc4" + bytes([len(ct) - 1]) + ct[:-1],
     "k1", ENTITY_PATIENT, "name", "EINVAL", "EINVAL", "a 79-byte ct"),
    ("magic_v2", b"ward-sealed-v2" + base[14:], "k1", ENTITY_PATIENT,
     "name", "EINVAL", "EINVAL", "another version's magic"),
    ("array_of_2_header", base[:14] + b"\x92" + base[15:], "k1",
     ENTITY_PATIENT, "name", "EINVAL", "EINVAL",
     "the array header says 2 items"),
    ("ct_tag_only", base[:HDR] + b"\xc4\x10" + ct[-16:], "k1",
     ENTITY_PATIENT, "name", "EINVAL", "EINVAL",
     "a 16-byte ct: no pad block"),
    ("array_of_4", base[:14] + b"\x94" + base[15:] + b"\xc0", "k1",
     ENTITY_PATIENT, "name", "EINVAL", "EINVAL",
     "the array has a fourth item"),
    ("two_values", crafted(pad(b"\x01\x02")), "k1", ENTITY_PATIENT, "name",
     "ok", "EBADMSG", "the plaintext holds two values"),
    ("nil_plaintext", crafted(pad(b"\xc0")), "k1", ENTITY_PATIENT, "name",
     "ok", "EBADMSG", "the plaintext is nil"),
    ("non_canonical_plaintext", crafted(pad(b"\xd9\x01x")), "k1",
     ENTITY_PATIENT, "name", "ok", "EBADMSG",
     "the plaintext is a str8 header for a 1-byte str"),
    ("bad_padding", crafted(b"\xa1x" + bytes(62)), "k1", ENTITY_PATIENT,
     "name", "ok", "EBADMSG", "no 0x80 marker in the padding"),
    ("no_padding", crafted(pack("y" * 62)), "k1", ENTITY_PATIENT, "name",
     "ok", "EBADMSG",
     "a 64-byte plaintext that is one whole str, without padding"),
]
# The crafted helper seals the same way as the good values.
assert crafted(pad(pack("王小明"))) == base
assert len(pack("y" * 62)) == 64

env = ENV[("k1", "health")]
BAD_ENV = [
    ("envelope_for_someone_else", env, "township", "EACCES",
     "health's envelope, opened by township"),
    ("envelope_tampered_box", flip(env, 117 - 1), "health", "EBADMSG",
     "the box's last byte flipped"),
    ("envelope_recipient_swapped",
     env[:3] + MEMBERS["township"]["pk"] + env[35:], "township", "EBADMSG",
     "health's box relabelled for township"),
    ("envelope_truncated", env[:-1], "health", "EINVAL",
     "the last byte is missing"),
    ("envelope_trailing_byte", env + b"\x00", "health", "EINVAL",
     "a byte after the array"),
    ("envelope_array_header", b"\x93" + env[1:], "health", "EINVAL",
     "the array header says 3 items"),
    ("envelope_garbage", bytes([0xa5]) * 117, "health", "EINVAL",
     "117 bytes that are no array"),
]

doc = {
    "about": "Test vectors for sealed fields (DESIGN.md section 8, "
             "crdt/seal.h), written by tests/vectors/sealed-gen.py. Byte "
             "strings are lowercase hex. Members' Ed25519 key pairs come "
             "from crypto_sign_seed_keypair(seed); x25519 keys from "
             "crypto_sign_ed25519_pk_to_curve25519 / _sk_to_curve25519. "
             "Group keys: key_id = BLAKE2b-256('ward-key-id-v1' || K)[0..16), "
             "aead_key and nonce_key = crypto_kdf_derive_from_key(32, 1 or "
             "2, 'wardseal', K). Envelopes are crypto_box_seal(K) with the "
             "ephemeral secret given (epk = X25519 base point times it, "
             "nonce = BLAKE2b-192(epk || recipient's x25519 key)); the "
             "element is [bin(32) recipient, bin(80) box]. Sealed values: "
             "rebuild each from its value, key, entity and field under "
             "net_id; open each; every bad case gives its results.",
    "net_id": h(NET_ID),
    "members": {n: {"seed": h(m["seed"]), "ed25519_pk": h(m["pk"]),
                    "x25519_pk": h(m["xpk"]), "x25519_sk": h(m["xsk"])}
                for n, m in MEMBERS.items()},
    "member_order": list(MEMBERS),
    "keys": {n: {"k": h(k), "key_id": h(key_id(k)),
                 "aead_key": h(subkey(k, 1)), "nonce_key": h(subkey(k, 2))}
             for n, k in KEYS.items()},
    "key_order": list(KEYS),
    "envelopes": env_docs,
    "registers": sealed_docs,
    "set_element": {"note": "one element in a set field has one sealed form "
                            "per key",
                    "forms": set_forms},
    "bad_sealed": [
        {"name": n, "sealed": h(b), "key": k, "entity": h(e), "field": f,
         "parse": p, "open": o, "note": note}
        for n, b, k, e, f, p, o, note in BAD
    ],
    "bad_envelopes": [
        {"name": n, "element": h(b), "member": who, "open": o, "note": note}
        for n, b, who, o, note in BAD_ENV
    ],
}
json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")

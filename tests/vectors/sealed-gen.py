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

Its "ledger" section (issue 11) gives a schema-2 genesis roster, signed
entries (as tests/vectors/roster-chain-gen.py builds them) carrying key
records, envelopes, sealed register values and set elements, each op's
expected verdict under DESIGN.md section 8, and the state digest (the
LtHash of section 3, sealed values as opaque bytes) after two orders of
arrival: key records first, and values first (they wait, then take
effect). tests/unit/test_sealed_ledger_vectors.c rebuilds the genesis and
every entry with ward's code and applies them to a ledger.

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
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
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

# ---------------------------------------------------------------------------
# The ledger (issue 11): a schema-2 network, entries carrying key records
# and sealed values, each op's verdict and the state digest. Entries are
# built as tests/vectors/roster-chain-gen.py builds them.

L_SEEDS = {
    "health": bytes([0x91]) * 32,
    "township": bytes([0x92]) * 32,
    "town2": bytes([0x93]) * 32,
    "police": bytes([0x94]) * 32,
}
L_ROLE = {"health": "health", "township": "township", "town2": "township",
          "police": "police"}
L_SCOPE = {"health": "120116", "township": "120116001",
           "town2": "120116002", "police": "120116"}
L_SK = {n: Ed25519PrivateKey.from_private_bytes(s) for n, s in L_SEEDS.items()}
L_PK = {n: k.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
        for n, k in L_SK.items()}

# Genesis: [1, 1, nil, schema_version 2, threshold 1, [health], members],
# each member [key, role, name, scope, address "", cert "", last_seq nil].
G_BODY = pack([1, 1, None, 2, 1, [L_PK["health"]],
               [[L_PK[n], L_ROLE[n], n, L_SCOPE[n], "", "", None]
                for n in L_SEEDS]])
G_SIG = L_SK["health"].sign(b"ward-roster-v1" + G_BODY)
GENESIS = pack([G_BODY, [[L_PK["health"], G_SIG]]])
L_NET = b2(G_BODY)

L_KEYS = {
    "kt": bytes(range(0x10, 0x30)),   # township's key of the ID group
    "kh": bytes([0x4a]) * 32,         # health's key of auditor,health
    "kh2": bytes([0x4b]) * 32,        # a second, concurrent one
    "kw": bytes([0x4d]) * 32,         # township's, for a group not its own
    "kx": bytes([0x4c]) * 32,         # announced by no key record
}
G_ID = "auditor,civil,disabled,health,legal,police,township"
G_H = "auditor,health"
HOME = "120116001"


def entity_id(author, scope, seq, index):
    return b2(author + scope.encode() + seq.to_bytes(8, "big") +
              index.to_bytes(4, "big"))[:16]


def dot(who, seq, index):
    return [L_PK[who], seq, index]


def lseal(kname, entity, field, v):
    return seal_plain(L_KEYS[kname], L_NET, entity, field, pad(pack(v)))[1]


# An op: (code, entity, name, value, dots) with value a pair (bytes or
# python value, description for the C test).
def v_str(s):
    return s, {"type": "str", "str": s}


def v_nil():
    return None, {"type": "nil"}


def v_sealed(kname, entity, field, s, cut=0):
    b = lseal(kname, entity, field, s)
    d = {"type": "sealed", "key": kname, "str": s}
    if cut:
        b = b[:-cut]
        d["cut"] = cut
    return b, d


def v_key_id(kname):
    return key_id(L_KEYS[kname]), {"type": "key_id", "key": kname}


def v_env(kname, who, esk):
    return envelope(L_PK[who], L_KEYS[kname], esk), \
        {"type": "envelope", "key": kname, "recipient": who,
         "ephemeral_secret": h(esk)}


HLC0 = 1700000000000 << 16
L_ENTRIES = []
L_CLOCK = [0]


class Feed:
    def __init__(self, who):
        self.who = who
        self.scope = HOME
        self.seq = 0
        self.prev = bytes(32)

    def next_id(self, index=0):
        return entity_id(L_PK[self.who], self.scope, self.seq + 1, index)

    def put(self, name, ops):
        """ops: (code, entity or None for a create, name, value, dots,
        verdict, note)."""
        self.seq += 1
        L_CLOCK[0] += 1
        hlc = HLC0 + (L_CLOCK[0] << 16)
        wire_ops, docs = [], []
        for i, (code, ent, nm, val, dots, verdict, note) in enumerate(ops):
            d = {"index": i, "op": ["create", "set", "add", "remove"][code],
                 "verdict": verdict, "note": note}
            if code == 0:
                ent = entity_id(L_PK[self.who], self.scope, self.seq, i)
                wire_ops.append([0, ent, nm])
                d.update({"entity": h(ent), "type": nm})
            else:
                v, vd = val
                op = [code, ent, nm, v]
                if code in (1, 3):
                    op.append(dots)
                wire_ops.append(op)
                d.update({"entity": h(ent), "field": nm, "value": vd,
                          "encoded": h(pack(v))})
                if code in (1, 3):
                    d["pred" if code == 1 else "observed"] = [
                        {"author": who, "seq": s, "index": x}
                        for who, s, x in dots]
            docs.append(d)
        pack_ops = [[o[0], o[1], o[2], o[3],
                     [dot(*x) for x in o[4]]] if len(o) == 5 else o
                    for o in wire_ops]
        body = pack([1, L_PK[self.who], self.scope, self.seq, self.prev, hlc,
                     1, pack_ops])
        sig = L_SK[self.who].sign(b"ward-entry-v1" + L_NET + body)
        e = {"name": name, "author": self.who, "scope": self.scope,
             "seq": self.seq, "prev": h(self.prev), "hlc": hlc,
             "roster_version": 1, "body": h(body),
             "wire": h(pack([body, sig])), "hash": h(b2(body + sig)),
             "ops": docs, "_ops": pack_ops}
        self.prev = b2(body + sig)
        L_ENTRIES.append(e)
        return e


T = Feed("township")
H = Feed("health")
EFF = "effect"

kt_rec = T.next_id()
T.put("township-1", [
    (0, None, "key", None, None, EFF,
     "a key record of the ID group, home scope 120116001, by a member"),
    (1, kt_rec, "roles", v_str(G_ID), [], EFF, "every role reads ID fields"),
    (1, kt_rec, "key_id", v_key_id("kt"), [], EFF, "after roles"),
    (2, kt_rec, "envelopes", v_env("kt", "township", bytes([0xc1]) * 32),
     None, EFF, "for the township itself"),
    (2, kt_rec, "envelopes", v_env("kt", "health", bytes([0xc2]) * 32),
     None, EFF, "health (120116) covers 120116001"),
    (2, kt_rec, "envelopes", v_env("kt", "police", bytes([0xc3]) * 32),
     None, EFF, "police (120116) covers 120116001"),
    (2, kt_rec, "envelopes", v_env("kt", "town2", bytes([0xc4]) * 32),
     None, "MSG_F_ENVELOPE_RECIPIENT",
     "the other township (120116002) does not cover 120116001"),
    (1, kt_rec, "roles", v_str(G_H), [], "MSG_F_KEY_SET_ONCE",
     "roles set a second time"),
])
kw_rec = T.next_id()
T.put("township-2", [
    (0, None, "key", None, None, EFF,
     "the create alone is the township's to make"),
    (1, kw_rec, "roles", v_str(G_H), [], "MSG_F_KEY_NOT_IN_GROUP",
     "a township is not among auditor,health"),
    (1, kw_rec, "key_id", v_key_id("kw"), [], "MSG_F_KEY_NEEDS_ROLES",
     "the record has no roles"),
])

p1 = H.next_id()
h1 = H.put("health-1", [
    (0, None, "patient", None, None, EFF, "a patient in 120116001"),
    (1, p1, "name", v_sealed("kt", p1, "name", "王小明"), [], EFF,
     "sealed under the township's ID key"),
    (1, p1, "id_number", v_sealed("kt", p1, "id_number",
                                  "12011619800101123X"), [], EFF,
     "sealed under the township's ID key"),
])
kh_rec = H.next_id()
H.put("health-2", [
    (0, None, "key", None, None, EFF, "health's key of auditor,health"),
    (1, kh_rec, "roles", v_str(G_H), [], EFF, ""),
    (1, kh_rec, "key_id", v_key_id("kh"), [], EFF, ""),
    (2, kh_rec, "envelopes", v_env("kh", "health", bytes([0xc5]) * 32),
     None, EFF, "health is the group's one member (no auditor here)"),
])
H.put("health-3", [
    (1, p1, "diagnosis", v_sealed("kh", p1, "diagnosis", "schizophrenia"),
     [], EFF, "an H field under a key of auditor,health"),
])
name_dot = ("health", 1, 1)
H.put("health-4", [
    (1, p1, "name", v_str("王小明"), [name_dot], "MSG_F_NOT_SEALED",
     "plaintext in a sealed field"),
])
H.put("health-5", [
    (1, p1, "name", v_sealed("kt", p1, "name", "王小明", cut=1), [name_dot],
     "MSG_F_NOT_SEALED", "a truncated box: the last byte is missing"),
])
H.put("health-6", [
    (1, p1, "patient_no", v_sealed("kt", p1, "patient_no", "P-0001"), [],
     "MSG_F_SEALED_IN_PLAIN", "patient_no is not sealed"),
])
H.put("health-7", [
    (1, p1, "phone", v_sealed("kx", p1, "phone", "13800000000"), [], "wait",
     "no key record names kx: waits, no finding"),
])
kh2_rec = H.next_id()
H.put("health-8", [
    (0, None, "key", None, None, EFF, "a second key of auditor,health"),
    (1, kh2_rec, "roles", v_str(G_H), [], EFF, ""),
    (1, kh2_rec, "key_id", v_key_id("kh2"), [], EFF, ""),
    (2, kh2_rec, "envelopes", v_env("kh2", "health", bytes([0xc6]) * 32),
     None, EFF, ""),
])
f1 = H.next_id()
H.put("health-9", [
    (0, None, "followup", None, None, EFF, "a follow-up in 120116001"),
    (2, f1, "rehab", v_sealed("kh", f1, "rehab", "工疗"), None, EFF,
     "an element of an H set field, sealed under kh"),
])
H.put("health-10", [
    (2, f1, "rehab", v_sealed("kh2", f1, "rehab", "工疗"), None, EFF,
     "the same element sealed under kh2: a second form"),
])
H.put("health-11", [
    (3, f1, "rehab", v_sealed("kh", f1, "rehab", "工疗"),
     [("health", 9, 1)], EFF, "removes the kh form"),
    (3, f1, "rehab", v_sealed("kh2", f1, "rehab", "工疗"),
     [("health", 10, 0)], EFF, "removes the kh2 form"),
])
H.put("health-12", [
    (1, p1, "address", v_nil(), [], EFF, "nil clears: never sealed"),
    (3, f1, "rehab", v_sealed("kx", f1, "rehab", "工疗"), [], EFF,
     "a remove needs a well-formed sealed value only, not its key: no "
     "finding (nothing to remove, so the state alone cannot tell it from "
     "a wait)"),
    (3, f1, "rehab", v_str("工疗"), [], "MSG_F_NOT_SEALED",
     "a remove of a plaintext element"),
])

# The state after every op whose verdict is "effect" (in any order).
creates, regs, sets = [], {}, {}
for e in L_ENTRIES:
    for op, d in zip(e["_ops"], e["ops"]):
        if d["verdict"] != EFF:
            continue
        me = dot(e["author"], e["seq"], d["index"])
        if op[0] == 0:
            creates.append(pack([0, op[1], op[2]]))
        elif op[0] == 1:
            live = regs.setdefault((op[1], op[2]), [])
            live[:] = [x for x in live if x[0] not in op[4]]
            live.append((me, op[3]))
        elif op[0] == 2:
            sets.setdefault((op[1], op[2]), {}).setdefault(
                pack(op[3]), (op[3], []))[1].append(me)
        else:
            el = sets.get((op[1], op[2]), {}).get(pack(op[3]), (0, []))
            el[1][:] = [t for t in el[1] if t not in op[4]]
STATE = list(creates)
for (ent, f), live in regs.items():
    if live:
        STATE.append(pack([1, ent, f, sorted(
            ([d, v] for d, v in live), key=pack)]))
for (ent, f), els in sets.items():
    for v, tags in els.values():
        if tags:
            STATE.append(pack([2, ent, f, v, sorted(tags, key=pack)]))


def keystream(key, n):
    c = Cipher(algorithms.ChaCha20(key, bytes(16)), mode=None).encryptor()
    return c.update(bytes(n))


def lthash(elements):
    lanes = [0] * 1024
    for el in elements:
        ks = keystream(b2(el), 2048)
        for i in range(1024):
            lanes[i] = (lanes[i] + ks[2 * i] + (ks[2 * i + 1] << 8)) & 0xffff
    return b2(b"".join(x.to_bytes(2, "little") for x in lanes))


L_DIGEST = lthash(STATE)
T_NAMES = [e["name"] for e in L_ENTRIES if e["author"] == "township"]
H_NAMES = [e["name"] for e in L_ENTRIES if e["author"] == "health"]
for e in L_ENTRIES:
    del e["_ops"]

ledger_doc = {
    "about": "Entries under a schema-2 genesis (DESIGN.md sections 3, 4 "
             "and 8). Members' key pairs come from "
             "crypto_sign_seed_keypair(seed); the genesis is "
             "[body, [[health, sig]]], body [1, 1, nil, 2, 1, [health], "
             "members], each member [key, role, name, scope, '', '', nil]; "
             "net_id = BLAKE2b-256(body). Each op's value says how to "
             "rebuild it: str, sealed (key, str; 'cut' bytes dropped from "
             "the end), key_id, envelope (crypto_box_seal with the "
             "ephemeral secret given); 'encoded' is its canonical "
             "encoding. Verdicts: 'effect' (in the state), 'wait' (no "
             "effect, no finding), else the finding's catalog name. Apply "
             "the entries in each order to a ledger holding the genesis: "
             "every op gets its verdict (ops an order lists in 'waits' "
             "wait until the entry 'until' arrives, then take effect), and "
             "the state digest is 'digest' after either order; 'state' is "
             "the digest's elements.",
    "members": {n: {"seed": h(L_SEEDS[n]), "ed25519_pk": h(L_PK[n]),
                    "role": L_ROLE[n], "scope": L_SCOPE[n]}
                for n in L_SEEDS},
    "member_order": list(L_SEEDS),
    "admin": "health",
    "schema_version": 2,
    "genesis_body": h(G_BODY),
    "genesis": h(GENESIS),
    "net_id": h(L_NET),
    "keys": {n: {"k": h(k), "key_id": h(key_id(k))}
             for n, k in L_KEYS.items()},
    "groups": {"id": G_ID, "health": G_H, "home_scope": HOME},
    "entries": L_ENTRIES,
    "orders": [
        {"name": "keys_first", "entries": T_NAMES + H_NAMES, "waits": []},
        {"name": "values_first", "entries": H_NAMES + T_NAMES,
         "waits": [{"entry": "health-1", "op": 1, "until": "township-1"},
                   {"entry": "health-1", "op": 2, "until": "township-1"}]},
    ],
    "state": [h(x) for x in sorted(STATE)],
    "digest": h(L_DIGEST),
}

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
    "ledger": ledger_doc,
}
json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")

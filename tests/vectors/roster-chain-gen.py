#!/usr/bin/env python3
"""roster-chain-gen.py: writes roster-v1.json, the test vectors of roster
versions (DESIGN.md section 3, issue 10), from fixed seeds, with an
implementation of its own (canonical MessagePack, Ed25519 from the
cryptography package, BLAKE2b from hashlib, ChaCha20 for the state digest)
so that tests/unit/test_roster_vectors.c, which rebuilds every byte with
ward's C code, checks one against the other.

    python3 tests/vectors/roster-chain-gen.py > tests/vectors/roster-v1.json

The chain: genesis (health, township, police; all three admins, threshold
2) signed by health and township; version 2 adds an auditor, signed by
health and police; version 3 revokes township's feed 120116001 after seq 1
and raises the threshold to 3, signed by township and police. Entries and
their verdicts under that chain follow.
"""
import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives import serialization


def pack(v):
    """Canonical MessagePack of None, bool, int >= 0, str, bytes, list."""
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        assert v >= 0
        if v < 128:
            return bytes([v])
        for tag, n in ((0xcc, 1), (0xcd, 2), (0xce, 4), (0xcf, 8)):
            if v < 1 << (8 * n):
                return bytes([tag]) + v.to_bytes(n, "big")
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
        head = (bytes([0x90 | n]) if n < 16 else
                b"\xdc" + n.to_bytes(2, "big") if n < 65536 else
                b"\xdd" + n.to_bytes(4, "big"))
        return head + b"".join(pack(x) for x in v)
    raise TypeError(v)


class Raw(bytes):
    """Bytes already encoded (a roster inside a chain)."""


def pack_raw(items):
    n = len(items)
    assert n < 16
    return bytes([0x90 | n]) + b"".join(items)


def b2(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def keypair(seed):
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw,
                                      serialization.PublicFormat.Raw)
    return sk, pk


SEEDS = {
    "health": bytes([0x71]) * 32,
    "township": bytes([0x72]) * 32,
    "police": bytes([0x73]) * 32,
    "auditor": bytes([0x74]) * 32,
}
KEYS = {n: keypair(s) for n, s in SEEDS.items()}
ROLE = {"health": "health", "township": "township", "police": "police",
        "auditor": "auditor"}
SCOPE = {"health": "120116", "township": "120116001", "police": "120116",
         "auditor": "1201"}


def pk(n):
    return KEYS[n][1]


def address(n):
    return "127.0.0.1:74%02d" % len(n)


def member(n, last_seq=None):
    return [pk(n), ROLE[n], n, SCOPE[n], address(n), "",
            None if last_seq is None else [list(x) for x in last_seq]]


def member_doc(n, last_seq=None):
    return {"name": n, "key": pk(n).hex(), "role": ROLE[n],
            "scope": SCOPE[n], "address": address(n),
            "last_seq": None if last_seq is None else
            [list(x) for x in last_seq]}


def roster(version, prev, threshold, admins, members, signers):
    body = pack([1, version, prev, 1, threshold, [pk(a) for a in admins],
                 members])
    msg = b"ward-roster-v1" + body
    sigs = sorted((pk(s), KEYS[s][0].sign(msg)) for s in signers)
    wire = pack([body, [[k, s] for k, s in sigs]])
    return body, wire, sigs


ADMINS = ["health", "township", "police"]
v1_body, v1, v1_sigs = roster(
    1, None, 2, ADMINS,
    [member("health"), member("township"), member("police")],
    ["health", "township"])
v2_body, v2, v2_sigs = roster(
    2, b2(v1_body), 2, ADMINS,
    [member("health"), member("township"), member("police"),
     member("auditor")],
    ["health", "police"])
v3_body, v3, v3_sigs = roster(
    3, b2(v2_body), 3, ADMINS,
    [member("health"), member("township", [("120116001", 1)]),
     member("police"), member("auditor")],
    ["township", "police"])
# Refused: version 3 signed by the auditor, who is no admin of version 2.
bad_body, bad, _ = roster(
    3, b2(v2_body), 2, ADMINS,
    [member("health"), member("township"), member("police"),
     member("auditor")],
    ["health", "auditor"])
chain = pack_raw([v1, v2, v3])
net_id = b2(v1_body)


def entity_id(author, scope, seq, index):
    return b2(author + scope.encode() + seq.to_bytes(8, "big") +
              index.to_bytes(4, "big"))[:16]


def entry(who, scope, seq, prev, hlc, rv, typ):
    author = pk(who)
    ent = entity_id(author, scope, seq, 0)
    body = pack([1, author, scope, seq, prev, hlc, rv,
                 [[0, ent, typ]]])
    sig = KEYS[who][0].sign(b"ward-entry-v1" + net_id + body)
    return {"body": body, "sig": sig, "wire": pack([body, sig]),
            "hash": b2(body + sig), "entity": ent, "type": typ,
            "scope": scope, "seq": seq, "prev": prev, "hlc": hlc}


ZERO = bytes(32)
HLC = 1700000000000 << 16
e_t1 = entry("township", "120116001", 1, ZERO, HLC + 1, 1, "patient")
e_t2 = entry("township", "120116001", 2, e_t1["hash"], HLC + 2, 2,
             "patient")
e_h1 = entry("health", "120116", 1, ZERO, HLC + 3, 2, "patient")
e_a1 = entry("auditor", "1201", 1, ZERO, HLC + 4, 2, "patient")
e_a1v1 = entry("auditor", "1201", 1, ZERO, HLC + 4, 1, "patient")
e_p1v4 = entry("police", "120116", 1, ZERO, HLC + 5, 4, "incident")

ENTRIES = [
    ("township-1", "township", e_t1, 1, "applied",
     "names version 1: township creates a patient in its scope"),
    ("township-2", "township", e_t2, 2, "no_effect",
     "past township's bound (seq 1 in 120116001, set by version 3), "
     "though it names version 2"),
    ("health-1", "health", e_h1, 2, "applied",
     "names version 2"),
    ("auditor-1", "auditor", e_a1, 2, "no_effect",
     "names version 2, where the auditor is a member; an auditor may not "
     "create a patient"),
    ("auditor-1-v1", "auditor", e_a1v1, 1, "rejected",
     "names version 1, where the auditor is no member: unknown author"),
    ("police-1-v4", "police", e_p1v4, 4, "waits",
     "names version 4, not held: it waits"),
]


def keystream(key, n):
    c = Cipher(algorithms.ChaCha20(key, bytes(16)), mode=None).encryptor()
    return c.update(bytes(n))


def digest(elements):
    lanes = [0] * 1024
    for el in elements:
        ks = keystream(b2(el), 2048)
        for i in range(1024):
            lanes[i] = (lanes[i] + ks[2 * i] + (ks[2 * i + 1] << 8)) & 0xffff
    out = b"".join(x.to_bytes(2, "little") for x in lanes)
    return b2(out)


state = digest([pack([0, e["entity"], e["type"]])
                for e in (e_t1, e_h1)])


def h(b):
    return b.hex()


doc = {
    "about": "Test vectors for roster versions (DESIGN.md sections 3 and "
             "4, issue 10), written by tests/vectors/roster-chain-gen.py. "
             "Byte strings are lowercase hex; key pairs come from "
             "crypto_sign_seed_keypair(seed). Members are [key, role, name, "
             "scope, address, cert (empty), last_seq]. Rebuild every body "
             "from its fields, every signature, roster and the chain; "
             "verify the chain from genesis; refuse the bad version 3; "
             "apply the entries (in order) to a ledger holding the chain "
             "and compare each verdict and the state digest.",
    "keys": {n: {"seed": h(SEEDS[n]), "public_key": h(pk(n))}
             for n in SEEDS},
    "key_order": list(SEEDS),
    "net_id": h(net_id),
    "rosters": [
        {"version": v, "prev": None if v == 1 else h(b2(pb)),
         "schema_version": 1, "threshold": t, "admins": ADMINS,
         "members": m, "signers": s, "body": h(b), "id": h(b2(b)),
         "roster": h(w)}
        for v, t, m, s, b, w, pb in (
            (1, 2, [member_doc("health"), member_doc("township"),
                    member_doc("police")],
             ["health", "township"], v1_body, v1, None),
            (2, 2, [member_doc("health"), member_doc("township"),
                    member_doc("police"), member_doc("auditor")],
             ["health", "police"], v2_body, v2, v1_body),
            (3, 3, [member_doc("health"),
                    member_doc("township", [("120116001", 1)]),
                    member_doc("police"), member_doc("auditor")],
             ["township", "police"], v3_body, v3, v2_body))
    ],
    "chain": h(chain),
    "bad_version_3": {"roster": h(bad), "signers": ["health", "auditor"],
                      "why": "signed by a key that is not an admin of the "
                             "version before it"},
    "entries": [
        {"name": name, "author": who, "scope": e["scope"], "seq": e["seq"],
         "prev": h(e["prev"]), "hlc": e["hlc"], "roster_version": rv,
         "type": e["type"], "wire": h(e["wire"]), "hash": h(e["hash"]),
         "entity": h(e["entity"]), "verdict": v, "note": note}
        for name, who, e, rv, v, note in ENTRIES
    ],
    "digest_after": h(state),
}
json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")

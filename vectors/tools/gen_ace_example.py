#!/usr/bin/env python3
"""Reproducible Join Request / Join Response example for key-groupcomm-oscore (labels as read in
the draft-18-era editor copy; 'suggested' values). Deterministic: Ed25519 keys from fixed seeds,
and Ed25519 signatures are deterministic. Requires only 'cryptography'.

Written for Oscar (vectors/ace-join-example.json): an implementation independent of impl/ref, from
RFC 9594 §4.3.1 and key-groupcomm-oscore §6.1-§6.3. unit/test_gm requires impl/ref's joining node
and Group Manager to produce these bytes exactly. Run: python3 vectors/tools/gen_ace_example.py >
vectors/ace-join-example.json"""
import json
import struct
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

def _hdr(mt, n):
    if n < 24: return bytes([mt << 5 | n])
    if n < 256: return bytes([mt << 5 | 24, n])
    if n < 65536: return bytes([mt << 5 | 25]) + struct.pack(">H", n)
    if n < 2**32: return bytes([mt << 5 | 26]) + struct.pack(">I", n)
    return bytes([mt << 5 | 27]) + struct.pack(">Q", n)

def enc(x):
    if x is None: return b"\xf6"
    if x is True: return b"\xf5"
    if x is False: return b"\xf4"
    if isinstance(x, int): return _hdr(0, x) if x >= 0 else _hdr(1, -1 - x)
    if isinstance(x, bytes): return _hdr(2, len(x)) + x
    if isinstance(x, str): b = x.encode(); return _hdr(3, len(b)) + b
    if isinstance(x, list): return _hdr(4, len(x)) + b"".join(enc(i) for i in x)
    if isinstance(x, dict):  # RFC 8949 4.2.1 core deterministic: keys sorted by encoded bytes
        items = sorted(((enc(k), enc(v)) for k, v in x.items()), key=lambda kv: kv[0])
        return _hdr(5, len(x)) + b"".join(k + v for k, v in items)
    raise TypeError(x)

def ed_key(seed_byte):
    sk = Ed25519PrivateKey.from_private_bytes(bytes([seed_byte]) * 32)
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sk, pk

def ccs(sub, pk):
    # CWT Claims Set: {sub(2): tstr, cnf(8): {COSE_Key(1): {kty(1): OKP(1), crv(-1): Ed25519(6), x(-2): pk}}}
    return enc({2: sub, 8: {1: {1: 1, -1: 6, -2: pk}}})

sk_c, pk_c = ed_key(0x11)   # joining node
sk_m, pk_m = ed_key(0x22)   # existing member (Sender ID 0x52)
sk_g, pk_g = ed_key(0x33)   # Group Manager

GNAME = "g1"
scope = enc([GNAME, 6])   # one scope entry (RFC 9594 §4.3.1): Requester(1)+Responder(2) -> 6
N_S = bytes.fromhex("018a278f7faab55a")       # 'kdcchallenge' from Token Transfer Response
N_C = bytes.fromhex("25a8991cd700ac01")       # 'cnonce'
N_KDC = bytes.fromhex("cef04b2aa791bc6d")     # 'kdc_nonce'
cred_c = ccs("joining-node", pk_c)
cred_m = ccs("member-52", pk_m)
cred_g = ccs("group-manager", pk_g)

pop_in_c = enc(scope) + enc(N_S) + enc(N_C)
sig_c = sk_c.sign(pop_in_c)
pop_in_g = enc(N_C) + enc(N_KDC)
sig_g = sk_g.sign(pop_in_g)

join_req = {3: scope, 4: None, 5: cred_c, 6: N_C, 24: sig_c}
key = {2: bytes.fromhex("0102030405060708090a0b0c0d0e0f10"),   # ms
       5: bytes.fromhex("9e7ca92223786340"),                   # salt
       6: bytes.fromhex("37cbf3210017a2d3"),                   # contextId (Gid)
       3: 5,                                                   # hkdf: HMAC 256/256 (MAY be omitted)
       4: 10,                                                  # alg (pairwise mode AEAD)
       7: bytes.fromhex("25"),                                 # group_SenderId
       8: 14,                                                  # cred_fmt: kccs
       9: 10,                                                  # gp_enc_alg: AES-CCM-16-64-128
       10: -8,                                                 # sign_alg: EdDSA
       11: [[1], [1, 6]],                                      # sign_params
       12: -27,                                                # ecdh_alg: ECDH-SS + HKDF-256
       13: [[1], [1, 4]]}                                      # ecdh_params
join_resp = {7: 1, 8: key, 9: 0, 10: 1, 11: 2000000000, 12: 2592000,
             13: [cred_m], 14: [6], 15: [bytes.fromhex("52")],
             16: {1: 3600, 2: 0},
             17: cred_g, 18: N_KDC, 19: sig_g}

# self-check: verify both signatures with the public keys in the credentials
sk_c.public_key().verify(sig_c, pop_in_c)
sk_g.public_key().verify(sig_g, pop_in_g)

out = {
 "scope": scope, "N_S": N_S, "N_C": N_C, "N_KDC": N_KDC,
 "pk_joining_node": pk_c, "pk_member_52": pk_m, "pk_gm": pk_g,
 "cred_joining_node": cred_c, "cred_member_52": cred_m, "cred_gm": cred_g,
 "pop_input_client": pop_in_c, "client_cred_verify": sig_c,
 "pop_input_gm": pop_in_g, "kdc_cred_verify": sig_g,
 "join_request_payload": enc(join_req), "join_response_payload": enc(join_resp),
 "key_param": enc(key),
}
doc = {"description": "Join Request and Join Response of a Group OSCORE Group Manager "
       "(RFC 9594 §4.3.1, draft-ietf-ace-key-groupcomm-oscore §6). Ed25519 keys from seeds "
       "0x11 (joining node), 0x22 (member, Sender ID 0x52), 0x33 (Group Manager); group g1, "
       "Gid 37cbf3210017a2d3, roles Requester+Responder (6), new Sender ID 0x25, exp 2000000000, "
       "exi 2592000. Labels: the suggested values of key-groupcomm-oscore (gkty 1, profile 1, "
       "key labels 7-13).",
       "generator": "vectors/tools/gen_ace_example.py",
       "inputs": {"seed_joining_node": (bytes([0x11]) * 32).hex(),
                  "seed_member_52": (bytes([0x22]) * 32).hex(),
                  "seed_gm": (bytes([0x33]) * 32).hex(),
                  "gname": GNAME, "roles": 6, "member_sender_id": "52", "member_roles": 6,
                  "sender_id": "25", "ms": key[2].hex(), "salt": key[5].hex(), "gid": key[6].hex(),
                  "exp": join_resp[11], "exi": join_resp[12]},
       "values": {k: v.hex() for k, v in out.items()}}
print(json.dumps(doc, indent=1))

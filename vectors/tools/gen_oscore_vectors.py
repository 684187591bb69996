#!/usr/bin/python3
# gen_oscore_vectors.py -- generator for vectors/oscore-extra.json
#
# What this is:
#   An INDEPENDENT Python implementation of the OSCORE (RFC 8613) security
#   context derivation (Section 3.2), nonce construction (Section 5.2),
#   AAD construction (Section 5.4), OSCORE option encoding (Section 6.1) and
#   CoAP message protection (Sections 4 and 8), together with a small
#   RFC 7252 CoAP message encoder/decoder and a minimal CBOR encoder.
#   It is used ONLY to produce committed test data (vectors/oscore-extra.json)
#   against which Oscar's C implementation is checked.  It shares no code with
#   Oscar; Oscar never runs it.
#
#   Crypto comes from python3-cryptography (AES-CCM, AES-GCM,
#   ChaCha20-Poly1305, HKDF cross-check); CBOR encodings are produced by the
#   minimal encoder below and cross-checked against python3-cbor2.
#
# Self-check:
#   Before generating anything, every value in
#   /work/shared/spec/vectors/rfc8613.json (RFC 8613 Appendix C) is recomputed
#   from its inputs; the script aborts (exit status 1) on any difference.
#   Every generated vector is then re-checked the same way and, in addition,
#   verified from the receiver's side (parse protected message, decrypt with
#   the recipient key of the peer context, reassemble the original message).
#
# How to run (from the repository root), with Debian's Python:
#   /usr/bin/python3 vectors/tools/gen_oscore_vectors.py > vectors/oscore-extra.json
#   (needs Debian packages python3-cryptography and python3-cbor2)
#   Optional argument: path of the RFC vector file (default below).
#
# Output is deterministic: all "random" values (secrets, salts, IDs, tokens,
# payloads) are derived from SHA-256 of fixed strings; no os.urandom.

import hashlib
import hmac
import json
import sys

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RFC_VECTORS = "/work/shared/spec/vectors/rfc8613.json"
GENERATOR = "vectors/tools/gen_oscore_vectors.py"


class CheckError(Exception):
    pass


def die(msg):
    sys.stderr.write("gen_oscore_vectors: FATAL: %s\n" % msg)
    sys.exit(1)


# ---------------------------------------------------------------------------
# Algorithms: COSE id -> (name, key length, nonce length, tag length)
# ---------------------------------------------------------------------------
ALGS = {
    10: ("AES-CCM-16-64-128", 16, 13, 8),
    30: ("AES-CCM-16-128-128", 16, 13, 16),
    1: ("A128GCM", 16, 12, 16),
    3: ("A256GCM", 32, 12, 16),
    24: ("ChaCha20/Poly1305", 32, 12, 16),
}
HKDF_NAME = "HKDF SHA-256"


def aead_encrypt(alg, key, nonce, plaintext, aad):
    name, klen, nlen, tlen = ALGS[alg]
    if len(key) != klen or len(nonce) != nlen:
        raise CheckError("bad key/nonce length for alg %d" % alg)
    if alg in (10, 30):
        ct = AESCCM(key, tag_length=tlen).encrypt(nonce, plaintext, aad)
    elif alg in (1, 3):
        ct = AESGCM(key).encrypt(nonce, plaintext, aad)
    elif alg == 24:
        ct = ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)
    else:
        raise CheckError("unknown alg")
    if len(ct) != len(plaintext) + tlen:
        raise CheckError("unexpected ciphertext length")
    return ct


def aead_decrypt(alg, key, nonce, ciphertext, aad):
    name, klen, nlen, tlen = ALGS[alg]
    if alg in (10, 30):
        return AESCCM(key, tag_length=tlen).decrypt(nonce, ciphertext, aad)
    if alg in (1, 3):
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    return ChaCha20Poly1305(key).decrypt(nonce, ciphertext, aad)


# ---------------------------------------------------------------------------
# Minimal CBOR encoder (RFC 8949, shortest-form heads), cross-checked by cbor2
# ---------------------------------------------------------------------------
def _cbor_head(major, n):
    if n < 24:
        return bytes([(major << 5) | n])
    if n < 0x100:
        return bytes([(major << 5) | 24, n])
    if n < 0x10000:
        return bytes([(major << 5) | 25]) + n.to_bytes(2, "big")
    if n < 0x100000000:
        return bytes([(major << 5) | 26]) + n.to_bytes(4, "big")
    return bytes([(major << 5) | 27]) + n.to_bytes(8, "big")


def _cbor(obj):
    if obj is None:
        return b"\xf6"
    if isinstance(obj, bool):
        return b"\xf5" if obj else b"\xf4"
    if isinstance(obj, int):
        return _cbor_head(0, obj) if obj >= 0 else _cbor_head(1, -1 - obj)
    if isinstance(obj, (bytes, bytearray)):
        return _cbor_head(2, len(obj)) + bytes(obj)
    if isinstance(obj, str):
        b = obj.encode("utf-8")
        return _cbor_head(3, len(b)) + b
    if isinstance(obj, list):
        return _cbor_head(4, len(obj)) + b"".join(_cbor(x) for x in obj)
    raise CheckError("cannot CBOR-encode %r" % (obj,))


def cbor(obj):
    mine = _cbor(obj)
    other = cbor2.dumps(obj)
    if mine != other:
        raise CheckError("CBOR encoder disagreement: %s vs %s" % (mine.hex(), other.hex()))
    return mine


# ---------------------------------------------------------------------------
# HKDF-SHA256 (RFC 5869) written out, cross-checked by cryptography's HKDF
# ---------------------------------------------------------------------------
def hkdf_sha256(salt, ikm, info, length):
    if salt is None:
        salt = b""
    prk = hmac.new(salt if salt else b"\x00" * 32, ikm, hashlib.sha256).digest()
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    okm = okm[:length]
    other = HKDF(algorithm=hashes.SHA256(), length=length,
                 salt=(salt if salt else None), info=info).derive(ikm)
    if okm != other:
        raise CheckError("HKDF disagreement")
    return okm


# ---------------------------------------------------------------------------
# Security context (RFC 8613 Section 3.2)
# ---------------------------------------------------------------------------
def derive_info(id_, id_context, alg, type_, length):
    return cbor([id_, id_context, alg, type_, length])


def derive_context(master_secret, master_salt, sender_id, recipient_id, id_context, alg):
    name, klen, nlen, tlen = ALGS[alg]
    if len(sender_id) > nlen - 6 or len(recipient_id) > nlen - 6:
        raise CheckError("sender/recipient ID too long for alg %d" % alg)
    info_s = derive_info(sender_id, id_context, alg, "Key", klen)
    info_r = derive_info(recipient_id, id_context, alg, "Key", klen)
    info_iv = derive_info(b"", id_context, alg, "IV", nlen)
    ctx = {
        "alg": alg,
        "master_secret": master_secret,
        "master_salt": master_salt,
        "sender_id": sender_id,
        "recipient_id": recipient_id,
        "id_context": id_context,
        "info_s": info_s,
        "info_r": info_r,
        "info_iv": info_iv,
        "sender_key": hkdf_sha256(master_salt, master_secret, info_s, klen),
        "recipient_key": hkdf_sha256(master_salt, master_secret, info_r, klen),
        "common_iv": hkdf_sha256(master_salt, master_secret, info_iv, nlen),
    }
    return ctx


def make_nonce(id_piv, piv, common_iv):
    nlen = len(common_iv)
    if len(id_piv) > nlen - 6 or len(piv) > 5:
        raise CheckError("nonce input too long")
    raw = bytes([len(id_piv)]) + id_piv.rjust(nlen - 6, b"\x00") + piv.rjust(5, b"\x00")
    assert len(raw) == nlen
    return bytes(a ^ b for a, b in zip(raw, common_iv))


def piv_from_seq(seq):
    if not 0 <= seq <= 0xFFFFFFFFFF:
        raise CheckError("sequence number out of range")
    n = max(1, (seq.bit_length() + 7) // 8)
    return seq.to_bytes(n, "big")


def aad_for(alg, request_kid, request_piv):
    aad_array = cbor([1, [alg], request_kid, request_piv, b""])
    aad = cbor(["Encrypt0", b"", aad_array])
    return aad_array, aad


def oscore_option(piv, kid, kid_context):
    flags = 0
    out = b""
    if piv is not None:
        if not 1 <= len(piv) <= 5:
            raise CheckError("bad PIV length")
        flags |= len(piv)
        out += piv
    if kid_context is not None:
        if len(kid_context) > 255:
            raise CheckError("kid context too long")
        flags |= 0x10
        out += bytes([len(kid_context)]) + kid_context
    if kid is not None:
        flags |= 0x08
        out += kid
    if flags == 0 and not out:
        return b""
    return bytes([flags]) + out


def parse_oscore_option(val):
    if val == b"":
        return None, None, None
    flags = val[0]
    if flags & 0xE0:
        raise CheckError("reserved OSCORE flag bits set")
    n = flags & 7
    pos = 1
    piv = val[pos:pos + n] if n else None
    pos += n
    kid_context = None
    if flags & 0x10:
        s = val[pos]
        kid_context = val[pos + 1:pos + 1 + s]
        pos += 1 + s
    kid = val[pos:] if flags & 0x08 else None
    if not flags & 0x08 and pos != len(val):
        raise CheckError("trailing bytes in OSCORE option")
    return piv, kid, kid_context


# ---------------------------------------------------------------------------
# CoAP (RFC 7252) message encoding / decoding
# ---------------------------------------------------------------------------
OPT_OBSERVE = 6
OPT_OSCORE = 9
CLASS_U = {3, 7, 35, 39}   # Uri-Host, Uri-Port, Proxy-Uri, Proxy-Scheme
# Observe (6) is both E and U; every other option (known or unknown) is E.


def _ext(n):
    if n < 13:
        return n, b""
    if n < 269:
        return 13, bytes([n - 13])
    if n < 65805:
        return 14, (n - 269).to_bytes(2, "big")
    raise CheckError("option delta/length too large")


def encode_options(options):
    out = b""
    prev = 0
    for num, val in sorted(options, key=lambda o: o[0]):   # stable sort
        dn, dext = _ext(num - prev)
        ln, lext = _ext(len(val))
        out += bytes([(dn << 4) | ln]) + dext + lext + val
        prev = num
    return out


def decode_options(buf):
    options, pos, num = [], 0, 0
    while pos < len(buf):
        if buf[pos] == 0xFF:
            return options, buf[pos + 1:], True
        d, ln = buf[pos] >> 4, buf[pos] & 15
        pos += 1
        vals = []
        for nib in (d, ln):
            if nib == 13:
                vals.append(buf[pos] + 13)
                pos += 1
            elif nib == 14:
                vals.append(int.from_bytes(buf[pos:pos + 2], "big") + 269)
                pos += 2
            elif nib == 15:
                raise CheckError("reserved nibble 15")
            else:
                vals.append(nib)
        num += vals[0]
        options.append((num, buf[pos:pos + vals[1]]))
        pos += vals[1]
    return options, b"", False


def coap_encode(msg):
    tok = msg["token"]
    if len(tok) > 8:
        raise CheckError("token too long")
    out = bytes([0x40 | (msg["type"] << 4) | len(tok), msg["code"]])
    out += msg["mid"].to_bytes(2, "big") + tok + encode_options(msg["options"])
    if msg["payload"]:
        out += b"\xff" + msg["payload"]
    return out


def coap_decode(buf):
    if buf[0] >> 6 != 1:
        raise CheckError("bad CoAP version")
    tkl = buf[0] & 15
    msg = {"type": (buf[0] >> 4) & 3, "code": buf[1],
           "mid": int.from_bytes(buf[2:4], "big"), "token": buf[4:4 + tkl]}
    opts, payload, marker = decode_options(buf[4 + tkl:])
    if marker and not payload:
        raise CheckError("payload marker with empty payload")
    msg["options"] = opts
    msg["payload"] = payload
    if coap_encode(msg) != buf:
        raise CheckError("CoAP re-encoding mismatch")
    return msg


def uint_opt(v):
    return v.to_bytes((v.bit_length() + 7) // 8, "big")   # 0 -> empty


# ---------------------------------------------------------------------------
# OSCORE message protection (RFC 8613 Sections 4, 5, 6, 8)
# ---------------------------------------------------------------------------
def split_options(options, is_request):
    inner, outer = [], []
    for num, val in options:
        if num == OPT_OSCORE:
            raise CheckError("unprotected message already has OSCORE option")
        if num == OPT_OBSERVE:
            outer.append((num, val))
            inner.append((num, val if is_request else b""))
        elif num in CLASS_U:
            outer.append((num, val))
        else:
            inner.append((num, val))
    return inner, outer


def build_plaintext(code, inner, payload):
    return bytes([code]) + encode_options(inner) + (b"\xff" + payload if payload else b"")


def protect_request(ctx, msg, seq, send_kid_context):
    alg = ctx["alg"]
    inner, outer = split_options(msg["options"], True)
    has_observe = any(n == OPT_OBSERVE for n, _ in msg["options"])
    outer_code = 0x05 if has_observe else 0x02
    plaintext = build_plaintext(msg["code"], inner, msg["payload"])
    piv = piv_from_seq(seq)
    kid = ctx["sender_id"]
    aad_array, aad = aad_for(alg, kid, piv)
    nonce = make_nonce(ctx["sender_id"], piv, ctx["common_iv"])
    ct = aead_encrypt(alg, ctx["sender_key"], nonce, plaintext, aad)
    kid_context = None
    if send_kid_context:
        if ctx["id_context"] is None:
            raise CheckError("kid context requested but context has no ID Context")
        kid_context = ctx["id_context"]
    optval = oscore_option(piv, kid, kid_context)
    pmsg = dict(msg, code=outer_code, options=outer + [(OPT_OSCORE, optval)], payload=ct)
    return {
        "piv": piv, "kid": kid, "kid_context": kid_context,
        "aad_array": aad_array, "aad": aad, "plaintext": plaintext,
        "key": ctx["sender_key"], "nonce": nonce,
        "optval": optval, "ciphertext": ct, "protected": coap_encode(pmsg),
    }


def protect_response(ctx, msg, seq, with_piv, req):
    alg = ctx["alg"]
    inner, outer = split_options(msg["options"], False)
    has_observe = any(n == OPT_OBSERVE for n, _ in msg["options"])
    if has_observe and not with_piv:
        raise CheckError("notifications must carry a Partial IV")
    outer_code = 0x45 if has_observe else 0x44
    plaintext = build_plaintext(msg["code"], inner, msg["payload"])
    aad_array, aad = aad_for(alg, req["kid"], req["piv"])
    if with_piv:
        piv = piv_from_seq(seq)
        nonce = make_nonce(ctx["sender_id"], piv, ctx["common_iv"])
    else:
        piv = None
        nonce = req["nonce"]
    ct = aead_encrypt(alg, ctx["sender_key"], nonce, plaintext, aad)
    optval = oscore_option(piv, None, None)
    pmsg = dict(msg, code=outer_code, options=outer + [(OPT_OSCORE, optval)], payload=ct)
    return {
        "piv": piv, "aad_array": aad_array, "aad": aad, "plaintext": plaintext,
        "key": ctx["sender_key"], "nonce": nonce,
        "optval": optval, "ciphertext": ct, "protected": coap_encode(pmsg),
    }


def unprotect(peer_ctx, protected, is_request, req=None):
    """Receiver-side verification: returns the reassembled original message bytes."""
    alg = peer_ctx["alg"]
    msg = coap_decode(protected)
    oscore = [v for n, v in msg["options"] if n == OPT_OSCORE]
    if len(oscore) != 1:
        raise CheckError("need exactly one OSCORE option")
    piv, kid, kid_context = parse_oscore_option(oscore[0])
    if is_request:
        if kid != peer_ctx["recipient_id"] or piv is None:
            raise CheckError("request kid/piv mismatch")
        if kid_context is not None and kid_context != peer_ctx["id_context"]:
            raise CheckError("kid context mismatch")
        _, aad = aad_for(alg, kid, piv)
        nonce = make_nonce(kid, piv, peer_ctx["common_iv"])
    else:
        if kid is not None or kid_context is not None:
            raise CheckError("unexpected kid in response")
        _, aad = aad_for(alg, req["kid"], req["piv"])
        nonce = make_nonce(peer_ctx["recipient_id"], piv, peer_ctx["common_iv"]) if piv else req["nonce"]
    pt = aead_decrypt(alg, peer_ctx["recipient_key"], nonce, msg["payload"], aad)
    inner, payload, marker = decode_options(pt[1:])
    outer = [(n, v) for n, v in msg["options"] if n != OPT_OSCORE]
    if is_request:
        opts = [(n, v) for n, v in outer if n != OPT_OBSERVE] + inner
    else:
        opts = outer + [(n, v) for n, v in inner if n != OPT_OBSERVE]
    orig = dict(msg, code=pt[0], options=opts, payload=payload)
    return coap_encode(orig)


# ---------------------------------------------------------------------------
# Vector (JSON object) construction and checking
# ---------------------------------------------------------------------------
def hx(b):
    return None if b is None else b.hex()


def unhx(s):
    return None if s is None else bytes.fromhex(s)


def kd_vector(vid, title, role, ctx, description=None):
    v = {"id": vid, "title": title, "kind": "key_derivation", "role": role}
    if description is not None:
        v["description"] = description
    v["inputs"] = {
        "master_secret": hx(ctx["master_secret"]),
        "master_salt": hx(ctx["master_salt"]),
        "sender_id": hx(ctx["sender_id"]),
        "recipient_id": hx(ctx["recipient_id"]),
        "id_context": hx(ctx["id_context"]),
        "aead_algorithm": ctx["alg"],
        "hkdf": HKDF_NAME,
    }
    v["info"] = {
        "info_sender_key": hx(ctx["info_s"]),
        "info_recipient_key": hx(ctx["info_r"]),
        "info_common_iv": hx(ctx["info_iv"]),
    }
    v["outputs"] = {
        "sender_key": hx(ctx["sender_key"]),
        "recipient_key": hx(ctx["recipient_key"]),
        "common_iv": hx(ctx["common_iv"]),
    }
    zero = b"\x00"
    v["nonces_for_partial_iv_0"] = {
        "sender_nonce": hx(make_nonce(ctx["sender_id"], zero, ctx["common_iv"])),
        "recipient_nonce": hx(make_nonce(ctx["recipient_id"], zero, ctx["common_iv"])),
    }
    return v


def ctx_from_kd(v):
    i = v["inputs"]
    if i["hkdf"] != HKDF_NAME:
        raise CheckError("unsupported hkdf")
    return derive_context(unhx(i["master_secret"]), unhx(i["master_salt"]), unhx(i["sender_id"]),
                          unhx(i["recipient_id"]), unhx(i["id_context"]), i["aead_algorithm"])


def common_context(ctx):
    c = {
        "aead_algorithm": ctx["alg"],
        "aead_algorithm_name": ALGS[ctx["alg"]][0],
        "key_derivation_function": HKDF_NAME,
        "common_iv": hx(ctx["common_iv"]),
    }
    if ctx["id_context"] is not None:
        c["id_context"] = hx(ctx["id_context"])
    return c


def req_vector(vid, title, description, kd_id, ctx, msg_bytes, seq, send_kid_context):
    r = protect_request(ctx, coap_decode(msg_bytes), seq, send_kid_context)
    derived = {"partial_iv": hx(r["piv"]), "kid": hx(r["kid"])}
    if r["kid_context"] is not None:
        derived["kid_context"] = hx(r["kid_context"])
    derived.update({
        "aad_array": hx(r["aad_array"]), "aad": hx(r["aad"]), "plaintext": hx(r["plaintext"]),
        "encryption_key": hx(r["key"]), "nonce": hx(r["nonce"]),
    })
    return {
        "id": vid, "title": title, "kind": "request_protection", "description": description,
        "security_context_from": kd_id,
        "unprotected_coap_request": hx(msg_bytes),
        "common_context": common_context(ctx),
        "sender_context": {"sender_id": hx(ctx["sender_id"]), "sender_key": hx(ctx["sender_key"]),
                           "sender_sequence_number": seq},
        "derived": derived,
        "outputs": {"oscore_option_value": hx(r["optval"]), "ciphertext": hx(r["ciphertext"]),
                    "protected_coap_request": hx(r["protected"])},
    }, r


REQ_NOTE = ("request_kid and request_piv are the 'kid' and Partial IV of the request vector named in "
            "request_ref; request_nonce is that request's AEAD nonce, reused when the response "
            "carries no Partial IV.")


def resp_vector(vid, title, description, kd_id, ctx, msg_bytes, seq, with_piv, req_id, req, note=REQ_NOTE):
    r = protect_response(ctx, coap_decode(msg_bytes), seq, with_piv, req)
    derived = {}
    if r["piv"] is not None:
        derived["partial_iv"] = hx(r["piv"])
    derived.update({
        "aad_array": hx(r["aad_array"]), "aad": hx(r["aad"]), "plaintext": hx(r["plaintext"]),
        "encryption_key": hx(r["key"]), "nonce": hx(r["nonce"]),
    })
    return {
        "id": vid, "title": title, "kind": "response_protection", "description": description,
        "security_context_from": kd_id,
        "unprotected_coap_response": hx(msg_bytes),
        "common_context": common_context(ctx),
        "sender_context": {"sender_id": hx(ctx["sender_id"]), "sender_key": hx(ctx["sender_key"]),
                           "sender_sequence_number": seq},
        "derived": derived,
        "outputs": {"oscore_option_value": hx(r["optval"]), "ciphertext": hx(r["ciphertext"]),
                    "protected_coap_response": hx(r["protected"])},
        "request_ref": req_id,
        "request_parameters": {"note": note, "request_kid": hx(req["kid"]),
                               "request_piv": hx(req["piv"]), "request_nonce": hx(req["nonce"])},
    }, r


def _diff(path, a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s: %s" % (path, k, "unexpected key" if k not in b else "missing key")
            d = _diff("%s.%s" % (path, k), a[k], b[k])
            if d:
                return d
        return None
    if a != b:
        return "%s: file has %s, recomputed %s" % (path, json.dumps(a), json.dumps(b))
    return None


def _cmp(where, expected, got):
    d = _diff("", expected, got)
    if d:
        raise CheckError("%s: %s" % (where, d))


def peer_kd(vectors, ctx):
    """Find the key_derivation vector describing the other endpoint of ctx (if any)."""
    for v in vectors:
        if v["kind"] != "key_derivation":
            continue
        c = ctx_from_kd(v)
        if (c["alg"] == ctx["alg"] and c["sender_id"] == ctx["recipient_id"]
                and c["recipient_id"] == ctx["sender_id"] and c["id_context"] == ctx["id_context"]
                and c["master_secret"] == ctx["master_secret"] and c["master_salt"] == ctx["master_salt"]):
            return c
    return None


def check_file(data, label, strict_peer):
    """Recompute every vector of a file in the rfc8613.json schema; raise on any difference."""
    vectors = data["vectors"]
    by_id = {}
    for v in vectors:
        if v["id"] in by_id:
            raise CheckError("%s: duplicate id %s" % (label, v["id"]))
        by_id[v["id"]] = v
    req_results = {}
    n = 0
    for v in vectors:
        where = "%s %s" % (label, v["id"])
        kind = v["kind"]
        if kind == "key_derivation":
            ctx = ctx_from_kd(v)
            got = kd_vector(v["id"], v["title"], v["role"], ctx, v.get("description"))
            _cmp(where, v, got)
            if v["role"] == "server" and len(ctx["sender_id"]) == 0 and len(ctx["recipient_id"]) == 0:
                raise CheckError(where + ": both IDs empty")
        elif kind == "request_protection":
            kd = by_id[v["security_context_from"]]
            if kd["kind"] != "key_derivation" or kd["role"] != "client":
                raise CheckError(where + ": security_context_from must be a client key_derivation")
            ctx = ctx_from_kd(kd)
            send_kc = "kid_context" in v["derived"]
            got, r = req_vector(v["id"], v["title"], v["description"], kd["id"], ctx,
                                unhx(v["unprotected_coap_request"]),
                                v["sender_context"]["sender_sequence_number"], send_kc)
            _cmp(where, v, got)
            req_results[v["id"]] = r
            peer = peer_kd(vectors, ctx)
            if peer is None and strict_peer:
                raise CheckError(where + ": no peer (server) context in file")
            if peer is not None:
                _cmp(where + " (receiver-side reassembly)", v["unprotected_coap_request"],
                     hx(unprotect(peer, r["protected"], True)))
        elif kind == "response_protection":
            kd = by_id[v["security_context_from"]]
            if kd["kind"] != "key_derivation" or kd["role"] != "server":
                raise CheckError(where + ": security_context_from must be a server key_derivation")
            ctx = ctx_from_kd(kd)
            req_id = v["request_ref"]
            if req_id not in req_results:
                raise CheckError(where + ": request_ref must name an earlier request vector")
            req = req_results[req_id]
            rkd = ctx_from_kd(by_id[by_id[req_id]["security_context_from"]])
            if rkd["sender_id"] != ctx["recipient_id"] or rkd["sender_key"] != ctx["recipient_key"]:
                raise CheckError(where + ": response context is not the peer of the request context")
            with_piv = "partial_iv" in v["derived"]
            got, r = resp_vector(v["id"], v["title"], v["description"], kd["id"], ctx,
                                 unhx(v["unprotected_coap_response"]),
                                 v["sender_context"]["sender_sequence_number"], with_piv, req_id, req,
                                 v["request_parameters"]["note"])
            _cmp(where, v, got)
            _cmp(where + " (receiver-side reassembly)", v["unprotected_coap_response"],
                 hx(unprotect(rkd, r["protected"], False, req)))
        else:
            raise CheckError(where + ": unknown kind " + kind)
        n += 1
    return n


# ---------------------------------------------------------------------------
# Deterministic test data
# ---------------------------------------------------------------------------
def det(label, n):
    """n deterministic pseudo-random bytes from a fixed label (SHA-256 counter mode)."""
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(("oscar-oscore-extra/%s/%d" % (label, i)).encode()).digest()
        i += 1
    return out[:n]


CON, NON, ACK = 0, 1, 2
GET, POST, PUT, DELETE, FETCH = 0x01, 0x02, 0x03, 0x04, 0x05
CREATED, DELETED, CHANGED, CONTENT, UNAUTHORIZED, NOT_FOUND = 0x41, 0x42, 0x44, 0x45, 0x81, 0x84

# option numbers
IF_MATCH, URI_HOST, ETAG, OBSERVE, URI_PORT, LOCATION_PATH = 1, 3, 4, 6, 7, 8
URI_PATH, CONTENT_FORMAT, MAX_AGE, URI_QUERY, ACCEPT = 11, 12, 14, 15, 17
BLOCK2, BLOCK1, SIZE2, PROXY_SCHEME, SIZE1 = 23, 27, 28, 39, 60
ECHO, NO_RESPONSE = 252, 258
EXPERIMENTAL = 65000   # first number of the "Experimental use" range; unknown -> class E


def msg(mtype, code, mid, token, options, payload=b""):
    return coap_encode({"type": mtype, "code": code, "mid": mid, "token": token,
                        "options": options, "payload": payload})


def s(x):
    return x.encode("utf-8")


PROV = ("Generated by %s (independent Python implementation of RFC 8613, using python3-cryptography "
        "and cbor2; not computed by Oscar's C code). " % GENERATOR)


def build():
    vectors = []
    V = vectors.append

    def ctx_pair(alg, tag, secret, salt, cid, sid, idctx, desc):
        name = ALGS[alg][0]
        client = derive_context(secret, salt, cid, sid, idctx, alg)
        server = derive_context(secret, salt, sid, cid, idctx, alg)
        cvid, svid = "X.%d.%s" % (alg, tag[0]), "X.%d.%s" % (alg, tag[1])
        V(kd_vector(cvid, "Key Derivation, %s, %s (Client)" % (name, desc), "client", client,
                    PROV + "Client side: %s." % desc))
        V(kd_vector(svid, "Key Derivation, %s, %s (Server)" % (name, desc), "server", server,
                    PROV + "Server side of %s: %s." % (cvid, desc)))
        return cvid, client, svid, server

    def req(alg, n, cvid, cctx, title, desc, m, seq, kc):
        vid = "X.%d.%d" % (alg, n)
        v, r = req_vector(vid, "OSCORE Request, %s, %s (Client)" % (ALGS[alg][0], title),
                          PROV + desc, cvid, cctx, m, seq, kc)
        V(v)
        return vid, r

    def resp(alg, n, svid, sctx, title, desc, m, seq, with_piv, rq):
        vid = "X.%d.%d" % (alg, n)
        v, _ = resp_vector(vid, "OSCORE Response, %s, %s (Server)" % (ALGS[alg][0], title),
                           PROV + desc, svid, sctx, m, seq, with_piv, rq[0], rq[1])
        V(v)
        return vid

    # ---------------- alg 10: AES-CCM-16-64-128 ----------------
    alg = 10
    cvid, cc, svid, sc = ctx_pair(
        alg, ("1", "2"), det("10/secret", 16), det("10/salt", 8), det("10/cid", 7), b"", det("10/idctx", 8),
        "16-byte Master Secret, 8-byte Master Salt, 8-byte ID Context, client Sender ID of maximum "
        "length 7 (nonce_len-6), server Sender ID empty")
    r3 = req(alg, 3, cvid, cc, "GET, seq 0, kid context",
             "CON GET with 0-byte token; Uri-Host (class U, stays outer), Uri-Path 'sensors'/'temp', "
             "Accept 50 (class E); sequence number 0 gives Partial IV h'00'; the request carries "
             "'kid context' = ID Context and a 7-byte kid.",
             msg(CON, GET, 0x1001, b"", [(URI_HOST, s("sensor.example")), (URI_PATH, s("sensors")),
                                          (URI_PATH, s("temp")), (ACCEPT, uint_opt(50))]), 0, True)
    r4 = req(alg, 4, cvid, cc, "POST, seq 255, no kid context",
             "NON POST with 8-byte token; Uri-Path 'a'/'b'/'c', Content-Format 50, JSON payload; "
             "sequence number 255 (1-byte Partial IV h'ff'); the context has an ID Context but the "
             "request does not send 'kid context'.",
             msg(NON, POST, 0x1002, det("10/tok4", 8),
                 [(URI_PATH, s("a")), (URI_PATH, s("b")), (URI_PATH, s("c")), (CONTENT_FORMAT, uint_opt(50))],
                 s('{"temp":21.5,"unit":"C"}')), 255, False)
    r5 = req(alg, 5, cvid, cc, "GET Observe registration, seq 256",
             "CON GET with 4-byte token and Observe 0 (registration; empty option value): outer code "
             "FETCH, Observe present both inner and outer; Uri-Path 'obs'; sequence number 256 "
             "(2-byte Partial IV); carries 'kid context'.",
             msg(CON, GET, 0x1003, det("10/tok5", 4), [(OBSERVE, uint_opt(0)), (URI_PATH, s("obs"))]),
             256, True)
    resp(alg, 6, svid, sc, "2.05 without Partial IV",
         "Piggybacked ACK 2.05 (Content) answering X.10.3 (whose request carried kid context); "
         "Content-Format 0 (empty uint), ETag, text payload; no Partial IV, so the request nonce is "
         "reused and the OSCORE option is empty.",
         msg(ACK, CONTENT, 0x1001, b"", [(ETAG, det("10/etag6", 4)), (CONTENT_FORMAT, uint_opt(0))],
             s("21.5 C")), 0, False, r3)
    resp(alg, 7, svid, sc, "Observe notification with Partial IV",
         "CON 2.05 notification answering X.10.5: Observe 7 (outer carries 7, inner Observe is "
         "empty), Content-Format 0, Max-Age 60 (class E, inner only); server sequence number 0 gives "
         "Partial IV h'00' with the server's empty Sender ID in the nonce; outer code 2.05.",
         msg(CON, CONTENT, 0x2001, det("10/tok5", 4),
             [(OBSERVE, uint_opt(7)), (CONTENT_FORMAT, uint_opt(0)), (MAX_AGE, uint_opt(60))], s("22.0")),
         0, True, r5)

    # second alg-10 context: present but EMPTY ID Context
    cvid2, cc2, svid2, sc2 = ctx_pair(
        alg, ("8", "9"), det("10b/secret", 32), None, b"", b"\x01", b"",
        "32-byte Master Secret, no Master Salt, ID Context present but zero-length (h'' in info, "
        "not null), client Sender ID empty, server Sender ID h'01'")
    r10 = req(alg, 10, cvid2, cc2, "GET, empty kid context",
              "CON GET with 1-byte token; Uri-Path 'x'; sequence number 1; the request sends a "
              "zero-length 'kid context' (flag h set, s = 0) and an empty kid.",
              msg(CON, GET, 0x1010, b"\x5a", [(URI_PATH, s("x"))]), 1, True)
    resp(alg, 11, svid2, sc2, "2.05 with Partial IV",
         "Piggybacked ACK 2.05 answering X.10.10 with Partial IV (server sequence number 5, server "
         "Sender ID h'01' in the nonce); no options, empty payload (plaintext is the code byte only).",
         msg(ACK, CONTENT, 0x1010, b"\x5a", []), 5, True, r10)

    # ---------------- alg 30: AES-CCM-16-128-128 ----------------
    alg = 30
    cvid, cc, svid, sc = ctx_pair(
        alg, ("1", "2"), det("30/secret", 32), None, b"\x01", det("30/sid", 3), None,
        "32-byte Master Secret, no Master Salt, no ID Context, client Sender ID h'01', server "
        "Sender ID of 3 bytes")
    big = b"".join(s("line %03d: the quick brown fox jumps over the lazy dog\n" % i) for i in range(7))
    r3 = req(alg, 3, cvid, cc, "PUT, seq 65535, 300+ byte payload",
             "CON PUT with 2-byte token; Uri-Host and Uri-Port 5684 (class U, outer), Uri-Path "
             "'fw'/'image', If-Match, Content-Format 0, %d-byte payload; sequence number 65535 "
             "(2-byte Partial IV h'ffff')." % len(big),
             msg(CON, PUT, 0x3001, det("30/tok3", 2),
                 [(IF_MATCH, det("30/ifm", 6)), (URI_HOST, s("fw.example.org")), (URI_PORT, uint_opt(5684)),
                  (URI_PATH, s("fw")), (URI_PATH, s("image")), (CONTENT_FORMAT, uint_opt(0))], big),
             65535, False)
    r4 = req(alg, 4, cvid, cc, "DELETE, seq 0xFFFFFFFF, No-Response",
             "NON DELETE with 3-byte token; Uri-Path 'items'/'42', Uri-Query 'force=1' and a "
             "40-byte Uri-Query (length nibble 13), No-Response 26 (option 258: delta 243 after "
             "Uri-Query, delta nibble 13); sequence number 0xFFFFFFFF (4-byte Partial IV).",
             msg(NON, DELETE, 0x3002, det("30/tok4", 3),
                 [(URI_PATH, s("items")), (URI_PATH, s("42")), (URI_QUERY, s("force=1")),
                  (URI_QUERY, s("reason=" + "x" * 33)), (NO_RESPONSE, uint_opt(26))]), 0xFFFFFFFF, False)
    r5 = req(alg, 5, cvid, cc, "GET Block2 via proxy, seq 2^40-1",
             "CON GET with 8-byte token; Uri-Host, Proxy-Scheme 'coap' (class U, outer), Uri-Path "
             "'big', Block2 NUM=0 SZX=2 (class E); sequence number 2^40-1 (5-byte Partial IV, the "
             "maximum).",
             msg(CON, GET, 0x3003, det("30/tok5", 8),
                 [(URI_HOST, s("origin.example")), (URI_PATH, s("big")), (BLOCK2, uint_opt(2)),
                  (PROXY_SCHEME, s("coap"))]), 0xFFFFFFFFFF, False)
    resp(alg, 6, svid, sc, "2.04 without Partial IV",
         "Piggybacked ACK 2.04 (Changed) answering X.30.3; no options and empty payload; no Partial "
         "IV (request nonce reused).",
         msg(ACK, CHANGED, 0x3001, det("30/tok3", 2), []), 7, False, r3)
    resp(alg, 7, svid, sc, "2.05 Block2 with Partial IV",
         "Piggybacked ACK 2.05 answering X.30.5: ETag, Content-Format 42, Block2 NUM=0 M=1 SZX=2, "
         "Size2 200, 64-byte payload; server sequence number 0x1234 (2-byte Partial IV, 3-byte server "
         "Sender ID in the nonce).",
         msg(ACK, CONTENT, 0x3003, det("30/tok5", 8),
             [(ETAG, det("30/etag7", 8)), (CONTENT_FORMAT, uint_opt(42)), (BLOCK2, uint_opt(0x0A)),
              (SIZE2, uint_opt(200))], det("30/blk", 64)), 0x1234, True, r5)

    # ---------------- alg 1: A128GCM ----------------
    alg = 1
    cvid, cc, svid, sc = ctx_pair(
        alg, ("1", "2"), det("1/secret", 16), det("1/salt", 16), det("1/cid", 3), det("1/sid", 6), None,
        "16-byte Master Secret, 16-byte Master Salt, no ID Context, client Sender ID of 3 bytes, "
        "server Sender ID of maximum length 6 (nonce_len-6)")
    r3 = req(alg, 3, cvid, cc, "POST registration, seq 1",
             "CON POST with 3-byte token; Uri-Path 'rd', Uri-Query 'ep=node1' and 'lt=3600', "
             "Content-Format 40 (link-format), payload; sequence number 1.",
             msg(CON, POST, 0x0101, det("1/tok3", 3),
                 [(URI_PATH, s("rd")), (CONTENT_FORMAT, uint_opt(40)), (URI_QUERY, s("ep=node1")),
                  (URI_QUERY, s("lt=3600"))], s('</sensors/temp>;rt="temperature";if="sensor"')), 1, False)
    r4 = req(alg, 4, cvid, cc, "FETCH, seq 0x010000",
             "NON FETCH (original code 0.05 goes into the plaintext; outer code POST since there is no "
             "Observe) with 5-byte token; Uri-Path 'q', Content-Format 60, Accept 60, CBOR payload; "
             "sequence number 65536 (3-byte Partial IV).",
             msg(NON, FETCH, 0x0102, det("1/tok4", 5),
                 [(URI_PATH, s("q")), (CONTENT_FORMAT, uint_opt(60)), (ACCEPT, uint_opt(60))],
                 cbor([s("temp"), s("hum")])), 0x010000, False)
    r5 = req(alg, 5, cvid, cc, "DELETE, seq 256",
             "CON DELETE with 6-byte token; Uri-Host, Uri-Port 61616, Uri-Path 'rd'/'4521'; empty "
             "payload; sequence number 256.",
             msg(CON, DELETE, 0x0103, det("1/tok5", 6),
                 [(URI_HOST, s("rd.example")), (URI_PORT, uint_opt(61616)), (URI_PATH, s("rd")),
                  (URI_PATH, s("4521"))]), 256, False)
    resp(alg, 6, svid, sc, "2.01 with Location-Path, no Partial IV",
         "Piggybacked ACK 2.01 (Created) answering X.1.3: Location-Path 'rd'/'4521' (class E); no "
         "payload; no Partial IV (request nonce reused; outer code 2.04).",
         msg(ACK, CREATED, 0x0101, det("1/tok3", 3),
             [(LOCATION_PATH, s("rd")), (LOCATION_PATH, s("4521"))]), 3, False, r3)
    resp(alg, 7, svid, sc, "2.05 with 5-byte Partial IV",
         "Separate NON 2.05 answering X.1.4: Content-Format 60, Max-Age 0 (empty), CBOR payload; "
         "server sequence number 2^40-1 (5-byte Partial IV, 6-byte server Sender ID: the nonce has "
         "no zero padding).",
         msg(NON, CONTENT, 0x7777, det("1/tok4", 5),
             [(CONTENT_FORMAT, uint_opt(60)), (MAX_AGE, uint_opt(0))], cbor([21, 55])),
         0xFFFFFFFFFF, True, r4)

    # ---------------- alg 3: A256GCM ----------------
    alg = 3
    cvid, cc, svid, sc = ctx_pair(
        alg, ("1", "2"), det("3/secret", 32), None, b"", b"\x42", det("3/idctx", 20),
        "32-byte Master Secret, no Master Salt, 20-byte ID Context, client Sender ID empty, server "
        "Sender ID h'42'")
    r3 = req(alg, 3, cvid, cc, "GET Observe registration with kid context, seq 7",
             "CON GET with 6-byte token, Observe 0 (inner and outer, outer code FETCH), Uri-Host, "
             "Uri-Path '.well-known'/'core', ETag; 20-byte 'kid context' and empty kid (OSCORE option "
             "value of 23 bytes: option length nibble 13); sequence number 7.",
             msg(CON, GET, 0x0301, det("3/tok3", 6),
                 [(URI_HOST, s("h.example")), (ETAG, det("3/etag", 2)), (OBSERVE, b""),
                  (URI_PATH, s(".well-known")), (URI_PATH, s("core"))]), 7, True)
    r4 = req(alg, 4, cvid, cc, "PUT without kid context, seq 0x0100",
             "NON PUT with 7-byte token; Uri-Path 'cfg', If-Match with empty value, Content-Format 50, "
             "payload; the context has an ID Context but no 'kid context' is sent; sequence number "
             "0x0100.",
             msg(NON, PUT, 0x0302, det("3/tok4", 7),
                 [(IF_MATCH, b""), (URI_PATH, s("cfg")), (CONTENT_FORMAT, uint_opt(50))],
                 s('{"interval":30}')), 0x0100, False)
    resp(alg, 5, svid, sc, "Observe notification with Partial IV",
         "NON 2.05 notification answering X.3.3: outer Observe 0x123456 (3 bytes), inner Observe "
         "empty, ETag, Content-Format 40, Max-Age 120, payload; server sequence number 0x0102 "
         "(2-byte Partial IV, server Sender ID h'42').",
         msg(NON, CONTENT, 0x0a0b, det("3/tok3", 6),
             [(ETAG, det("3/etag5", 3)), (OBSERVE, uint_opt(0x123456)), (CONTENT_FORMAT, uint_opt(40)),
              (MAX_AGE, uint_opt(120))], s("</sensors/temp>;obs")), 0x0102, True, r3)
    resp(alg, 6, svid, sc, "4.04 without Partial IV",
         "Piggybacked ACK 4.04 (Not Found) answering X.3.4 with diagnostic payload; error responses "
         "also use outer code 2.04; no Partial IV (request nonce reused).",
         msg(ACK, NOT_FOUND, 0x0302, det("3/tok4", 7), [], s("no such resource")), 1, False, r4)

    # ---------------- alg 24: ChaCha20/Poly1305 ----------------
    alg = 24
    cvid, cc, svid, sc = ctx_pair(
        alg, ("1", "2"), det("24/secret", 32), det("24/salt", 32), det("24/cid", 6), b"", b"\xa5",
        "32-byte Master Secret, 32-byte Master Salt, 1-byte ID Context, client Sender ID of maximum "
        "length 6 (nonce_len-6), server Sender ID empty")
    longval = det("24/long", 300)
    r3 = req(alg, 3, cvid, cc, "GET with large option numbers, seq 0x10000000",
             "CON GET with 8-byte token; Uri-Host, Uri-Path 'x', Echo (252), No-Response 0 (258), "
             "and option 65000 (first 'experimental use' number; unknown, hence class E) with a "
             "300-byte value: inner deltas 11, 241 (nibble 13), 6, 64742 (nibble 14) and length 300 "
             "(nibble 14); carries 1-byte 'kid context'; sequence number 0x10000000 (4-byte Partial "
             "IV).",
             msg(CON, GET, 0x2401, det("24/tok3", 8),
                 [(URI_HOST, s("big.example")), (URI_PATH, s("x")), (ECHO, det("24/echo", 8)),
                  (NO_RESPONSE, uint_opt(0)), (EXPERIMENTAL, longval)]), 0x10000000, True)
    r4 = req(alg, 4, cvid, cc, "POST Block1, seq 0",
             "NON POST with 0-byte token; Uri-Path 'upload', Content-Format 42, Block1 NUM=3 M=1 SZX=2, "
             "Size1 1000, 64-byte payload; sequence number 0; no 'kid context'.",
             msg(NON, POST, 0x2402, b"",
                 [(URI_PATH, s("upload")), (CONTENT_FORMAT, uint_opt(42)), (BLOCK1, uint_opt(0x3A)),
                  (SIZE1, uint_opt(1000))], det("24/blk", 64)), 0, False)
    r5 = req(alg, 5, cvid, cc, "GET Observe deregistration, seq 2^24",
             "CON GET with 5-byte token, Observe 1 (deregistration; inner and outer, outer code FETCH), "
             "Uri-Path 'obs', Uri-Query 'a=1'; carries 'kid context'; sequence number 2^24 (4-byte "
             "Partial IV).",
             msg(CON, GET, 0x2403, det("24/tok5", 5),
                 [(OBSERVE, uint_opt(1)), (URI_PATH, s("obs")), (URI_QUERY, s("a=1"))]), 1 << 24, True)
    resp(alg, 6, svid, sc, "4.01 with Echo and Partial IV",
         "Piggybacked ACK 4.01 (Unauthorized) answering X.24.3 with an 8-byte Echo option (class E); "
         "server sequence number 255 (Partial IV h'ff', server's empty Sender ID in the nonce); "
         "empty payload.",
         msg(ACK, UNAUTHORIZED, 0x2401, det("24/tok3", 8), [(ECHO, det("24/echo6", 8))]), 255, True, r3)
    resp(alg, 7, svid, sc, "2.31 Continue without Partial IV",
         "Separate CON 2.31 (Continue) answering X.24.4: Block1 NUM=3 M=1 SZX=2 (class E); empty "
         "payload; no Partial IV (request nonce reused; outer code 2.04).",
         msg(CON, 0x5F, 0x9001, b"", [(BLOCK1, uint_opt(0x3A))]), 2, False, r4)

    return vectors


def counts(vectors):
    c = {}
    for v in vectors:
        src = v["inputs"] if v["kind"] == "key_derivation" else v["common_context"]
        alg = src["aead_algorithm"]
        c.setdefault((v["kind"], alg), 0)
        c[(v["kind"], alg)] += 1
    return c


def main():
    rfc_path = sys.argv[1] if len(sys.argv) > 1 else RFC_VECTORS
    # 1. self-check against RFC 8613 Appendix C
    try:
        with open(rfc_path) as f:
            rfc = json.load(f)
        n = check_file(rfc, "RFC", strict_peer=False)
    except (CheckError, KeyError, ValueError) as e:
        die("self-check against %s failed: %s" % (rfc_path, e))
    if n != len(rfc["vectors"]) or n == 0:
        die("self-check: not all RFC vectors were checked")
    sys.stderr.write("gen_oscore_vectors: self-check OK: %d RFC 8613 vectors recomputed\n" % n)

    # 2. generate
    try:
        vectors = build()
    except CheckError as e:
        die("generation failed: %s" % e)
    out = {
        "source": ("Generated by %s, an independent Python implementation of RFC 8613 (OSCORE) using "
                   "python3-cryptography and cbor2; NOT produced by Oscar's C code. Not from the RFC: "
                   "extra vectors covering AEAD algorithms 10, 30, 1, 3 and 24." % GENERATOR),
        "encoding": rfc["encoding"],
        "note": ("Token and Message ID of each protected message equal those of the unprotected one. "
                 "AEAD algorithms (COSE id: key/nonce/tag bytes): 10 AES-CCM-16-64-128 (16/13/8), "
                 "30 AES-CCM-16-128-128 (16/13/16), 1 A128GCM (16/12/16), 3 A256GCM (32/12/16), "
                 "24 ChaCha20/Poly1305 (32/12/16); HKDF = HKDF SHA-256; master_salt null = absent "
                 "(empty salt). Inner (class E) options are everything except Uri-Host, Uri-Port, "
                 "Proxy-Uri, Proxy-Scheme (class U); Observe is both (inner value empty in "
                 "responses). Outer code is POST/2.04, or FETCH/2.05 when Observe is present. "
                 "All pseudo-random values are derived from SHA-256 of fixed labels."),
        "verification": None,
        "vectors": vectors,
    }
    # 3. re-check everything that was generated (recompute + receiver-side reassembly)
    try:
        n2 = check_file(json.loads(json.dumps(out)), "generated", strict_peer=True)
    except (CheckError, KeyError, ValueError) as e:
        die("re-check of generated vectors failed: %s" % e)
    out["verification"] = (
        "Before generation, %s recomputed all %d RFC 8613 Appendix C vectors (rfc8613.json) and "
        "matched every value. Each of the %d vectors here was then recomputed from its inputs and "
        "verified from the receiver side (parse protected message, decrypt with the peer context's "
        "Recipient Key, reassemble the unprotected message byte-for-byte)." % (GENERATOR, n, n2))
    sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    c = counts(vectors)
    sys.stderr.write("gen_oscore_vectors: %d vectors: %s\n" % (
        len(vectors), ", ".join("%s/%d=%d" % (k[0], k[1], c[k]) for k in sorted(c))))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Check an IMA measurement list against a Keylime runtime policy, by Keylime's rules.

    check-measurements.py POLICY MEASUREMENT_LIST

POLICY is a runtime policy (format version 1) or a DSSE envelope holding one;
MEASUREMENT_LIST the kernel's ascii_runtime_measurements (templates ima,
ima-ng, ima-sig, ima-buf). Exit 0 when every entry passes, 1 with one line
per failing entry otherwise, 2 on bad input.

The rules are Keylime's (keylime/keylime 9b1f6e6a), written again here, short:
  - keylime/ima/ast.py Entry: PCR 10; the template hash (SHA-1, the policy's
    ima.log_hash_alg) recomputed over the length-prefixed fields; an all-zero
    one is a ToMToU violation, a failure.
  - keylime/ima/ima.py _validate_ima_ng: excluded paths (the excludes joined
    into one regex, re.match) pass; else the digest must be listed at the path.
  - _validate_ima_sig: with keys (verification-keys, or learned from the log)
    a signature that verifies passes without looking at digests (unless the
    path is excluded, which passes too); else _validate_ima_ng.
  - _validate_ima_buf: a buffer that is a key is checked against keyrings
    (unless its keyring is in ima.ignored_keyrings) and then learned; other
    buffers against ima-buf.
  - keylime/ima/file_signatures.py: key ids from verification-keys' keyids,
    a v2 signature's hash must be the digest's algorithm, RSA PKCS#1 v1.5 or
    ECDSA over the prehashed digest.
The boot_aggregate entry is checked by Keylime against the TPM quote's PCRs;
there is no quote here, so it passes.
"""
import base64
import binascii
import hashlib
import json
import re
import struct
import sys

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

HASHES = {1: hashes.MD5(), 2: hashes.SHA1(), 4: hashes.SHA256(), 5: hashes.SHA384(),
          6: hashes.SHA512(), 7: hashes.SHA224()}


def load_policy(path):
    with open(path, "rb") as f:
        doc = json.load(f)
    if doc.get("payload"):  # ima.deserialize_runtime_policy
        doc = json.loads(base64.b64decode(doc["payload"]))
    for key in ("meta", "release", "digests", "excludes", "keyrings", "ima", "ima-buf",
                "verification-keys"):
        if key not in doc:
            raise ValueError(f"policy has no {key}")
    return doc


def keyid_of(key):
    """file_signatures.ImaKeyring._get_keyidv2: SHA-1 of the key, last 4 bytes."""
    if isinstance(key, rsa.RSAPublicKey):
        raw = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    else:
        raw = key.public_bytes(serialization.Encoding.X962,
                               serialization.PublicFormat.UncompressedPoint)
    return int.from_bytes(hashlib.sha1(raw).digest()[16:], "big")


def key_from_buffer(data):
    """file_signatures.get_pubkey, for what a KEY_CHECK entry carries: a DER
    certificate (key id from its SKID) or a DER public key."""
    try:
        cert = x509.load_der_x509_certificate(data)
        try:
            skid = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            return cert.public_key(), int.from_bytes(skid.digest[-4:], "big")
        except x509.ExtensionNotFound:
            return cert.public_key(), None
    except ValueError:
        pass
    try:
        return serialization.load_der_public_key(data), None
    except ValueError:
        return None, None


def verify_sig(keys, sig, digest, algorithm):
    """file_signatures.ImaKeyrings.integrity_digsig_verify / _asymmetric_verify."""
    if len(sig) < 9 or sig[0] not in (3, 5) or sig[1] != 2:
        return False
    _, _, hash_id, keyid, size = struct.unpack(">BBBIH", sig[:9])
    func = HASHES.get(hash_id)
    if len(sig) - 9 != size or func is None or func.name != algorithm:
        return False
    key = keys.get(keyid)
    if key is None:
        return False
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(sig[9:], digest, padding.PKCS1v15(), Prehashed(func))
        else:
            key.verify(sig[9:], digest, ec.ECDSA(Prehashed(func)))
        return True
    except InvalidSignature:
        return False


def field(data):
    return struct.pack("<I", len(data)) + data


def parse_digest(text):
    algorithm, _, hexdigest = text.rpartition(":")
    digest = bytes.fromhex(hexdigest)
    if not algorithm:  # ast.Digest: no prefix is sha1 (or md5)
        algorithm = "sha1" if len(digest) == 20 else "md5"
    return algorithm, digest, field(algorithm.encode() + b":\0" + digest)


def name_field(name):
    return field(name.encode("utf-8") + b"\0")


class Checker:
    def __init__(self, policy):
        self.policy = policy
        excludes = policy["excludes"]
        self.exclude = re.compile("(" + ")|(".join(excludes) + ")") if excludes else None
        self.keys = {}  # the tenant keyring and the keys learned from the log
        if policy["verification-keys"]:
            ring = json.loads(policy["verification-keys"])
            for i, der in enumerate(ring["pubkeys"]):
                key = serialization.load_der_public_key(base64.b64decode(der))
                keyid = ring["keyids"][i] if i < len(ring["keyids"]) else None
                self.keys[keyid or keyid_of(key)] = key
        self.ignored = policy["ima"]["ignored_keyrings"]

    def excluded(self, path):
        return self.exclude is not None and self.exclude.match(path) is not None

    def ima_ng(self, digest, path, table="digests"):
        """ima._validate_ima_ng"""
        if self.excluded(path):
            return None
        accepted = self.policy[table].get(path)
        if accepted is None:
            return f"{path}: not in the policy's {table}"
        if digest.hex() not in accepted:
            return f"{path}: digest {digest.hex()} not in the policy's {table}"
        return None

    def ima_sig(self, algorithm, digest, path, sig):
        """ima._validate_ima_sig (the verifier always passes a keyring object)"""
        if sig is not None:
            if self.excluded(path):
                return None
            if verify_sig(self.keys, sig, digest, algorithm):
                return None
        return self.ima_ng(digest, path)

    def ima_buf(self, digest, name, data):
        """ima._validate_ima_buf (no device-mapper policy)"""
        key, keyid = key_from_buffer(data)
        if key is None:
            return self.ima_ng(digest, name, "ima-buf")
        if "*" in self.ignored or name in self.ignored:
            return None
        problem = self.ima_ng(digest, name, "keyrings")
        if problem is None:
            self.keys[keyid or keyid_of(key)] = key
        return problem

    def entry(self, line):
        pcr, template_hash, template, rest = line.split(" ", 3)
        if template in ("ima-ng", "ima"):
            digest_text, path = rest.split(" ", 1)
            algorithm, digest, digest_field = parse_digest(digest_text)
            if template == "ima":  # fixed-size legacy fields
                data = digest + path.encode().ljust(256, b"\0")
            else:
                data = digest_field + name_field(path)
            check = lambda: self.ima_ng(digest, path)  # noqa: E731
        elif template == "ima-sig":
            digest_text, path, sig_hex = rest.split(" ", 2)
            algorithm, digest, digest_field = parse_digest(digest_text)
            sig = bytes.fromhex(sig_hex) if sig_hex else None
            if sig is not None and (len(sig) < 9 or struct.unpack(">H", sig[7:9])[0] + 9 != len(sig)):
                sig = None  # ast.ImaSig.create_signature: not a signature
            # ast.ImaSig.bytes: an entry whose sig is no signature hashes as empty
            data = digest_field + name_field(path) + field(sig if sig is not None else b"")
            check = lambda: self.ima_sig(algorithm, digest, path, sig)  # noqa: E731
        elif template == "ima-buf":
            digest_text, path, buf_hex = rest.split(" ", 2)
            algorithm, digest, digest_field = parse_digest(digest_text)
            buf = bytes.fromhex(buf_hex)
            data = digest_field + name_field(path) + field(buf)
            check = lambda: self.ima_buf(digest, path, buf)  # noqa: E731
        else:
            return f"template {template} is not parsed by Keylime"
        if pcr != "10":
            return f"{path}: PCR {pcr}, not 10"
        if template_hash == "0" * 40:
            return f"{path}: template hash of zeros (ToMToU or open-writers violation)"
        if template_hash != hashlib.sha1(data).hexdigest():
            return f"{path}: template hash does not match the entry"
        if path == "boot_aggregate":
            return None
        return check()


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        checker = Checker(load_policy(argv[1]))
        with open(argv[2], encoding="utf-8", errors="surrogateescape") as f:
            lines = [line.rstrip("\n") for line in f if line.strip()]
    except (OSError, ValueError, KeyError, binascii.Error) as e:
        print(f"check-measurements: {e}", file=sys.stderr)
        return 2
    failures = 0
    for number, line in enumerate(lines, 1):
        try:
            problem = checker.entry(line)
        except ValueError as e:
            problem = f"not a valid IMA entry ({e})"
        if problem is not None:
            print(f"line {number}: {problem}")
            failures += 1
    print(f"{len(lines)} entries, {failures} failing", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

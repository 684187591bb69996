#!/usr/bin/env python3
"""Oscar shim for aiocoap (a user's own install) and its OSCORE plugtest server.

Written from aiocoap's documentation (aiocoap-client --credentials, the OSCORE credentials and
context-directory formats, contrib/oscore-plugtest). It speaks Oscar's shim contract
(docs/shim-contract.md). Needs `python3 -c "import aiocoap"` to work and, for the server role,
$OSCAR_AIOCOAP_DIR pointing at an aiocoap source tree (contrib/oscore-plugtest/plugtest-server).
Missing either, it exits 77 with the reason (the test is reported SKIP).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

SKIP = 77


def die_skip(reason):
    print(reason, file=sys.stderr)
    sys.exit(SKIP)


def arg(flag, default=None):
    return sys.argv[sys.argv.index(flag) + 1] if flag in sys.argv else default


def event(obj):
    print(json.dumps(obj), flush=True)


def context_dir(ctx, root):
    """Writes an aiocoap OSCORE context directory (secret.json + settings.json)."""
    os.makedirs(root, exist_ok=True)
    secret = {"secret_hex": ctx["master_secret"]}
    if ctx.get("master_salt"):
        secret["salt_hex"] = ctx["master_salt"]
    settings = {"sender-id_hex": ctx["sender_id"], "recipient-id_hex": ctx["recipient_id"],
                "algorithm": "AES-CCM-16-64-128", "kdf-hashfun": "sha256", "window": 32}
    if ctx.get("id_context"):
        settings["id-context_hex"] = ctx["id_context"]
    json.dump(secret, open(os.path.join(root, "secret.json"), "w"))
    json.dump(settings, open(os.path.join(root, "settings.json"), "w"))
    return root


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    try:
        import aiocoap  # noqa: F401
    except ImportError:
        die_skip("aiocoap is not installed for " + sys.executable +
                 " (pip install 'aiocoap[oscore]' and set OSCAR_AIOCOAP_DIR for the server)")
    role = arg("--role")
    config = json.load(open(arg("--config")))
    contexts = {c["name"]: c for c in config["contexts"]}
    tmp = tempfile.mkdtemp(prefix="oscar-aiocoap-")
    if role == "server":
        tree = os.environ.get("OSCAR_AIOCOAP_DIR")
        server = tree and os.path.join(tree, "contrib", "oscore-plugtest", "plugtest-server")
        if not server or not os.path.exists(server):
            die_skip("OSCAR_AIOCOAP_DIR does not point at an aiocoap tree with "
                     "contrib/oscore-plugtest/plugtest-server")
        ctxdir = context_dir(next(iter(contexts.values())), os.path.join(tmp, "server"))
        port = free_port()
        proc = subprocess.Popen([sys.executable, server, "--bind", f"127.0.0.1:{port}", ctxdir])
        os.write(3, b"ready %d\n" % port)
        os.close(3)
        for line in sys.stdin:
            if '"quit"' in line:
                break
        proc.terminate()
        proc.wait()
        return 0
    if role != "client":
        return 89
    client = shutil.which("aiocoap-client")
    if client is None:
        die_skip("aiocoap-client is not on PATH")
    server = arg("--server")
    port = free_port()
    os.write(3, b"ready %d\n" % port)
    os.close(3)
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd.get("op") == "quit":
            break
        if cmd.get("op") != "request":
            event({"event": "error", "error": "aiocoap-client cannot " + cmd.get("op", "?")})
            continue
        query = "&".join(cmd.get("query", []))
        uri = f"coap://{server}{cmd.get('path', '/')}" + (f"?{query}" if query else "")
        argv = [client, "-m", cmd["method"], uri]
        if cmd.get("context"):
            creds = os.path.join(tmp, cmd["context"] + ".json")
            ctxdir = context_dir(contexts[cmd["context"]], os.path.join(tmp, cmd["context"]))
            json.dump({f"coap://{server}/*": {"oscore": {"contextfile": ctxdir + "/"}}},
                      open(creds, "w"))
            argv += ["--credentials", creds]
        if "payload" in cmd:
            argv += ["--payload", cmd["payload"]]
        if "observe" in cmd:
            argv += ["--observe"]
        event({"event": "sent", "id": cmd["id"]})
        out = subprocess.run(argv, capture_output=True, timeout=10)
        event({"event": "response", "id": cmd["id"], "n": 1, "oscore": bool(cmd.get("context")),
               "verdict": "accept" if out.returncode == 0 else "error",
               "payload_hex": out.stdout.hex()})
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Oscar shim for libcoap's command-line tools (coap-client / coap-server with -E OSCORE).

Written from libcoap's documentation (coap-client(5), coap-server(5), coap-oscore-conf(5)). It
speaks Oscar's shim contract (docs/shim-contract.md). OSCORE in the tools needs libcoap 4.3.2
or later built with OSCORE; Debian 12 ships 4.3.1 without it, so there the shim exits 77 with
the reason (the test is reported SKIP). Binaries: $OSCAR_COAP_CLIENT / $OSCAR_COAP_SERVER, else
the first coap-client / coap-server (any TLS flavour) on PATH.
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


def find(kind):
    env = os.environ.get("OSCAR_COAP_" + kind.upper())
    if env:
        return env
    for suffix in ("", "-openssl", "-gnutls", "-notls"):
        path = shutil.which("coap-" + kind + suffix)
        if path:
            return path
    die_skip(f"no coap-{kind} found (install libcoap3-bin 4.3.2+ with OSCORE, or set "
             f"OSCAR_COAP_{kind.upper()})")


def require_oscore(binary):
    # "-h" makes the tools print their usage; a server given an odd option does the same but
    # may also start serving, so it runs under a time limit.
    try:
        usage = subprocess.run([binary, "-h", "x"], capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, timeout=2).stderr
    except subprocess.TimeoutExpired as e:
        usage = (e.stderr or b"").decode(errors="replace")
    if "oscore" not in usage.lower():
        first = next((line for line in usage.splitlines() if " v4." in line), binary)
        die_skip(f"{first.strip()} has no OSCORE support (-E needs libcoap 4.3.2 or later "
                 "built with OSCORE)")


def oscore_conf(ctx, path):
    """Writes a coap-oscore-conf(5) file for one context."""
    lines = [f'master_secret,hex,"{ctx["master_secret"]}"',
             f'sender_id,hex,"{ctx["sender_id"]}"',
             f'recipient_id,hex,"{ctx["recipient_id"]}"',
             f'aead_alg,integer,{ctx.get("aead_algorithm", 10)}',
             'hkdf_alg,integer,-10' if ctx.get("hkdf", "HKDF SHA-256") == "HKDF SHA-256"
             else 'hkdf_alg,integer,-11']
    if ctx.get("master_salt"):
        lines.append(f'master_salt,hex,"{ctx["master_salt"]}"')
    if ctx.get("id_context"):
        lines.append(f'id_context,hex,"{ctx["id_context"]}"')
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def arg(flag, default=None):
    return sys.argv[sys.argv.index(flag) + 1] if flag in sys.argv else default


def event(obj):
    print(json.dumps(obj), flush=True)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    role = arg("--role")
    config = json.load(open(arg("--config")))
    contexts = {c["name"]: c for c in config["contexts"]}
    tmp = tempfile.mkdtemp(prefix="oscar-libcoap-")
    if role == "server":
        binary = find("server")
        require_oscore(binary)
        conf = os.path.join(tmp, "oscore.conf")
        oscore_conf(next(iter(contexts.values())), conf)
        port = free_port()
        proc = subprocess.Popen([binary, "-A", "127.0.0.1", "-p", str(port), "-E", conf])
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
    binary = find("client")
    require_oscore(binary)
    server = arg("--server")
    port = free_port()
    os.write(3, b"ready %d\n" % port)
    os.close(3)
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd.get("op") == "quit":
            break
        if cmd.get("op") != "request":
            event({"event": "error", "error": "coap-client cannot " + cmd.get("op", "?")})
            continue
        argv = [binary, "-B", "3", "-m", cmd["method"].lower(), "-a", "127.0.0.1",
                "-p", str(port)]
        if cmd.get("context"):
            conf = os.path.join(tmp, cmd["context"] + ".conf")
            oscore_conf(contexts[cmd["context"]], conf)
            argv += ["-E", conf]
        if "payload" in cmd:
            argv += ["-e", cmd["payload"]]
        if "observe" in cmd:
            argv += ["-s", "2"]
        query = "&".join(cmd.get("query", []))
        uri = f"coap://{server}{cmd.get('path', '/')}" + (f"?{query}" if query else "")
        event({"event": "sent", "id": cmd["id"]})
        out = subprocess.run(argv + [uri], capture_output=True)
        event({"event": "response", "id": cmd["id"], "n": 1, "oscore": bool(cmd.get("context")),
               "verdict": "accept" if out.returncode == 0 else "error",
               "payload_hex": out.stdout.hex()})
    return 0


if __name__ == "__main__":
    sys.exit(main())

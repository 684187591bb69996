#!/usr/bin/env python3
"""badshim.py MODE [shim flags...] — a deliberately broken shim for the harness's robustness test
(bad_peers.sh): it crashes, hangs, lies, floods or says it cannot run, each as MODE says."""
import os
import signal
import socket
import sys
import time

mode = sys.argv[1]
args = sys.argv[2:]
server = args[args.index("--server") + 1] if "--server" in args else None


def ready(sock):
    os.write(3, b"ready %d\n" % sock.getsockname()[1])
    os.close(3)


def bound():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s


if mode == "crash":
    os.kill(os.getpid(), signal.SIGSEGV)
elif mode == "hang":
    # a shim that starts a helper process and then never gets ready: both must be stopped
    import subprocess
    subprocess.Popen(["sleep", "3599"])
    time.sleep(3600)
elif mode == "unimpl":
    sys.exit(89)
elif mode == "skip":
    print("badtool 0.1: built without OSCORE support", file=sys.stderr)
    sys.exit(77)
elif mode == "garbage":
    s = bound()
    ready(s)
    print("this is not a JSON event", flush=True)
    sys.stdin.read()
elif mode == "die":
    s = bound()
    ready(s)
    sys.stdin.readline()
    sys.exit(3)
elif mode == "stuck":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    s = bound()
    ready(s)
    time.sleep(3600)
elif mode == "flood":
    # a client that answers every request command with malformed datagrams to the server
    s = bound()
    ready(s)
    host, port = server.rsplit(":", 1)
    for line in sys.stdin:
        if '"request"' in line:
            for i in range(200):
                s.sendto(bytes([0x40, 0x01, 0x00, i & 0xFF, 0xFF]), (host, int(port)))
            print('{"event":"sent","id":"1"}', flush=True)
        if '"quit"' in line:
            break
else:
    sys.exit(2)

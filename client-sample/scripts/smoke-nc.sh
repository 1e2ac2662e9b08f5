#!/usr/bin/env bash
# smoke-nc.sh [HOST] [PORT] — the README's four example requests over plain nc; passes only on "++++".
#
# Sends "a 88", "b 12", "c 44", "d 37" and then QUIT, so the server writes the four acks it owes
# and closes the connection: nc ends when the server closes, no guessing how long to wait (hence
# no `-q`, which netcat-openbsd honours even after the server has closed). Needs netcat-openbsd.
# Exit codes: 0 the acks were "++++"; 1 anything else (printed); 2 usage or no nc.
set -euo pipefail

host=${1:-127.0.0.1}
port=${2:-7070}
if [[ $# -gt 2 || ! $port =~ ^[0-9]+$ ]]; then
    echo "usage: $(basename "$0") [HOST] [PORT]   (defaults 127.0.0.1 7070)" >&2
    exit 2
fi
if ! command -v nc >/dev/null 2>&1; then
    echo "smoke-nc: nc not found: install netcat-openbsd" >&2
    exit 2
fi

# -w 5: give up on a server that does not connect or goes silent for 5 s; timeout: a hard bound
acks=$(printf 'a 88\nb 12\nc 44\nd 37\nQUIT\n' | timeout 15 nc -w 5 "$host" "$port" || true)

if [[ $acks == "++++" ]]; then
    echo "smoke-nc: $host:$port answered ++++"
    exit 0
fi
printf 'smoke-nc: %s:%s answered %q, expected ++++\n' "$host" "$port" "$acks" >&2
exit 1

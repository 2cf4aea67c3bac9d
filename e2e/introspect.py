#!/usr/bin/env python3
"""Token introspection endpoint for the e2e world (RFC 7662 style), started by e2e/run.sh.

Dovecot's oauth2 passdb POSTs the access token as the form field "token". The answer comes from the JSON
file given as the second argument, which the e2e test writes with the tokens it minted:
{"TOKEN": {"active": true, "username": "alice@oauth.test", "scope": "mail"}, ...}. It is read on every
request; unknown tokens are inactive. The token itself is never logged.
"""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024


class Introspect(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.path != "/introspect" or length > MAX_BODY:
            self.send_error(404 if self.path != "/introspect" else 413)
            return
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0]
        try:
            with open(sys.argv[2], encoding="utf-8") as f:
                tokens = json.load(f)
        except (OSError, ValueError):
            tokens = {}
        answer = tokens.get(token, {"active": False}) if token else {"active": False}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        # The request line holds no token (it is in the body); log it without the client's words.
        sys.stderr.write("introspect: %s\n" % (fmt % args))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Introspect)
    server.serve_forever()


if __name__ == "__main__":
    main()

"""What a grading kernelspec runs: asks the zygote (grader/kernels/zygote.py) for a kernel and stands in
for it, as Jupyter expects of a kernel process, until the kernel exits.

Run as `python -I -S launcher.py SOCKET ROLE CONNECTION_FILE`: standard library only, so it costs
a few milliseconds. Killing it kills the kernel (the zygote sees the connection close). The kernel
reads its ports and key from what this script sends, not from the connection file, which the
kernel's namespaces do not show.
"""

import json
import os
import socket
import sys

EXIT_NO_ZYGOTE = 3


def _messages(connection):
    buffer = b""
    while True:
        chunk = connection.recv(4096)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield json.loads(line)


def main(argv):
    socket_path, role, connection_file = argv
    with open(connection_file, encoding="utf-8") as stream:
        connection_info = json.load(stream)
    request = {"role": role, "cwd": os.getcwd(), "connection": connection_info}
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(socket_path)
        connection.sendall(json.dumps(request).encode() + b"\n")
    except OSError as error:
        print(f"cx-grader: the warm-kernel process does not answer: {error}", file=sys.stderr)
        return EXIT_NO_ZYGOTE
    for message in _messages(connection):
        if "error" in message:
            print(f"cx-grader: no kernel: {message['error']}", file=sys.stderr)
            return EXIT_NO_ZYGOTE
        if "exit" in message:
            return int(message["exit"])
    return EXIT_NO_ZYGOTE  # the zygote went away


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The fake Mollie of bench/signup.py, in a process of its own.

    python -m bench.signup_mollie

Mollie is another company's server: what it spends answering a payment is not the site's. Run
inside the bench's workers (as it was until the third round of sign-up work), its HTTP handling was
charged to the services, and with threads it also took the interpreter lock from them. Here it
listens on a free port of 127.0.0.1, without calling webhooks (the workers play the webhook
themselves), prints its address on one line, and stops when its standard input is closed.
"""

import sys

from tests.fake_mollie import FakeMollie


def main():
    fake = FakeMollie().start()
    fake.call_webhooks = False
    print(fake.url, flush=True)
    sys.stdin.read()  # until the bench closes it (or ends)
    fake.stop()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Starts a Warden server for the compatibility suite, runs the tests, stops the server.

    python main.py PATH/TO/warden [unittest names...]

The server listens on 127.0.0.1:0 (the port it got is read from its "warden ready on"
line) with a temporary --data-dir and fixed root keys and account ID, which the tests read
from WARDEN_COMPAT_* environment variables (see compat.py).
"""

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ACCOUNT_ID = "123456789012"
ROOT_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
ROOT_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def start(binary, data_dir):
    env = dict(os.environ)
    env.update(
        WARDEN_ACCOUNT_ID=ACCOUNT_ID,
        WARDEN_ROOT_ACCESS_KEY_ID=ROOT_KEY_ID,
        WARDEN_ROOT_SECRET_ACCESS_KEY=ROOT_SECRET,
        WARDEN_LOG=os.environ.get("WARDEN_LOG", "warn"),
    )
    env.pop("WARDEN_DATABASE_URL", None)
    log = open(os.path.join(os.path.dirname(data_dir), "server.log"), "wb")
    proc = subprocess.Popen(
        [binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
        stdout=subprocess.PIPE,
        stderr=log,
        env=env,
    )
    found = {}

    def read():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            m = re.search(r"warden ready on (http://\S+)", line)
            if m and "url" not in found:
                found["url"] = m.group(1)
        proc.stdout.close()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"warden exited with {proc.returncode} before it was ready; see its log")
        url = found.get("url")
        if url:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return proc, url
            except OSError:
                pass
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("warden did not become ready within 60 s")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "killed after 30 s"


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


class TimedResult(unittest.TextTestResult):
    """Keeps each test's duration, to name the slowest ones."""

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        self.durations = getattr(self, "durations", [])
        self.durations.append((time.monotonic() - self._started, test.id()))
        super().stopTest(test)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary, names = os.path.abspath(sys.argv[1]), sys.argv[2:]
    work = tempfile.mkdtemp(prefix="warden-compat-")
    data_dir = os.path.join(work, "data")
    started = time.monotonic()
    proc, url = start(binary, data_dir)
    print(f"compat: warden at {url} (data in {data_dir})", flush=True)
    os.environ.update(
        WARDEN_COMPAT_ENDPOINT=url,
        WARDEN_COMPAT_ACCOUNT_ID=ACCOUNT_ID,
        WARDEN_COMPAT_ROOT_KEY_ID=ROOT_KEY_ID,
        WARDEN_COMPAT_ROOT_SECRET=ROOT_SECRET,
        # Nothing of the developer's own AWS setup may leak into the tests.
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    for k in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(k, None)
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if names:
        suite = loader.loadTestsFromNames(names)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    seed = os.environ.get("COMPAT_SHUFFLE")
    if seed:
        # The tests must not depend on their order: COMPAT_SHUFFLE=<seed> runs them shuffled.
        tests = list(flatten(suite))
        random.Random(seed).shuffle(tests)
        suite = unittest.TestSuite(tests)
        print(f"compat: shuffled with seed {seed}", flush=True)
    try:
        runner = unittest.TextTestRunner(verbosity=int(os.environ.get("COMPAT_VERBOSITY", "1")),
                                         resultclass=TimedResult)
        result = runner.run(suite)
    finally:
        code = stop(proc)
    ok = result.wasSuccessful() and code == 0
    if code != 0:
        print(f"compat: warden did not exit cleanly on SIGTERM: {code}")
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"compat: FAILED; server log and data kept in {work}")
    slowest = sorted(getattr(result, "durations", []), reverse=True)[:3]
    print("compat: slowest: " + ", ".join(f"{name.split('.', 1)[1]} {secs:.1f} s" for secs, name in slowest))
    for test, reason in result.skipped:
        print(f"compat: SKIPPED {test.id()}: {reason}")
    print(f"compat: {result.testsRun} tests in {time.monotonic() - started:.1f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
